import ArgumentParser
import Descent
import Foundation

/// `descent evaluate`: the loss and metrics of a trained model on labelled data.
struct EvaluateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "evaluate",
        abstract: "Measure a trained model (a `descent train --output` folder) on labelled data.",
        discussion: """
            The data is prepared as the training data was (same feature columns, class labels and
            standardisation). Prints the loss and accuracy (classification) or mse (regression).
            Example: descent evaluate --model run --data test.csv
            """)

    @Option(help: "The folder written by `descent train --output`.")
    var model: String

    @Option(help: "A CSV file with the target column, or builtin:NAME.")
    var data: String

    @Option(help: "The target column. Default: the one the model was trained on.")
    var target: String?

    @Option(help: "Output format: text or json.")
    var format: OutputFormat = .text

    func output() throws -> String {
        let directory = URL(fileURLWithPath: model)
        let preprocessing = try ModelFolder.preprocessing(in: directory)
        return preprocessing.precision == "double" ? try run(Double.self, preprocessing, directory) : try run(Float.self, preprocessing, directory)
    }

    private func run<Scalar: TensorScalar>(_: Scalar.Type, _ preprocessing: Preprocessing, _ directory: URL) throws -> String {
        let network = try ModelFolder.model(in: directory, preprocessing: preprocessing, as: Scalar.self)
        let dataset = try ModelFolder.data(data, target: target, preprocessing: preprocessing, requireTargets: true, as: Scalar.self)
        let loss = try specError { try LossSpec.makeLoss(preprocessing.loss) }
        let result = try descentEvaluate(network, loss: loss, metrics: ModelFolder.metrics(for: preprocessing, loss: loss),
                                         on: DataLoader(dataset, batchSize: 1024, prefetch: false))
        switch format {
        case .json:
            return "{\"samples\": \(result.count), " + jsonObject(result.values).dropFirst()
        case .text:
            return "\(result.count) samples  " + textValues(result.values)
        }
    }

    func run() throws { print(try output()) }
}

/// `evaluate(_:loss:metrics:on:)` from DescentTraining (the command's own `model` property hides the name).
func descentEvaluate<Scalar: TensorScalar>(_ model: any Layer<Scalar>, loss: any Loss, metrics: [any Metric],
                                           on loader: any BatchLoader<Scalar>) throws -> EvaluationResult {
    try evaluate(model, loss: loss, metrics: metrics, on: loader)
}
