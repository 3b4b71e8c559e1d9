import ArgumentParser
import Descent
import Foundation

/// How a data file is read, beyond its target: the label file of IDX images or `.npy` features,
/// and for CSV text the delimiter, header, dropped and categorical columns and missing values.
/// Shared by the training options and `descent data`; every option is optional so that a
/// `--config` file or a saved run can fill it.
struct DataReadingOptions: ParsableArguments {
    @Option(help: "The labels of IDX images or .npy features: an IDX label file, a .npy array or a one-column CSV file.")
    var labels: String?

    @Option(help: "The CSV field separator: one character, or tab. Default: detected from the first lines (, ; tab |).")
    var delimiter: String?

    @Flag(inversion: .prefixedNo, help: "The CSV file's first line holds the column names. Default: on.")
    var header: Bool?

    @Option(help: "CSV columns to leave out, by name or 0-based position (repeat, or separate with commas), e.g. --drop id.")
    var drop: [String] = []

    @Option(help: "CSV feature columns that hold categories, one-hot encoded (repeat, or separate with commas).")
    var categorical: [String] = []

    @Option(help: "Missing CSV values: error, drop (the rows), or mean (fill a feature with its training mean). Default: error.")
    var missing: String?

    @Option(help: "The shape of one sample, channels x height x width, e.g. 1x28x28 for 784 CSV pixel columns (read as images by convolutional models). Default: the file's own (IDX and .npy images keep theirs).")
    var inputShape: String?

    /// The options given, by configuration key.
    var values: [String: Any] {
        var values: [String: Any] = [:]
        values["labels"] = labels; values["delimiter"] = delimiter; values["header"] = header
        if !drop.isEmpty { values["drop"] = drop.joined(separator: ",") }
        if !categorical.isEmpty { values["categorical"] = categorical.joined(separator: ",") }
        values["missing"] = missing
        values["inputShape"] = inputShape
        return values
    }
}

/// The reading settings of a run, resolved and checked: what ``DataSource`` needs, saved in
/// `preprocessing.json` so that `descent evaluate` and `descent predict` read new files alike.
struct DataReading: Codable, Equatable {
    /// The label file for IDX images or `.npy` features (training data only).
    var labels: String?
    /// One character; `nil`: detected.
    var delimiter: String?
    var hasHeader = true
    var drop: [String] = []
    var categorical: [String] = []
    var missing: MissingValuesChoice = .error
    /// The shape of one sample (`--input-shape`, such as `[1, 28, 28]`), `nil`: the file's own.
    /// Checked where it is used (``SampleShape``), as a saved file may have been edited.
    var inputShape: [Int]?

    /// What to do with a missing CSV value.
    enum MissingValuesChoice: String, Codable, CaseIterable {
        case error, drop, mean
    }

    /// How `descent train` read CSV files before these settings existed: commas and a header.
    static let beforeIssue15: DataReading = {
        var reading = DataReading()
        reading.delimiter = ","
        return reading
    }()

    /// The defaults: no label file, the delimiter detected, a header, every column, missing values an error.
    init() {}

    /// The settings of `configuration`. - Throws: `ValidationError` for a bad delimiter or choice.
    init(_ configuration: TrainConfiguration) throws {
        try self.init(labels: configuration.labels, delimiter: configuration.delimiter, hasHeader: configuration.header,
                      drop: configuration.drop, categorical: configuration.categorical, missing: configuration.missing,
                      inputShape: configuration.inputShape)
    }

    /// The settings given as option text. - Throws: `ValidationError` for a bad delimiter, choice or input shape.
    init(labels: String?, delimiter: String?, hasHeader: Bool, drop: String?, categorical: String?, missing: String,
         inputShape: String? = nil) throws {
        self.labels = labels
        self.delimiter = try delimiter.map(Self.delimiterCharacter)
        self.hasHeader = hasHeader
        self.drop = Self.list(drop)
        self.categorical = Self.list(categorical)
        guard let choice = MissingValuesChoice(rawValue: missing.lowercased()) else {
            throw ValidationError("--missing must be error, drop or mean, not `\(missing)`")
        }
        self.missing = choice
        self.inputShape = try inputShape.map { text in try wrapDataErrors { try SampleShape(parsing: text).sizes } }
    }

    /// `tab`, `\t` and `;` style spellings as the one character they stand for.
    static func delimiterCharacter(_ text: String) throws -> String {
        switch text.lowercased() {
        case "tab", "\\t", "\t": return "\t"
        case "comma": return ","
        case "semicolon": return ";"
        case "space": return " "
        case "pipe": return "|"
        default:
            guard text.count == 1, let ascii = text.first?.asciiValue, ascii != UInt8(ascii: "\""), ascii >= 32 || ascii == 9 else {
                throw ValidationError("--delimiter must be one ASCII character other than a quote (or tab), not `\(text)`")
            }
            return text
        }
    }

    /// `a,b, c` as `["a", "b", "c"]`.
    static func list(_ text: String?) -> [String] {
        (text ?? "").split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }
}

extension DataReading {
    /// The CSV options for these settings, with the target columns and kind of one load.
    func csvOptions(targets: [ColumnSelector]?, features: [ColumnSelector]? = nil, targetKind: TargetKind,
                    fillValues: [String: Double]?) -> CSVOptions {
        let policy: MissingValuePolicy = switch missing {
        case .error: .error
        case .drop: .drop
        case .mean: .mean
        }
        return CSVOptions(hasHeader: hasHeader, delimiter: delimiter?.first, targets: targets, features: features,
                          categorical: categorical.map(ColumnSelector.init(parsing:)), targetKind: targetKind,
                          drop: drop.map(ColumnSelector.init(parsing:)), missingValues: policy, fillValues: fillValues)
    }
}
