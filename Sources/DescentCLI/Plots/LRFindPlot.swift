import Descent
import Foundation

/// Turns a `descent lr-find` sweep into a picture: the smoothed loss against the learning rate on
/// a log axis, the raw batch losses faintly behind it, and the three suggestions (valley, steep,
/// minimum) marked on the curve and labelled with their rates.
///
/// The y axis is `.robust`: the sweep ends when the loss blows up, and those last values would
/// otherwise flatten the valley that the suggestions are about.
struct LRFindPlot {
    /// The sweep.
    var sweep: LearningRateSweep
    /// The optimizer spec, for the title.
    var optimizer: String

    /// The suggestions that exist, in drawing order, with their colours.
    var suggestions: [(name: String, learningRate: Double, color: Color)] {
        let palette = Palette.okabeIto
        return [("valley", sweep.valley, palette.color(at: 1)), ("steep", sweep.steep, palette.color(at: 2)),
                ("minimum", sweep.minimum, palette.color(at: 5))]
            .compactMap { name, rate, color in rate.map { (name, $0, color) } }
    }

    /// The smoothed loss at `rate`: the value of the sweep point nearest on the log axis.
    func smoothedLoss(at rate: Double) -> Double? {
        let target = Foundation.log(rate)
        let index = sweep.learningRates.indices.min { Swift.abs(Foundation.log(sweep.learningRates[$0]) - target) < Swift.abs(Foundation.log(sweep.learningRates[$1]) - target) }
        return index.map { sweep.losses[$0] }
    }

    /// The y span: the smoothed curve up to where it blows up, with a margin of half its span
    /// (fastai plots only the smoothed loss; the raw batch losses are context and may leave the chart).
    var yRange: AxisRange {
        let first = Swift.abs(sweep.losses.first { $0.isFinite } ?? 0)
        let counted = sweep.losses.prefix { $0.isFinite && (first == 0 || Swift.abs($0) <= 10 * first) }
        guard let low = counted.min(), let high = counted.max() else { return .robust }
        let margin = Swift.max(0.5 * (high - low), 0.05 * Swift.abs(high), 1e-9)
        return .fixed(Swift.max(low - margin, Swift.min(0, low))...(high + margin))
    }

    /// The chart.
    func chart() -> LineChart {
        var chart = LineChart(title: "Learning-rate finder: \(optimizer)", xLabel: "learning rate (log scale)", yLabel: "training loss")
        chart.xScale = .log
        chart.yRange = yRange
        let blue = Palette.okabeIto.color(at: 0)
        chart.add(Series(name: "batch loss (raw)", x: sweep.learningRates, y: sweep.rawLosses, color: blue.mixed(with: .white, fraction: 0.7)))
        chart.add(Series(name: "smoothed loss", x: sweep.learningRates, y: sweep.losses, color: blue))
        for suggestion in suggestions {
            let label = "\(suggestion.name) \(String(format: "%.2g", suggestion.learningRate))"
            if let loss = smoothedLoss(at: suggestion.learningRate) {
                chart.add(Series(name: label + (suggestion.name == "valley" ? " (recommended)" : ""), x: [suggestion.learningRate], y: [loss],
                                 style: .points, color: suggestion.color))
            }
            chart.add(.vertical(at: suggestion.learningRate, label: label, color: suggestion.color))
        }
        if sweep.stoppedEarly, let last = sweep.learningRates.last {
            chart.add(.vertical(at: last, label: "stopped: loss diverged", color: .darkGray))
        }
        return chart
    }

    /// The SVG document, 720 × 440 pixels.
    func svg() -> String { chart().svg(width: 720, height: 440) }
}
