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

/// Reads `count` stored integers as `Int` (labels).
func integerElements(_ source: UnsafeRawPointer, type: StoredElement, bigEndian: Bool, count: Int) -> [Int] {
    (0..<count).map { i in
        switch type {
        case .uint8: return Int(source.load(fromByteOffset: i, as: UInt8.self))
        case .int8: return Int(Int8(bitPattern: source.load(fromByteOffset: i, as: UInt8.self)))
        case .int16:
            let raw = source.loadUnaligned(fromByteOffset: 2 * i, as: UInt16.self)
            return Int(Int16(bitPattern: bigEndian ? raw.bigEndian : raw.littleEndian))
        case .int32:
            let raw = source.loadUnaligned(fromByteOffset: 4 * i, as: UInt32.self)
            return Int(Int32(bitPattern: bigEndian ? raw.bigEndian : raw.littleEndian))
        case .int64, .float32, .float64:
            let raw = source.loadUnaligned(fromByteOffset: 8 * i, as: UInt64.self)
            return Int(truncatingIfNeeded: Int64(bitPattern: bigEndian ? raw.bigEndian : raw.littleEndian))
        }
    }
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
