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
