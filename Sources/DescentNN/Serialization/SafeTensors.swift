import DescentCore
import Foundation

/// The element types of the safetensors format.
///
/// Descent writes `F32`, `F64` and (for counters) `I64`, and reads all of them.
public enum SafeTensorsDType: String, Sendable, CaseIterable, Codable {
    /// IEEE binary64.
    case F64
    /// IEEE binary32.
    case F32
    /// IEEE binary16.
    case F16
    /// bfloat16 (the top half of a binary32).
    case BF16
    /// Signed 64-bit integer (PyTorch's `int64`, used for `num_batches_tracked`).
    case I64
    /// Signed 32-bit integer.
    case I32
    /// Signed 16-bit integer.
    case I16
    /// Signed 8-bit integer.
    case I8
    /// Unsigned 8-bit integer.
    case U8
    /// One byte, 0 or 1.
    case BOOL

    /// Bytes per element.
    public var byteCount: Int {
        switch self {
        case .F64, .I64: return 8
        case .F32, .I32: return 4
        case .F16, .BF16, .I16: return 2
        case .I8, .U8, .BOOL: return 1
        }
    }

    /// `true` for the floating-point types.
    public var isFloatingPoint: Bool { self == .F64 || self == .F32 || self == .F16 || self == .BF16 }
}

/// A safetensors file that could not be read, or tensors that could not be written.
public struct SafeTensorsError: Error, CustomStringConvertible, Equatable, Sendable {
    /// What was wrong, where, and what to do.
    public var message: String
    /// An error with `message`.
    public init(_ message: String) { self.message = message }
    /// The message.
    public var description: String { message }
}

/// One tensor in a safetensors file: its element type, shape and raw little-endian bytes.
public struct SafeTensor: Sendable, Equatable {
    /// The element type.
    public var dtype: SafeTensorsDType
    /// The shape (`[]` for a scalar).
    public var shape: [Int]
    /// `shape.product × dtype.byteCount` bytes, little-endian, row-major.
    public var bytes: Data

    /// A tensor from raw bytes. - Throws: ``SafeTensorsError`` if the byte count does not fit.
    public init(dtype: SafeTensorsDType, shape: [Int], bytes: Data) throws {
        let count = shape.reduce(1, *)
        guard shape.allSatisfy({ $0 >= 0 }), bytes.count == count * dtype.byteCount else {
            throw SafeTensorsError("a \(dtype.rawValue) tensor of shape \(shape) needs \(count * dtype.byteCount) bytes, got \(bytes.count)")
        }
        self.dtype = dtype
        self.shape = shape
        self.bytes = bytes
    }

    /// `tensor`'s elements as `F32` (for `Float`) or `F64` (for `Double`).
    public init<Scalar: TensorScalar>(_ tensor: Tensor<Scalar>) {
        dtype = Scalar.self == Float.self ? .F32 : .F64
        shape = tensor.shape
        bytes = tensor.withUnsafeBufferPointer { buffer in
            var data = Data(capacity: buffer.count * MemoryLayout<Scalar>.size)
            if Scalar.self == Float.self {
                for v in buffer { withUnsafeBytes(of: Float(v).bitPattern.littleEndian) { data.append(contentsOf: $0) } }
            } else {
                for v in buffer { withUnsafeBytes(of: Double(v).bitPattern.littleEndian) { data.append(contentsOf: $0) } }
            }
            return data
        }
    }

    /// `values` rounded to whole numbers and stored as `I64` (for counters such as `num_batches_tracked`).
    public init(integers values: [Double], shape: [Int]) {
        dtype = .I64
        self.shape = shape
        var data = Data(capacity: values.count * 8)
        for v in values { withUnsafeBytes(of: Int64(v.rounded()).littleEndian) { data.append(contentsOf: $0) } }
        bytes = data
    }

    /// The number of elements.
    public var scalarCount: Int { shape.reduce(1, *) }

    /// The elements converted to `Double` (exact for every type except `I64` beyond 2⁵³).
    public var doubles: [Double] {
        let count = scalarCount
        return bytes.withUnsafeBytes { raw -> [Double] in
            func load<T: FixedWidthInteger>(_ type: T.Type, _ i: Int) -> T {
                T(littleEndian: raw.loadUnaligned(fromByteOffset: i * MemoryLayout<T>.size, as: T.self))
            }
            switch dtype {
            case .F64: return (0..<count).map { Double(bitPattern: load(UInt64.self, $0)) }
            case .F32: return (0..<count).map { Double(Float(bitPattern: load(UInt32.self, $0))) }
            case .F16: return (0..<count).map { halfToDouble(load(UInt16.self, $0)) }
            case .BF16: return (0..<count).map { Double(Float(bitPattern: UInt32(load(UInt16.self, $0)) << 16)) }
            case .I64: return (0..<count).map { Double(Int64(bitPattern: load(UInt64.self, $0))) }
            case .I32: return (0..<count).map { Double(Int32(bitPattern: load(UInt32.self, $0))) }
            case .I16: return (0..<count).map { Double(Int16(bitPattern: load(UInt16.self, $0))) }
            case .I8: return (0..<count).map { Double(Int8(bitPattern: load(UInt8.self, $0))) }
            case .U8: return (0..<count).map { Double(load(UInt8.self, $0)) }
            case .BOOL: return (0..<count).map { load(UInt8.self, $0) != 0 ? 1 : 0 }
            }
        }
    }

    /// The elements as a `Float` or `Double` tensor (converted from any element type).
    public func tensor<Scalar: TensorScalar>(as type: Scalar.Type = Scalar.self) -> Tensor<Scalar> {
        if (dtype == .F64 && Scalar.self == Double.self) || (dtype == .F32 && Scalar.self == Float.self) {
            // Same type: copy the bytes straight in.
            return Tensor(shape: shape) { out in
                bytes.withUnsafeBytes { raw in
                    UnsafeMutableRawBufferPointer(out).copyMemory(from: raw)
                }
                #if _endian(big)
                fatalError("safetensors: big-endian hosts are not supported")
                #endif
            }
        }
        return try! Tensor(shape: shape, scalars: doubles.map { Scalar($0) })
    }
}

/// IEEE 754 binary16 bits to `Double` (portable: `Float16` is not available on every platform).
func halfToDouble(_ bits: UInt16) -> Double {
    let sign: Double = bits & 0x8000 != 0 ? -1 : 1
    let exponent = Int((bits >> 10) & 0x1F), fraction = Double(bits & 0x3FF)
    if exponent == 0 { return sign * fraction * 0x1p-24 }
    if exponent == 31 { return fraction == 0 ? sign * .infinity : .nan }
    return sign * (1 + fraction / 1024) * Double(sign: .plus, exponent: exponent - 15, significand: 1)
}
