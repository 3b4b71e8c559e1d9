import ArgumentParser
import Descent
import Foundation

/// `descent compare`: one training problem, several variants of one setting, one report.
struct CompareCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "compare",
        abstract: "Train the same problem with several variants of one setting and compare the curves in one report.",
        usage: "descent compare [<options>]",
        discussion: """
            Give exactly one variant axis. Every variant uses the same data, split and seed (the same initial weights whenever the model is the same), so each difference in the curves has one cause.

            Examples:
              descent compare --batch-sizes 1,32,full
              descent compare --learning-rates 0.001,0.1,3
              descent compare --optimizers sgd "sgd(momentum: 0.9)" adam rmsprop
              descent compare --schedules none "cosine(tMax: 100)"
              descent compare --inits kaiming-normal xavier-uniform zeros
              descent compare --models linear "mlp(32)"

            Takes the data, model and training options of `descent train`, with defaults that run in seconds. With --learning-rates the defaults make it linear regression with plain SGD, where the rate alone decides: 0.001 crawls, 0.1 converges, 3 overshoots and diverges. A variant that diverges stops and is marked; the others still run.

            Writes compare.html into --output: every curve on shared axes (the full training loss against epochs and against wall-clock time, the batch loss of every step, the validation metric) and a table with the final loss, the best validation metric, steps, time and whether the variant diverged. Prints the same table (as JSON with --format json).
            """)

    @OptionGroup var options: TrainOptions<Defaults>

    @OptionGroup var trainOnly: TrainOnlyOptions

    @Option(parsing: .upToNextOption, help: "Batch sizes to compare, e.g. 1,32,full (`full` is batch gradient descent).")
    var batchSizes: [String] = []

    @Option(parsing: .upToNextOption, help: "Learning rates to compare, e.g. 0.001,0.1,3 (set as `lr` on --optimizer).")
    var learningRates: [String] = []

    @Option(parsing: .upToNextOption, help: "Optimizer specs to compare, e.g. \"sgd(lr: 0.1)\" \"sgd(lr: 0.1, momentum: 0.9)\" adam rmsprop.")
    var optimizers: [String] = []

    @Option(parsing: .upToNextOption, help: "Schedule specs to compare (`none` for a constant rate), e.g. none \"cosine(tMax: 100)\".")
    var schedules: [String] = []

    @Option(parsing: .upToNextOption, help: "Weight initialisers to compare (set as `init` on --model): \(Initializer.specNames.joined(separator: ", ")).")
    var inits: [String] = []

    @Option(parsing: .upToNextOption, help: "Model specs to compare, e.g. linear \"mlp(32)\" \"mlp(32, activation: tanh)\".")
    var models: [String] = []

    @Option(name: .customLong("output"), help: "The folder for compare.html.")
    var outputDirectory = "descent-compare"

    @Option(help: ArgumentHelp("Also write the loss against epochs and against wall-clock time as one SVG file.", valueName: "file.svg"))
    var plot: String?

    @OptionGroup var formatOption: FormatOption<OutputFormat>

    @OptionGroup var progressOption: ProgressOption

    /// The defaults of a comparison where `descent train` has none or a slower one: small data
    /// and a small model, so that every variant trains in seconds; with `--learning-rates`,
    /// linear regression with plain SGD, where the rate alone decides.
    enum Defaults: TrainingDefaults {
        static let data = "builtin:moons", model = "mlp(32)", epochs = 10, validationSplit = 0.2
        static let learningRateData = "builtin:linear", learningRateModel = "linear", learningRateOptimizer = "sgd"

        static let statedDefaults = [
            "data": "\(data), or \(learningRateData) with --learning-rates",
            "model": "\(model), or \(learningRateModel) with --learning-rates",
            "optimizer": "\(TrainConfiguration.standard.optimizer), or \(learningRateOptimizer) with --learning-rates",
            "epochs": "\(epochs)", "validationSplit": "\(validationSplit)",
        ]

        /// The settings, by configuration key, that go under the `--config` file and the command line.
        static func settings(learningRateAxis: Bool) -> [String: Any] {
            var settings: [String: Any] = ["data": data, "model": model, "epochs": epochs, "validationSplit": validationSplit]
            if learningRateAxis {
                settings["data"] = learningRateData
                settings["model"] = learningRateModel
                settings["optimizer"] = learningRateOptimizer
            }
            return settings
        }
    }

    /// One variant: its legend name, its value as given, and the change it makes to the configuration.
    struct Variant {
        var label: String
        var value: String
        var apply: (inout TrainConfiguration) throws -> Void
    }

    /// The variant axis given: its name in titles, its option, and the variants.
    func variantAxis() throws -> (name: String, option: String, variants: [Variant]) {
        func split(_ values: [String]) -> [String] {
            values.flatMap { $0.split(separator: ",") }.map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        }
        var axes: [(name: String, option: String, variants: [Variant])] = []
        if !batchSizes.isEmpty {
            axes.append(("batch size", "--batch-sizes", split(batchSizes).map { value in
                let label: String
                switch value.lowercased() {
                case "full": label = "full batch (batch GD)"
                case "1": label = "batch size 1 (stochastic GD)"
                default: label = "batch size \(value) (mini-batch GD)"
                }
                return Variant(label: label, value: value) { configuration in
                    configuration.batchSize = value
                    _ = try configuration.resolvedBatchSize
                }
            }))
        }
        if !learningRates.isEmpty {
            axes.append(("learning rate", "--learning-rates", try split(learningRates).map { value in
                guard let rate = Double(value), rate > 0 else { throw ValidationError("--learning-rates: `\(value)` is not a positive number") }
                return Variant(label: "lr \(value)", value: value) { configuration in
                    configuration.optimizer = try Self.setting(["learningRate", "lr"], to: .number(rate), in: configuration.optimizer, as: "lr")
                }
            }))
        }
        if !optimizers.isEmpty {
            axes.append(("optimizer", "--optimizers", optimizers.map { spec in
                Variant(label: spec, value: spec) { $0.optimizer = spec }
            }))
        }
        if !schedules.isEmpty {
            axes.append(("schedule", "--schedules", schedules.map { spec in
                let none = ["none", "constant"].contains(spec.lowercased())
                return Variant(label: none ? "constant rate" : spec, value: spec) { $0.schedule = none ? nil : spec }
            }))
        }
        if !inits.isEmpty {
            axes.append(("initialiser", "--inits", split(inits).map { name in
                Variant(label: "init: \(name)", value: name) { configuration in
                    configuration.model = try Self.setting(["init", "initializer"], to: .word(name), in: configuration.model, as: "init")
                }
            }))
        }
        if !models.isEmpty {
            axes.append(("model", "--models", models.map { spec in Variant(label: spec, value: spec) { $0.model = spec } }))
        }
        guard axes.count == 1, let axis = axes.first else {
            throw ValidationError(axes.isEmpty
                ? "give one variant axis to compare: --batch-sizes, --learning-rates, --optimizers, --schedules, --inits or --models (see descent compare --help)"
                : "give only one variant axis (got \(axes.map(\.option).joined(separator: ", "))): compare changes one setting at a time, so each difference in the curves has one cause")
        }
        guard axis.variants.count >= 1, axis.variants.count <= 8 else {
            throw ValidationError("\(axis.option): give between 1 and 8 variants (the palette has 8 distinguishable colours), not \(axis.variants.count)")
        }
        return axis
    }

    /// `spec` with the argument `keys` (any spelling) replaced by `label: value`.
    static func setting(_ keys: [String], to value: Spec.Value, in spec: String, as label: String) throws -> String {
        var parsed = try specError { try Spec(parsing: spec) }
        let lowered = keys.map { $0.lowercased() }
        parsed.arguments.removeAll { $0.label.map { lowered.contains($0.lowercased()) } ?? false }
        parsed.arguments.append(Spec.Argument(label: label, value: value))
        return parsed.description
    }

    /// The configuration every variant starts from: the command line over the `--config` file
    /// over ``Defaults``.
    func baseConfiguration(learningRateAxis: Bool) throws -> TrainConfiguration {
        try options.configuration(extra: trainOnly.values, saved: Defaults.settings(learningRateAxis: learningRateAxis))
    }

    /// Trains every variant; `progress` receives one line per variant.
    func runs(progress: (String) -> Void = { _ in }) throws -> (axis: String, runs: [CompareRun]) {
        let axis = try variantAxis()
        let base = try baseConfiguration(learningRateAxis: axis.option == "--learning-rates")
        var runs: [CompareRun] = []
        for (index, variant) in axis.variants.enumerated() {
            var configuration = base
            try variant.apply(&configuration)
            progress("[\(index + 1)/\(axis.variants.count)] \(variant.label)")
            let run = configuration.precision == "double"
                ? try train(configuration, label: variant.label, as: Double.self)
                : try train(configuration, label: variant.label, as: Float.self)
            runs.append(run)
        }
        return (axis.name, runs)
    }

    private func train<Scalar: TensorScalar>(_ configuration: TrainConfiguration, label: String, as _: Scalar.Type) throws -> CompareRun {
        let setup: TrainingSetup<Scalar>
        do { setup = try TrainingSetup<Scalar>(configuration) } catch let error as ValidationError {
            throw ValidationError("\(label): \(error.message)")
        }
        let trainer = setup.trainer
        let initialTrain = try evaluate(setup.model, loss: trainer.loss, metrics: trainer.metrics, on: setup.trainEvaluationLoader).values
        let initialValidation = try setup.validationLoader.map { try evaluate(setup.model, loss: trainer.loss, metrics: trainer.metrics, on: $0).values }
        let result = try trainer.fit(epochs: configuration.epochs, training: setup.trainLoader, validation: setup.validationLoader,
                                     trainingEvaluation: setup.trainEvaluationLoader)
        return CompareRun(label: label, history: result.history, initialTrain: initialTrain, initialValidation: initialValidation,
                          batchesPerEpoch: setup.trainLoader.batchesPerEpoch, stopReason: result.stopReason, divergence: result.divergence,
                          seconds: result.seconds)
    }

    /// The table (text or JSON); writes compare.html and the `--plot` file. With JSON, the
    /// "wrote FILE" lines are added to `notes` (for standard error) instead of the text.
    func output(progress: (String) -> Void = { _ in }, notes: inout [String]) throws -> String {
        let (axis, runs) = try self.runs(progress: progress)
        let report = CompareReport(axis: axis, runs: runs, command: commandLine())
        let directory = URL(fileURLWithPath: outputDirectory)
        let path = directory.appendingPathComponent(CompareReport.fileName).path
        // A second comparison into the same folder replaces the first one's report: say so.
        let replaces = FileManager.default.fileExists(atPath: path)
        do {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            try report.write(to: directory)
        } catch {
            throw ValidationError("--output: cannot write \(directory.appendingPathComponent(CompareReport.fileName).path): \(error.localizedDescription)")
        }
        if let plot { try writePlot(ComparePlot(axis: axis, runs: runs).svg(), to: plot) }
        let replaced = replaces ? " (it replaced the report of an earlier comparison there; give --output another folder to keep both)" : ""
        let wrote = ["wrote \(path)\(replaced)"] + (plot.map { ["wrote \($0)"] } ?? [])
        switch formatOption.format {
        case .json:
            notes.append(contentsOf: wrote)
            return report.json(reportPath: path)
        case .text: return report.text() + "\n" + wrote.joined(separator: "\n")
        }
    }

    /// The command as typed, for the report.
    func commandLine() -> String {
        let arguments = CommandLine.arguments.dropFirst()
        guard arguments.first == "compare" else { return "descent compare …" }
        return "descent " + arguments.map(shellQuoted).joined(separator: " ")
    }

    func run() throws {
        let printProgress: (String) -> Void = progressOption.quiet ? { _ in } : { FileHandle.standardError.write(Data(("training " + $0 + "\n").utf8)) }
        var notes: [String] = []
        print(try output(progress: printProgress, notes: &notes))
        for note in notes { FileHandle.standardError.write(Data((note + "\n").utf8)) }
    }

    /// The table (text or JSON), without the notes; see ``output(progress:notes:)``.
    func output(progress: (String) -> Void = { _ in }) throws -> String {
        var notes: [String] = []
        return try output(progress: progress, notes: &notes)
    }
}
