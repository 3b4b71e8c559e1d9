import ArgumentParser
import Descent
import Foundation

/// `descent data`: look at data files before training on them.
struct DataCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "data",
        abstract: "Inspect data files (CSV, MNIST IDX) and built-in datasets.",
        subcommands: [DataInspectCommand.self, DataConvertCommand.self])
}

/// `descent data inspect FILE [--target COLUMN] [--labels FILE] [CSV options] [--format text|json]`.
struct DataInspectCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "inspect",
        abstract: "Print rows, columns, types, missing values, class balance and statistics, and name the problems a training run would hit.",
        usage: "descent data inspect [<options>] <file>",
        discussion: """
            FILE is CSV or other delimited text (plain or .gz), an IDX file (MNIST/Fashion-MNIST, plain or \
            .gz), a NumPy .npy array, or a built-in dataset such as builtin:spirals(arms: 3, count: 600). \
            The format comes from the content; a file that is none of these is named as such, and its \
            bytes are never printed. CSV is read as `descent train` reads it, with the same options. The \
            class balance of IDX images needs their label file (--labels).

            Problems reported: NaN or infinite values, missing values, text in numeric columns, ragged \
            rows, a likely wrong delimiter, ID-like columns, constant columns, a single class, heavy \
            class imbalance, truncated or mismatched files. Those marked [stops training] would stop \
            `descent train`.

            Exit status: 0 when nothing would stop training, 1 when a problem would.
            """)

    @Argument(help: "The data file, or builtin:NAME.")
    var file: String

    @OptionGroup var targetColumn: TargetColumnOption

    @OptionGroup var reading: DataReadingOptions

    @OptionGroup var formatOption: FormatOption<OutputFormat>

    /// The report.
    func report() throws -> DataReport {
        let settings = try DataReading(labels: reading.labels, delimiter: reading.delimiter, hasHeader: reading.header ?? true,
                                       drop: reading.drop.joined(separator: ","), categorical: reading.categorical.joined(separator: ","),
                                       missing: reading.missing ?? "error", inputShape: reading.inputShape)
        let options = settings.csvOptions(targets: targetColumn.column.map { [$0] }, targetKind: .automatic, fillValues: nil)
        let shape = try settings.inputShape.map { sizes in try wrapDataErrors { try SampleShape(sizes) } }
        return try wrapDataErrors { try DataInspector.inspect(file, target: targetColumn.column, labels: settings.labels, options: options, inputShape: shape) }
    }

    /// The report as text or JSON.
    func output() throws -> String {
        let report = try report()
        return formatOption.format == .json ? report.json : report.text
    }

    func run() throws {
        let report = try report()
        print(formatOption.format == .json ? report.json : report.text)
        if report.stopsTraining { throw ExitCode(1) }
    }
}
