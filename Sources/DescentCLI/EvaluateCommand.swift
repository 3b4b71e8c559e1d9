import ArgumentParser
import Descent
import Foundation

/// `descent evaluate`: the loss and metrics of a trained model on labelled data.
struct EvaluateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "evaluate",
        abstract: "Measure a trained model (a `descent train --output` folder) on labelled data.",
        usage: "descent evaluate [<options>] --model <model> --data <data>",
        discussion: """
            The data needs the feature columns the model was trained on and a target column; it is \
            prepared as the training data was (the same class labels and standardisation). Prints the \
            loss and accuracy (classification) or mse (regression).

            Example:
              descent evaluate --model run --data test.csv
            """)

    @OptionGroup var inputs: TrainedModelOptions

    @Option(help: "The target column. Default: the one the model was trained on.")
    var target: String?

    @OptionGroup var formatOption: FormatOption<OutputFormat>

    func output() throws -> String {
        let preprocessing = try inputs.preprocessing()
        return preprocessing.precision == "double" ? try run(Double.self, preprocessing) : try run(Float.self, preprocessing)
    }

    private func run<Scalar: TensorScalar>(_: Scalar.Type, _ preprocessing: Preprocessing) throws -> String {
        let (network, dataset) = try inputs.load(preprocessing, target: target, requireTargets: true, as: Scalar.self)
        let loss = try specError { try LossSpec.makeLoss(preprocessing.loss) }
        let result = try evaluate(network, loss: loss, metrics: ModelFolder.metrics(for: preprocessing, loss: loss),
                                  on: DataLoader(dataset, batchSize: 1024, prefetch: false))
        switch formatOption.format {
        case .json:
            return "{\"samples\": \(result.count), " + jsonObject(result.values).dropFirst()
        case .text:
            return "\(result.count) samples  " + textValues(result.values)
        }
    }

    func run() throws { print(try output()) }
}
