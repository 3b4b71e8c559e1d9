import Descent
import Foundation

/// One trained variant of a `descent compare` run, as the charts and the table need it.
struct CompareRun {
    /// The legend name, such as "batch size 32 (mini-batch GD)".
    var label: String
    /// The run's history.
    var history: TrainingHistory
    /// The full training loss and validation values before the first step (epoch 0).
    var initialTrain: [String: Double]
    var initialValidation: [String: Double]?
    /// Optimizer steps per epoch.
    var batchesPerEpoch: Int
    /// Why the run stopped, and where it diverged.
    var stopReason: StopReason
    var divergence: Divergence?
    /// Seconds of training (with the per-epoch evaluation).
    var seconds: Double

    var diverged: Bool { stopReason == .diverged }
    /// The divergence when it happened within an epoch (an epoch-level divergence is already the
    /// last epoch record): its point ends the curves.
    var divergenceWithinEpoch: Divergence? {
        guard let divergence, divergence.step > (history.epochs.last?.steps ?? 0) else { return nil }
        return divergence
    }
    /// Optimizer steps taken.
    var steps: Int { history.steps.last?.step ?? 0 }

    /// Epoch positions (0, 1, 2, …; a divergence at its fractional epoch) of the loss values below.
    var epochAxis: [Double] {
        var x = [0.0] + history.epochs.map { Double($0.epoch) }
        if let divergence = divergenceWithinEpoch { x.append(Double(divergence.step) / Double(Swift.max(batchesPerEpoch, 1))) }
        return x
    }

    /// Wall-clock seconds of the same points.
    var timeAxis: [Double] {
        var total = 0.0
        var x = [0.0] + history.epochs.map { total += $0.seconds; return total }
        if divergenceWithinEpoch != nil { x.append(seconds) }
        return x
    }

    /// The full training loss at each point of ``epochAxis`` (the batch loss at a divergence).
    var trainingLosses: [Double] {
        var y = [initialTrain["loss"] ?? .nan] + history.epochs.map { $0.train["loss"] ?? .nan }
        if let divergence = divergenceWithinEpoch { y.append(divergence.loss) }
        return y
    }

    /// `name`'s validation value per epoch, epoch 0 first.
    func validationValues(_ name: String) -> [Double] {
        [initialValidation?[name] ?? .nan] + history.epochs.map { $0.validation?[name] ?? .nan }
    }
}

/// The charts of `descent compare`: every variant on shared axes, one colour each. A variant
/// that diverged ends with a marker and is named so in the legend; the y axes are `.robust` so its
/// blow-up does not flatten the others.
struct ComparePlot {
    /// What varies, for the titles ("batch size", "learning rate", …).
    var axis: String
    /// The variants, in the order given.
    var runs: [CompareRun]

    func color(_ index: Int) -> Color { Palette.okabeIto.color(at: index) }

    func legendName(_ run: CompareRun) -> String {
        guard let divergence = run.divergence else { return run.label }
        return "\(run.label) — diverged at step \(divergence.step)"
    }

    /// The values of a run that set the y range: all finite values of a run that did not
    /// diverge; of a diverged run, those before its first value beyond ten times its starting
    /// value (the blow-up would flatten every other curve).
    static func countedValues(_ values: [Double], diverged: Bool, scale: AxisScale) -> [Double] {
        let shown = values.filter { $0.isFinite && (scale == .linear || $0 > 0) }
        guard diverged, let first = shown.first else { return shown }
        let limit = Swift.abs(first) * 10
        return Array(values.prefix { $0.isFinite && Swift.abs($0) <= limit }).filter { scale == .linear || $0 > 0 }
    }

    /// The y range shown: the counted values with a margin (a factor of 1.6 on a log axis, 6 % on a linear one).
    /// With `headroom` (some run diverged), a decade more on a log axis and half the span on a
    /// linear one, so the blow-up shows before the curve leaves the chart.
    static func range(_ counted: [Double], scale: AxisScale, headroom: Bool = false) -> ClosedRange<Double>? {
        guard var low = counted.min(), var high = counted.max() else { return nil }
        if headroom { high = scale == .log ? high * 10 : high + 0.5 * (high - low) }
        switch scale {
        case .log:
            if high / low < 10 { let middle = (low * high).squareRoot(); (low, high) = (middle / 3.2, middle * 3.2) }
            return (low / 1.6)...(high * 1.6)
        case .linear:
            if high - low < 1e-12 { (low, high) = (low - 0.5 * Swift.max(Swift.abs(low), 1), high + 0.5 * Swift.max(Swift.abs(high), 1)) }
            let pad = 0.06 * (high - low)
            return (low >= 0 ? Swift.max(0, low - pad) : low - pad)...(high + pad)
        }
    }

    /// A diverged run's curve, cut where it leaves the top of `range` (a point on the edge, found
    /// in the axis' scale), and the point where it ends: the end marker.
    static func cut(x: [Double], y: [Double], range: ClosedRange<Double>, scale: AxisScale) -> (x: [Double], y: [Double], end: (Double, Double)?) {
        func t(_ v: Double) -> Double { scale == .log ? Foundation.log10(v) : v }
        // The edge sits just below the top so the marker is drawn whole.
        let top = scale == .log ? Foundation.pow(10, t(range.upperBound) - 0.03 * (t(range.upperBound) - t(range.lowerBound)))
                                : range.upperBound - 0.03 * (range.upperBound - range.lowerBound)
        let count = Swift.min(x.count, y.count)
        guard let exit = (0..<count).first(where: { !y[$0].isFinite || y[$0] > top }) else {
            let last = (0..<count).last { y[$0].isFinite }
            return (x, y, last.map { (x[$0], y[$0]) })
        }
        guard exit > 0, y[exit - 1].isFinite else { return (Array(x.prefix(exit)), Array(y.prefix(exit)), nil) }
        var crossing = x[exit]
        if y[exit].isFinite, t(y[exit]) > t(y[exit - 1]) {
            let fraction = (t(top) - t(y[exit - 1])) / (t(y[exit]) - t(y[exit - 1]))
            crossing = x[exit - 1] + fraction * (x[exit] - x[exit - 1])
        }
        return (Array(x.prefix(exit)) + [crossing], Array(y.prefix(exit)) + [top], (crossing, top))
    }

    /// A chart of `y` against `x` for every run. The y range holds every run that did not diverge
    /// and the start of those that did; a diverged run is cut where it leaves the chart and ends
    /// with a dot there, and a dashed line in its colour marks where it diverged.
    func chart(title: String, xLabel: String, yLabel: String, x: (CompareRun) -> [Double], y: (CompareRun) -> [Double],
               style: Series.Style = .lineAndPoints, scale: AxisScale? = nil, marksDivergence: Bool = true) -> LineChart {
        var chart = LineChart(title: title, xLabel: xLabel, yLabel: yLabel)
        // Outside the plot: the batch-size-1 curve's noise fills every inside corner (issue 20).
        chart.legendPosition = .outsideRight
        let values = runs.map { y($0) }
        let linearCounted = zip(runs, values).flatMap { Self.countedValues($1, diverged: $0.diverged, scale: .linear) }
        let yScale = scale ?? (TrainingCharts.prefersLogScale(linearCounted) ? .log : .linear)
        chart.yScale = yScale
        let counted = zip(runs, values).flatMap { Self.countedValues($1, diverged: $0.diverged, scale: yScale) }
        guard let range = Self.range(counted, scale: yScale, headroom: runs.contains(where: \.diverged)) else { return chart }
        chart.yRange = .fixed(range)
        var markers: [Series] = []
        for (index, run) in runs.enumerated() {
            var xs = x(run), ys = values[index]
            if run.diverged {
                let cut = Self.cut(x: xs, y: ys, range: range, scale: yScale)
                (xs, ys) = (cut.x, cut.y)
                if let end = cut.end {
                    var marker = Series(name: "", x: [end.0], y: [end.1], style: .points, color: color(index))
                    marker.isAnimated = false
                    markers.append(marker)
                }
                if marksDivergence, let last = x(run).last {
                    chart.add(.vertical(at: last, label: "\(run.label): diverged", color: color(index)))
                }
            }
            chart.add(Series(name: legendName(run), x: xs, y: ys, style: style, color: color(index)))
        }
        markers.forEach { chart.add($0) }
        return chart
    }

    /// The full training loss against epochs (0 = before training).
    func lossByEpochChart() -> LineChart {
        chart(title: "Training loss by epoch: \(axis)", xLabel: "epoch (0 = before training)", yLabel: "training loss (full)",
              x: \.epochAxis, y: \.trainingLosses)
    }

    /// The full training loss against wall-clock seconds.
    func lossByTimeChart() -> LineChart {
        chart(title: "Training loss by wall-clock time: \(axis)", xLabel: "seconds of training", yLabel: "training loss (full)",
              x: \.timeAxis, y: \.trainingLosses)
    }

    /// The batch loss of every step against epochs (fractional), to see the noise of small batches.
    func batchLossChart() -> LineChart {
        // The scale of the full-loss chart, so that the two read alike.
        chart(title: "Batch loss of every step: \(axis)", xLabel: "epoch", yLabel: "batch loss",
              x: { run in run.history.steps.map { Double($0.step) / Double(Swift.max(run.batchesPerEpoch, 1)) } },
              y: { run in run.history.steps.map(\.batchLoss) }, style: .line, scale: lossByEpochChart().yScale, marksDivergence: false)
    }

    /// The first metric other than the loss (accuracy, mse) on the validation data per epoch, if any.
    var validationMetric: String? {
        let names = Set(runs.flatMap { $0.history.epochs.flatMap { Array($0.validation?.keys ?? [:].keys) } }).subtracting(["loss"])
        return names.sorted().first
    }

    /// The validation metric against epochs, when there is validation data.
    func validationChart() -> LineChart? {
        guard let metric = validationMetric else { return nil }
        return chart(title: "Validation \(metric) by epoch: \(axis)", xLabel: "epoch (0 = before training)", yLabel: "validation \(metric)",
                     x: { run in Array([0.0] + run.history.epochs.map { Double($0.epoch) }) }, y: { $0.validationValues(metric) },
                     marksDivergence: false)
    }

    /// The picture for `--plot`: the loss by epoch over the loss by wall-clock time.
    func svg() -> String {
        ChartStack(charts: [(lossByEpochChart(), 1), (lossByTimeChart(), 1)]).svg(width: 720, height: 860)
    }
}
