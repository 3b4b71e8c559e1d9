import DescentCore

/// The header of an IDX file: element type and shape (Y. LeCun's MNIST format).
///
/// Layout: two zero bytes, a type byte (`0x08` unsigned byte, `0x09` signed byte, `0x0B` 16-bit,
/// `0x0C` 32-bit integer, `0x0D` float, `0x0E` double), a rank byte, then one big-endian 32-bit
/// size per axis, then the elements in row-major order, big-endian.
public struct IDXHeader: Equatable, Sendable {
    /// The size of each axis (`[60000, 28, 28]` for MNIST training images).
    public var shape: [Int]
    /// The number of header bytes before the data (`4 + 4·rank`).
    public var dataOffset: Int
    let element: StoredElement
    /// The name of the element type (`unsigned byte`, `float` …).
    public var elementName: String {
        switch element {
        case .uint8: return "unsigned byte"
        case .int8: return "signed byte"
        case .int16: return "16-bit integer"
        case .int32: return "32-bit integer"
        case .int64: return "64-bit integer"
        case .float32: return "float"
        case .float64: return "double"
        }
    }

    /// The number of data bytes the header promises (checked for overflow when the header is read).
    public let dataByteCount: Int
    /// The number of elements in one item (the product of the sizes after the first axis).
    public let itemElementCount: Int

    /// Parses a header from the first bytes of a file (at least `4 + 4·rank` of them).
    static func parse(_ bytes: UnsafeRawBufferPointer, file: String) throws -> IDXHeader {
        guard bytes.count >= 4 else {
            throw DataError(file: file, byteOffset: bytes.count, "the file ends after \(bytes.count) bytes, inside the 4-byte IDX magic number")
        }
        guard bytes[0] == 0, bytes[1] == 0 else {
            throw DataError(file: file, byteOffset: 0, "expected the IDX magic number (00 00 type rank), found "
                            + bytes.prefix(4).map { String($0, radix: 16).leftPadded(2) }.joined(separator: " ")
                            + "; this is not an IDX file (MNIST files are named like train-images-idx3-ubyte)")
        }
        let element: StoredElement
        switch bytes[2] {
        case 0x08: element = .uint8
        case 0x09: element = .int8
        case 0x0B: element = .int16
        case 0x0C: element = .int32
        case 0x0D: element = .float32
        case 0x0E: element = .float64
        default:
            throw DataError(file: file, byteOffset: 2, "unknown IDX element type 0x\(String(bytes[2], radix: 16)); expected 08, 09, 0B, 0C, 0D or 0E")
        }
        let rank = Int(bytes[3])
        guard rank >= 1 else { throw DataError(file: file, byteOffset: 3, "the IDX rank is 0; expected at least one axis") }
        let dataOffset = 4 + 4 * rank
        guard bytes.count >= dataOffset else {
            throw DataError(file: file, byteOffset: bytes.count, "the file ends inside the IDX header: \(rank) axes need \(dataOffset) header bytes")
        }
        var shape: [Int] = []
        for axis in 0..<rank {
            shape.append(Int(UInt32(bigEndian: bytes.loadUnaligned(fromByteOffset: 4 + 4 * axis, as: UInt32.self))))
        }
        // Sizes come from the file: multiply with overflow checks, so a corrupt header is an error, not a trap.
        guard checkedProduct(shape) != nil, let items = checkedProduct(shape.dropFirst()), let elements = items.multipliedChecked(by: shape[0]),
              let byteCount = elements.multipliedChecked(by: element.size)
        else {
            throw DataError(file: file, byteOffset: 4, "the IDX header's sizes \(shape) multiply to more bytes than any file holds; "
                            + "the header is corrupt (this is not a valid IDX file)")
        }
        return IDXHeader(shape: shape, dataOffset: dataOffset, element: element, dataByteCount: byteCount, itemElementCount: items)
    }
}

/// Reads IDX files (MNIST, Fashion-MNIST, EMNIST), plain or gzip-compressed.
///
///     let train: TensorDataset<Float> = try IDXLoader.loadMNIST(
///         images: "train-images-idx3-ubyte.gz", labels: "train-labels-idx1-ubyte.gz")
///
/// - PyTorch: `torchvision.datasets.MNIST` / `FashionMNIST` (which read the same files);
///   scaling to [0, 1] is what `transforms.ToTensor()` does.
public enum IDXLoader {
    /// The header of the IDX file at `path` (only the header is read; a gzip file is decompressed
    /// only as far as the header). The data size is not checked against the file here.
    public static func header(_ path: String) throws -> IDXHeader {
        let head = try FileBytes.head(of: path, count: 4 + 4 * 255)
        return try head.bytes.withUnsafeBytes { try IDXHeader.parse($0, file: path) }
    }

    /// The array in the IDX file at `path` as a tensor of its shape.
    /// - Parameters:
    ///   - path: the file, plain or gzip.
    ///   - scaleToUnit: divide unsigned bytes by 255 so pixels lie in [0, 1]. The default value is `false`.
    ///   - as: the element type, `Float` or `Double`; inferred from the context when left out.
    /// - Throws: ``DataError`` for a bad magic number, truncated data (with byte offsets) or extra bytes.
    public static func load<Scalar: TensorScalar>(_ path: String, scaleToUnit: Bool = false, as _: Scalar.Type = Scalar.self) throws -> Tensor<Scalar> {
        try FileBytes.withBytes(of: path) { bytes in
            let raw = UnsafeRawBufferPointer(bytes)
            let header = try checkedHeader(raw, file: path)
            let divisor = scaleToUnit && header.element == .uint8 ? 255.0 : 1.0
            return Tensor<Scalar>(shape: header.shape) { out in
                convertElements(raw.baseAddress! + header.dataOffset, type: header.element, bigEndian: true,
                                count: out.count, divisor: divisor, into: out.baseAddress!)
            }
        }
    }

    /// The integer labels in a one-axis IDX file.
    /// - Throws: ``DataError`` if the file is not a one-axis integer array, or as ``load(_:scaleToUnit:as:)``.
    public static func loadLabels(_ path: String) throws -> [Int] {
        try FileBytes.withBytes(of: path) { bytes in
            let raw = UnsafeRawBufferPointer(bytes)
            let header = try checkedHeader(raw, file: path)
            guard header.shape.count == 1, header.element.isInteger else {
                throw DataError(file: path, "expected a one-axis integer label file, found \(header.elementName)s of shape \(header.shape)")
            }
            return integerElements(raw.baseAddress! + header.dataOffset, type: header.element, bigEndian: true, count: header.shape[0])
        }
    }

    /// MNIST-style images and labels as a classification dataset.
    ///
    /// Shapes: an image file of shape `(n, h, w)` gives features `[n, h·w]` when flattened and
    /// `[n, 1, h, w]` (one channel, as a PyTorch batch of `ToTensor()` images) when not; a file of
    /// shape `(n, c, h, w)` gives `[n, c·h·w]` or keeps `[n, c, h, w]`; `(n, f)` stays `[n, f]`.
    /// - Parameters:
    ///   - images: the image file (`…-images-idx3-ubyte[.gz]`).
    ///   - labels: the label file (`…-labels-idx1-ubyte[.gz]`), or any label file ``LabelFile`` reads.
    ///   - scaleToUnit: pixels divided by 255. The default value is `true`.
    ///   - flatten: each image as one row of features (for dense networks). The default value is `true`.
    ///   - classCount: the number of classes. The default value is `10`; `nil` is one more than the largest label.
    ///   - as: the element type, `Float` or `Double`; inferred from the context when left out.
    /// - Throws: ``DataError`` if the files are damaged, the counts differ, there are no images,
    ///   an image has no pixels, or a label is outside `0..<classCount`.
    public static func loadMNIST<Scalar: TensorScalar>(
        images: String, labels: String, scaleToUnit: Bool = true, flatten: Bool = true, classCount: Int? = 10,
        as _: Scalar.Type = Scalar.self
    ) throws -> TensorDataset<Scalar> {
        var pixels: Tensor<Scalar> = try load(images, scaleToUnit: scaleToUnit)
        try checkImageShape(pixels.shape, file: images)
        let classes = try LabelFile.load(labels).classes
        guard pixels.shape[0] == classes.count else {
            throw DataError(file: labels, "\(classes.count.grouped) labels for \(pixels.shape[0].grouped) images in \(images); the files do not belong together")
        }
        let count = classCount ?? ((classes.max() ?? -1) + 1)
        if let bad = classes.firstIndex(where: { $0 < 0 || $0 >= count }) {
            throw DataError(file: labels, "label \(classes[bad]) of image \(bad) is outside 0..<\(count)")
        }
        if flatten && pixels.rank > 2 {
            pixels = pixels.flattened(fromAxis: 1)
        } else if pixels.rank == 3 {
            pixels = try pixels.reshaped(to: [pixels.shape[0], 1, pixels.shape[1], pixels.shape[2]])
        }
        return try TensorDataset(features: pixels, targets: .classes(classes), classCount: count)
    }

    /// Checks that an image array has items, of rank 2 to 4, each with at least one element.
    static func checkImageShape(_ shape: [Int], file: String) throws {
        guard (2...4).contains(shape.count) else {
            throw DataError(file: file, "expected images of shape (n, h, w) or (n, c, h, w), or rows (n, f); found shape \(shape)"
                            + (shape.count == 1 ? " — this looks like a label file; pass it as the labels" : ""))
        }
        guard shape[0] > 0 else { throw DataError(file: file, "the file holds no images (shape \(shape))") }
        guard shape.dropFirst().allSatisfy({ $0 > 0 }) else {
            throw DataError(file: file, "each image has no pixels (shape \(shape)); a zero-width input cannot be trained on")
        }
    }

    static func checkedHeader(_ raw: UnsafeRawBufferPointer, file: String) throws -> IDXHeader {
        let header = try IDXHeader.parse(raw, file: file)
        let available = raw.count - header.dataOffset
        if available < header.dataByteCount {
            let rowBytes = header.itemElementCount * header.element.size
            throw DataError(file: file, byteOffset: raw.count,
                            "the file ends after \(available.grouped) of \(header.dataByteCount.grouped) data bytes "
                            + "(shape \(header.shape) of \(header.elementName)s from byte \(header.dataOffset)); "
                            + "it holds \(rowBytes > 0 ? available / rowBytes : 0) complete items — the file is truncated, download it again")
        }
        if available > header.dataByteCount {
            throw DataError(file: file, byteOffset: header.dataOffset + header.dataByteCount,
                            "\((available - header.dataByteCount).grouped) unexpected bytes after the data of shape \(header.shape)")
        }
        return header
    }
}

/// The product of `sizes`, or `nil` if a size is negative or the product of the sizes other than 0
/// overflows `Int` (sizes read from a file are never trusted). The zeros are left out of the
/// check so that code which later multiplies the sizes in any order (`shape.reduce(1, *)`, as
/// `Tensor` does) cannot overflow either: `[2²¹, 2³¹, 2³¹, 0]` holds no elements, but its first
/// three sizes overflow (found by Fuzz/FuzzIDX).
func checkedProduct(_ sizes: some Sequence<Int>) -> Int? {
    var product = 1, hasZero = false
    for size in sizes {
        guard size >= 0 else { return nil }
        if size == 0 { hasZero = true; continue }
        guard let next = product.multipliedChecked(by: size) else { return nil }
        product = next
    }
    return hasZero ? 0 : product
}

extension Int {
    /// `self · other`, or `nil` on overflow.
    func multipliedChecked(by other: Int) -> Int? {
        let (product, overflow) = multipliedReportingOverflow(by: other)
        return overflow ? nil : product
    }
}

extension String {
    func leftPadded(_ width: Int) -> String { String(repeating: "0", count: Swift.max(0, width - count)) + self }
}
