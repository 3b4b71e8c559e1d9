/// Points in the plane coloured by class, with a legend, optionally over a classifier's
/// decision regions.
///
///     var plot = ScatterPlot(title: "Two moons", xLabel: "x₁", yLabel: "x₂")
///     plot.add(x: xs, y: ys, classes: labels, classNames: ["upper", "lower"])
///     plot.regions = DecisionRegions(x: -1.5...2.5, y: -1...1.5, classes: predictedGrid)
///
/// Matplotlib equivalent: `plt.scatter(c=labels)` over `plt.contourf` of the predictions.
public struct ScatterPlot: Chart, Sendable, Hashable {
    /// Title above the plot; empty for none.
    public var title: String
    /// Label under the x axis; empty for none.
    public var xLabel: String
    /// Label beside the y axis; empty for none.
    public var yLabel: String
    /// One group of points per class, drawn as dots.
    public var groups: [Series] = []
    /// A classifier's predicted class over the plane, painted faintly under the points, or `nil`.
    public var regions: DecisionRegions?
    /// Span of the x axis. The default value is `.automatic`.
    public var xRange: AxisRange = .automatic
    /// Span of the y axis. The default value is `.automatic`.
    public var yRange: AxisRange = .automatic
    /// Where the legend goes. The default value is `.automatic`.
    public var legendPosition: LegendPosition = .automatic
    /// Fonts, colours and sizes; `style.palette` colours the classes.
    public var style = ChartStyle()

    /// Creates an empty scatter plot.
    public init(title: String = "", xLabel: String = "", yLabel: String = "") {
        (self.title, self.xLabel, self.yLabel) = (title, xLabel, yLabel)
    }

    /// Adds one group of points, drawn as dots whatever its style.
    public mutating func add(_ group: Series) {
        var points = group
        points.style = .points
        groups.append(points)
    }

    /// Adds points labelled by class index; class `k` takes palette colour `k`, matching
    /// `regions`.
    ///
    /// - Parameters:
    ///   - classes: class index of each point (non-negative).
    ///   - classNames: legend names by class index; missing names read "class k".
    ///   - x: horizontal positions.
    ///   - y: vertical positions.
    public mutating func add(x: [Double], y: [Double], classes: [Int], classNames: [String] = []) {
        let count = min(x.count, y.count, classes.count)
        let classCount = (classes.prefix(count).max() ?? -1) + 1
        var xs = [[Double]](repeating: [], count: classCount)
        var ys = [[Double]](repeating: [], count: classCount)
        for index in 0..<count where classes[index] >= 0 {
            xs[classes[index]].append(x[index])
            ys[classes[index]].append(y[index])
        }
        for label in 0..<classCount where !xs[label].isEmpty {
            let name = label < classNames.count ? classNames[label] : "class \(label)"
            groups.append(Series(name: name, x: xs[label], y: ys[label], style: .points, color: style.palette.color(at: label)))
        }
    }

    /// The chart as an SVG document of `width` × `height` pixels.
    public func svg(width: Double, height: Double) -> String {
        var canvas = CartesianCanvas(
            title: title, xLabel: xLabel, yLabel: yLabel, xScale: .linear, yScale: .linear,
            xRange: xRange, yRange: yRange, style: style)
        canvas.series = groups
        canvas.legendPosition = legendPosition
        if let regions {
            canvas.extraX = [regions.xRange.lowerBound, regions.xRange.upperBound]
            canvas.extraY = [regions.yRange.lowerBound, regions.yRange.upperBound]
            canvas.expandsToTicks = false
        }
        let palette = style.palette
        return canvas.render(width: width, height: height, background: { frame, svg in
            guard let regions else { return }
            let colors = regions.classes.map { row in row.map { $0 >= 0 ? palette.color(at: $0) : nil } }
            GridPainter.paint(colors, xRange: regions.xRange, yRange: regions.yRange, frame: frame, opacity: regions.opacity, into: &svg)
        })
    }
}
