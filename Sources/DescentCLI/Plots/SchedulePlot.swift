import Descent

/// Turns `descent schedule` values into a picture: the learning rate per step and, when the
/// schedule sets it (one-cycle), the momentum per step on a second chart below, on its own axis.
struct SchedulePlot {
    /// The schedule spec, for the title.
    var schedule: String
    /// η_t for t = 0 … steps − 1.
    var learningRates: [Double]
    /// The momentum (or β₁) per step, or `nil` when the schedule leaves it alone.
    var momenta: [Double]?

    /// The learning-rate chart.
    func learningRateChart() -> LineChart {
        var chart = LineChart(title: "Learning rate: \(schedule)", xLabel: "step", yLabel: "learning rate")
        chart.add(Series(name: "learning rate", y: learningRates, color: Palette.okabeIto.color(at: 0)))
        chart.legendPosition = .hidden
        return chart
    }

    /// The momentum chart, when the schedule sets the momentum.
    func momentumChart() -> LineChart? {
        guard let momenta else { return nil }
        var chart = LineChart(title: "Momentum (β₁)", xLabel: "step", yLabel: "momentum")
        chart.add(Series(name: "momentum", y: momenta, color: Palette.okabeIto.color(at: 1)))
        chart.legendPosition = .hidden
        return chart
    }

    /// The SVG document: one chart 640 × 400, or the two stacked in 640 × 640.
    func svg() -> String {
        guard let momentum = momentumChart() else { return learningRateChart().svg(width: 640, height: 400) }
        return ChartStack(charts: [(learningRateChart(), 1.4), (momentum, 1)]).svg(width: 640, height: 640)
    }
}
