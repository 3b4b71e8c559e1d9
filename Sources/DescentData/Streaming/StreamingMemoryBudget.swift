import DescentCore

extension StreamingLoader {
    /// A loader whose ``estimatedBytesHeld`` stays within `memoryBudget`: the largest shuffle
    /// window (in whole chunks, up to the whole dataset) that fits beside three batches, the read
    /// buffer and the index.
    ///
    /// The budget covers the loader's data only; the model, its gradients and optimizer state and
    /// the activations of a step come on top (a caller bounding the whole process subtracts them first).
    /// - Parameters:
    ///   - memoryBudget: bytes the loader may hold.
    ///   - dataset: the rows to stream.
    ///   - batchSize: samples per batch. The default value is `.samples(32)`.
    ///   - shuffle: shuffle chunks and rows within windows. The default value is `false`.
    ///   - dropLast: leave out an incomplete last batch. The default value is `false`.
    ///   - seed: the shuffling seed. The default value is `0`.
    ///   - prefetch: prepare the next batch on a background queue. The default value is `true`.
    ///
    /// The options are those of ``init(_:batchSize:shuffle:dropLast:seed:windowChunks:prefetch:)``, with the window from the budget.
    /// - Throws: ``DataError`` if the batch size is not positive, or the budget cannot hold one
    ///   chunk with its batches (the message gives the `chunkRows` that would fit).
    public init(
        _ dataset: StreamingDataset<Scalar>, batchSize: BatchSize = .samples(32), shuffle: Bool = false, dropLast: Bool = false,
        seed: UInt64 = 0, memoryBudget: Int, prefetch: Bool = true
    ) throws {
        let windowChunks = try StreamingLoader.windowChunks(for: dataset, batchSize: batchSize, memoryBudget: memoryBudget)
        self.init(dataset, batchSize: batchSize, shuffle: shuffle, dropLast: dropLast, seed: seed, windowChunks: windowChunks, prefetch: prefetch)
    }

    /// The most chunks per window whose loader stays within `memoryBudget` bytes (see ``estimatedBytesHeld``).
    /// - Throws: ``DataError`` as ``init(_:batchSize:shuffle:dropLast:seed:memoryBudget:prefetch:)``.
    public static func windowChunks(for dataset: StreamingDataset<Scalar>, batchSize: BatchSize, memoryBudget: Int) throws -> Int {
        let batch: Int
        switch batchSize {
        case .samples(let n):
            guard n > 0 else { throw DataError("the batch size must be positive, got \(n)") }
            batch = n
        case .fullBatch: batch = Swift.max(dataset.count, 1)
        }
        guard memoryBudget > 0 else { throw DataError("the memory budget must be positive, got \(memoryBudget) bytes") }
        let rowBytes = dataset.heldBytesPerRow
        let chunkBytes = dataset.chunkRows * rowBytes  // ≤ the dataset's own size in memory
        let fixed = dataset.readBufferBytes + dataset.indexBytes
        guard let batches = batch.multipliedChecked(by: 3)?.multipliedChecked(by: rowBytes),
              batches <= memoryBudget - fixed, chunkBytes <= memoryBudget - fixed - batches
        else {
            let needed = fixed + 3 * Swift.min(batch, dataset.count) * rowBytes + chunkBytes
            let spare = memoryBudget - 3 * Swift.min(batch, dataset.count) * rowBytes - dataset.indexBytes - (dataset.isCSV ? dataset.readBufferBytes : 0)
            let perRow = rowBytes + (dataset.isCSV ? 0 : dataset.readBufferBytes / Swift.max(dataset.chunkRows, 1))
            let fitting = spare > 0 ? spare / Swift.max(perRow, 1) : 0
            throw DataError("a memory budget of \(MemorySize(bytes: memoryBudget)) cannot hold one chunk of \(dataset.chunkRows.grouped) rows with three batches of \(batch.grouped) "
                            + "(about \(MemorySize(bytes: Swift.max(needed, 1))) needed); "
                            + (fitting >= 1 ? "use chunkRows ≤ \(fitting.grouped), a smaller batch, or a larger budget" : "use a smaller batch or a larger budget"))
        }
        let windows = (memoryBudget - fixed - batches) / Swift.max(chunkBytes, 1)
        return Swift.min(windows, Swift.max(dataset.chunkCount, 1))
    }
}

extension StreamingDataset {
    /// Bytes of one row in the loader's window and batches: features and targets as `Scalar`, its
    /// row number and class.
    var heldBytesPerRow: Int { (featuresPerRow + targetCount) * MemoryLayout<Scalar>.stride + 2 * MemoryLayout<Int>.stride }

    /// The reader's buffer: one chunk of stored rows for IDX and `.npy`, the record stream's block for CSV.
    var readBufferBytes: Int {
        switch source {
        case .array(let rows): return chunkRows * rows.rowBytes
        case .csv: return 1 << 20  // the record stream's block (it grows only for a record over 512 KiB)
        }
    }

    var isCSV: Bool {
        if case .csv = source { return true }
        return false
    }

    /// An estimate, erring high, of the peak bytes an in-memory load of these files holds, so a
    /// caller can stream instead when it would not fit a limit.
    ///
    /// Counted: the features as `Scalar` (a memory-mapped `.npy` counts fully, because training
    /// touches every page); what the loader holds while converting (the file's bytes, mapped or
    /// decompressed); and the labels file and 8 bytes per label. For CSV the rows and columns are
    /// estimated from the first 64 KiB (lines and fields of the first line) and the file size;
    /// for gzip from the uncompressed size in the gzip trailer. Not counted: copies a caller makes
    /// (a shuffled split, standardised features).
    /// - Throws: ``DataError`` if a file cannot be read or its format is not supported.
    public static func estimatedInMemoryBytes(features: String, labels: String? = nil) throws -> Int {
        let scalar = MemoryLayout<Scalar>.stride
        var total = 0
        var rows = 0
        switch try DataFileFormat.detect(path: features) {
        case .npy:
            let (header, head) = try NPYLoader.readHeader(features)
            rows = header.shape.first ?? 1
            let mapped = !head.isGzip && (header.element == .float32 && scalar == 4 || header.element == .float64 && scalar == 8)
            total = saturatingSum(header.elementCount.multipliedChecked(by: scalar), mapped ? 0 : header.dataByteCount)
        case .idx:
            let header = try IDXLoader.header(features)
            rows = header.shape[0]
            // Checked: a header may claim nearly Int.max bytes of 1-byte elements (found by Fuzz/FuzzIDX).
            total = saturatingSum((header.dataByteCount / header.element.size).multipliedChecked(by: scalar), header.dataByteCount)
        case .csv:
            let head = try FileBytes.head(of: features, count: 1 << 16)
            let text = uncompressedSize(head)
            let lines = Swift.max(head.bytes.reduce(0) { $1 == 0x0A ? $0 + 1 : $0 }, 1)
            let firstLine = head.bytes.prefix { $0 != 0x0A }
            // Fields of the first line for the likeliest delimiter (comma, semicolon, tab, bar); quotes ignored, so it errs high.
            let delimiters: [UInt8] = [0x2C, 0x3B, 0x09, 0x7C]
            let fields: Int = delimiters.map { d in firstLine.reduce(1) { $1 == d ? $0 + 1 : $0 } }.max() ?? 1
            rows = head.bytes.isEmpty ? 0 : Int((Double(text) * Double(lines) / Double(head.bytes.count)).rounded(.up))
            total = saturatingSum(rows.multipliedChecked(by: fields).flatMap { $0.multipliedChecked(by: scalar) }, text)
        }
        if let labels {
            let head = try FileBytes.head(of: labels, count: 16)
            total = saturatingSum(total, saturatingSum(uncompressedSize(head), rows.multipliedChecked(by: MemoryLayout<Int>.stride)))
        }
        return total
    }

    /// The uncompressed size of a file: its size, or for gzip the trailer's size when it is plausible (else 5× the compressed size).
    static func uncompressedSize(_ head: FileBytes.Head) -> Int {
        guard head.isGzip else { return head.fileSize }
        let trailer = Int(head.gzipSizeModulo32 ?? 0)
        // The trailer holds the size modulo 2³²: below the compressed size it has wrapped.
        return trailer >= head.fileSize ? trailer : head.fileSize.multipliedChecked(by: 5) ?? Int.max
    }

    static func saturatingSum(_ a: Int?, _ b: Int?) -> Int {
        let (sum, overflow) = (a ?? Int.max).addingReportingOverflow(b ?? Int.max)
        return overflow ? Int.max : sum
    }
}
