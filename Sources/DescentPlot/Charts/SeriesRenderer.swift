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
    /// An animated line grows under a mask (a solid copy of the path whose visible length grows),
    /// so a dashed line keeps its dashes; before the animation begins, and in viewers that do not
    /// play SMIL, the mask shows the whole path.
    ///
    /// - Parameters:
    ///   - index: position of the series in its chart, used for unique element identifiers.
    ///   - marksEnds: whether to draw a hollow circle at the first point and a filled marker at
    ///     the last (optimizer paths on a contour plot).
    func draw(_ series: Series, color: Color, index: Int, marksEnds: Bool = false, into svg: inout SVGBuilder) {
        let n = SVGBuilder.number
        let geometry = geometry(of: series)
        let animating = series.isAnimated ? timeline : nil
        let hex = color.hexString
        var group = [("class", "series"), ("data-name", series.name)]
        // Group opacity composites the series as one layer: its dots do not darken its own line.
        if series.opacity < 1 { group.append(("opacity", n(Swift.max(series.opacity, 0)))) }
        svg.open("g", group)
        if series.style != .points, !geometry.pathData.isEmpty {
            let identifier = SVGBuilder.identifierPlaceholder + "-series-\(index)"
            let round = [("stroke-linejoin", "round"), ("stroke-linecap", "round")]
            var attributes: [(String, String)] = [
                ("id", identifier), ("d", geometry.pathData), ("fill", "none"), ("stroke", hex),
                ("stroke-width", n(frame.style.lineWidth)),
            ] + round
            if !series.dashPattern.isEmpty { attributes.append(("stroke-dasharray", series.dashPattern.map(n).joined(separator: " "))) }
            let growth = animating.map { $0.growingPath(cumulativeLengths: geometry.cumulativeLengths) } ?? ""
            if !growth.isEmpty {
                let mask = identifier + "-growth"
                svg.open("mask", [("id", mask), ("maskUnits", "userSpaceOnUse"), ("x", "0"), ("y", "0"), ("width", "100%"), ("height", "100%")])
                svg.open("path", [
                    ("d", geometry.pathData), ("fill", "none"), ("stroke", "#ffffff"), ("stroke-width", n(frame.style.lineWidth + 5)),
                    ("pathLength", "1"),
                ] + round)
                svg.raw(growth)
                svg.close("path")
                svg.close("mask")
                svg.open("g", [("mask", "url(#\(mask))")])
            }
            if marksEnds {
                // A white halo under the path keeps it visible on a dark filled contour plot.
                svg.element("path", [
                    ("d", geometry.pathData), ("fill", "none"), ("stroke", "#ffffff"), ("stroke-opacity", "0.8"),
                    ("stroke-width", n(frame.style.lineWidth + 3)),
                ] + round)
            }
            svg.element("path", attributes)
            if !growth.isEmpty, let animating {
                svg.close("g")
                svg.raw(animating.travellingDot(
                    pathIdentifier: identifier, cumulativeLengths: geometry.cumulativeLengths, color: color,
                    radius: frame.style.pointRadius + 1.5))
            }
        }
        if series.style != .line {
            for (step, point) in geometry.points.enumerated() {
                guard let point else { continue }
                let (name, attributes) = Self.marker(series.marker, at: point, radius: frame.style.pointRadius, attributes: [("fill", hex)])
                if let animating, step > 0 {
                    svg.open(name, attributes)
                    svg.raw(animating.appearing(atStep: step))
                    svg.close(name)
                } else {
                    svg.element(name, attributes)
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
            let (name, endAttributes) = Self.marker(series.marker, at: last, radius: radius, attributes: [
                ("class", "end"), ("fill", hex), ("stroke", "#ffffff"), ("stroke-width", "1.5"),
            ])
            if let animating {
                svg.open(name, endAttributes)
                svg.raw(animating.appearing(atStep: lastIndex))
                svg.close(name)
            } else {
                svg.element(name, endAttributes)
            }
        }
        svg.close("g")
    }

    /// The element name and attributes of a `marker` centred on `point`, about as large as a
    /// circle of `radius` (shapes with corners are scaled up a little to look as heavy).
    static func marker(
        _ marker: Series.Marker, at point: (x: Double, y: Double), radius: Double, attributes: [(String, String)]
    ) -> (String, [(String, String)]) {
        let n = SVGBuilder.number
        let (x, y) = point
        func polygon(_ corners: [(Double, Double)]) -> (String, [(String, String)]) {
            let data = corners.enumerated().map { "\($0.offset == 0 ? "M" : "L")\(n(x + $0.element.0)) \(n(y + $0.element.1))" }.joined() + "Z"
            return ("path", [("data-marker", "\(marker)"), ("d", data)] + attributes)
        }
        switch marker {
        case .circle:
            return ("circle", [("cx", n(x)), ("cy", n(y)), ("r", n(radius))] + attributes)
        case .square:
            let h = radius * 0.9
            return polygon([(-h, -h), (h, -h), (h, h), (-h, h)])
        case .diamond:
            let h = radius * 1.3
            return polygon([(0, -h), (h, 0), (0, h), (-h, 0)])
        case .triangle:
            let h = radius * 1.35
            return polygon([(0, -h), (h * 0.9, h * 0.6), (-h * 0.9, h * 0.6)])
        case .invertedTriangle:
            let h = radius * 1.35
            return polygon([(0, h), (h * 0.9, -h * 0.6), (-h * 0.9, -h * 0.6)])
        }
    }

    /// The legend entry for `series`; with `marksEnds` its symbol shows the end marker's shape too.
    static func legendEntry(for series: Series, color: Color, marksEnds: Bool = false) -> LegendEntry {
        LegendEntry(
            name: series.name, color: color,
            symbol: LegendEntry.Symbol(
                line: series.style == .points ? nil : series.dashPattern,
                marker: series.style == .line && !marksEnds ? nil : series.marker),
            opacity: series.opacity)
    }
}
