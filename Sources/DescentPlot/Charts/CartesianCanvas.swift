/// The drawing shared by line charts, scatter plots and the overlays of contour plots: axes
/// fitted to the series, a background layer, the series, reference lines and the legend.
struct CartesianCanvas {
    /// Title above the plot.
    var title: String
    /// Label under the x axis.
    var xLabel: String
    /// Label beside the y axis.
    var yLabel: String
    /// Scale of the x axis.
    var xScale: AxisScale
    /// Scale of the y axis.
    var yScale: AxisScale
    /// Span policy of the x axis.
    var xRange: AxisRange
    /// Span policy of the y axis.
    var yRange: AxisRange
    /// Fonts, colours and sizes.
    var style: ChartStyle
    /// The series, drawn in order.
    var series: [Series] = []
    /// Marker lines with labels.
    var referenceLines: [ReferenceLine] = []
    /// Where the legend goes.
    var legendPosition: LegendPosition = .automatic
    /// The animation, or `nil` for a still chart.
    var animation: Animation?
    /// Whether series get start and end markers (optimizer paths).
    var marksEnds = false
    /// Whether automatic ranges widen to the next ticks beyond the data.
    var expandsToTicks = true
    /// Extra x values the axis must include (a background grid's extent).
    var extraX: [Double] = []
    /// Extra y values the axis must include.
    var extraY: [Double] = []
    /// Space kept free right of the plot (a colour bar).
    var rightReserve = 0.0

    /// Builds the frame: the axes cover every series (under the range policies) and the extras.
    func frame(width: Double, height: Double) -> PlotFrame {
        var xs = extraX
        var ys = extraY
        for item in series {
            xs += xRange.countedValues(Array(item.x.prefix(item.count)), scale: xScale)
            ys += yRange.countedValues(Array(item.y.prefix(item.count)), scale: yScale)
        }
        let x = AxisMapping(values: xs, scale: xScale, range: xRange, expands: expandsToTicks)
        let y = AxisMapping(values: ys, scale: yScale, range: yRange, expands: expandsToTicks)
        let names = series.map(\.name).filter { !$0.isEmpty }
        let legendReserve = legendPosition == .outsideRight && !names.isEmpty ? LegendRenderer.width(of: names, style: style) + 12 : 0
        return PlotFrame(
            width: width, height: height, title: title, xLabel: xLabel, yLabel: yLabel, x: x, y: y, style: style,
            rightReserve: rightReserve + legendReserve)
    }

    /// Renders the whole chart.
    ///
    /// - Parameters:
    ///   - background: draws under the series, inside the clip (heat map, contour lines).
    ///   - foreground: draws over everything (a colour bar).
    func render(
        width: Double, height: Double,
        background: (PlotFrame, inout SVGBuilder) -> Void = { _, _ in },
        foreground: (PlotFrame, inout SVGBuilder) -> Void = { _, _ in }
    ) -> String {
        let frame = frame(width: width, height: height)
        var svg = SVGBuilder()
        frame.drawBackground(into: &svg)
        frame.openClippedGroup(into: &svg)
        background(frame, &svg)
        let animated = series.filter(\.isAnimated)
        let timeline = animation.map { AnimationTimeline(animation: $0, stepCount: animated.map(\.count).max() ?? 0) }
        let renderer = SeriesRenderer(frame: frame, timeline: timeline)
        var legend: [LegendEntry] = []
        for (index, item) in series.enumerated() where !item.name.isEmpty {
            legend.append(SeriesRenderer.legendEntry(for: item, color: item.color ?? style.palette.color(at: index), marksEnds: marksEnds))
        }
        // The legend corner is chosen first so reference-line labels can step around the box.
        let corner = legendPosition == .automatic
            ? LegendRenderer.bestPosition(for: legend, in: frame, avoiding: obstacles(in: frame, renderer: renderer))
            : legendPosition
        let legendBox = corner == .hidden || legend.isEmpty ? nil : LegendRenderer.box(for: legend, at: corner, in: frame)
        for (index, item) in series.enumerated() {
            let color = item.color ?? style.palette.color(at: index)
            renderer.draw(item, color: color, index: index, marksEnds: marksEnds, into: &svg)
        }
        for (index, line) in referenceLines.enumerated() {
            line.draw(in: frame, index: index, avoiding: legendBox, into: &svg)
        }
        svg.close("g")
        frame.drawAxes(into: &svg)
        foreground(frame, &svg)
        LegendRenderer.draw(legend, at: corner, in: frame, into: &svg)
        return svg.finished(width: width, height: height, title: title)
    }

    /// Pixel positions the legend should not cover: every point of every series, points every
    /// 8 pixels along its segments, and the label area of reference lines.
    private func obstacles(in frame: PlotFrame, renderer: SeriesRenderer) -> [(x: Double, y: Double)] {
        var result: [(x: Double, y: Double)] = []
        for item in series {
            let points = renderer.geometry(of: item).points
            var previous: (x: Double, y: Double)?
            for point in points {
                guard let point else { previous = nil; continue }
                result.append(point)
                if let last = previous, item.style != .points {
                    let length = ((point.x - last.x) * (point.x - last.x) + (point.y - last.y) * (point.y - last.y)).squareRoot()
                    let steps = min(Int(length / 8), 200)
                    if steps > 1 {
                        for step in 1..<steps {
                            let t = Double(step) / Double(steps)
                            result.append((last.x + (point.x - last.x) * t, last.y + (point.y - last.y) * t))
                        }
                    }
                }
                previous = point
            }
        }
        for line in referenceLines {
            if line.orientation == .vertical, let px = frame.x.pixel(line.value) {
                for offset in stride(from: 0.0, through: 70, by: 8) { result.append((px, frame.plotTop + offset)) }
            } else if let py = frame.y.pixel(line.value) {
                for offset in stride(from: 0.0, through: frame.plotWidth, by: 8) { result.append((frame.plotLeft + offset, py)) }
            }
        }
        return result
    }
}
