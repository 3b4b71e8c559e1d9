import ArgumentParser
import Descent
import Foundation

/// `descent lr-find`: the learning-rate range test (fastai's `lr_find`) with the training options.
struct LRFindCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lr-find",
        abstract: "Find a good learning rate: train briefly while the rate grows exponentially, and suggest one.",
        usage: "descent lr-find [<options>]",
        discussion: """
            Takes the same data and model options as `descent train`. For N iterations the rate \
            grows from --start-lr towards --end-lr (η_i = start·(end/start)^(i/N)); the loss is \
            smoothed (moving average, β = 0.98, debiased) and the sweep stops when it exceeds 4× its \
            minimum. The model's weights are not changed.

            Suggestions (fastai's): valley (about halfway down the longest valley of the loss curve; \
            the usual choice), steep (the steepest descent), and minimum (a tenth of the rate with \
            the lowest loss).

            Example:
              descent lr-find --data builtin:spirals --model "mlp(64)" --optimizer sgd \\
                --plot lr-find.svg
            """)

    @OptionGroup var options: TrainOptions<TrainDefaults>

    @Option(name: .customLong("start-lr"), help: "The first learning rate.")
    var startLearningRate: Double = 1e-7

    @Option(name: .customLong("end-lr"), help: "The rate the sweep grows towards.")
    var endLearningRate: Double = 10

    @Option(help: "Iterations (optimizer steps) of the sweep, at least 6.")
    var iterations: Int = 100

    @OptionGroup var formatOption: FormatOption<OutputFormat>

    @Option(help: ArgumentHelp("Also draw the smoothed and the raw loss against the learning rate (log axis), with the suggestions marked, to this SVG file.", valueName: "file.svg"))
    var plot: String?

    func validate() throws {
        guard startLearningRate > 0, endLearningRate > startLearningRate else {
            throw ValidationError("need 0 < --start-lr < --end-lr, got \(startLearningRate) and \(endLearningRate)")
        }
    }

    /// The sweep as data: the rates, the smoothed losses and the suggestions.
    func sweep() throws -> LearningRateSweep {
        let configuration = try options.configuration()
        return configuration.precision == "double" ? try sweep(configuration, as: Double.self) : try sweep(configuration, as: Float.self)
    }

    private func sweep<Scalar: TensorScalar>(_ configuration: TrainConfiguration, as _: Scalar.Type) throws -> LearningRateSweep {
        let setup = try TrainingSetup<Scalar>(configuration)
        let finder = LearningRateFinder(startLearningRate: startLearningRate, endLearningRate: endLearningRate, iterations: iterations)
        return try finder.run(setup.trainer, on: setup.trainLoader)
    }

    func output() throws -> String {
        let result = try sweep()
        if let plot {
            let optimizer = (try? options.configuration().optimizer) ?? "adam"
            try writePlot(LRFindPlot(sweep: result, optimizer: optimizer).svg(), to: plot)
        }
        func number(_ x: Double?) -> String { x.map { String(format: "%.3g", $0) } ?? "n/a" }
        switch formatOption.format {
        case .json:
            func list(_ xs: [Double]) -> String { "[" + xs.map(jsonNumber).joined(separator: ", ") + "]" }
            return "{\"valley\": \(result.valley.map(jsonNumber) ?? "null"), \"steep\": \(result.steep.map(jsonNumber) ?? "null"), "
                + "\"minimum\": \(result.minimum.map(jsonNumber) ?? "null"), \"stoppedEarly\": \(result.stoppedEarly), "
                + "\"iterations\": \(result.learningRates.count), \"learningRates\": \(list(result.learningRates)), \"losses\": \(list(result.losses))}"
        case .text:
            var lines = ["\(result.learningRates.count) iterations from \(number(startLearningRate))"
                         + (result.stoppedEarly ? ", stopped when the loss diverged at \(number(result.learningRates.last))" : " to \(number(result.learningRates.last))")]
            guard result.valley != nil else {
                lines.append("too few iterations for suggestions; use more --iterations or a wider range")
                return lines.joined(separator: "\n")
            }
            lines.append("suggested learning rates:")
            lines.append("  valley   \(number(result.valley))   (recommended)")
            lines.append("  steep    \(number(result.steep))")
            lines.append("  minimum  \(number(result.minimum))")
            lines.append("for example: descent train … --optimizer \"\(optimizerName())(lr: \(number(result.valley)))\"")
            return lines.joined(separator: "\n")
        }
    }

    private func optimizerName() -> String {
        ((try? options.configuration().optimizer).flatMap { try? Spec(parsing: $0).name }) ?? "adam"
    }

    func run() throws {
        print(try output())
        if let plot { FileHandle.standardError.write(Data("wrote \(plot)\n".utf8)) }  // stdout stays the report
    }
}
