/// The layout of one chart: the plot rectangle inside the margins, the two axis mappings, and
/// the drawing of everything around the data (background, grid, axes, ticks, labels, title).
struct PlotFrame {
    /// Total width of the SVG, in pixels.
    var width: Double
    /// Total height of the SVG, in pixels.
    var height: Double
    /// Left edge of the plot rectangle.
    var plotLeft: Double
    /// Top edge of the plot rectangle.
    var plotTop: Double
    /// Right edge of the plot rectangle.
    var plotRight: Double
    /// Bottom edge of the plot rectangle.
    var plotBottom: Double
    /// Horizontal mapping, from `plotLeft` to `plotRight`.
    var x: AxisMapping
    /// Vertical mapping, from `plotBottom` up to `plotTop`.
    var y: AxisMapping
    /// Fonts, colours and sizes.
    var style: ChartStyle
    /// Title above the plot; empty for none.
    var title: String
    /// Label under the x axis; empty for none.
    var xLabel: String
    /// Label left of the y axis, rotated; empty for none.
    var yLabel: String

    /// The identifier of the clip path that keeps data inside the plot rectangle.
    static let clipIdentifier = SVGBuilder.identifierPlaceholder + "-plot"

    /// Lays out the chart: margins are sized from the title, axis labels and widest tick label.
    ///
    /// - Parameter rightReserve: extra space kept free on the right (for a colour bar).
    init(
        width: Double, height: Double, title: String, xLabel: String, yLabel: String,
        x: AxisMapping, y: AxisMapping, style: ChartStyle, rightReserve: Double = 0
    ) {
        (self.width, self.height, self.title, self.xLabel, self.yLabel) = (width, height, title, xLabel, yLabel)
        (self.x, self.y, self.style) = (x, y, style)
        let widestTick = y.ticks.map { ChartStyle.estimatedWidth(of: $0.label, fontSize: style.tickFontSize) }.max() ?? 0
        plotLeft = 12 + widestTick + 8 + (yLabel.isEmpty ? 0 : style.labelFontSize + 10)
        plotTop = title.isEmpty ? 16 : style.titleFontSize + 22
        plotRight = max(plotLeft + 10, width - 20 - rightReserve)
        plotBottom = max(plotTop + 10, height - (style.tickFontSize + 14) - (xLabel.isEmpty ? 6 : style.labelFontSize + 12))
        self.x.pixelStart = plotLeft
        self.x.pixelEnd = plotRight
        self.y.pixelStart = plotBottom
        self.y.pixelEnd = plotTop
    }

    /// Width of the plot rectangle.
    var plotWidth: Double { plotRight - plotLeft }
    /// Height of the plot rectangle.
    var plotHeight: Double { plotBottom - plotTop }

    /// How far the clip path reaches beyond the plot rectangle: the largest marker's radius
    /// (``SeriesRenderer`` draws start and end markers at `pointRadius + 1.5`) and its outline.
    var clipMargin: Double { style.pointRadius + 1.5 + 1 }

    /// Draws the white background, the clip path definition and the light grid lines.
    func drawBackground(into svg: inout SVGBuilder) {
        let n = SVGBuilder.number
        svg.element("rect", [("width", n(width)), ("height", n(height)), ("fill", "#ffffff")])
        svg.open("defs")
        svg.open("clipPath", [("id", Self.clipIdentifier)])
        // Wider than the plot by an end marker's radius and stroke, so a marker on the last
        // value (a compare curve's final epoch, at the axis's end) is drawn whole, not cut in half.
        let margin = clipMargin
        svg.element("rect", [("x", n(plotLeft - margin)), ("y", n(plotTop - margin)), ("width", n(plotWidth + 2 * margin)),
                             ("height", n(plotHeight + 2 * margin))])
        svg.close("clipPath")
        svg.close("defs")
        guard style.showsGrid else { return }
        svg.open("g", [("stroke", ChartStyle.gridColor), ("stroke-width", "1")])
        for tick in x.ticks {
            guard let px = x.pixel(tick.value) else { continue }
            svg.element("line", [("x1", n(px)), ("y1", n(plotTop)), ("x2", n(px)), ("y2", n(plotBottom))])
        }
        for tick in y.ticks {
            guard let py = y.pixel(tick.value) else { continue }
            svg.element("line", [("x1", n(plotLeft)), ("y1", n(py)), ("x2", n(plotRight)), ("y2", n(py))])
        }
        svg.close("g")
    }

    /// Opens a group whose content is clipped to the plot rectangle; close it with `</g>`.
    func openClippedGroup(into svg: inout SVGBuilder) {
        svg.open("g", [("clip-path", "url(#\(Self.clipIdentifier))")])
    }

    /// Draws the axis lines, tick marks, tick labels, axis labels and title.
    func drawAxes(into svg: inout SVGBuilder) {
        let n = SVGBuilder.number
        let ink = ChartStyle.inkColor
        svg.open("g", [("stroke", ink), ("stroke-width", "1"), ("fill", "none")])
        svg.element("line", [("x1", n(plotLeft)), ("y1", n(plotBottom)), ("x2", n(plotRight)), ("y2", n(plotBottom))])
        svg.element("line", [("x1", n(plotLeft)), ("y1", n(plotTop)), ("x2", n(plotLeft)), ("y2", n(plotBottom))])
        for tick in x.ticks {
            guard let px = x.pixel(tick.value) else { continue }
            svg.element("line", [("x1", n(px)), ("y1", n(plotBottom)), ("x2", n(px)), ("y2", n(plotBottom + 5))])
        }
        for tick in y.ticks {
            guard let py = y.pixel(tick.value) else { continue }
            svg.element("line", [("x1", n(plotLeft - 5)), ("y1", n(py)), ("x2", n(plotLeft)), ("y2", n(py))])
        }
        svg.close("g")

        svg.open("g", [("fill", ink), ("font-size", n(style.tickFontSize))])
        for tick in x.ticks {
            guard let px = x.pixel(tick.value) else { continue }
            svg.text(tick.label, [("x", n(px)), ("y", n(plotBottom + 8 + style.tickFontSize)), ("text-anchor", "middle")])
        }
        for tick in y.ticks {
            guard let py = y.pixel(tick.value) else { continue }
            svg.text(tick.label, [("x", n(plotLeft - 8)), ("y", n(py + style.tickFontSize * 0.35)), ("text-anchor", "end")])
        }
        svg.close("g")

        if !xLabel.isEmpty {
            svg.text(xLabel, [
                ("x", n((plotLeft + plotRight) / 2)), ("y", n(height - 8)), ("text-anchor", "middle"),
                ("font-size", n(style.labelFontSize)), ("fill", ink),
            ])
        }
        if !yLabel.isEmpty {
            let centerY = (plotTop + plotBottom) / 2
            let labelX = 8 + style.labelFontSize
            svg.text(yLabel, [
                ("x", n(labelX)), ("y", n(centerY)), ("text-anchor", "middle"),
                ("transform", "rotate(-90 \(n(labelX)) \(n(centerY)))"),
                ("font-size", n(style.labelFontSize)), ("fill", ink),
            ])
        }
        if !title.isEmpty {
            svg.text(title, [
                ("x", n(width / 2)), ("y", n(8 + style.titleFontSize)), ("text-anchor", "middle"),
                ("font-size", n(style.titleFontSize)), ("font-weight", "600"), ("fill", ink),
            ])
        }
    }
}
