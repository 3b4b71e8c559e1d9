import DescentCore
import DescentKernels

/// Reads CSV (and other delimited) files into tables of numbers, on all cores.
///
/// Parsing works on the file's bytes (memory-mapped, or decompressed if gzip): the data rows are
/// split into byte ranges at record boundaries (`CSVChunkPlan`: quoted line breaks respected)
/// and the ranges are parsed at once on the `WorkerPool`, each straight into its rows of the
/// result; no `String` per line or per numeric field, and numbers are read correctly rounded
/// (`NumberParser`). The table is the same for any number of threads. Speed against polars and
/// pandas: BENCHMARKS.md, "CSV loading (issue 15)".
///
/// Nothing is guessed silently: a missing value (unless ``CSVOptions/missingValues`` says to drop
/// or fill), text in a numeric column, NaN or infinity, a ragged row or a broken quote stops
/// loading with a ``DataError`` naming the file, line, field and column, and saying what was
/// expected; when several rows are wrong, the first in the file is named. A file that yields no
/// feature column (typically read with the wrong delimiter: one field per row) is an error naming
/// the delimiter it seems to use. What is only suspicious goes to ``CSVTable/warnings``.
/// (`descent data inspect` lists every problem at once.)
///
/// - pandas: `pandas.read_csv`; NumPy: `numpy.loadtxt(delimiter=",")`; polars: `polars.read_csv`.
public enum CSVLoader {
    /// Reads the CSV file at `path`.
    /// - Parameters:
    ///   - path: the file (plain or gzip-compressed).
    ///   - options: header, delimiter, target, feature and dropped columns, missing values. The
    ///     default value is `CSVOptions()` (a header, the delimiter detected, the last column as
    ///     target with its kind detected, missing values an error).
    ///   - as: the element type, `Float` or `Double`; inferred from the context when left out.
    /// - Throws: ``DataError`` for anything that cannot be read as described.
    public static func load<Scalar: TensorScalar>(_ path: String, options: CSVOptions = CSVOptions(), as _: Scalar.Type = Scalar.self) throws -> CSVTable<Scalar> {
        try FileBytes.withBytes(of: path) { try load(bytes: $0, file: path, options: options) }
    }

    /// Reads CSV text already in memory (`file` names it in error messages).
    public static func load<Scalar: TensorScalar>(text: String, file: String = "<text>", options: CSVOptions = CSVOptions(), as _: Scalar.Type = Scalar.self) throws -> CSVTable<Scalar> {
        var copy = text
        return try copy.withUTF8 { try load(bytes: $0, file: file, options: options) }
    }

    /// Bytes per chunk of the parallel parse: 1 MiB, and at least `4 × threads` chunks when the
    /// file is larger, so a core that another process slows does not hold up the end.
    static func defaultChunkBytes(_ dataBytes: Int) -> Int {
        Swift.max(1 << 20, dataBytes / Swift.max(4 * WorkerPool.threadCount, 1) + 1)
    }

    /// Parses `bytes`; `chunkBytes` (tests) overrides the chunk size.
    static func load<Scalar: TensorScalar>(bytes: UnsafeBufferPointer<UInt8>, file: String, options: CSVOptions, chunkBytes: Int? = nil) throws -> CSVTable<Scalar> {
        // The row loop is compiled for a concrete element type (generic code over Scalar would
        // dispatch through witness tables for every value).
        if Scalar.self == Float.self {
            return try unsafeBitCast(CSVParallelParse<Float>(bytes: bytes, file: file, options: options, chunkBytes: chunkBytes).run(), to: CSVTable<Scalar>.self)
        }
        return try unsafeBitCast(CSVParallelParse<Double>(bytes: bytes, file: file, options: options, chunkBytes: chunkBytes).run(), to: CSVTable<Scalar>.self)
    }
}

/// One parse of a CSV file into `T` (Float or Double), its chunks in parallel.
///
/// Why the first error in file order is the one reported, whatever the chunks: chunk 0 starts at
/// the first data record. If a chunk parses without error, it ends after a line feed that ended
/// its last record, exactly where a sequential pass would be, so the next chunk starts at a true
/// record boundary too. The first chunk with an error therefore starts at a true boundary, reads
/// what a sequential pass reads, and its first error is the sequential pass's first error; its
/// line number is its own count plus the lines of the chunks before it (all parsed completely).
/// Later chunks' results are discarded.
struct CSVParallelParse<T: TensorScalar> {
    let bytes: UnsafeBufferPointer<UInt8>
    let file: String
    let options: CSVOptions
    let chunkBytes: Int?

    func run() throws -> CSVTable<T> {
        let delimiter = try options.delimiterByte(detectingIn: bytes)
        var tokenizer = CSVTokenizer(bytes: bytes, delimiter: delimiter, file: file)
        let layout = try CSVLayout.read(&tokenizer, options: options) { CSVDelimiterDetection.oneFieldAdvice(in: bytes, used: delimiter) }
        let context = CSVParseContext(bytes: bytes, delimiter: delimiter, file: file, layout: layout, options: options)
        let plan = CSVChunkPlan.make(bytes, from: layout.dataStart, chunkBytes: chunkBytes ?? CSVLoader.defaultChunkBytes(bytes.count - layout.dataStart))
        // A second pass with room for records ended by lone carriage returns, when needed.
        guard let parsed = try parse(plan, context: context, generousBounds: false) ?? parse(plan, context: context, generousBounds: true) else {
            throw DataError(file: file, "internal error: the row bound of a chunk was exceeded twice; please report this file")
        }
        var (features, targetValues) = (parsed.features, parsed.targetValues)
        let results = parsed.results
        let rows = results.reduce(0) { $0 + $1.rows }
        let dropped = results.reduce(0) { $0 + $1.droppedRows }
        guard rows > 0 else {
            throw DataError(file: file, dropped > 0 ? "every one of the \(dropped.grouped) rows has a missing value and was dropped; nothing is left to load"
                                                    : "the file has a header but no data rows")
        }
        let featureCount = layout.featureColumns.count, targetCount = layout.targetColumns.count
        let featureNames = layout.featureColumns.map { layout.names[$0] }
        var fillValues: [String: Double] = [:]
        if options.missingValues == .mean {
            fillValues = try features.withUnsafeMutableBufferPointer { buffer in
                try CSVMeanFill.fill(buffer.baseAddress ?? UnsafeMutablePointer(bitPattern: 8)!, rows: rows, names: featureNames, given: options.fillValues, file: file)
            }
        }

        var lineOffset = layout.dataLine - 1
        var firstTextTarget: (line: Int, text: String)?
        for result in results {
            if firstTextTarget == nil, let first = result.firstTextTarget { firstTextTarget = (first.line + lineOffset, first.text) }
            lineOffset += result.lines
        }
        let isClassification = options.targetKind == .classification || (options.targetKind == .automatic && firstTextTarget != nil)
        if isClassification && targetCount > 1 {
            throw DataError(file: file, line: firstTextTarget?.line, "text target \"\(firstTextTarget?.text ?? "")\": classification needs exactly one target column, got \(targetCount)")
        }
        let targets: Targets<T>
        var classNames: [String]?
        if isClassification {
            let targetText = results.flatMap(\.targetText)
            let names = sortedLabels(targetText)
            let index = Dictionary(uniqueKeysWithValues: names.enumerated().map { ($1, $0) })
            targets = .classes(targetText.map { index[$0] ?? 0 })
            classNames = names
        } else {
            targetValues.removeLast(targetValues.count - rows * targetCount)
            targets = .values(try Tensor(shape: [rows, targetCount], scalars: targetValues))
        }
        var categorical: [CategoricalColumn] = []
        for (k, column) in layout.categoricalColumns.enumerated() {
            categorical.append(CategoricalColumn(name: layout.names[column], values: results.flatMap { $0.categorical[k] }))
        }
        var table = CSVTable(
            file: file, features: features, featureNames: featureNames, categoricalColumns: categorical,
            targets: targets, targetNames: layout.targetColumns.map { layout.names[$0] }, classNames: classNames)
        table.delimiter = Character(Unicode.Scalar(delimiter))
        table.droppedRows = dropped
        table.filledCells = results.reduce(0) { $0 + $1.filledCells }
        table.fillValues = fillValues
        if layout.headerLooksLikeData { table.warnings.append(CSVColumnWarnings.headerLooksLikeData(layout.names)) }
        table.features.withUnsafeBufferPointer { buffer in
            guard let base = buffer.baseAddress, featureCount > 0 else { return }
            for column in CSVColumnWarnings.idLikeColumns(base, rows: rows, names: featureNames) {
                table.warnings.append(CSVColumnWarnings.idLike(column.name, byName: column.byName))
            }
        }
        return table
    }

    /// Parses every chunk into one feature tensor; `nil` when a chunk overflowed its row bound
    /// (then call again with `generousBounds`). The features come back with exactly the kept
    /// rows, the target values with at least that many rows.
    /// - Throws: the first error in file order, with its line number in the file.
    func parse(_ plan: CSVChunkPlan, context: CSVParseContext, generousBounds: Bool) throws -> (features: Tensor<T>, targetValues: [T], results: [CSVChunkResult])? {
        let base = bytes.baseAddress!
        let n = plan.ranges.count
        let bounds = (0..<n).map { generousBounds ? plan.generousRowBound($0) : plan.rowBound($0, in: base) }
        var offsets = [Int](repeating: 0, count: n + 1)
        for k in 0..<n { offsets[k + 1] = offsets[k] + bounds[k] }
        let total = offsets[n]
        let featureCount = context.featureCount, targetCount = context.targetCount
        var targetValues = [T](repeating: 0, count: total * targetCount)
        var results = [CSVChunkResult](repeating: CSVChunkResult(), count: n)
        // A stand-in address for zero-width rows (no features, or no targets): never written.
        let scratch = UnsafeMutablePointer<T>.allocate(capacity: 1)
        defer { scratch.deallocate() }
        var features = Tensor<T>(shape: [total, featureCount]) { buffer in
            let featureBase = buffer.baseAddress ?? scratch
            targetValues.withUnsafeMutableBufferPointer { targetBuffer in
                let targetBase = targetBuffer.baseAddress ?? scratch
                results.withUnsafeMutableBufferPointer { out in
                    WorkerPool.run(parts: n) { k in
                        var parser = CSVChunkParser<T>(
                            context: context, range: plan.ranges[k], features: featureBase + offsets[k] * featureCount,
                            targets: targetBase + offsets[k] * targetCount, capacity: bounds[k])
                        parser.run()
                        out[k] = parser.result
                    }
                }
                // Rows of a chunk that held fewer than its bound move down to follow the rows
                // before them (rare: blank lines, quoted line breaks, dropped rows).
                var kept = 0
                for k in 0..<n {
                    if results[k].error != nil || results[k].overflowed { break }
                    if offsets[k] != kept {
                        (featureBase + kept * featureCount).update(from: featureBase + offsets[k] * featureCount, count: results[k].rows * featureCount)
                        (targetBase + kept * targetCount).update(from: targetBase + offsets[k] * targetCount, count: results[k].rows * targetCount)
                    }
                    kept += results[k].rows
                }
                // The tensor must be fully initialised; the tail is cut off below.
                (featureBase + kept * featureCount).initialize(repeating: 0, count: (total - kept) * featureCount)
            }
        }
        var lineOffset = context.layout.dataLine - 1
        for result in results {
            if var error = result.error {
                error.line = error.line.map { $0 + lineOffset }
                throw error
            }
            if result.overflowed { return nil }
            lineOffset += result.lines
        }
        let rows = results.reduce(0) { $0 + $1.rows }
        if rows < total {
            features = features.withUnsafeBufferPointer { source in
                Tensor(shape: [rows, featureCount]) { if let destination = $0.baseAddress, let source = source.baseAddress { destination.initialize(from: source, count: rows * featureCount) } }
            }
        }
        return (features, targetValues, results)
    }
}

extension String {
    /// The text without leading and trailing spaces and tabs.
    func trimmingSpaces() -> String {
        let scalars = unicodeScalars
        guard let first = scalars.firstIndex(where: { $0 != " " && $0 != "\t" }) else { return "" }
        let last = scalars.lastIndex(where: { $0 != " " && $0 != "\t" })!
        if first == scalars.startIndex && last == scalars.index(before: scalars.endIndex) { return self }
        return String(scalars[first...last])
    }
}
