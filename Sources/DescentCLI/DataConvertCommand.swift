import ArgumentParser
import Descent
import Foundation

/// `descent data convert FILE --to npy`: writes a data file's features and labels as NumPy
/// arrays, read once so that later runs load them instantly (a plain `.npy` of the run's element
/// type is memory-mapped, not parsed).
struct DataConvertCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "convert",
        abstract: "Write a data file's features and labels as .npy arrays, for instant loading later.",
        usage: "descent data convert [<options>] <file> --to npy",
        discussion: """
            FILE is read as `descent train` reads it (the format from its content; CSV with the same \
            column options). It writes PREFIX.features.npy (float32, or float64 with --precision \
            double) and PREFIX.labels.npy (class indices as int64, or real targets as floats); text \
            class labels go to PREFIX.labels.csv instead, one name per row, so their names are kept. \
            No standardisation is applied: train standardises as usual.

            Example:
              descent data convert train.csv --target label --to npy
              descent train --data train.features.npy --labels train.labels.npy
            """)

    @Argument(help: "The data file: CSV, IDX images (with --labels) or .npy.")
    var file: String

    @OptionGroup var targetColumn: TargetColumnOption

    @OptionGroup var reading: DataReadingOptions

    @Option(help: "The format to write: npy.")
    var to: String

    @Option(name: .customLong("output"), help: "The path prefix of the files written. Default: FILE without its extension.")
    var outputPrefix: String?

    @Option(help: "The element type of the features: float or double.")
    var precision = "float"

    func validate() throws {
        guard to.lowercased() == "npy" else { throw ValidationError("--to must be npy, not `\(to)`") }
        guard ["float", "double"].contains(precision) else { throw ValidationError("--precision must be float or double, not `\(precision)`") }
    }

    func output() throws -> String {
        precision == "double" ? try convert(Double.self) : try convert(Float.self)
    }

    private func convert<Scalar: TensorScalar>(_: Scalar.Type) throws -> String {
        let options = try DataReading(labels: reading.labels, delimiter: reading.delimiter, hasHeader: reading.header ?? true,
                                      drop: reading.drop.joined(separator: ","), categorical: reading.categorical.joined(separator: ","),
                                      missing: reading.missing ?? "error", inputShape: reading.inputShape)
        let loaded = try DataSource.load(file, target: targetColumn.target, task: nil, classNames: nil, reading: options, labels: options.labels,
                                         seed: 0, as: Scalar.self)
        let prefix = outputPrefix ?? Self.prefix(of: file)
        let featuresPath = prefix + ".features.npy"
        var written = [featuresPath]
        try wrapDataErrors { try NPYWriter.write(loaded.dataset.features, to: featuresPath) }
        switch loaded.dataset.targets {
        case .classes(let classes):
            let names = loaded.classNames ?? []
            if names.enumerated().allSatisfy({ $0.element == String($0.offset) }) {
                let path = prefix + ".labels.npy"
                try wrapDataErrors { try NPYWriter.write(labels: classes, to: path) }
                written.append(path)
            } else {
                let path = prefix + ".labels.csv"
                let text = "label\n" + classes.map { csvField(names[$0]) + "\n" }.joined()
                try AtomicFile.write(Data(text.utf8), to: URL(fileURLWithPath: path))
                written.append(path)
            }
        case .values(let values):
            let path = prefix + ".labels.npy"
            try wrapDataErrors { try NPYWriter.write(values, to: path) }
            written.append(path)
        }
        let shape = loaded.dataset.features.shape.map(String.init).joined(separator: "×")
        return (written.map { "wrote \($0)" } + ["\(loaded.dataset.count) rows, features \(shape); train with: descent train --data \(shellQuoted(featuresPath)) --labels \(shellQuoted(written[1]))"])
            .joined(separator: "\n")
    }

    /// `data/train.csv.gz` → `data/train`: without `.gz` and then one of `.csv`, `.tsv`, `.txt`, `.npy`.
    static func prefix(of file: String) -> String {
        var path = file
        if path.lowercased().hasSuffix(".gz") { path.removeLast(3) }
        for suffix in [".csv", ".tsv", ".txt", ".npy"] where path.lowercased().hasSuffix(suffix) {
            path.removeLast(suffix.count)
            break
        }
        return path
    }

    func run() throws { print(try output()) }
}
