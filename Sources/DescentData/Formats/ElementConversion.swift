import DescentCore

/// The element types of binary array files (IDX and `.npy`).
enum StoredElement: Equatable, Sendable {
    case uint8, int8, int16, int32, int64, float32, float64

    /// Bytes per element.
    var size: Int {
        switch self {
        case .uint8, .int8: return 1
        case .int16: return 2
        case .int32, .float32: return 4
        case .int64, .float64: return 8
        }
    }

    /// `true` for integer types.
    var isInteger: Bool { self != .float32 && self != .float64 }
}

/// Converts `count` stored elements at `source` into `T`, optionally dividing by `divisor`.
/// Written once, generic over the destination, and called only from concrete `Float`/`Double`
/// branches (see ``convertElements(_:type:bigEndian:count:divisor:into:)``) so it is specialised.
@inline(__always)
func convertElementsConcrete<T: BinaryFloatingPoint>(
    _ source: UnsafeRawPointer, type: StoredElement, bigEndian: Bool, count: Int, divisor: T,
    into destination: UnsafeMutablePointer<T>
) {
    switch type {
    case .uint8:
        let p = source.assumingMemoryBound(to: UInt8.self)
        // Divided, not multiplied by 1/255, so pixels match torchvision's ToTensor bit for bit.
        for i in 0..<count { destination[i] = T(p[i]) / divisor }
    case .int8:
        for i in 0..<count { destination[i] = T(Int8(bitPattern: source.load(fromByteOffset: i, as: UInt8.self))) / divisor }
    case .int16:
        for i in 0..<count {
            let raw = source.loadUnaligned(fromByteOffset: 2 * i, as: UInt16.self)
            destination[i] = T(Int16(bitPattern: bigEndian ? raw.bigEndian : raw.littleEndian)) / divisor
        }
    case .int32:
        for i in 0..<count {
            let raw = source.loadUnaligned(fromByteOffset: 4 * i, as: UInt32.self)
            destination[i] = T(Int32(bitPattern: bigEndian ? raw.bigEndian : raw.littleEndian)) / divisor
        }
    case .int64:
        for i in 0..<count {
            let raw = source.loadUnaligned(fromByteOffset: 8 * i, as: UInt64.self)
            destination[i] = T(Int64(bitPattern: bigEndian ? raw.bigEndian : raw.littleEndian)) / divisor
        }
    case .float32:
        for i in 0..<count {
            let raw = source.loadUnaligned(fromByteOffset: 4 * i, as: UInt32.self)
            destination[i] = T(Float(bitPattern: bigEndian ? raw.bigEndian : raw.littleEndian)) / divisor
        }
    case .float64:
        for i in 0..<count {
            let raw = source.loadUnaligned(fromByteOffset: 8 * i, as: UInt64.self)
            destination[i] = T(Double(bitPattern: bigEndian ? raw.bigEndian : raw.littleEndian)) / divisor
        }
    }
}

/// Converts stored elements into a `Scalar` buffer through a concrete `Float` or `Double` branch.
func convertElements<Scalar: TensorScalar>(
    _ source: UnsafeRawPointer, type: StoredElement, bigEndian: Bool, count: Int, divisor: Double,
    into destination: UnsafeMutablePointer<Scalar>
) {
    if Scalar.self == Float.self {
        convertElementsConcrete(source, type: type, bigEndian: bigEndian, count: count, divisor: Float(divisor),
                                into: UnsafeMutableRawPointer(destination).assumingMemoryBound(to: Float.self))
    } else {
        convertElementsConcrete(source, type: type, bigEndian: bigEndian, count: count, divisor: divisor,
                                into: UnsafeMutableRawPointer(destination).assumingMemoryBound(to: Double.self))
    }
}

/// Reads `count` stored integers as `Int` (labels); `type` must be an integer type.
/// One loop per type, so the switch is outside the element loop.
func integerElements(_ source: UnsafeRawPointer, type: StoredElement, bigEndian: Bool, count: Int) -> [Int] {
    [Int](unsafeUninitializedCapacity: count) { out, initialized in
        switch type {
        case .uint8:
            for i in 0..<count { out[i] = Int(source.load(fromByteOffset: i, as: UInt8.self)) }
        case .int8:
            for i in 0..<count { out[i] = Int(Int8(bitPattern: source.load(fromByteOffset: i, as: UInt8.self))) }
        case .int16:
            for i in 0..<count {
                let raw = source.loadUnaligned(fromByteOffset: 2 * i, as: UInt16.self)
                out[i] = Int(Int16(bitPattern: bigEndian ? raw.bigEndian : raw.littleEndian))
            }
        case .int32:
            for i in 0..<count {
                let raw = source.loadUnaligned(fromByteOffset: 4 * i, as: UInt32.self)
                out[i] = Int(Int32(bitPattern: bigEndian ? raw.bigEndian : raw.littleEndian))
            }
        case .int64:
            for i in 0..<count {
                let raw = source.loadUnaligned(fromByteOffset: 8 * i, as: UInt64.self)
                out[i] = Int(truncatingIfNeeded: Int64(bitPattern: bigEndian ? raw.bigEndian : raw.littleEndian))
            }
        case .float32, .float64:
            for i in 0..<count { out[i] = 0 }  // not reached: callers pass integer types only
        }
        initialized = count
    }
}

/// Reads `count` stored floats that must be whole numbers (class labels saved as floats) as `Int`.
/// - Returns: the labels, or the index and value of the first element that is not a whole number
///   representable as `Int` (fractional, infinite, NaN or beyond ±2⁶³).
func wholeNumberElements(_ source: UnsafeRawPointer, type: StoredElement, bigEndian: Bool, count: Int) -> Result<[Int], WholeNumberFailure> {
    var labels = [Int](repeating: 0, count: count)
    var failure: WholeNumberFailure?
    labels.withUnsafeMutableBufferPointer { out in
        for i in 0..<count {
            let x: Double
            if type == .float32 {
                let raw = source.loadUnaligned(fromByteOffset: 4 * i, as: UInt32.self)
                x = Double(Float(bitPattern: bigEndian ? raw.bigEndian : raw.littleEndian))
            } else {
                let raw = source.loadUnaligned(fromByteOffset: 8 * i, as: UInt64.self)
                x = Double(bitPattern: bigEndian ? raw.bigEndian : raw.littleEndian)
            }
            // Int(exactly:) is nil for fractions, NaN, infinities and values outside Int's range.
            guard let label = Int(exactly: x) else { failure = WholeNumberFailure(index: i, value: x); return }
            out[i] = label
        }
    }
    if let failure { return .failure(failure) }
    return .success(labels)
}

/// The first element of a float label array that is not a whole number.
struct WholeNumberFailure: Error {
    var index: Int
    var value: Double
}

extension Int {
    /// The number with thousands separators, `47,040,000`, for messages about sizes.
    var grouped: String {
        let digits = String(self.magnitude)
        var result = ""
        for (i, c) in digits.enumerated() {
            if i > 0 && (digits.count - i) % 3 == 0 { result.append(",") }
            result.append(c)
        }
        return (self < 0 ? "-" : "") + result
    }
}
