/// Draws one series (line, points, or both) inside a plot frame, with optional animation and
/// start/end markers.
struct SeriesRenderer {
    /// The frame that maps data to pixels.
    var frame: PlotFrame
    /// Timing shared by all animated series, or `nil` for a still chart.
    var timeline: AnimationTimeline?

    /// The pixel positions of a series, with `nil` for gaps (non-finite values, or values a log
    /// axis cannot show), and the drawn length up to each point.
    struct Geometry {
        /// Pixel position of each point, `nil` where the series has a gap.
        var points: [(x: Double, y: Double)?]
        /// Drawn length from the first point to point `i`; gaps add nothing.
        var cumulativeLengths: [Double]
        /// SVG path data: `M` starts each unbroken run, `L` continues it.
        var pathData: String
    }

    /// Computes the geometry of `series` in this frame.
    func geometry(of series: Series) -> Geometry {
        var points: [(x: Double, y: Double)?] = []
        var lengths: [Double] = []
        var data = ""
        var previous: (x: Double, y: Double)?  // last point written to the path data
        var length = 0.0
        points.reserveCapacity(series.count)
        let n = SVGBuilder.number
        for index in 0..<series.count {
            guard let px = frame.x.pixel(series.x[index]), let py = frame.y.pixel(series.y[index]) else {
                previous = nil  // A gap: the next valid point starts a new run.
                points.append(nil)
                lengths.append(length)
                continue
            }
            points.append((px, py))
            if let last = previous {
                let step = ((px - last.x) * (px - last.x) + (py - last.y) * (py - last.y)).squareRoot()
                // Points within half a pixel of the last written one add nothing visible: a
                // 3,000-step run converging to a minimum stays a few kilobytes.
                let nextIsValid = index + 1 < series.count && frame.x.pixel(series.x[index + 1]) != nil
                    && frame.y.pixel(series.y[index + 1]) != nil
                if step >= 0.5 || !nextIsValid {
                    length += step
                    data += "L\(n(px)) \(n(py))"
                    previous = (px, py)
                }
            } else {
                data += (data.isEmpty ? "" : " ") + "M\(n(px)) \(n(py))"
                previous = (px, py)
            }
            lengths.append(length)
        }
        return Geometry(points: points, cumulativeLengths: lengths, pathData: data)
    }

    /// Draws `series` in `color`.
    ///
    /// - Parameters:
    ///   - index: position of the series in its chart, used for unique element identifiers.
    ///   - marksEnds: whether to draw a hollow circle at the first point and a filled one at the
    ///     last (optimizer paths on a contour plot).
    func draw(_ series: Series, color: Color, index: Int, marksEnds: Bool = false, into svg: inout SVGBuilder) {
        let n = SVGBuilder.number
        let geometry = geometry(of: series)
        let animating = series.isAnimated ? timeline : nil
        let hex = color.hexString
        svg.open("g", [("class", "series"), ("data-name", series.name)])
        if series.style != .points, !geometry.pathData.isEmpty {
            let identifier = SVGBuilder.identifierPlaceholder + "-series-\(index)"
            var attributes: [(String, String)] = [
                ("id", identifier), ("d", geometry.pathData), ("fill", "none"), ("stroke", hex),
                ("stroke-width", n(frame.style.lineWidth)), ("stroke-linejoin", "round"), ("stroke-linecap", "round"),
            ]
            if series.isDashed { attributes.append(("stroke-dasharray", "7 4")) }
            if marksEnds {
                // A white halo under the path keeps it visible on a dark filled contour plot.
                var halo: [(String, String)] = [
                    ("d", geometry.pathData), ("fill", "none"), ("stroke", "#ffffff"), ("stroke-opacity", "0.8"),
                    ("stroke-width", n(frame.style.lineWidth + 3)), ("stroke-linejoin", "round"), ("stroke-linecap", "round"),
                ]
                if let animating {
                    halo.append(("pathLength", "1"))
                    svg.open("path", halo)
                    svg.raw(animating.growingPath(cumulativeLengths: geometry.cumulativeLengths))
                    svg.close("path")
                } else {
                    svg.element("path", halo)
                }
            }
            if let animating, !series.isDashed {
                attributes.append(("pathLength", "1"))
                svg.open("path", attributes)
                svg.raw(animating.growingPath(cumulativeLengths: geometry.cumulativeLengths))
                svg.close("path")
                svg.raw(animating.travellingDot(
                    pathIdentifier: identifier, cumulativeLengths: geometry.cumulativeLengths, color: color,
                    radius: frame.style.pointRadius + 1.5))
            } else {
                svg.element("path", attributes)
            }
        }
        if series.style != .line {
            for (step, point) in geometry.points.enumerated() {
                guard let point else { continue }
                let attributes = [("cx", n(point.x)), ("cy", n(point.y)), ("r", n(frame.style.pointRadius)), ("fill", hex)]
                if let animating, step > 0 {
                    svg.open("circle", attributes)
                    svg.raw(animating.appearing(atStep: step))
                    svg.close("circle")
                } else {
                    svg.element("circle", attributes)
                }
            }
        }
        if marksEnds, let firstIndex = geometry.points.firstIndex(where: { $0 != nil }),
           let lastIndex = geometry.points.lastIndex(where: { $0 != nil }), let first = geometry.points[firstIndex],
           let last = geometry.points[lastIndex]
        {
            let radius = frame.style.pointRadius + 1.5
            svg.element("circle", [
                ("class", "start"), ("cx", n(first.x)), ("cy", n(first.y)), ("r", n(radius)),
                ("fill", "#ffffff"), ("stroke", hex), ("stroke-width", "2"),
            ])
            let endAttributes = [
                ("class", "end"), ("cx", n(last.x)), ("cy", n(last.y)), ("r", n(radius)),
                ("fill", hex), ("stroke", "#ffffff"), ("stroke-width", "1.5"),
            ]
            if let animating {
                svg.open("circle", endAttributes)
                svg.raw(animating.appearing(atStep: lastIndex))
                svg.close("circle")
            } else {
                svg.element("circle", endAttributes)
            }
        }
        svg.close("g")
    }

    /// The legend entry for `series`.
    static func legendEntry(for series: Series, color: Color) -> LegendEntry {
        let symbol: LegendEntry.Symbol
        switch series.style {
        case .line: symbol = .line(dashed: series.isDashed)
        case .points: symbol = .point
        case .lineAndPoints: symbol = .lineAndPoint
        }
        return LegendEntry(name: series.name, color: color, symbol: symbol)
    }
}
