/// Where a chart draws its legend.
public enum LegendPosition: Sendable, Hashable {
    /// Inside the plot, top right corner (the default: loss curves fall away from it).
    case topRight
    /// Inside the plot, top left corner.
    case topLeft
    /// Inside the plot, bottom right corner.
    case bottomRight
    /// Inside the plot, bottom left corner.
    case bottomLeft
    /// No legend.
    case hidden
}

/// One row of a legend: a symbol in the series colour and the series name.
struct LegendEntry {
    /// How the symbol looks.
    enum Symbol {
        /// A short line, dashed or solid.
        case line(dashed: Bool)
        /// A dot.
        case point
        /// A short line with a dot in the middle.
        case lineAndPoint
    }

    /// The series or class name.
    var name: String
    /// The series colour.
    var color: Color
    /// The symbol drawn before the name.
    var symbol: Symbol
}

/// Draws a legend box inside a plot corner.
enum LegendRenderer {
    /// Draws `entries` in the corner given by `position`; nothing when hidden or empty.
    static func draw(_ entries: [LegendEntry], at position: LegendPosition, in frame: PlotFrame, into svg: inout SVGBuilder) {
        guard position != .hidden, !entries.isEmpty else { return }
        let n = SVGBuilder.number
        let fontSize = frame.style.labelFontSize
        let rowHeight = fontSize + 6
        let symbolWidth = 22.0
        let textWidth = entries.map { ChartStyle.estimatedWidth(of: $0.name, fontSize: fontSize) }.max() ?? 0
        let boxWidth = 8 + symbolWidth + 6 + textWidth + 8
        let boxHeight = 6 + Double(entries.count) * rowHeight + 2
        let left: Double
        let top: Double
        switch position {
        case .topRight, .bottomRight: left = frame.plotRight - boxWidth - 8
        default: left = frame.plotLeft + 8
        }
        switch position {
        case .bottomLeft, .bottomRight: top = frame.plotBottom - boxHeight - 8
        default: top = frame.plotTop + 8
        }
        svg.open("g", [("class", "legend"), ("font-size", n(fontSize))])
        svg.element("rect", [
            ("x", n(left)), ("y", n(top)), ("width", n(boxWidth)), ("height", n(boxHeight)), ("rx", "4"),
            ("fill", "#ffffff"), ("fill-opacity", "0.85"), ("stroke", "#cccccc"),
        ])
        for (row, entry) in entries.enumerated() {
            let centerY = top + 6 + Double(row) * rowHeight + rowHeight / 2
            let symbolLeft = left + 8
            let color = entry.color.hexString
            switch entry.symbol {
            case .line(let dashed):
                var attributes = [
                    ("x1", n(symbolLeft)), ("y1", n(centerY)), ("x2", n(symbolLeft + symbolWidth)), ("y2", n(centerY)),
                    ("stroke", color), ("stroke-width", "2.5"),
                ]
                if dashed { attributes.append(("stroke-dasharray", "5 3")) }
                svg.element("line", attributes)
            case .point:
                svg.element("circle", [("cx", n(symbolLeft + symbolWidth / 2)), ("cy", n(centerY)), ("r", "4"), ("fill", color)])
            case .lineAndPoint:
                svg.element("line", [
                    ("x1", n(symbolLeft)), ("y1", n(centerY)), ("x2", n(symbolLeft + symbolWidth)), ("y2", n(centerY)),
                    ("stroke", color), ("stroke-width", "2.5"),
                ])
                svg.element("circle", [("cx", n(symbolLeft + symbolWidth / 2)), ("cy", n(centerY)), ("r", "3.5"), ("fill", color)])
            }
            svg.text(entry.name, [
                ("x", n(symbolLeft + symbolWidth + 6)), ("y", n(centerY + fontSize * 0.35)), ("fill", ChartStyle.inkColor),
                ("class", "legend-entry"),
            ])
        }
        svg.close("g")
    }
}
