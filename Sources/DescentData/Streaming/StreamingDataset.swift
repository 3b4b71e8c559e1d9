#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import DescentCore

/// A dataset read from disk a chunk of rows at a time, for data that does not fit in memory.
///
/// Opening it makes one pass over the file to count the rows and note where each chunk of
/// `chunkRows` rows starts (for CSV: one byte offset and line number per chunk; for IDX the
/// positions follow from the header), and checks the structure (ragged rows, truncation).
/// Numbers are parsed, and their errors reported, when a chunk is read. Batches come from a
/// ``StreamingLoader``, which shuffles chunks and rows within a bounded window.
///
/// Memory held while streaming: the loader's window (`windowChunks · chunkRows` rows), two
/// batches, a 1 MiB read buffer (for IDX and `.npy`, one chunk of the file's bytes), 32 bytes
/// per chunk for the index, and for IDX and `.npy` the targets (8 bytes per row for classes).
/// Plain files only: a gzip file cannot be read at random chunk positions (decompress it
/// first), except that a label file may be compressed.
///
/// - PyTorch: `torch.utils.data.IterableDataset`; TensorFlow: `tf.data.TextLineDataset` with
///   `shuffle(buffer_size)`.
public struct StreamingDataset<Scalar: TensorScalar>: Sendable {
    /// Where the rows come from.
    enum Source: Sendable {
        case csv(path: String, delimiter: UInt8, layout: CSVLayoutInfo, classIndex: [String: Int]?)
        /// Fixed-size rows of an IDX or `.npy` file, with the targets held in memory.
        case array(ArrayRows<Scalar>)
    }

    /// One chunk: its first row, row count, and (CSV) byte offset and line.
    struct Chunk: Sendable {
        var firstRow: Int
        var rowCount: Int
        var byteOffset: Int
        var line: Int
    }

    /// The number of rows.
    public let count: Int
    /// The shape of one sample's features.
    public let featureShape: [Int]
    /// The number of classes for class targets, `nil` for real values.
    public let classCount: Int?
    /// The class labels in index order, when they are text.
    public let classNames: [String]?
    /// The feature column names (CSV).
    public let featureNames: [String]?
    /// The number of targets per row for real-valued targets.
    public let targetCount: Int
    /// The rows per chunk.
    public let chunkRows: Int
    let chunks: [Chunk]
    let source: Source
    /// The standardisation applied to rows as they are read (``standardizing(features:targets:)``).
    var standardization: RowStandardization<Scalar>? = nil

    /// The number of chunks.
    public var chunkCount: Int { chunks.count }
    /// The number of features per row (the product of ``featureShape``).
    public var featuresPerRow: Int { featureShape.reduce(1, *) }

    /// A streaming view of a CSV file.
    /// - Parameters:
    ///   - path: a plain (uncompressed) CSV file.
    ///   - options: as for ``CSVLoader``; categorical columns are not supported when streaming.
    ///     The default value is `CSVOptions()`.
    ///   - chunkRows: rows per chunk. The default value is `1024`.
    /// - Throws: ``DataError`` for structural problems found in the indexing pass.
    public static func csv(_ path: String, options: CSVOptions = CSVOptions(), chunkRows: Int = 1024) throws -> StreamingDataset {
        guard chunkRows >= 1 else { throw DataError(file: path, "chunkRows must be ≥ 1, got \(chunkRows)") }
        try FileBytes.checkReadable(path)
        if FileBytes.isGzip(path) { throw DataError(file: path, "streaming needs a plain file to read chunks at random positions; decompress it first (gunzip -k)") }
        guard options.categorical.isEmpty else { throw DataError(file: path, "categorical columns are not supported when streaming; one-hot encode them in the file, or load it in memory") }
        // The delimiter as given, or detected from the file's first 64 KiB, as the in-memory loader does.
        let head = try FileBytes.head(of: path, count: 1 << 16)
        let delimiter = try head.bytes.withUnsafeBufferPointer { try options.delimiterByte(detectingIn: $0) }
        let stream = try CSVRecordStream(path: path, delimiter: delimiter)
        var fields: [CSVField] = []
        guard try stream.nextRecord(into: &fields) else { throw DataError(file: path, "the file is empty") }
        let names = options.hasHeader ? fields.map { stream.tokenizer.string($0).trimmingSpaces() } : fields.indices.map { String($0) }
        let dataOffset = options.hasHeader ? stream.recordOffset + (stream.tokenizer.position - stream.tokenizer.recordStart!) : 0
        let dataLine = options.hasHeader ? stream.tokenizer.line : 1
        let layout = try CSVLayout.resolve(names: names, options: options, file: path, dataStart: dataOffset, dataLine: dataLine)
        guard !layout.featureColumns.isEmpty else {
            throw DataError(file: path, "no feature columns: \(names.count == 1 ? "each row is one field (is the delimiter \"\(Character(UnicodeScalar(delimiter)))\" right? give --delimiter)" : "every column is a target")")
        }
        let reader = options.hasHeader ? stream : try CSVRecordStream(path: path, delimiter: delimiter)

        // Indexing pass: count rows, note chunk starts, check field counts, collect text labels.
        var chunks: [Chunk] = []
        var rows = 0
        let targetColumn = layout.targetColumns[0]
        var labels: Set<String> = []
        var sawText = false
        let labelLimit = 100_000
        while try reader.nextRecord(into: &fields) {
            if rows % chunkRows == 0 { chunks.append(Chunk(firstRow: rows, rowCount: 0, byteOffset: reader.recordOffset, line: reader.tokenizer.recordLine)) }
            guard fields.count == names.count else {
                throw DataError(file: path, line: reader.tokenizer.recordLine, "expected \(names.count) fields (as in \(options.hasHeader ? "the header" : "the first row")), found \(fields.count)")
            }
            if options.targetKind != .regression && layout.targetColumns.count == 1 {
                let field = fields[targetColumn]
                if case .invalid = reader.tokenizer.number(field) { sawText = true }
                if labels.count <= labelLimit || sawText { labels.insert(reader.tokenizer.string(field).trimmingSpaces()) }
                if sawText && labels.count > labelLimit {
                    throw DataError(file: path, line: reader.tokenizer.recordLine, columnName: names[targetColumn], "more than \(labelLimit) distinct text labels; is this really a class column?")
                }
            }
            chunks[chunks.count - 1].rowCount += 1
            rows += 1
        }
        guard rows > 0 else { throw DataError(file: path, "the file has no data rows") }
        let classification = options.targetKind == .classification || (options.targetKind == .automatic && sawText)
        if classification && layout.targetColumns.count > 1 { throw DataError(file: path, "classification needs exactly one target column, got \(layout.targetColumns.count)") }
        let classNames = classification ? sortedLabels(labels) : nil
        let info = CSVLayoutInfo(names: names, featureColumns: layout.featureColumns, targetColumns: layout.targetColumns)
        return StreamingDataset(
            count: rows, featureShape: [layout.featureColumns.count], classCount: classNames?.count, classNames: classNames,
            featureNames: layout.featureColumns.map { names[$0] }, targetCount: layout.targetColumns.count, chunkRows: chunkRows,
            chunks: chunks,
            source: .csv(path: path, delimiter: delimiter, layout: info,
                         classIndex: classNames.map { Dictionary(uniqueKeysWithValues: $0.enumerated().map { ($1, $0) }) }))
    }

    /// Bytes held by the dataset description itself (chunk index, labels).
    var indexBytes: Int {
        var bytes = chunks.count * MemoryLayout<Chunk>.stride
        if case .array(let rows) = source { bytes += rows.targetBytes }
        return bytes
    }
}

/// The parts of a CSV layout a chunk reader needs.
struct CSVLayoutInfo: Sendable {
    var names: [String]
    var featureColumns: [Int]
    var targetColumns: [Int]
}
