/// Paints a grid of coloured cells covering a rectangle of data space: the fill of heat maps,
/// filled contour plots and decision regions.
enum GridPainter {
    /// Paints `colors[row][column]`, with row 0 at `yRange.lowerBound` and column 0 at
    /// `xRange.lowerBound`; `nil` cells stay empty.
    ///
    /// Neighbouring cells of one row with the same colour become one rectangle, which keeps a
    /// 200 × 200 decision-region grid (mostly large uniform areas) to a few kilobytes.
    static func paint(
        _ colors: [[Color?]], xRange: ClosedRange<Double>, yRange: ClosedRange<Double>, frame: PlotFrame,
        opacity: Double = 1, into svg: inout SVGBuilder
    ) {
        let rowCount = colors.count
        guard rowCount > 0 else { return }
        let n = SVGBuilder.number
        var group: [(String, String)] = [("shape-rendering", "crispEdges")]
        if opacity < 1 { group.append(("opacity", n(opacity))) }
        svg.open("g", group)
        let cellHeight = (yRange.upperBound - yRange.lowerBound) / Double(rowCount)
        for (row, cells) in colors.enumerated() where !cells.isEmpty {
            let cellWidth = (xRange.upperBound - xRange.lowerBound) / Double(cells.count)
            guard let bottom = frame.y.pixel(yRange.lowerBound + Double(row) * cellHeight),
                  let top = frame.y.pixel(yRange.lowerBound + Double(row + 1) * cellHeight)
            else { continue }
            var column = 0
            while column < cells.count {
                guard let color = cells[column] else { column += 1; continue }
                let hex = color.hexString
                var end = column + 1
                while end < cells.count, cells[end]?.hexString == hex { end += 1 }
                if let left = frame.x.pixel(xRange.lowerBound + Double(column) * cellWidth),
                   let right = frame.x.pixel(xRange.lowerBound + Double(end) * cellWidth)
                {
                    // Half a pixel of overlap hides the seams some renderers leave between cells.
                    svg.element("rect", [
                        ("x", n(min(left, right))), ("y", n(min(top, bottom))),
                        ("width", n(abs(right - left) + 0.5)), ("height", n(abs(bottom - top) + 0.5)), ("fill", hex),
                    ])
                }
                column = end
            }
        }
        svg.close("g")
    }

    /// Paints `colors` (all cells present, every row the same length) as one embedded PNG image,
    /// smoothed by the viewer; for continuous fields with many cells.
    ///
    /// Row 0 is at `yRange.lowerBound`, as in `paint(_:xRange:yRange:frame:opacity:into:)`.
    static func paintImage(
        _ colors: [[Color]], xRange: ClosedRange<Double>, yRange: ClosedRange<Double>, frame: PlotFrame,
        into svg: inout SVGBuilder
    ) {
        let height = colors.count
        let width = colors.first?.count ?? 0
        guard width > 0, colors.allSatisfy({ $0.count == width }),
              let left = frame.x.pixel(xRange.lowerBound), let right = frame.x.pixel(xRange.upperBound),
              let bottom = frame.y.pixel(yRange.lowerBound), let top = frame.y.pixel(yRange.upperBound)
        else { return }
        // PNG rows run top to bottom.
        let png = PNGEncoder.encode(width: width, height: height, pixels: colors.reversed().flatMap { $0 })
        let n = SVGBuilder.number
        svg.element("image", [
            ("x", n(min(left, right))), ("y", n(min(top, bottom))), ("width", n(abs(right - left))),
            ("height", n(abs(bottom - top))), ("preserveAspectRatio", "none"),
            ("xlink:href", "data:image/png;base64," + png.base64EncodedString()),
        ])
    }
}
