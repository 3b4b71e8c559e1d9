/// A named sequence of (x, y) values drawn as a line, as points, or both.
///
/// NaN and infinite values are gaps: the line breaks there instead of jumping to the edge. On a
/// logarithmic axis, zero and negative values are gaps too.
public struct Series: Sendable, Hashable {
    /// How a series is drawn.
    public enum Style: Sendable, Hashable {
        /// A connected line.
        case line
        /// Separate dots, such as an optimizer's iterates or the samples of one class.
        case points
        /// A line with a dot at every value.
        case lineAndPoints
    }

    /// The name shown in the legend; an empty name keeps the series out of the legend.
    public var name: String
    /// Horizontal values. Only the first `min(x.count, y.count)` pairs are drawn.
    public var x: [Double]
    /// Vertical values.
    public var y: [Double]
    /// Line, points, or both. The default value is `.line`.
    public var style: Style
    /// The colour; `nil` takes the next palette colour. The default value is `nil`.
    public var color: Color?
    /// Whether the line is dashed (a validation curve next to its training curve).
    /// The default value is `false`.
    public var isDashed: Bool
    /// Whether the series takes part in the chart's animation; a fixed backdrop such as the
    /// loss function under an optimizer's iterates sets it to `false`. The default value is `true`.
    public var isAnimated: Bool

    /// Creates a series from paired x and y values.
    ///
    /// - Parameters:
    ///   - name: legend text.
    ///   - x: horizontal values.
    ///   - y: vertical values.
    ///   - style: `.line`, `.points` or `.lineAndPoints`. The default value is `.line`.
    ///   - color: fixed colour, or `nil` for the palette's next. The default value is `nil`.
    ///   - isDashed: dashed line. The default value is `false`.
    public init(name: String, x: [Double], y: [Double], style: Style = .line, color: Color? = nil, isDashed: Bool = false) {
        (self.name, self.x, self.y, self.style, self.color, self.isDashed) = (name, x, y, style, color, isDashed)
        self.isAnimated = true
    }

    /// Creates a series whose x values are the indices 0, 1, 2, … (a loss per step).
    public init(name: String, y: [Double], style: Style = .line, color: Color? = nil, isDashed: Bool = false) {
        self.init(name: name, x: y.indices.map(Double.init), y: y, style: style, color: color, isDashed: isDashed)
    }

    /// Creates a series by sampling `function` at `sampleCount` evenly spaced points of `range`,
    /// such as the curve w⁴ − 3w³ + 2 under an optimizer's iterates. Not animated.
    ///
    /// - Parameter sampleCount: number of samples. The default value is `200`.
    public init(
        name: String, function: (Double) -> Double, in range: ClosedRange<Double>, sampleCount: Int = 200,
        color: Color? = nil
    ) {
        let count = max(sampleCount, 2)
        let xs = (0..<count).map { range.lowerBound + (range.upperBound - range.lowerBound) * Double($0) / Double(count - 1) }
        self.init(name: name, x: xs, y: xs.map(function), style: .line, color: color)
        self.isAnimated = false
    }

    /// Number of drawable (x, y) pairs.
    var count: Int { min(x.count, y.count) }
}
