import Descent
import Foundation

/// `report.html` of a `descent train` run: one self-contained page (inline SVG and CSS, no
/// scripts, no network) with the configuration, the final metrics, the loss curves, the metrics
/// and the learning rate over training, the events, and what the model predicts.
struct TrainingReport {
    /// The file name inside the output folder.
    static let fileName = "report.html"

    /// The run's configuration.
    var configuration: TrainConfiguration
    /// What `fit` returned.
    var result: FitResult
    /// The final loss and metrics on each dataset (`nil` where there is no such data).
    var train: [String: Double]?
    var validation: [String: Double]?
    var test: [String: Double]?
    /// The optimizer steps of the run.
    var steps: Int
    /// Samples per second of training.
    var samplesPerSecond: Double
    /// How each step ran (`Trainer.step`): the compiled step, or the plain loop and why.
    var trainingStep: String = ""
    /// The regression target's standardisation, when the model was trained on a standardised target.
    var targetStandardizer: Standardizer?
    /// The prediction charts (confusion matrix or predicted vs actual, decision regions), with captions.
    var predictionCharts: [(chart: any Chart, caption: String)] = []
    /// Why there are no prediction charts, if there are none.
    var predictionNote: String?
    /// A convolutional model's pictures (``ConvolutionPictures``): SVG documents with captions.
    var convolutionFigures: [(svg: String, caption: String)] = []

    /// The report as a page.
    func report() -> HTMLReport {
        var report = HTMLReport(title: "Training report: \(configuration.model) on \(configuration.data)")
        let epochs = result.epochs
        report.addParagraph("Stopped: \(result.stopReason.rawValue) after \(epochs) epoch\(epochs == 1 ? "" : "s") (\(steps) optimizer steps) in "
                            + String(format: "%.2f s of training, %.0f samples/s.", result.seconds, samplesPerSecond)
                            + (result.divergence.map { " \($0.description)" } ?? ""))

        report.addSection("Configuration")
        report.addKeyValueTable(configurationRows())

        report.addSection("Final metrics")
        let sets = [("training", train), ("validation", validation), ("test", test)].compactMap { name, values in values.map { (name, $0) } }
        let keys = Self.orderedKeys(sets.flatMap { Array($0.1.keys) })
        if sets.isEmpty {
            report.addParagraph("No metrics: the run stopped before its first epoch ended.")
        } else {
            report.addTable(headers: ["data"] + keys, rows: sets.map { name, values in [name] + keys.map { values[$0].map(Self.number) ?? "" } })
        }
        if result.stopReason == .diverged {
            report.addParagraph("The run diverged, so the metrics are those of the last completed epoch.")
        }

        let charts = TrainingCharts(history: result.history, events: TrainingEvent.events(of: result))
        report.addSection("Loss")
        report.addChart(charts.lossChart(), width: 860, height: 440,
                        caption: "The batch loss of every step (light) is measured while the parameters change, on one batch each; "
                            + "the full training loss and the validation loss are measured at the end of each epoch over all of the data, "
                            + "placed at the step that ended the epoch.")
        if let events = Optional(TrainingEvent.events(of: result)), !events.isEmpty {
            report.addParagraph("Events: " + events.map { "\($0.label) at step \($0.step), epoch \($0.epoch)" }.joined(separator: "; ") + ".")
        }
        if let metrics = charts.metricsChart() {
            report.addSection("Metrics per epoch")
            report.addChart(metrics, width: 860, height: 380, caption: "Training values solid, validation values dashed.")
        }
        report.addSection("Learning rate")
        report.addChart(charts.learningRateChart(), width: 860, height: 300,
                        caption: configuration.schedule.map { "Schedule: \($0), advanced per \(configuration.scheduleUnit)." } ?? "A constant learning rate (no schedule).")

        report.addSection("Predictions")
        if predictionCharts.isEmpty {
            report.addParagraph(predictionNote ?? "No predictions to show.")
        }
        for (chart, caption) in predictionCharts {
            if chart is HeatMap {
                report.addChart(chart, width: 520, height: 460, caption: caption)
            } else {
                report.addChart(chart, width: 720, height: 560, caption: caption)
            }
        }
        if !convolutionFigures.isEmpty {
            report.addSection("Convolutions")
            for (svg, caption) in convolutionFigures {
                if svg.isEmpty { report.addParagraph(caption) } else { report.addSVG(svg, caption: caption) }
            }
        }
        report.addSection("Files")
        report.addParagraph("Next to this report: model.safetensors, preprocessing.json, config.json, history.json, "
                            + "history-epochs.csv and history-steps.csv (every value drawn here), checkpoints/.")
        return report
    }

    /// The configuration as name–value rows (unset options left out).
    func configurationRows() -> [(String, String)] {
        var rows: [(String, String)] = [("data", configuration.data)]
        if let target = configuration.target { rows.append(("target", target)) }
        if let task = configuration.task { rows.append(("task", task)) }
        if let validation = configuration.validation {
            rows.append(("validation data", validation))
        } else if configuration.resolvedValidationSplit > 0 {
            rows.append(("validation split", Self.number(configuration.resolvedValidationSplit)))
        }
        if let test = configuration.test { rows.append(("test data", test)) }
        rows.append(("model", configuration.model))
        rows.append(("loss", configuration.loss ?? "default for the task"))
        rows.append(("optimizer", configuration.optimizer))
        if let schedule = configuration.schedule { rows.append(("schedule", "\(schedule) per \(configuration.scheduleUnit)")) }
        rows.append(("batch size", configuration.batchSize))
        rows.append(("epochs", "\(configuration.epochs)"))
        if let rule = configuration.earlyStopping { rows.append(("early stopping", rule)) }
        if let norm = configuration.clipGradNorm { rows.append(("clip gradient norm", Self.number(norm))) }
        if let maxTime = configuration.maxTime { rows.append(("time limit", maxTime)) }
        rows.append(("seed", "\(configuration.seed)"))
        rows.append(("precision", configuration.precision))
        rows.append(("standardize", configuration.standardize ? "yes" : "no"))
        if let target = targetStandardizer {
            rows.append(("standardized target", "μ \(Self.number(target.mean[0])), σ \(Self.number(target.standardDeviation[0])): "
                         + "the loss is on (y − μ)/σ; mse and predictions are in the target's units"))
        }
        if !trainingStep.isEmpty { rows.append(("training step", trainingStep)) }
        return rows
    }

    /// `loss` first, then the other keys sorted, without duplicates.
    static func orderedKeys(_ keys: [String]) -> [String] {
        let all = Set(keys)
        return (all.contains("loss") ? ["loss"] : []) + all.subtracting(["loss"]).sorted()
    }

    /// A value with four significant digits (`0.0123`, `1.235e+05`).
    static func number(_ x: Double) -> String { x.isFinite ? String(format: "%.4g", x) : "\(x)" }

    /// Writes the report into `directory`.
    func write(to directory: URL) throws {
        try AtomicFile.write(Data(report().html().utf8), to: directory.appendingPathComponent(Self.fileName))
    }
}

extension TrainingReport {
    /// The report of a run set up by `setup`, with its prediction charts (none when the run
    /// diverged: the weights are not usable).
    init<Scalar: TensorScalar>(setup: TrainingSetup<Scalar>, result: FitResult, train: [String: Double]?, validation: [String: Double]?,
                               test: [String: Double]?, steps: Int, samplesPerSecond: Double) {
        self.init(configuration: setup.configuration, result: result, train: train, validation: validation, test: test, steps: steps,
                  samplesPerSecond: samplesPerSecond, trainingStep: setup.trainer.step.description,
                  targetStandardizer: setup.data.targetStandardizer)
        guard result.stopReason != .diverged else {
            predictionNote = "No predictions: the run diverged, so its weights are not usable."
            return
        }
        let predictions = ModelPredictions(setup: setup)
        do {
            predictionCharts.append(try predictions.predictionChart())
            if let regions = try predictions.decisionRegionsChart() {
                predictionCharts.append((regions, "The class the model predicts at each point of the plane (shaded), with the training points."))
            }
        } catch {
            predictionNote = "No predictions: \(error)"
        }
        let pictures = ConvolutionPictures(model: setup.model)
        if let filters = pictures.filters() {
            convolutionFigures.append((filters.svg(), "The first convolution's filters (weights [out, in, kh, kw]): one image per output channel; "
                                       + "red positive, blue negative, white 0, each filter scaled to its largest magnitude."))
        }
        let (name, dataset) = predictions.shownData
        do {
            if let maps = try pictures.featureMaps(dataset.features, labels: dataset.targets.classes, classNames: setup.data.classNames ?? [],
                                                   standardizer: setup.data.standardizer) {
                convolutionFigures.append((maps.svg(), "The first \(ConvolutionPictures<Scalar>.shownImages) \(name) images with the class the model "
                                           + "predicts, and the feature maps the first convolution computes for them (after its activation; "
                                           + "dark is high, each map scaled to its own range)."))
            }
        } catch {
            convolutionFigures.append(("", "No feature maps: \(error)"))
        }
    }
}
