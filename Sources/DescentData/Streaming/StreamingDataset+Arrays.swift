#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import DescentCore

/// Where the fixed-size rows of an IDX or `.npy` file lie, and the targets (held in memory).
struct ArrayRows<Scalar: TensorScalar>: Sendable {
    /// The features file.
    var path: String
    /// The byte offset of row 0.
    var dataOffset: Int
    /// The stored element type.
    var element: StoredElement
    /// IDX is big-endian, `.npy` little-endian.
    var bigEndian: Bool
    /// Elements per row.
    var rowElements: Int
    /// 255 to scale unsigned bytes to [0, 1], else 1.
    var divisor: Double
    /// Class indices, one per row (empty for real-valued targets).
    var classes: [Int]
    /// `targetCount` real values per row (empty for class targets).
    var values: [Scalar]

    /// Stored bytes per row.
    var rowBytes: Int { rowElements * element.size }

    /// Bytes the targets take in memory.
    var targetBytes: Int { classes.count * MemoryLayout<Int>.stride + values.count * MemoryLayout<Scalar>.stride }
}

extension StreamingDataset {
    /// A streaming view of MNIST-style IDX images with their labels.
    /// - Parameters:
    ///   - images: a plain (uncompressed) IDX file of shape `(n, …)`.
    ///   - labels: the labels, any file ``LabelFile`` reads (plain or gzip; held in memory, 8 bytes per row).
    ///   - scaleToUnit: divide bytes by 255. The default value is `true`.
    ///   - flatten: one row of `h·w` features per image; otherwise `(n, h, w)` gives samples of
    ///     shape `[1, h, w]` as ``IDXLoader/loadMNIST(images:labels:scaleToUnit:flatten:classCount:as:)``.
    ///     The default value is `true`.
    ///   - chunkRows: images per chunk. The default value is `1024`.
    /// - Throws: ``DataError`` for a gzip, damaged or truncated file, counts that differ, or no rows.
    public static func idx(images: String, labels: String, scaleToUnit: Bool = true, flatten: Bool = true, chunkRows: Int = 1024) throws -> StreamingDataset {
        let head = try plainHead(images, chunkRows: chunkRows)
        let header = try head.bytes.withUnsafeBytes { try IDXHeader.parse($0, file: images) }
        try checkTruncation(file: images, fileSize: head.fileSize, dataOffset: header.dataOffset, dataBytes: header.dataByteCount, shape: header.shape)
        return try arrayDataset(
            path: images, shape: header.shape, dataOffset: header.dataOffset, element: header.element, bigEndian: true,
            labels: labels, targetKind: .classification, scaleToUnit: scaleToUnit, flatten: flatten, chunkRows: chunkRows)
    }

    /// A streaming view of a `.npy` features array with its labels or targets.
    ///
    /// Each chunk is read with `pread` into a reused buffer and converted to `Scalar`, so the
    /// resident memory stays at the loader's window however large the file is (a memory map would
    /// keep every touched page resident until the system needs it back).
    /// - Parameters:
    ///   - features: a plain `.npy` file of shape `(n, …)` in C order, any supported element type.
    ///   - labels: the labels or targets (IDX, `.npy` or one-column text, plain or gzip; held in
    ///     memory), read as ``ArrayDatasetLoader`` reads them: classes from integers, values from
    ///     float arrays, unless `targetKind` says otherwise.
    ///   - targetKind: classes or real values. The default value is `.automatic`.
    ///   - scaleToUnit: divide `|u1` bytes by 255. The default value is `true`.
    ///   - flatten: samples of rank > 1 as one row of features. The default value is `true`.
    ///   - chunkRows: rows per chunk. The default value is `1024`.
    /// - Throws: ``DataError`` for a gzip, damaged or truncated file, counts that differ, no rows, or rows without features.
    /// - PyTorch: an `IterableDataset` over `numpy.load(path, mmap_mode="r")`.
    public static func npy(
        features: String, labels: String, targetKind: TargetKind = .automatic, scaleToUnit: Bool = true,
        flatten: Bool = true, chunkRows: Int = 1024
    ) throws -> StreamingDataset {
        let head = try plainHead(features, chunkRows: chunkRows)
        guard head.bytes.starts(with: NPYLoader.magic) else {
            throw DataError(file: features, byteOffset: 0, "expected the .npy magic bytes \\x93NUMPY; this is not a NumPy .npy file")
        }
        let header = try NPYLoader.readHeader(features).header
        try checkTruncation(file: features, fileSize: head.fileSize, dataOffset: header.dataOffset, dataBytes: header.dataByteCount, shape: header.shape)
        return try arrayDataset(
            path: features, shape: header.shape.count == 1 ? header.shape + [1] : header.shape, dataOffset: header.dataOffset,
            element: header.element, bigEndian: false, labels: labels, targetKind: targetKind, scaleToUnit: scaleToUnit,
            flatten: flatten, chunkRows: chunkRows)
    }

    /// The first bytes of a plain file, after checking `chunkRows` and that the file is not gzip.
    static func plainHead(_ path: String, chunkRows: Int) throws -> FileBytes.Head {
        guard chunkRows >= 1 else { throw DataError(file: path, "chunkRows must be ≥ 1, got \(chunkRows)") }
        let head = try FileBytes.head(of: path, count: 4096)
        if head.isGzip { throw DataError(file: path, "streaming needs a plain file to read chunks at random positions; decompress it first (gunzip -k)") }
        return head
    }

    static func checkTruncation(file: String, fileSize: Int, dataOffset: Int, dataBytes: Int, shape: [Int]) throws {
        let available = fileSize - dataOffset
        guard available >= dataBytes else {
            throw DataError(file: file, byteOffset: fileSize,
                            "the file ends after \(available.grouped) of \(dataBytes.grouped) data bytes (shape \(shape)); the file is truncated")
        }
    }

    static func arrayDataset(
        path: String, shape: [Int], dataOffset: Int, element: StoredElement, bigEndian: Bool, labels: String,
        targetKind: TargetKind, scaleToUnit: Bool, flatten: Bool, chunkRows: Int
    ) throws -> StreamingDataset {
        guard shape.count >= 2 else { throw DataError(file: path, "expected an array with a row axis, found shape \(shape)") }
        let rows = shape[0]
        let sample = Array(shape.dropFirst())
        let rowElements = sample.reduce(1, *)  // ≤ the file's element count, checked when the header was read
        guard rows > 0 else { throw DataError(file: path, "the array has no rows (shape \(shape))") }
        guard rowElements > 0 else { throw DataError(file: path, "each row has no features (shape \(shape)); a zero-width input cannot be trained on") }
        let format = try DataFileFormat.detect(path: labels)
        var classes: [Int] = []
        var targetValues: [Scalar] = []
        var targetCount = 1
        var classNames: [String]?
        if try ArrayDatasetLoader.readsValues(labels, format: format, kind: targetKind) {
            var values: Tensor<Scalar> = try format == .npy ? NPYLoader.load(labels, memoryMap: false) : ArrayDatasetLoader.textValues(labels)
            if values.rank == 1 { values = try values.reshaped(to: [values.shape[0], 1]) }
            guard values.rank == 2, values.shape[0] == rows else {
                throw DataError(file: labels, "expected \(rows.grouped) targets of shape (n,) or (n, k) for \(path), found shape \(values.shape)")
            }
            targetCount = values.shape[1]
            targetValues = values.scalars
        } else {
            let file = try LabelFile.load(labels)
            guard file.classes.count == rows else {
                throw DataError(file: labels, "\(file.classes.count.grouped) labels for \(rows.grouped) rows in \(path); the files do not belong together")
            }
            classNames = file.classNames
            classes = file.classes
        }
        let classCount = classes.isEmpty ? nil : classNames?.count ?? ((classes.max() ?? 0) + 1)
        let chunkRows = Swift.min(chunkRows, rows)
        let chunks = stride(from: 0, to: rows, by: chunkRows).map { Chunk(firstRow: $0, rowCount: Swift.min(chunkRows, rows - $0), byteOffset: 0, line: 0) }
        let featureShape = flatten ? [rowElements] : (sample.count == 2 ? [1] + sample : sample)
        let source = ArrayRows<Scalar>(
            path: path, dataOffset: dataOffset, element: element, bigEndian: bigEndian, rowElements: rowElements,
            divisor: scaleToUnit && element == .uint8 ? 255 : 1, classes: classes, values: targetValues)
        return StreamingDataset(
            count: rows, featureShape: featureShape, classCount: classCount, classNames: classNames, featureNames: nil,
            targetCount: targetCount, chunkRows: chunkRows, chunks: chunks, source: .array(source))
    }
}
