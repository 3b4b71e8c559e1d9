import Descent
import Foundation

/// `compare.html` of a `descent compare` run, and its table as text or JSON.
struct CompareReport {
    /// The file name inside the output folder.
    static let fileName = "compare.html"

    /// What varies ("batch size", …).
    var axis: String
    /// The variants.
    var runs: [CompareRun]
    /// The command that made the report.
    var command: String

    /// One row of the table.
    struct Row {
        var variant: String
        var finalLoss: Double?
        var finalValidationLoss: Double?
        var bestValidation: (metric: String, value: Double, epoch: Int)?
        var steps: Int
        var epochs: Int
        var seconds: Double
        var diverged: Bool
        var stoppedBecause: String
    }

    /// Whether a larger value of `metric` is better (accuracy) or a smaller one (mse, loss).
    static func higherIsBetter(_ metric: String) -> Bool { metric.contains("accuracy") || metric == "r2" }

    /// The table rows, one per variant. The best validation value is the validation metric's
    /// best epoch (the validation loss when there is no other metric).
    var rows: [Row] {
        let metric = ComparePlot(axis: axis, runs: runs).validationMetric ?? "loss"
        return runs.map { run in
            let best = run.history.epochs.compactMap { epoch in epoch.validation?[metric].map { (epoch.epoch, $0) } }
                .filter { $0.1.isFinite }
                .max { Self.higherIsBetter(metric) ? $0.1 < $1.1 : $0.1 > $1.1 }
            return Row(variant: run.label, finalLoss: run.diverged ? (run.divergence?.loss ?? .nan) : run.history.epochs.last?.train["loss"],
                       finalValidationLoss: run.history.epochs.last?.validation?["loss"],
                       bestValidation: best.map { (metric, $0.1, $0.0) }, steps: run.steps, epochs: run.history.epochs.count,
                       seconds: run.seconds, diverged: run.diverged, stoppedBecause: run.stopReason.rawValue)
        }
    }

    static func number(_ x: Double?) -> String {
        guard let x else { return "—" }
        return x.isFinite ? String(format: "%.4g", x) : (x.isNaN ? "NaN" : "inf")
    }

    var headers: [String] {
        let metric = rows.first { $0.bestValidation != nil }?.bestValidation?.metric ?? "validation value"
        return [axis, "final training loss", "final validation loss", "best validation \(metric) (epoch)", "steps", "time (ms)", "diverged"]
    }

    /// What each chart shows about the compared setting: the captions of a batch-size comparison
    /// do not fit a learning-rate one (issue 20).
    static func lesson(for axis: String) -> (byEpoch: String, byTime: String, byStep: String) {
        switch axis {
        case "batch size":
            return (" Per epoch, small batches take many steps, a full batch one.",
                    " Small batches take more steps per epoch, and each step has a fixed cost.",
                    " Small batches give noisy estimates of the full loss; the full batch gives it exactly.")
        case "learning rate":
            return (" Too small a rate barely moves; too big a rate overshoots, oscillates or diverges.",
                    " Every rate costs the same per step: the differences are in how far each step goes.",
                    " A rate too big makes the batch loss jump or grow; a good one falls steadily.")
        default:
            return ("", "", "")
        }
    }

    /// A run's wall-clock time in milliseconds, three significant digits (`4.21`, `37.5`, `1250`):
    /// short runs read `0.00` in seconds (issue 20).
    static func milliseconds(_ seconds: Double) -> String {
        let ms = seconds * 1000
        return ms >= 100 ? String(format: "%.0f", ms) : ms >= 10 ? String(format: "%.1f", ms) : String(format: "%.2f", ms)
    }

    var tableCells: [[String]] {
        rows.map { row in
            [row.variant, Self.number(row.finalLoss), Self.number(row.finalValidationLoss),
             row.bestValidation.map { "\(Self.number($0.value)) (\($0.epoch))" } ?? "—", "\(row.steps)", Self.milliseconds(row.seconds),
             row.diverged ? "yes" : "no"]
        }
    }

    /// The table as aligned text columns.
    func text() -> String {
        let table = [headers] + tableCells
        let widths = headers.indices.map { column in table.map { $0[column].count }.max() ?? 0 }
        return table.map { row in
            row.enumerated().map { column, cell in
                column == row.count - 1 ? cell : cell.padding(toLength: widths[column], withPad: " ", startingAt: 0)
            }.joined(separator: "  ")
        }.joined(separator: "\n")
    }

    /// The table as a JSON object: `{"axis", "report", "variants": [{"name", "finalLoss", …}]}`.
    func json(reportPath: String) -> String {
        func string(_ text: String) -> JSONValue { .string(text) }
        func number(_ x: Double?) -> JSONValue { x.map { $0.isFinite ? .number($0) : .null } ?? .null }
        let variants: [JSONValue] = rows.map { row in
            .object([
                ("name", string(row.variant)), ("finalLoss", number(row.finalLoss)), ("finalValidationLoss", number(row.finalValidationLoss)),
                ("bestValidation", row.bestValidation.map { .object([("metric", string($0.metric)), ("value", number($0.value)), ("epoch", .number(Double($0.epoch)))]) } ?? .null),
                ("steps", .number(Double(row.steps))), ("epochs", .number(Double(row.epochs))), ("seconds", number(row.seconds)),
                ("diverged", .bool(row.diverged)), ("stoppedBecause", string(row.stoppedBecause)),
            ])
        }
        return JSONValue.object([("axis", string(axis)), ("report", string(reportPath)), ("variants", .array(variants))]).text
    }

    /// The page.
    func report() -> HTMLReport {
        let plot = ComparePlot(axis: axis, runs: runs)
        var report = HTMLReport(title: "Compare: \(axis)")
        report.addParagraph("Every variant trains the same data with the same seed; only the \(axis) differs. Command: \(command)")
        report.addSection("Results")
        report.addTable(headers: headers, rows: tableCells)
        let diverged = runs.filter(\.diverged)
        if !diverged.isEmpty {
            report.addParagraph("Diverged: " + diverged.map { run in
                "\(run.label) at step \(run.divergence?.step ?? run.steps) (its curve ends with a dot; the chart's range leaves out the blow-up)"
            }.joined(separator: "; ") + ".")
        }
        report.addSection("Training loss")
        report.addChart(plot.lossByEpochChart(), width: 860, height: 460,
                        caption: "The full training loss (the training data, or a fixed sample of it above 1,000 rows, in evaluation mode) "
                            + "before training and after each epoch." + Self.lesson(for: axis).byEpoch)
        report.addChart(plot.lossByTimeChart(), width: 860, height: 460,
                        caption: "The same values against wall-clock seconds (training and the per-epoch evaluation)." + Self.lesson(for: axis).byTime)
        report.addChart(plot.batchLossChart(), width: 860, height: 460,
                        caption: "The loss of every step's batch, against epochs." + Self.lesson(for: axis).byStep)
        if let validation = plot.validationChart() {
            report.addSection("Validation")
            report.addChart(validation, width: 860, height: 420, caption: "Measured on the held-out validation data after each epoch.")
        }
        return report
    }

    /// Writes `compare.html` into `directory`.
    func write(to directory: URL) throws {
        try AtomicFile.write(Data(report().html().utf8), to: directory.appendingPathComponent(Self.fileName))
    }
}
