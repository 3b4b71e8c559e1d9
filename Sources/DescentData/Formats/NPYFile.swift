import Foundation
import DescentCore

/// The header of a NumPy `.npy` file: element type, shape and order.
///
/// Layout (NumPy format versions 1.0, 2.0, 3.0): the magic bytes `\x93NUMPY`, a major and minor
/// version byte, the header length (2 bytes little-endian in 1.0, 4 bytes in 2.0 and 3.0), then
/// a Python dict literal such as `{'descr': '<f4', 'fortran_order': False, 'shape': (3, 4), }`,
/// padded to a multiple of 64 bytes, then the elements.
public struct NPYHeader: Equatable, Sendable {
    /// The format version (1, 2 or 3).
    public var majorVersion: Int
    /// The NumPy type string, such as `<f4`.
    public var typeDescription: String
    /// The array shape (`[]` for a scalar).
    public var shape: [Int]
    /// The byte offset of the first element.
    public var dataOffset: Int
    let element: StoredElement
}

/// Reads NumPy `.npy` arrays: `<f4`, `<f8`, `<i4`, `<i8` and `|u1` in C order.
///
///     let x: Tensor<Float> = try NPYLoader.load("features.npy")    // any supported type, converted
///     let y = try NPYLoader.loadIntegers("labels.npy")              // class labels
///
/// - NumPy: `numpy.load`; PyTorch: `torch.from_numpy(numpy.load(path))`.
public enum NPYLoader {
    /// The header of the `.npy` file at `path`.
    public static func header(_ path: String) throws -> NPYHeader {
        try FileBytes.withBytes(of: path) { try parseHeader(UnsafeRawBufferPointer($0), file: path) }
    }

    /// The array in `path` as a tensor (elements converted to `Scalar`).
    /// - Throws: ``DataError`` for a bad magic number, an unsupported type, Fortran order, or
    ///   truncated data (with byte offsets).
    public static func load<Scalar: TensorScalar>(_ path: String, as _: Scalar.Type = Scalar.self) throws -> Tensor<Scalar> {
        try FileBytes.withBytes(of: path) { bytes in
            let raw = UnsafeRawBufferPointer(bytes)
            let header = try checkedHeader(raw, file: path)
            return Tensor<Scalar>(shape: header.shape) { out in
                convertElements(raw.baseAddress! + header.dataOffset, type: header.element, bigEndian: false,
                                count: out.count, divisor: 1, into: out.baseAddress!)
            }
        }
    }

    /// The integers of a one-axis integer array (class labels).
    public static func loadIntegers(_ path: String) throws -> [Int] {
        try FileBytes.withBytes(of: path) { bytes in
            let raw = UnsafeRawBufferPointer(bytes)
            let header = try checkedHeader(raw, file: path)
            guard header.element.isInteger, header.shape.count == 1 else {
                throw DataError(file: path, "expected a one-axis integer array for labels, found '\(header.typeDescription)' of shape \(header.shape)")
            }
            return integerElements(raw.baseAddress! + header.dataOffset, type: header.element, bigEndian: false, count: header.shape[0])
        }
    }

    static let magic: [UInt8] = [0x93, 0x4E, 0x55, 0x4D, 0x50, 0x59]  // \x93NUMPY

    static func parseHeader(_ raw: UnsafeRawBufferPointer, file: String) throws -> NPYHeader {
        guard raw.count >= 10 else {
            throw DataError(file: file, byteOffset: raw.count, "the file ends after \(raw.count) bytes, inside the 10-byte .npy preamble")
        }
        guard Array(raw.prefix(6)) == magic else {
            throw DataError(file: file, byteOffset: 0, "expected the .npy magic bytes \\x93NUMPY; this is not a NumPy .npy file (an .npz archive must be unzipped first)")
        }
        let major = Int(raw[6])
        let lengthBytes: Int
        switch major {
        case 1: lengthBytes = 2
        case 2, 3: lengthBytes = 4
        default: throw DataError(file: file, byteOffset: 6, "unsupported .npy format version \(major).\(raw[7]); expected 1.0, 2.0 or 3.0")
        }
        guard raw.count >= 8 + lengthBytes else { throw DataError(file: file, byteOffset: raw.count, "the file ends inside the .npy header length") }
        let headerLength = lengthBytes == 2
            ? Int(UInt16(littleEndian: raw.loadUnaligned(fromByteOffset: 8, as: UInt16.self)))
            : Int(UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: 8, as: UInt32.self)))
        let start = 8 + lengthBytes
        guard raw.count >= start + headerLength else {
            throw DataError(file: file, byteOffset: raw.count, "the file ends inside the .npy header, which should run to byte \(start + headerLength)")
        }
        let text = String(decoding: raw[start..<(start + headerLength)], as: UTF8.self)
        func fail(_ what: String) -> DataError {
            DataError(file: file, byteOffset: start, "cannot read the .npy header \(text.trimmingSpaces().debugDescription): \(what)")
        }
        guard let description = dictValue(text, key: "descr") else { throw fail("no 'descr' entry") }
        guard let fortran = dictValue(text, key: "fortran_order") else { throw fail("no 'fortran_order' entry") }
        guard let shapeText = dictValue(text, key: "shape") else { throw fail("no 'shape' entry") }
        let typeDescription = description.trimmingCharacters(quotes: true)
        let element: StoredElement
        switch typeDescription {
        case "<f4": element = .float32
        case "<f8": element = .float64
        case "<i4": element = .int32
        case "<i8": element = .int64
        case "|u1", "<u1", "u1": element = .uint8
        case "|i1", "<i1", "i1": element = .int8
        case "<i2": element = .int16
        default:
            throw DataError(file: file, byteOffset: start, "unsupported element type '\(typeDescription)'; expected '<f4', '<f8', '<i4', '<i8' or '|u1' "
                            + "(convert with array.astype(numpy.float32) and save again)")
        }
        if fortran.hasPrefix("True") {
            throw DataError(file: file, byteOffset: start, "the array is stored in Fortran (column-major) order; only C order is supported — "
                            + "save numpy.ascontiguousarray(array) instead")
        }
        guard fortran.hasPrefix("False") else { throw fail("'fortran_order' must be True or False") }
        let inner = shapeText.trimmingCharacters(quotes: false)
        guard inner.hasPrefix("("), inner.hasSuffix(")") else { throw fail("'shape' must be a tuple such as (3, 4)") }
        var shape: [Int] = []
        for part in inner.dropFirst().dropLast().split(separator: ",") {
            let token = String(part).trimmingSpaces()
            if token.isEmpty { continue }
            guard let size = Int(token.hasSuffix("L") ? String(token.dropLast()) : token), size >= 0 else { throw fail("'\(token)' is not a size") }
            shape.append(size)
        }
        return NPYHeader(majorVersion: major, typeDescription: typeDescription, shape: shape, dataOffset: start + headerLength, element: element)
    }

    static func checkedHeader(_ raw: UnsafeRawBufferPointer, file: String) throws -> NPYHeader {
        let header = try parseHeader(raw, file: file)
        let needed = header.shape.reduce(1, *) * header.element.size
        let available = raw.count - header.dataOffset
        guard available >= needed else {
            throw DataError(file: file, byteOffset: raw.count,
                            "the file ends after \(available.grouped) of \(needed.grouped) data bytes (shape \(header.shape), '\(header.typeDescription)', "
                            + "data from byte \(header.dataOffset)); the file is truncated")
        }
        return header
    }

    /// The raw text of `key`'s value in a Python dict literal (up to the next top-level comma).
    static func dictValue(_ text: String, key: String) -> String? {
        for quote in ["'", "\""] {
            guard let keyRange = text.range(of: "\(quote)\(key)\(quote)") else { continue }
            var rest = text[keyRange.upperBound...].drop { $0 == " " }
            guard rest.first == ":" else { return nil }
            rest = rest.dropFirst().drop { $0 == " " }
            var depth = 0
            var end = rest.startIndex
            while end < rest.endIndex {
                let c = rest[end]
                if c == "(" || c == "[" { depth += 1 }
                if c == ")" || c == "]" { depth -= 1 }
                if (c == "," || c == "}") && depth == 0 { break }
                end = rest.index(after: end)
            }
            return String(rest[..<end]).trimmingSpaces()
        }
        return nil
    }
}

extension String {
    /// Trimmed of spaces and, if `quotes`, of surrounding single or double quotes.
    func trimmingCharacters(quotes: Bool) -> String {
        var text = trimmingSpaces()
        if quotes, text.count >= 2, let first = text.first, first == "'" || first == "\"", text.last == first {
            text = String(text.dropFirst().dropLast())
        }
        return text
    }
}
