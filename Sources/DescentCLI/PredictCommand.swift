import ArgumentParser
import Descent
import Foundation

/// `descent predict`: a trained model's predictions for new data, as CSV.
struct PredictCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "predict",
        abstract: "Predict with a trained model (a `descent train --output` folder); prints or writes CSV.",
        usage: "descent predict [<options>] --model <model> --data <data>",
        discussion: """
            The data needs the feature columns the model was trained on (a target column, if \
            present, is ignored). Classification prints the class label as it was written in the \
            training data; --probabilities adds one probability column per class. Regression prints \
            the predicted value(s).

            Example:
              descent predict --model run --data new.csv --output predictions.csv \\
                --probabilities
            """)

    @OptionGroup var inputs: TrainedModelOptions

    @Option(name: .customLong("output"), help: "Write the predictions to this CSV file instead of standard output.")
    var outputFile: String?

    @Flag(help: "Add the probability of each class (classification).")
    var probabilities = false

    func output() throws -> String {
        let preprocessing = try inputs.preprocessing()
        let text = preprocessing.precision == "double" ? try csv(Double.self, preprocessing) : try csv(Float.self, preprocessing)
        if let outputFile {
            try AtomicFile.write(Data(text.utf8), to: URL(fileURLWithPath: outputFile))
            return "wrote \(text.split(separator: "\n").count - 1) predictions to \(outputFile)"
        }
        return text.hasSuffix("\n") ? String(text.dropLast()) : text
    }

    private func csv<Scalar: TensorScalar>(_: Scalar.Type, _ preprocessing: Preprocessing) throws -> String {
        let (network, dataset) = try inputs.load(preprocessing, target: nil, requireTargets: false, as: Scalar.self)
        var outputs = try withoutGradients { try network.forward(dataset.features, context: .evaluation) }
        if let standardizer = preprocessing.targetStandardizer {  // back to the target's units
            outputs = try wrapDataErrors { try standardizer.inverseTransform(outputs.rank == 1 ? outputs.reshaped(to: [outputs.shape[0], 1]) : outputs) }
        }
        let columns = outputs.shape.count == 2 ? outputs.shape[1] : 1
        let values = outputs.doubles
        var lines: [String] = []
        switch preprocessing.task {
        case .classification:
            // A folder trained on one class has one name for the two probabilities of a logit.
            let saved = preprocessing.classNames ?? []
            let names = (0..<max(columns, 2, saved.count)).map { $0 < saved.count ? saved[$0] : String($0) }
            lines.append((["prediction"] + (probabilities ? names.map { "probability_\($0)" } : [])).map(csvField).joined(separator: ","))
            for row in 0..<dataset.count {
                let scores = Array(values[(row * columns)..<((row + 1) * columns)])
                let p: [Double]
                if columns == 1 {  // one logit: P(class 1) = σ(z)
                    let positive = 1 / (1 + Foundation.exp(-scores[0]))
                    p = [1 - positive, positive]
                } else {  // softmax, shifted by the largest score for stability
                    let top = scores.max()!
                    let e = scores.map { Foundation.exp($0 - top) }
                    let sum = e.reduce(0, +)
                    p = e.map { $0 / sum }
                }
                let best = p.indices.max { p[$0] < p[$1] }!
                lines.append(([csvField(names[best])] + (probabilities ? p.map { "\($0)" } : [])).joined(separator: ","))
            }
        case .regression:
            lines.append(columns == 1 ? "prediction" : (0..<columns).map { "prediction_\($0)" }.joined(separator: ","))
            for row in 0..<dataset.count {
                lines.append(values[(row * columns)..<((row + 1) * columns)].map { "\($0)" }.joined(separator: ","))
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    func run() throws { print(try output()) }
}

/// A CSV field, quoted when it holds a comma, quote or line break.
func csvField(_ text: String) -> String {
    guard text.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return text }
    return "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
}
