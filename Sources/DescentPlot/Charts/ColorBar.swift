/// A vertical colour scale right of the plot, with ticks, explaining a heat map's colours.
struct ColorBar {
    /// Colours from bottom (0) to top (1).
    var colorMap: ColorMap
    /// The value axis of the bar (its pixel range is set when drawing).
    var axis: AxisMapping
    /// Text beside the bar, read bottom to top right of its tick labels (as matplotlib's
    /// `colorbar.set_label`); empty for none. Above the bar it crowded the chart's title.
    var label: String

    /// The widest tick label.
    private func widestTick(_ style: ChartStyle) -> Double {
        axis.ticks.map { ChartStyle.estimatedWidth(of: $0.label, fontSize: style.tickFontSize) }.max() ?? 0
    }

    /// Horizontal space the bar, its ticks and labels need.
    func reservedWidth(style: ChartStyle) -> Double {
        18 + 16 + 6 + widestTick(style) + (label.isEmpty ? 0 : 8 + style.tickFontSize)
    }

    /// Draws the bar beside the plot rectangle of `frame`.
    func draw(beside frame: PlotFrame, into svg: inout SVGBuilder) {
        let n = SVGBuilder.number
        let left = frame.plotRight + 18
        let barWidth = 16.0
        var mapping = axis
        mapping.pixelStart = frame.plotBottom
        mapping.pixelEnd = frame.plotTop
        let gradient = SVGBuilder.identifierPlaceholder + "-colorbar"
        svg.open("defs")
        svg.open("linearGradient", [("id", gradient), ("x1", "0"), ("y1", "1"), ("x2", "0"), ("y2", "0")])
        let stopCount = 16
        for index in 0...stopCount {
            let fraction = Double(index) / Double(stopCount)
            svg.element("stop", [("offset", n(fraction)), ("stop-color", colorMap.color(at: fraction).hexString)])
        }
        svg.close("linearGradient")
        svg.close("defs")
        svg.element("rect", [
            ("class", "color-bar"), ("x", n(left)), ("y", n(frame.plotTop)), ("width", n(barWidth)),
            ("height", n(frame.plotHeight)), ("fill", "url(#\(gradient))"), ("stroke", "#999999"), ("stroke-width", "0.5"),
        ])
        svg.open("g", [("font-size", n(frame.style.tickFontSize)), ("fill", ChartStyle.inkColor)])
        for tick in mapping.ticks {
            guard let py = mapping.pixel(tick.value) else { continue }
            svg.element("line", [
                ("x1", n(left + barWidth)), ("y1", n(py)), ("x2", n(left + barWidth + 4)), ("y2", n(py)), ("stroke", ChartStyle.inkColor),
            ])
            svg.text(tick.label, [("x", n(left + barWidth + 6)), ("y", n(py + frame.style.tickFontSize * 0.35))])
        }
        svg.close("g")
        if !label.isEmpty {
            let x = left + barWidth + 6 + widestTick(frame.style) + 8 + frame.style.tickFontSize * 0.8
            let y = (frame.plotTop + frame.plotBottom) / 2
            svg.text(label, [
                ("class", "color-bar-label"), ("x", n(x)), ("y", n(y)), ("text-anchor", "middle"),
                ("transform", "rotate(-90 \(n(x)) \(n(y)))"), ("font-size", n(frame.style.tickFontSize)), ("fill", ChartStyle.inkColor),
            ])
        }
    }
}
