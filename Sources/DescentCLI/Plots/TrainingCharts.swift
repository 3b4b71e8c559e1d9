import Descent
import Foundation

/// Something that happened during a run and is marked on its charts: early stopping, divergence,
/// the time limit, an interruption.
struct TrainingEvent {
    /// The optimizer step it happened at (counted from 1).
    var step: Int
    /// The epoch it happened in (counted from 1).
    var epoch: Int
    /// The label on the chart, such as "early stopping" or "diverged".
    var label: String

    /// The events of a run that stopped for `result`'s reason.
    static func events(of result: FitResult) -> [TrainingEvent] {
        let lastStep = result.history.steps.last?.step ?? 0
        let lastEpoch = result.history.epochs.last?.epoch ?? 0
        switch result.stopReason {
        case .completed: return []
        case .earlyStopping: return [TrainingEvent(step: lastStep, epoch: lastEpoch, label: "early stopping (epoch \(lastEpoch))")]
        case .diverged:
            let step = result.divergence?.step ?? lastStep
            let epoch = result.divergence?.epoch ?? lastEpoch
            return [TrainingEvent(step: step, epoch: epoch, label: "diverged (step \(step))")]
        case .timeLimit: return [TrainingEvent(step: lastStep, epoch: lastEpoch, label: "time limit")]
        case .interrupted: return [TrainingEvent(step: lastStep, epoch: lastEpoch, label: "interrupted")]
        }
    }
}

/// The charts of one training run, from its ``TrainingHistory``: the losses on one step axis,
/// the metrics per epoch, the learning rate per step.
struct TrainingCharts {
    /// The run's history.
    var history: TrainingHistory
    /// Events to mark.
    var events: [TrainingEvent] = []

    /// Whether `values` read better on a log axis: all positive and spanning more than 20×.
    static func prefersLogScale(_ values: [Double]) -> Bool {
        let finite = values.filter(\.isFinite)
        guard let low = finite.min(), let high = finite.max(), low > 0 else { return false }
        return high / low > 20
    }

    /// Steps per epoch, when the run completed at least one epoch.
    var stepsPerEpoch: Int? { history.epochs.first.map(\.steps) }

    /// The batch loss of every step (faint), with the full training loss and the validation loss
    /// of every epoch placed at the step that ended the epoch: one shared x axis in steps.
    func lossChart() -> LineChart {
        let perEpoch = stepsPerEpoch.map { " (\($0) per epoch)" } ?? ""
        var chart = LineChart(title: "Loss", xLabel: "optimizer step" + perEpoch, yLabel: "loss")
        let palette = Palette.okabeIto
        let steps = history.steps
        chart.add(Series(name: "batch loss (each step)", x: steps.map { Double($0.step) }, y: steps.map(\.batchLoss),
                         color: palette.color(at: 0).mixed(with: .white, fraction: 0.6)))
        let epochs = history.epochs
        let style: Series.Style = epochs.count <= 60 ? .lineAndPoints : .line
        let trainLoss = epochs.map { $0.train["loss"] ?? .nan }
        chart.add(Series(name: "training loss (full, each epoch)", x: epochs.map { Double($0.steps) }, y: trainLoss,
                         style: style, color: palette.color(at: 0)))
        var all = steps.map(\.batchLoss) + trainLoss
        if epochs.contains(where: { $0.validation?["loss"] != nil }) {
            let validation = epochs.map { $0.validation?["loss"] ?? .nan }
            all += validation
            chart.add(Series(name: "validation loss (each epoch)", x: epochs.map { Double($0.steps) }, y: validation,
                             style: style, color: palette.color(at: 1), isDashed: true))
        }
        if Self.prefersLogScale(all) { chart.yScale = .log }
        chart.yRange = .robust
        for event in events { chart.add(.vertical(at: Double(event.step), label: event.label, color: palette.color(at: 1))) }
        return chart
    }

    /// The metric names of the run other than the loss (`accuracy`, `mse`, …), sorted.
    var metricNames: [String] {
        Set(history.epochs.flatMap { Array($0.train.keys) + Array($0.validation?.keys ?? [:].keys) }).subtracting(["loss"]).sorted()
    }

    /// Each metric per epoch, training solid and validation dashed in a colour of its own (as in
    /// the loss chart: a reader tells them apart without the dash pattern); `nil` when the run has
    /// no metrics or no completed epoch.
    func metricsChart() -> LineChart? {
        let names = metricNames
        guard !names.isEmpty, !history.epochs.isEmpty else { return nil }
        var chart = LineChart(title: "Metrics per epoch", xLabel: "epoch", yLabel: names.joined(separator: ", "))
        let epochs = history.epochs
        let x = epochs.map { Double($0.epoch) }
        let style: Series.Style = epochs.count <= 60 ? .lineAndPoints : .line
        for (index, name) in names.enumerated() {
            let color = Palette.okabeIto.color(at: index * 2 + 2)
            chart.add(Series(name: "training \(name)", x: x, y: epochs.map { $0.train[name] ?? .nan }, style: style, color: color))
            if epochs.contains(where: { $0.validation?[name] != nil }) {
                chart.add(Series(name: "validation \(name)", x: x, y: epochs.map { $0.validation?[name] ?? .nan }, style: style,
                                 color: Palette.okabeIto.color(at: index * 2 + 3), isDashed: true))
            }
        }
        if epochs.count == 1 { chart.xRange = .fixed(0.5...1.5) }
        for event in events { chart.add(.vertical(at: Double(event.epoch), label: event.label, color: Palette.okabeIto.color(at: 1))) }
        return chart
    }

    /// The learning rate of every step.
    func learningRateChart() -> LineChart {
        let perEpoch = stepsPerEpoch.map { " (\($0) per epoch)" } ?? ""
        var chart = LineChart(title: "Learning rate", xLabel: "optimizer step" + perEpoch, yLabel: "learning rate")
        chart.add(Series(name: "learning rate", x: history.steps.map { Double($0.step) }, y: history.steps.map(\.learningRate),
                         color: Palette.okabeIto.color(at: 2)))
        chart.legendPosition = .hidden
        let rates = history.steps.map(\.learningRate)
        if let low = rates.min(), let high = rates.max(), low == high {
            // A constant rate: show it in the middle of a readable span instead of a degenerate axis.
            chart.yRange = .fixed(0...(high > 0 ? 2 * high : 1))
        }
        return chart
    }

    /// The loss curve for the terminal: the batch loss per step (each text column averages the
    /// steps it covers), on a log scale when it spans more than 20×.
    func terminalChart(width: Int = 60) -> String? {
        let losses = history.steps.map(\.batchLoss)
        guard losses.count >= 2 else { return nil }
        let scale: AxisScale = Self.prefersLogScale(losses) ? .log : .linear
        return TerminalChart(values: losses, label: "batch loss", width: width, height: 4, scale: scale).render()
    }
}
