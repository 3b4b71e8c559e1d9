/// A matrix of values drawn as coloured cells, with a colour bar and optional value labels:
/// confusion matrices, weight matrices, a classifier's probability over the plane.
///
///     var matrix = HeatMap(title: "Confusion matrix", values: counts)
///     matrix.columnLabels = ["cat", "dog"]      // predicted class
///     matrix.rowLabels = ["cat", "dog"]         // true class
///     matrix.xLabel = "predicted"; matrix.yLabel = "true"
///
/// Without `xRange` and `yRange` the axes are categorical and row 0 is at the top, as a matrix
/// is printed. With both set, the axes are numeric and row 0 is at the bottom (at
/// `yRange.lowerBound`), as a grid over the plane is.
///
/// Matplotlib equivalent: `plt.imshow` / `ConfusionMatrixDisplay`.
public struct HeatMap: Chart, Sendable, Hashable {
    /// Title above the plot; empty for none.
    public var title: String
    /// The cell values, `values[row][column]`. NaN cells are left blank.
    public var values: [[Double]]
    /// Label under the x axis; empty for none.
    public var xLabel = ""
    /// Label beside the y axis; empty for none.
    public var yLabel = ""
    /// Names of the columns, left to right (categorical axes). Empty: the column indices.
    public var columnLabels: [String] = []
    /// Names of the rows, top to bottom (categorical axes). Empty: the row indices.
    public var rowLabels: [String] = []
    /// The x span of the grid for numeric axes, or `nil` for categorical axes. The default value is `nil`.
    public var xRange: ClosedRange<Double>?
    /// The y span of the grid for numeric axes, or `nil` for categorical axes. The default value is `nil`.
    public var yRange: ClosedRange<Double>?
    /// Whether each cell shows its value; `nil` shows them when there are at most 400 cells.
    /// The default value is `nil`.
    public var showsValues: Bool?
    /// Whether to draw the colour bar. The default value is `true`.
    public var showsColorBar = true
    /// Text above the colour bar; empty for none.
    public var colorBarLabel = ""
    /// Colours from low to high values. The default value is `ColorMap.viridis`.
    public var colorMap: ColorMap = .viridis
    /// Linear or logarithmic mapping of values to colours. The default value is `.linear`.
    public var colorScale: AxisScale = .linear
    /// The value span of the colour scale; values outside take the end colours.
    /// The default value is `.automatic` (minimum to maximum of the finite values).
    public var valueRange: AxisRange = .automatic
    /// Fonts and sizes.
    public var style = ChartStyle()

    /// Creates a heat map of `values[row][column]`.
    public init(title: String = "", values: [[Double]]) {
        self.title = title
        self.values = values
    }

    /// Creates a heat map of integer counts, such as a confusion matrix.
    public init(title: String = "", counts: [[Int]]) {
        self.init(title: title, values: counts.map { $0.map(Double.init) })
    }

    /// The chart as an SVG document of `width` × `height` pixels.
    public func svg(width: Double, height: Double) -> String {
        let rowCount = values.count
        let columnCount = values.map(\.count).max() ?? 0
        let numeric = xRange != nil && yRange != nil
        let xSpan = numeric ? xRange! : 0...Double(max(columnCount, 1))
        let ySpan = numeric ? yRange! : 0...Double(max(rowCount, 1))
        var x = AxisMapping(values: [], scale: .linear, range: .fixed(xSpan))
        var y = AxisMapping(values: [], scale: .linear, range: .fixed(ySpan))
        if !numeric {
            x.ticks = (0..<columnCount).map {
                Tick(value: Double($0) + 0.5, label: $0 < columnLabels.count ? columnLabels[$0] : String($0))
            }
            y.ticks = (0..<rowCount).map {
                Tick(value: Double(rowCount - $0) - 0.5, label: $0 < rowLabels.count ? rowLabels[$0] : String($0))
            }
        }
        let finite = values.flatMap { $0 }.filter { colorScale.transform($0) != nil }
        let colorAxis = AxisMapping(values: finite, scale: colorScale, range: valueRange, expands: false)
        let colorBar = ColorBar(colorMap: colorMap, axis: colorAxis, label: colorBarLabel)
        var frameStyle = style
        frameStyle.showsGrid = false
        let frame = PlotFrame(
            width: width, height: height, title: title, xLabel: xLabel, yLabel: yLabel, x: x, y: y, style: frameStyle,
            rightReserve: showsColorBar ? colorBar.reservedWidth(style: style) : 0)

        // Rows as painted, bottom to top.
        let cellColors: [[Color?]] = (numeric ? values : values.reversed()).map { row in
            row.map { value in value.isNaN ? nil : colorMap.color(at: colorAxis.fraction(value) ?? 0) }
        }
        var svg = SVGBuilder()
        frame.drawBackground(into: &svg)
        frame.openClippedGroup(into: &svg)
        GridPainter.paint(cellColors, xRange: xSpan, yRange: ySpan, frame: frame, into: &svg)
        if showsValues ?? (rowCount * columnCount <= 400) {
            drawValueLabels(cellColors: cellColors, frame: frame, xSpan: xSpan, ySpan: ySpan, into: &svg)
        }
        svg.close("g")
        frame.drawAxes(into: &svg)
        if showsColorBar { colorBar.draw(beside: frame, into: &svg) }
        return svg.finished(width: width, height: height, title: title)
    }

    /// Writes each cell's value at its centre, white on dark cells and dark on light ones.
    private func drawValueLabels(
        cellColors: [[Color?]], frame: PlotFrame, xSpan: ClosedRange<Double>, ySpan: ClosedRange<Double>,
        into svg: inout SVGBuilder
    ) {
        let n = SVGBuilder.number
        let rows = numericRows
        let cellHeight = frame.plotHeight / Double(max(rows.count, 1))
        svg.open("g", [("text-anchor", "middle"), ("class", "cell-values")])
        // Top row first, so the labels read in order.
        for (row, cells) in rows.enumerated().reversed() {
            let cellWidth = frame.plotWidth / Double(max(cells.count, 1))
            let labels = cells.map { NumberFormatting.compact($0) }
            let longest = Double(labels.map(\.count).max() ?? 1)
            let fontSize = min(style.labelFontSize, cellHeight * 0.45, cellWidth * 0.85 / (longest * 0.6))
            guard fontSize >= 6 else { continue }
            for (column, label) in labels.enumerated() where !cells[column].isNaN {
                let color = cellColors[row][column] ?? .white
                let centerX = frame.plotLeft + (Double(column) + 0.5) * cellWidth
                let centerY = frame.plotBottom - (Double(row) + 0.5) * cellHeight
                svg.text(label, [
                    ("x", n(centerX)), ("y", n(centerY + fontSize * 0.35)), ("font-size", n(fontSize)),
                    ("fill", color.luminance < 0.35 ? "#ffffff" : ChartStyle.inkColor),
                ])
            }
        }
        svg.close("g")
    }

    /// The value rows in painting order, bottom to top.
    private var numericRows: [[Double]] {
        xRange != nil && yRange != nil ? values : values.reversed()
    }
}
