import Descent
import Foundation

/// Several charts one above the other in a single SVG document, sharing its width: the learning
/// rate over the momentum, each on its own y axis.
///
/// Each chart is rendered as its own `<svg>` and nested at its offset; the charts' identifiers
/// (clip paths, animated paths) are already unique per chart, so they do not collide.
struct ChartStack: Chart {
    /// The charts, top to bottom, and each one's share of the total height (relative weights).
    var charts: [(chart: any Chart, weight: Double)]

    /// The SVG document, `width` × `height` pixels in all.
    func svg(width: Double, height: Double) -> String {
        let total = charts.map(\.weight).reduce(0, +)
        var document = "<svg xmlns=\"http://www.w3.org/2000/svg\" xmlns:xlink=\"http://www.w3.org/1999/xlink\" "
        document += "width=\"\(Int(width))\" height=\"\(Int(height))\" viewBox=\"0 0 \(Int(width)) \(Int(height))\" role=\"img\">\n"
        var top = 0.0
        for (chart, weight) in charts {
            let share = (height * weight / Swift.max(total, 1e-9)).rounded()
            let inner = chart.svg(width: width, height: share)
            // Place the nested document by giving its root element a y offset.
            document += inner.replacingOccurrences(of: "<svg ", with: "<svg y=\"\(Int(top))\" ", options: .anchored)
            top += share
        }
        return document + "</svg>\n"
    }
}
