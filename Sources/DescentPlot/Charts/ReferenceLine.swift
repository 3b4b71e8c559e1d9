/// A vertical or horizontal line across the plot marking an event or a threshold, with a label:
/// "early stopping", "diverged", "suggested learning rate", "minimum".
///
/// Matplotlib equivalent: `axvline` / `axhline` with a text annotation.
public struct ReferenceLine: Sendable, Hashable {
    /// Which way the line runs.
    public enum Orientation: Sendable, Hashable {
        /// A line at a fixed x, spanning the whole height.
        case vertical
        /// A line at a fixed y, spanning the whole width.
        case horizontal
    }

    /// Which way the line runs.
    public var orientation: Orientation
    /// The x value (vertical) or y value (horizontal), in data units.
    public var value: Double
    /// The text shown next to the line; empty for none.
    public var label: String
    /// The line colour. The default value is dark grey.
    public var color: Color

    /// Creates a reference line.
    public init(orientation: Orientation, value: Double, label: String = "", color: Color = .darkGray) {
        (self.orientation, self.value, self.label, self.color) = (orientation, value, label, color)
    }

    /// A vertical line at `x`, such as the epoch where early stopping fired.
    public static func vertical(at x: Double, label: String = "", color: Color = .darkGray) -> ReferenceLine {
        ReferenceLine(orientation: .vertical, value: x, label: label, color: color)
    }

    /// A horizontal line at `y`, such as a target loss.
    public static func horizontal(at y: Double, label: String = "", color: Color = .darkGray) -> ReferenceLine {
        ReferenceLine(orientation: .horizontal, value: y, label: label, color: color)
    }

    /// Draws the dashed line and its label; lines outside the visible range are skipped.
    ///
    /// - Parameter legendBox: the legend's rectangle, which a vertical line's label moves below.
    func draw(
        in frame: PlotFrame, index: Int, avoiding legendBox: (left: Double, top: Double, width: Double, height: Double)? = nil,
        into svg: inout SVGBuilder
    ) {
        let n = SVGBuilder.number
        let stroke: [(String, String)] = [
            ("stroke", color.hexString), ("stroke-width", "1.5"), ("stroke-dasharray", "6 4"),
        ]
        // A white outline behind the label keeps it legible over grid lines and data.
        let textStyle: [(String, String)] = [
            ("font-size", n(frame.style.tickFontSize)), ("fill", color.hexString),
            ("stroke", "#ffffff"), ("stroke-width", "3"), ("paint-order", "stroke"),
        ]
        switch orientation {
        case .vertical:
            guard let px = frame.x.pixel(value), px >= frame.plotLeft - 0.5, px <= frame.plotRight + 0.5 else { return }
            svg.element("line", [("x1", n(px)), ("y1", n(frame.plotTop)), ("x2", n(px)), ("y2", n(frame.plotBottom))] + stroke)
            guard !label.isEmpty else { return }
            // Labels of successive lines step down so neighbours do not overlap.
            var labelY = frame.plotTop + frame.style.tickFontSize + 4 + Double(index % 4) * (frame.style.tickFontSize + 4)
            let labelWidth = ChartStyle.estimatedWidth(of: label, fontSize: frame.style.tickFontSize)
            let nearRightEdge = px > frame.plotRight - labelWidth - 8
            let labelLeft = nearRightEdge ? px - 4 - labelWidth : px + 4
            if let box = legendBox, labelLeft < box.left + box.width, labelLeft + labelWidth > box.left,
               labelY > box.top - 2, labelY - frame.style.tickFontSize < box.top + box.height
            {
                labelY = box.top + box.height + frame.style.tickFontSize + 6
            }
            svg.text(label, [
                ("x", n(nearRightEdge ? px - 4 : px + 4)), ("y", n(labelY)),
                ("text-anchor", nearRightEdge ? "end" : "start"),
            ] + textStyle)
        case .horizontal:
            guard let py = frame.y.pixel(value), py >= frame.plotTop - 0.5, py <= frame.plotBottom + 0.5 else { return }
            svg.element("line", [("x1", n(frame.plotLeft)), ("y1", n(py)), ("x2", n(frame.plotRight)), ("y2", n(py))] + stroke)
            guard !label.isEmpty else { return }
            svg.text(label, [("x", n(frame.plotLeft + 6)), ("y", n(py - 5)), ("text-anchor", "start")] + textStyle)
        }
    }
}
