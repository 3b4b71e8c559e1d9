import ArgumentParser

/// The forms one command can print its result in: the values of its `--format` option.
protocol OutputFormatChoice: ExpressibleByArgument, CaseIterable, RawRepresentable where RawValue == String {
    /// The form used when `--format` is not given.
    static var standard: Self { get }
}

/// A report as lines of text, or as one JSON object.
enum OutputFormat: String, OutputFormatChoice {
    case text, json
    static let standard = OutputFormat.text
}

/// A table with one row per item, or the same values as JSON.
enum TableFormat: String, OutputFormatChoice {
    case table, json
    static let standard = TableFormat.table
}

/// `--format`, the option of every command that can print its result in more than one form.
/// `Format` lists the forms the command offers; argument-parser lists them and the default in
/// the help, so the help text names neither.
struct FormatOption<Format: OutputFormatChoice>: ParsableArguments {
    @Option(help: "The output format.")
    var format: Format = .standard
}

/// `--quiet`, the option of the commands that report training progress on standard error.
struct ProgressOption: ParsableArguments {
    @Flag(help: "Print no progress.")
    var quiet = false

    /// How ``ProgressReporter`` shows the progress: not at all with `--quiet`, else a live bar
    /// on a terminal and plain lines otherwise.
    var style: ProgressReporter.Style { ProgressReporter.automaticStyle(quiet: quiet) }
}
