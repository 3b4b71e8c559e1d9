#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import DescentCore

/// Reads whole chunks of a ``StreamingDataset`` into caller-provided row buffers.
final class ChunkReader<Scalar: TensorScalar> {
    let dataset: StreamingDataset<Scalar>
    private var descriptor: Int32 = -1
    /// Raw IDX bytes of one chunk before conversion.
    private var staging: UnsafeMutableRawBufferPointer?
    private var fields: [CSVField] = []

    init(_ dataset: StreamingDataset<Scalar>) throws {
        self.dataset = dataset
        if case .idx(let images, let header, _, _) = dataset.source {
            descriptor = open(images, O_RDONLY)
            guard descriptor >= 0 else { throw DataError(file: images, "cannot open the file: \(String(cString: strerror(errno)))") }
            staging = .allocate(byteCount: Swift.max(dataset.chunkRows * header.rowElements * header.element.size, 1), alignment: 16)
        }
    }

    deinit {
        if descriptor >= 0 { close(descriptor) }
        staging?.deallocate()
    }

    /// Bytes this reader holds besides the caller's buffers.
    var bufferBytes: Int { staging?.count ?? (1 << 20) }

    /// Reads chunk `index` into `features` (row-major `Scalar`s), `values` (real targets) or
    /// `classes`, and `rowIndices`, starting at row `offset` of those buffers.
    func read(
        chunk index: Int, features: UnsafeMutablePointer<Scalar>, values: UnsafeMutablePointer<Scalar>,
        classes: UnsafeMutablePointer<Int>, rowIndices: UnsafeMutablePointer<Int>, offset: Int
    ) throws {
        let chunk = dataset.chunks[index]
        let width = dataset.featuresPerRow
        for r in 0..<chunk.rowCount { rowIndices[offset + r] = chunk.firstRow + r }
        switch dataset.source {
        case .idx(let images, let header, let labels, let scale):
            let bytes = chunk.rowCount * header.rowElements * header.element.size
            let start = header.dataOffset + chunk.firstRow * header.rowElements * header.element.size
            var done = 0
            while done < bytes {
                let got = pread(descriptor, staging!.baseAddress! + done, bytes - done, off_t(start + done))
                guard got > 0 else {
                    throw DataError(file: images, byteOffset: start + done, got == 0 ? "the file ended early (was it truncated while reading?)" : "read error: \(String(cString: strerror(errno)))")
                }
                done += got
            }
            convertElements(UnsafeRawPointer(staging!.baseAddress!), type: header.element, bigEndian: true, count: chunk.rowCount * width,
                            divisor: scale && header.element == .uint8 ? 255 : 1, into: features + offset * width)
            for r in 0..<chunk.rowCount { classes[offset + r] = labels[chunk.firstRow + r] }
        case .csv(let path, let delimiter, let layout, let classIndex):
            let stream = try CSVRecordStream(path: path, delimiter: delimiter, offset: chunk.byteOffset, line: chunk.line, blockSize: 1 << 20)
            let targetCount = layout.targetColumns.count
            for r in 0..<chunk.rowCount {
                guard try stream.nextRecord(into: &fields) else { throw DataError(file: path, line: chunk.line, "the file changed since it was indexed: fewer rows than before") }
                let tokenizer = stream.tokenizer
                let line = tokenizer.recordLine
                guard fields.count == layout.names.count else {
                    throw DataError(file: path, line: line, "expected \(layout.names.count) fields, found \(fields.count)")
                }
                let row = offset + r
                for (k, column) in layout.featureColumns.enumerated() {
                    let parsed = tokenizer.number(fields[column])
                    guard case .number(let x) = parsed, x.isFinite else {
                        throw numberError(parsed, tokenizer.string(fields[column]), path, line, column, layout.names[column], "feature")
                    }
                    features[row * width + k] = Scalar(x)
                }
                for (k, column) in layout.targetColumns.enumerated() {
                    if let classIndex {
                        let label = tokenizer.string(fields[column]).trimmingSpaces()
                        guard let c = classIndex[label] else { throw DataError(file: path, line: line, column: column + 1, "label \"\(label)\" was not seen when indexing") }
                        classes[row] = c
                    } else {
                        let parsed = tokenizer.number(fields[column])
                        guard case .number(let x) = parsed, x.isFinite else {
                            throw numberError(parsed, tokenizer.string(fields[column]), path, line, column, layout.names[column], "target")
                        }
                        values[row * targetCount + k] = Scalar(x)
                    }
                }
            }
        }
    }

    private func numberError(_ parsed: ParsedNumber, _ text: String, _ file: String, _ line: Int, _ column: Int, _ name: String, _ role: String) -> DataError {
        CSVLayout.numberError(parsed, text: text, file: file, line: line, column: column, name: name, role: role)
    }
}
