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
    /// Raw IDX or `.npy` bytes of one chunk before conversion (reused for every chunk).
    private var staging: UnsafeMutableRawBufferPointer?
    private var fields: [CSVField] = []

    init(_ dataset: StreamingDataset<Scalar>) throws {
        self.dataset = dataset
        if case .array(let rows) = dataset.source {
            descriptor = open(rows.path, O_RDONLY)
            guard descriptor >= 0 else { throw DataError(file: rows.path, "cannot open the file: \(String(cString: strerror(errno)))") }
            staging = .allocate(byteCount: Swift.max(dataset.chunkRows * rows.rowBytes, 1), alignment: 16)
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
        case .array(let rows):
            let bytes = chunk.rowCount * rows.rowBytes
            let start = rows.dataOffset + chunk.firstRow * rows.rowBytes
            let got = try FileBytes.readFully(descriptor, into: staging!.baseAddress!, count: bytes, at: start, file: rows.path)
            guard got == bytes else {
                throw DataError(file: rows.path, byteOffset: start + got, "the file ended early (was it truncated while reading?)")
            }
            convertElements(UnsafeRawPointer(staging!.baseAddress!), type: rows.element, bigEndian: rows.bigEndian, count: chunk.rowCount * width,
                            divisor: rows.divisor, into: features + offset * width)
            if dataset.classCount != nil {
                for r in 0..<chunk.rowCount { classes[offset + r] = rows.classes[chunk.firstRow + r] }
            } else {
                let k = dataset.targetCount
                rows.values.withUnsafeBufferPointer { source in
                    (values + offset * k).update(from: source.baseAddress! + chunk.firstRow * k, count: chunk.rowCount * k)
                }
            }
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

    /// Reads chunk `index` as ``read(chunk:features:values:classes:rowIndices:offset:)`` does, then
    /// applies the dataset's standardisation to the rows read.
    func readStandardized(
        chunk index: Int, features: UnsafeMutablePointer<Scalar>, values: UnsafeMutablePointer<Scalar>,
        classes: UnsafeMutablePointer<Int>, rowIndices: UnsafeMutablePointer<Int>, offset: Int
    ) throws {
        try read(chunk: index, features: features, values: values, classes: classes, rowIndices: rowIndices, offset: offset)
        guard let standardization = dataset.standardization else { return }
        let rows = dataset.chunks[index].rowCount
        standardization.apply(toFeatures: features + offset * dataset.featuresPerRow, rows: rows)
        if dataset.classCount == nil { standardization.apply(toTargets: values + offset * dataset.targetCount, rows: rows) }
    }

    private func numberError(_ parsed: ParsedNumber, _ text: String, _ file: String, _ line: Int, _ column: Int, _ name: String, _ role: String) -> DataError {
        CSVLayout.numberError(parsed, text: text, file: file, line: line, column: column, name: name, role: role)
    }
}
