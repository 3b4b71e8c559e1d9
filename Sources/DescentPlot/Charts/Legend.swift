/// Where a chart draws its legend.
public enum LegendPosition: Sendable, Hashable {
    /// The inside corner that covers the fewest data points (the default), preferring top right,
    /// then top left, bottom right, bottom left.
    case automatic
    /// Inside the plot, top right corner.
    case topRight
    /// Inside the plot, top left corner.
    case topLeft
    /// Inside the plot, bottom right corner.
    case bottomRight
    /// Inside the plot, bottom left corner.
    case bottomLeft
    /// Outside the plot, to the right of it: the plot narrows to make room, and no data is ever
    /// covered (for many overlapping or noisy curves, such as `descent compare`'s).
    case outsideRight
    /// No legend.
    case hidden
}

/// One row of a legend: a symbol drawn as the series is (colour, dashes, marker) and the series name.
struct LegendEntry {
    /// How the symbol looks: a short line, a marker in its middle, or both.
    struct Symbol {
        /// The line's dash pattern (empty: solid), or `nil` for no line.
        var line: [Double]?
        /// The marker's shape, or `nil` for none.
        var marker: Series.Marker?
    }

    /// The series or class name.
    var name: String
    /// The series colour.
    var color: Color
    /// The symbol drawn before the name.
    var symbol: Symbol
    /// The series' opacity, so a translucent path reads as translucent in the legend too.
    var opacity: Double = 1
}

/// Draws a legend box inside a plot corner.
enum LegendRenderer {
    /// The box a legend of `entries` occupies in the corner `position` (not `.automatic`).
    static func box(for entries: [LegendEntry], at position: LegendPosition, in frame: PlotFrame)
        -> (left: Double, top: Double, width: Double, height: Double)
    {
        let fontSize = frame.style.labelFontSize
        let width = self.width(of: entries.map(\.name), style: frame.style)
        let height = 6 + Double(entries.count) * (fontSize + 6) + 2
        if position == .outsideRight { return (frame.plotRight + 12, frame.plotTop, width, height) }
        let left: Double
        let top: Double
        switch position {
        case .topRight, .bottomRight, .automatic: left = frame.plotRight - width - 8
        default: left = frame.plotLeft + 8
        }
        switch position {
        case .bottomLeft, .bottomRight: top = frame.plotBottom - height - 8
        default: top = frame.plotTop + 8
        }
        return (left, top, width, height)
    }

    /// The width of a legend box holding entries named `names`.
    static func width(of names: [String], style: ChartStyle) -> Double {
        let textWidth = names.map { ChartStyle.estimatedWidth(of: $0, fontSize: style.labelFontSize) }.max() ?? 0
        return 8 + symbolWidth + 6 + textWidth + 8
    }

    /// The corner whose legend box covers the fewest of `obstacles` (pixel positions of data).
    static func bestPosition(for entries: [LegendEntry], in frame: PlotFrame, avoiding obstacles: [(x: Double, y: Double)]) -> LegendPosition {
        let corners: [LegendPosition] = [.topRight, .topLeft, .bottomRight, .bottomLeft]
        var best = LegendPosition.topRight
        var fewest = Int.max
        for corner in corners {
            let box = box(for: entries, at: corner, in: frame)
            let covered = obstacles.reduce(0) { count, point in
                let inside = point.x >= box.left - 4 && point.x <= box.left + box.width + 4
                    && point.y >= box.top - 4 && point.y <= box.top + box.height + 4
                return count + (inside ? 1 : 0)
            }
            if covered < fewest { (best, fewest) = (corner, covered) }
        }
        return best
    }

    private static let symbolWidth = 22.0

    /// Draws `entries` in the corner given by `position`; nothing when hidden or empty.
    ///
    /// - Parameter obstacles: pixel positions of data, used to choose the corner when `position`
    ///   is `.automatic`.
    static func draw(
        _ entries: [LegendEntry], at position: LegendPosition, in frame: PlotFrame,
        avoiding obstacles: [(x: Double, y: Double)] = [], into svg: inout SVGBuilder
    ) {
        guard position != .hidden, !entries.isEmpty else { return }
        let n = SVGBuilder.number
        let fontSize = frame.style.labelFontSize
        let rowHeight = fontSize + 6
        let corner = position == .automatic ? bestPosition(for: entries, in: frame, avoiding: obstacles) : position
        let (left, top, boxWidth, boxHeight) = box(for: entries, at: corner, in: frame)
        svg.open("g", [("class", "legend"), ("font-size", n(fontSize))])
        svg.element("rect", [
            ("x", n(left)), ("y", n(top)), ("width", n(boxWidth)), ("height", n(boxHeight)), ("rx", "4"),
            ("fill", "#ffffff"), ("fill-opacity", "0.85"), ("stroke", "#cccccc"),
        ])
        for (row, entry) in entries.enumerated() {
            let centerY = top + 6 + Double(row) * rowHeight + rowHeight / 2
            let symbolLeft = left + 8
            let color = entry.color.hexString
            let symbolCenter = (x: symbolLeft + symbolWidth / 2, y: centerY)
            svg.open("g", entry.opacity < 1 ? [("opacity", n(Swift.max(entry.opacity, 0)))] : [])
            if let dashes = entry.symbol.line {
                var attributes = [
                    ("x1", n(symbolLeft)), ("y1", n(centerY)), ("x2", n(symbolLeft + symbolWidth)), ("y2", n(centerY)),
                    ("stroke", color), ("stroke-width", "2.5"),
                ]
                if !dashes.isEmpty { attributes.append(("stroke-dasharray", dashes.map(n).joined(separator: " "))) }
                svg.element("line", attributes)
            }
            if let marker = entry.symbol.marker {
                let (name, attributes) = SeriesRenderer.marker(
                    marker, at: symbolCenter, radius: entry.symbol.line == nil ? 4 : 3.5, attributes: [("fill", color)])
                svg.element(name, attributes)
            }
            svg.close("g")
            svg.text(entry.name, [
                ("x", n(symbolLeft + symbolWidth + 6)), ("y", n(centerY + fontSize * 0.35)), ("fill", ChartStyle.inkColor),
                ("class", "legend-entry"),
            ])
        }
        svg.close("g")
    }
}
