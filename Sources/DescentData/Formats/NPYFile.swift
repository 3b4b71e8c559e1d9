#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
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
    /// The number of elements (the product of ``shape``, checked for overflow when read).
    public var elementCount: Int
    /// The number of data bytes the header promises.
    public var dataByteCount: Int
    let element: StoredElement
}

/// Reads NumPy `.npy` arrays: `<f4`, `<f8`, `<i4`, `<i8` and `|u1` in C order.
///
///     let x: Tensor<Float> = try NPYLoader.load("features.npy")    // any supported type, converted
///     let y = try NPYLoader.loadIntegers("labels.npy")              // class labels
///
/// - NumPy: `numpy.load`; PyTorch: `torch.from_numpy(numpy.load(path))`.
public enum NPYLoader {
    /// The header of the `.npy` file at `path` (only the header is read; a gzip file is
    /// decompressed only as far as the header).
    /// - Throws: ``DataError`` for a bad magic number or header, or an unsupported type.
    public static func header(_ path: String) throws -> NPYHeader { try readHeader(path).header }

    /// The array in `path` as a tensor of its shape.
    ///
    /// When the file is plain (not gzip), its type is `Scalar`'s (`<f4` for `Float`, `<f8` for
    /// `Double`), and its data starts on a 64-byte boundary (NumPy pads the header so it does),
    /// the tensor's storage is a private memory mapping of the file: loading takes about as long
    /// for 1 GB as for 1 KB, and pages are read from disk when first touched (see
    /// `TensorStorage/init(mappingFile:byteOffset:count:)`; `storage.isMemoryMapped` tells).
    /// Otherwise, or if the system refuses the mapping, the elements are read and converted into
    /// ordinary storage (the values are the same either way).
    ///
    /// - Parameters:
    ///   - path: the file, plain or gzip.
    ///   - scaleToUnit: divide unsigned bytes (`|u1`, such as image pixels) by 255 so they lie in
    ///     [0, 1]. The default value is `false`.
    ///   - memoryMap: map the file when it can be. The default value is `true`.
    ///   - as: the element type, `Float` or `Double`; inferred from the context when left out.
    /// - Throws: ``DataError`` for a bad magic number, an unsupported type, Fortran order, sizes
    ///   that overflow, or truncated data (with byte offsets).
    /// - NumPy: `numpy.load(path, mmap_mode="c")` when mapped, `numpy.load(path).astype(…)` otherwise.
    public static func load<Scalar: TensorScalar>(
        _ path: String, as _: Scalar.Type = Scalar.self, scaleToUnit: Bool = false, memoryMap: Bool = true
    ) throws -> Tensor<Scalar> {
        let (header, head) = try readHeader(path)
        if !head.isGzip {
            try checkSize(header, fileSize: head.fileSize, file: path)
            if memoryMap, let tensor: Tensor<Scalar> = mapped(path, header) { return tensor }
        }
        return try FileBytes.withBytes(of: path) { bytes in
            let raw = UnsafeRawBufferPointer(bytes)
            let header = try checkedHeader(raw, file: path)
            let divisor = scaleToUnit && header.element == .uint8 ? 255.0 : 1.0
            return Tensor<Scalar>(shape: header.shape) { out in
                convertElements(raw.baseAddress! + header.dataOffset, type: header.element, bigEndian: false,
                                count: out.count, divisor: divisor, into: out.baseAddress!)
            }
        }
    }

    /// The integers of a one-axis integer array (class labels).
    /// - Throws: ``DataError`` if the array is not integers of shape `(n,)`.
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

    /// Class labels: an integer array, or a float array of whole numbers, of shape `(n,)` or `(n, 1)`.
    /// - Throws: ``DataError`` for another shape, or naming the first element that is not a whole number.
    public static func loadClassLabels(_ path: String) throws -> [Int] {
        try FileBytes.withBytes(of: path) { bytes in
            let raw = UnsafeRawBufferPointer(bytes)
            let header = try checkedHeader(raw, file: path)
            guard header.shape.count == 1 || (header.shape.count == 2 && header.shape[1] == 1) else {
                throw DataError(file: path, "expected one label per row, an array of shape (n,) or (n, 1); found shape \(header.shape) "
                                + "(for one-hot labels save labels.argmax(axis=1) instead)")
            }
            let source = raw.baseAddress! + header.dataOffset
            if header.element.isInteger {
                return integerElements(source, type: header.element, bigEndian: false, count: header.shape[0])
            }
            switch wholeNumberElements(source, type: header.element, bigEndian: false, count: header.shape[0]) {
            case .success(let labels): return labels
            case .failure(let bad):
                throw DataError(file: path, byteOffset: header.dataOffset + bad.index * header.element.size,
                                "label \(bad.index) is \(bad.value), not a whole number; class labels must be whole numbers "
                                + "(for regression targets, use the array as values, not labels)")
            }
        }
    }

    /// A tensor over a memory mapping of the file, or `nil` when the file cannot be mapped as `Scalar`.
    static func mapped<Scalar: TensorScalar>(_ path: String, _ header: NPYHeader) -> Tensor<Scalar>? {
        let sameType = (Scalar.self == Float.self && header.element == .float32) || (Scalar.self == Double.self && header.element == .float64)
        // `<f4`/`<f8` are little-endian; the mapping hands the bytes over as they are.
        guard sameType, 1.littleEndian == 1, header.dataOffset % 64 == 0, header.elementCount >= 1 else { return nil }
        let descriptor = open(path, O_RDONLY)
        guard descriptor >= 0 else { return nil }
        defer { close(descriptor) }
        guard let storage = try? TensorStorage<Scalar>(mappingFile: descriptor, byteOffset: header.dataOffset, count: header.elementCount)
        else { return nil }
        return try? Tensor(sharing: storage, shape: header.shape)
    }

    /// The header from the first bytes of `path`, and what was learnt about the file.
    static func readHeader(_ path: String) throws -> (header: NPYHeader, head: FileBytes.Head) {
        var head = try FileBytes.head(of: path, count: 4096)
        if head.bytes.count == 4096 && head.bytes.starts(with: magic) {
            // A header longer than the first read (NumPy writes about 128 bytes; a long shape tuple could need more).
            let needed = try head.bytes.withUnsafeBytes { try headerEnd($0, file: path) }
            if needed > head.bytes.count {
                guard needed <= 1 << 24 else {
                    throw DataError(file: path, byteOffset: 8, "the .npy header claims \(needed.grouped) bytes, more than any NumPy writes; the file is corrupt")
                }
                head = try FileBytes.head(of: path, count: needed)
            }
        }
        let header = try head.bytes.withUnsafeBytes { try parseHeader($0, file: path) }
        return (header, head)
    }

    /// The offset just past the header dict, from the preamble.
    static func headerEnd(_ raw: UnsafeRawBufferPointer, file: String) throws -> Int {
        guard raw.count >= 12 else { return raw.count }
        switch raw[6] {
        case 1: return 10 + Int(UInt16(littleEndian: raw.loadUnaligned(fromByteOffset: 8, as: UInt16.self)))
        case 2, 3: return 12 + Int(UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: 8, as: UInt32.self)))
        default: return raw.count
        }
    }

    /// Checks that a plain file of `fileSize` bytes holds the data the header promises.
    static func checkSize(_ header: NPYHeader, fileSize: Int, file: String) throws {
        let available = fileSize - header.dataOffset
        guard available >= header.dataByteCount else {
            throw DataError(file: file, byteOffset: fileSize,
                            "the file ends after \(available.grouped) of \(header.dataByteCount.grouped) data bytes (shape \(header.shape), '\(header.typeDescription)', "
                            + "data from byte \(header.dataOffset)); the file is truncated")
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
        // Sizes come from the file: multiply with overflow checks, so a corrupt header is an error, not a trap.
        guard let count = checkedProduct(shape), let bytes = count.multipliedChecked(by: element.size) else {
            throw DataError(file: file, byteOffset: start, "the shape \(shape) multiplies to more bytes than any file holds; the header is corrupt")
        }
        return NPYHeader(majorVersion: major, typeDescription: typeDescription, shape: shape, dataOffset: start + headerLength,
                         elementCount: count, dataByteCount: bytes, element: element)
    }

    static func checkedHeader(_ raw: UnsafeRawBufferPointer, file: String) throws -> NPYHeader {
        let header = try parseHeader(raw, file: file)
        try checkSize(header, fileSize: raw.count, file: file)
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
