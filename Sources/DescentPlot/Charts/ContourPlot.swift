import Foundation

/// Contour lines of a function of two variables, optionally over a filled colour map, with
/// optimizer paths drawn on top: the classic picture of gradient descent on a loss landscape.
///
///     var plot = ContourPlot(title: "Rosenbrock", x: -2...2, y: -1...3) { x, y in
///         (1 - x) * (1 - x) + 100 * (y - x * x) * (y - x * x)
///     }
///     plot.levels = .logarithmic(count: 14)
///     plot.add(Series(name: "Adam", x: adamX, y: adamY))
///     plot.animation = Animation(duration: 10)   // the optimizer race
///
/// Matplotlib equivalent: `plt.contour` / `plt.contourf` with `plt.plot` of the iterates.
public struct ContourPlot: Chart, Sendable, Hashable {
    /// Title above the plot; empty for none.
    public var title: String
    /// Label under the x axis; empty for none.
    public var xLabel: String
    /// Label beside the y axis; empty for none.
    public var yLabel: String
    /// Function values at the grid nodes, `values[row][column]`: row 0 lies at `yRange.lowerBound`,
    /// column 0 at `xRange.lowerBound`, nodes evenly spaced with the last at the upper bound.
    /// NaN marks a hole.
    public var values: [[Double]]
    /// The x span of the grid.
    public var xRange: ClosedRange<Double>
    /// The y span of the grid.
    public var yRange: ClosedRange<Double>
    /// Where the contour lines go. The default value is `.linear(count: 10)`.
    public var levels: ContourLevels = .linear(count: 10)
    /// Whether a heat map of the values fills the background. The default value is `true`.
    public var isFilled = true
    /// Whether to draw the colour bar. The default value is `true`.
    public var showsColorBar = true
    /// Text above the colour bar; empty for none.
    public var colorBarLabel = ""
    /// Paths drawn over the contours (optimizer trajectories), each with a hollow start marker and
    /// a filled end marker.
    public var paths: [Series] = []
    /// Where the legend of the paths goes. The default value is `.automatic`.
    public var legendPosition: LegendPosition = .automatic
    /// An in-SVG animation of the paths growing step by step, or `nil`. The default value is `nil`.
    public var animation: Animation?
    /// Fonts, colours and sizes; `style.colorMap` colours the fill and lines.
    public var style = ChartStyle()

    /// Creates a contour plot from values already sampled on a grid.
    public init(title: String = "", xLabel: String = "", yLabel: String = "", values: [[Double]],
                x: ClosedRange<Double>, y: ClosedRange<Double>) {
        (self.title, self.xLabel, self.yLabel) = (title, xLabel, yLabel)
        (self.values, self.xRange, self.yRange) = (values, x, y)
    }

    /// Creates a contour plot by sampling `function` on a `resolution` × `resolution` grid.
    ///
    /// - Parameters:
    ///   - resolution: nodes per side. The default value is `100`.
    ///   - title: the chart title. The default value is `""`.
    ///   - xLabel: the x axis label. The default value is `""`.
    ///   - yLabel: the y axis label. The default value is `""`.
    ///   - x: the x range sampled.
    ///   - y: the y range sampled.
    ///   - function: the value at `(x, y)`.
    public init(title: String = "", xLabel: String = "", yLabel: String = "", x: ClosedRange<Double>,
                y: ClosedRange<Double>, resolution: Int = 100, function: (Double, Double) -> Double) {
        let nodes = max(resolution, 2)
        let xs = Self.nodes(x, count: nodes)
        let ys = Self.nodes(y, count: nodes)
        self.init(title: title, xLabel: xLabel, yLabel: yLabel, values: ys.map { yValue in xs.map { function($0, yValue) } }, x: x, y: y)
    }

    /// Adds a path, such as an optimizer's iterates.
    public mutating func add(_ path: Series) {
        paths.append(path)
    }

    /// The contour levels that will be drawn.
    public var resolvedLevels: [Double] {
        let finite = values.flatMap { $0 }.filter(\.isFinite)
        return levels.resolve(
            minimum: finite.min() ?? .nan, maximum: finite.max() ?? .nan, smallestPositive: finite.filter { $0 > 0 }.min())
    }

    /// The chart as an SVG document of `width` × `height` pixels.
    public func svg(width: Double, height: Double) -> String {
        let finite = values.flatMap { $0 }.filter(\.isFinite)
        let levelValues = resolvedLevels
        let colorScale: AxisScale = levels.isLogarithmic ? .log : .linear
        let colorValues = levels.isLogarithmic ? finite.filter { $0 > 0 && $0 >= (levelValues.first ?? 0) / 10 } : finite
        let colorAxis = AxisMapping(values: colorValues, scale: colorScale, range: .automatic, expands: false)
        let colorBar = ColorBar(colorMap: style.colorMap, axis: colorAxis, label: colorBarLabel)

        var canvas = CartesianCanvas(
            title: title, xLabel: xLabel, yLabel: yLabel, xScale: .linear, yScale: .linear,
            xRange: .fixed(xRange), yRange: .fixed(yRange), style: style)
        canvas.series = paths
        canvas.marksEnds = true
        canvas.legendPosition = legendPosition
        canvas.animation = animation
        canvas.rightReserve = showsColorBar ? colorBar.reservedWidth(style: style) : 0
        if isFilled { canvas.style.showsGrid = false }
        return canvas.render(
            width: width, height: height,
            background: { frame, svg in drawContours(levels: levelValues, colorAxis: colorAxis, frame: frame, into: &svg) },
            foreground: { frame, svg in if showsColorBar { colorBar.draw(beside: frame, into: &svg) } })
    }

    /// Draws the optional fill and one path per contour level.
    private func drawContours(levels: [Double], colorAxis: AxisMapping, frame: PlotFrame, into svg: inout SVGBuilder) {
        let n = SVGBuilder.number
        let rows = values.count
        let columns = values.map(\.count).min() ?? 0
        guard rows >= 2, columns >= 2 else { return }
        let xs = Self.nodes(xRange, count: columns)
        let ys = Self.nodes(yRange, count: rows)
        if isFilled {
            // Each cell between four nodes takes the colour of their mean; NaN cells take the
            // lowest colour (an image has no holes).
            let cells: [[Color]] = (0..<(rows - 1)).map { row in
                (0..<(columns - 1)).map { column in
                    let mean = (values[row][column] + values[row][column + 1] + values[row + 1][column] + values[row + 1][column + 1]) / 4
                    return style.colorMap.color(at: colorAxis.fraction(mean) ?? 0)
                }
            }
            GridPainter.paintImage(cells, xRange: xRange, yRange: yRange, frame: frame, into: &svg)
        }
        svg.open("g", [("class", "contours"), ("fill", "none"), ("stroke-linejoin", "round"), ("stroke-linecap", "round")])
        for level in levels {
            let segments = MarchingSquares.segments(values: values, xs: xs, ys: ys, level: level)
            var data = ""
            for (start, end) in segments {
                guard let x1 = frame.x.pixel(start.x), let y1 = frame.y.pixel(start.y),
                      let x2 = frame.x.pixel(end.x), let y2 = frame.y.pixel(end.y) else { continue }
                data += "M\(n(x1)) \(n(y1))L\(n(x2)) \(n(y2))"
            }
            guard !data.isEmpty else { continue }
            let stroke = isFilled ? "#ffffff" : style.colorMap.color(at: colorAxis.fraction(level) ?? 0).hexString
            svg.element("path", [
                ("class", "contour"), ("data-level", NumberFormatting.compact(level)), ("d", data), ("stroke", stroke),
                ("stroke-width", isFilled ? "0.8" : "1.3"), ("stroke-opacity", isFilled ? "0.55" : "1"),
            ])
        }
        svg.close("g")
    }

    /// `count` evenly spaced nodes from the lower to the upper bound of `range`.
    private static func nodes(_ range: ClosedRange<Double>, count: Int) -> [Double] {
        guard count > 1 else { return [range.lowerBound] }
        return (0..<count).map { range.lowerBound + (range.upperBound - range.lowerBound) * Double($0) / Double(count - 1) }
    }
}
