import ArgumentParser
import Descent
import Foundation

/// `descent data`: look at data files before training on them.
struct DataCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "data",
        abstract: "Inspect data files (CSV, MNIST IDX) and built-in datasets.",
        subcommands: [DataInspectCommand.self, DataStreamTrainCommand.self])
}

/// `descent data inspect FILE [--target COLUMN] [--labels FILE] [--format text|json]`.
struct DataInspectCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "inspect",
        abstract: "Print rows, columns, types, missing values, class balance and statistics, and name the problems a training run would hit.",
        usage: "descent data inspect [<options>] <file>",
        discussion: """
            FILE is a CSV file (plain or .gz), an IDX file (MNIST/Fashion-MNIST, plain or .gz), or a \
            built-in dataset such as builtin:spirals(arms: 3, count: 600). The class balance of IDX \
            images needs their label file (--labels).

            Problems reported: NaN or infinite values, missing values, text in numeric columns, ragged \
            rows, constant columns, a single class, heavy class imbalance.
            """)

    @Argument(help: "The data file, or builtin:NAME.")
    var file: String

    @OptionGroup var fileOptions: DataFileOptions

    @Flag(help: "The CSV file has no header line.")
    var noHeader = false

    @Option(help: "The CSV field delimiter (one character).")
    var delimiter: String = ","

    @OptionGroup var formatOption: FormatOption<OutputFormat>

    func validate() throws {
        guard delimiter.count == 1 else { throw ValidationError("--delimiter must be one character, got \"\(delimiter)\"") }
    }

    /// The report as text or JSON.
    func output() throws -> String {
        do {
            let options = CSVOptions(hasHeader: !noHeader, delimiter: delimiter.first!)
            let report = try DataInspector.inspect(file, target: fileOptions.target, labels: fileOptions.labels, options: options)
            return formatOption.format == .json ? report.json : report.text
        } catch let error as DataError {
            throw ValidationError(error.description)
        }
    }

    func run() throws { print(try output()) }
}

/// `descent data stream-train`: trains a linear model on a streamed file and reports peak memory.
///
/// It exists so a test can check, in a separate process, that streaming a file larger than a
/// memory budget keeps the peak resident memory (`VmHWM` in /proc/self/status) under it.
struct DataStreamTrainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "stream-train",
        abstract: "Train softmax (or linear) regression on a file streamed from disk and report peak memory.",
        usage: "descent data stream-train [<options>] <file>",
        shouldDisplay: false)

    @Argument(help: "A plain CSV file, or IDX images (with --labels).")
    var file: String

    @OptionGroup var fileOptions: DataFileOptions

    @Option(help: "Samples per batch.")
    var batchSize = 256

    @Option(help: "Rows per chunk read from disk.")
    var chunkRows = 1024

    @Option(help: "Chunks per shuffle window.")
    var windowChunks = 8

    @Option(help: "Passes over the file.")
    var epochs = 1

    @Option(help: "Learning rate of plain gradient descent.")
    var learningRate = 0.1

    @Option(help: "Seed for shuffling.")
    var seed: UInt64 = 0

    @Flag(help: "Only read the batches, without training (measures the loader alone).")
    var readOnly = false

    @Flag(help: "Read batches on the calling thread instead of prefetching them.")
    var noPrefetch = false

    func validate() throws {
        guard batchSize > 0, chunkRows > 0, windowChunks > 0, epochs > 0 else {
            throw ValidationError("--batch-size, --chunk-rows, --window-chunks and --epochs must be positive")
        }
    }

    func output() throws -> String {
        let baseline = ProcessMemory.current()
        do {
            let dataset: StreamingDataset<Float> = if let labels = fileOptions.labels {
                try .idx(images: file, labels: labels, chunkRows: chunkRows)
            } else {
                try .csv(file, options: CSVOptions(targets: fileOptions.target.map { [$0] }), chunkRows: chunkRows)
            }
            let loader = StreamingLoader(dataset, batchSize: .samples(batchSize), shuffle: true, seed: seed, windowChunks: windowChunks, prefetch: !noPrefetch)
            let width = dataset.featuresPerRow
            let outputs = dataset.classCount ?? dataset.targetCount
            var weight = Tensor<Float>(zeros: [width, outputs]).requiringGradient()
            var bias = Tensor<Float>(zeros: [outputs]).requiringGradient()
            var lastLoss: Float = .nan
            var seen = 0
            for epoch in 0..<epochs {
                let batches = try loader.batches(epoch: epoch, startingAt: 0)
                while let batch = try batches.next() {
                    seen += batch.count
                    if readOnly { continue }
                    let prediction = batch.features.matmul(weight) + bias
                    let loss: Tensor<Float>
                    switch batch.targets {
                    case .classes(let classes): loss = -(try prediction.logSoftmax(alongAxis: 1).pickingColumns(classes)).mean()
                    case .values(let values): loss = (prediction - values).squared().mean()
                    }
                    try loss.backward()
                    let rate = Float(learningRate)
                    weight = withoutGradients { weight - rate * weight.gradient! }.requiringGradient()
                    bias = withoutGradients { bias - rate * bias.gradient! }.requiringGradient()
                    lastLoss = loss.scalar
                }
            }
            let peak = ProcessMemory.current()
            return """
                rows: \(dataset.count)
                samples-seen: \(seen)
                final-loss: \(lastLoss)
                estimated-bytes-held: \(loader.estimatedBytesHeld)
                baseline-rss-kb: \(baseline.residentKilobytes)
                peak-rss-kb: \(peak.peakKilobytes)
                """
        } catch let error as DataError {
            throw ValidationError(error.description)
        }
    }

    func run() throws { print(try output()) }
}

/// Resident memory of this process from /proc/self/status (Linux; zeros elsewhere).
struct ProcessMemory {
    /// `VmRSS`: resident now.
    var residentKilobytes = 0
    /// `VmHWM`: the peak resident size so far.
    var peakKilobytes = 0

    static func current() -> ProcessMemory {
        var memory = ProcessMemory()
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return memory }
        for line in status.split(separator: "\n") {
            let parts = line.split(separator: " ", omittingEmptySubsequences: true)
            guard parts.count >= 2, let value = Int(parts[1]) else { continue }
            if line.hasPrefix("VmRSS:") { memory.residentKilobytes = value }
            if line.hasPrefix("VmHWM:") { memory.peakKilobytes = value }
        }
        return memory
    }
}
