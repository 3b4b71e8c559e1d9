/// Which span of data values an axis shows.
public enum AxisRange: Sendable, Hashable {
    /// Covers every finite value, widened to the nearest ticks.
    case automatic
    /// Like `automatic`, but a series stops counting once it diverges: from its first value
    /// larger in magnitude than ten times the largest of its first three finite values.
    ///
    /// Meant for loss curves, which start at their typical scale: one optimizer that blows up to
    /// 1e12 no longer squashes the others into a flat line at the bottom. The diverging part is
    /// still drawn; it leaves the chart through the top edge.
    case robust
    /// Shows exactly `lower...upper` (data units); data outside is clipped at the chart's edge.
    case fixed(lower: Double, upper: Double)

    /// Shows exactly `range`.
    public static func fixed(_ range: ClosedRange<Double>) -> AxisRange {
        .fixed(lower: range.lowerBound, upper: range.upperBound)
    }

    /// The growth factor past which `robust` treats a series as diverged.
    static let divergenceFactor = 10.0

    /// The values of one series that count towards the range under this policy.
    func countedValues(_ values: [Double], scale: AxisScale) -> [Double] {
        let shown = values.filter { scale.transform($0) != nil }
        guard self == .robust else { return shown }
        let reference = shown.prefix(3).map(abs).max() ?? 0
        guard reference > 0 else { return shown }
        let limit = reference * Self.divergenceFactor
        var counted: [Double] = []
        for value in values {
            if !value.isFinite || abs(value) > limit {
                // Non-finite values mark divergence too (a loss that became NaN or infinity).
                if !value.isNaN || !counted.isEmpty { break }
                continue
            }
            if scale.transform(value) != nil { counted.append(value) }
        }
        return counted
    }
}
