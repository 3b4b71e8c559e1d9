/// A chart of one or more series against shared x and y axes: loss curves, learning-rate
/// finder curves, a 1-D function with an optimizer's iterates on it.
///
///     var chart = LineChart(title: "Training loss", xLabel: "epoch", yLabel: "loss")
///     chart.add(Series(name: "SGD", y: sgdLosses))
///     chart.add(Series(name: "Adam", y: adamLosses))
///     chart.yScale = .log
///     chart.add(.vertical(at: 42, label: "early stopping"))
///     try chart.write(to: URL(fileURLWithPath: "loss.svg"))
///
/// Matplotlib equivalent: `plt.plot` with `plt.legend`, `plt.yscale("log")`, `plt.axvline`.
public struct LineChart: Chart, Sendable, Hashable {
    /// Title above the plot; empty for none.
    public var title: String
    /// Label under the x axis; empty for none.
    public var xLabel: String
    /// Label beside the y axis; empty for none.
    public var yLabel: String
    /// The series, drawn in order (later ones on top).
    public var series: [Series] = []
    /// Vertical and horizontal marker lines with labels.
    public var referenceLines: [ReferenceLine] = []
    /// Scale of the x axis. The default value is `.linear`.
    public var xScale: AxisScale = .linear
    /// Scale of the y axis. The default value is `.linear`.
    public var yScale: AxisScale = .linear
    /// Span of the x axis. The default value is `.automatic`.
    public var xRange: AxisRange = .automatic
    /// Span of the y axis; `.robust` keeps a diverging series from squashing the others.
    /// The default value is `.automatic`.
    public var yRange: AxisRange = .automatic
    /// Where the legend goes. The default value is `.automatic`.
    public var legendPosition: LegendPosition = .automatic
    /// An in-SVG animation of the series growing step by step, or `nil` for a still chart.
    /// The default value is `nil`.
    public var animation: Animation?
    /// Fonts, colours and sizes.
    public var style = ChartStyle()

    /// Creates an empty chart.
    public init(title: String = "", xLabel: String = "", yLabel: String = "") {
        (self.title, self.xLabel, self.yLabel) = (title, xLabel, yLabel)
    }

    /// Adds a series.
    public mutating func add(_ series: Series) {
        self.series.append(series)
    }

    /// Adds a marker line, such as `.vertical(at: 42, label: "early stopping")`.
    public mutating func add(_ referenceLine: ReferenceLine) {
        referenceLines.append(referenceLine)
    }

    /// The chart as an SVG document of `width` × `height` pixels.
    public func svg(width: Double, height: Double) -> String {
        var canvas = CartesianCanvas(
            title: title, xLabel: xLabel, yLabel: yLabel, xScale: xScale, yScale: yScale,
            xRange: xRange, yRange: yRange, style: style)
        canvas.series = series
        canvas.referenceLines = referenceLines
        canvas.legendPosition = legendPosition
        canvas.animation = animation
        return canvas.render(width: width, height: height)
    }
}
