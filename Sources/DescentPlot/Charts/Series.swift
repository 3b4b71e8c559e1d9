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
    /// The shape of the dots of `.points` and `.lineAndPoints`, and of an optimizer path's end
    /// marker, so series stay apart without colour. The default value is `.circle`.
    public var marker: Marker
    /// Lengths of the dashes and gaps of the line, in pixels (SVG's `stroke-dasharray`); empty
    /// for a solid line. The default value is `[]`.
    public var dashPattern: [Double]
    /// Opacity of the whole series, `0...1`: a series drawn translucently over earlier ones lets
    /// them show through where they coincide. The default value is `1`.
    public var opacity: Double
    /// Whether the series takes part in the chart's animation; a fixed backdrop such as the
    /// loss function under an optimizer's iterates sets it to `false`. The default value is `true`.
    public var isAnimated: Bool

    /// The shape of a series' dots.
    public enum Marker: Sendable, Hashable, CaseIterable {
        /// A filled circle.
        case circle
        /// A filled square.
        case square
        /// A filled triangle pointing up.
        case triangle
        /// A filled diamond (a square on its corner).
        case diamond
        /// A filled triangle pointing down.
        case invertedTriangle
    }

    /// Whether the line is dashed (a validation curve next to its training curve): setting it
    /// gives the pattern `[7, 4]` or a solid line. The default value is `false`.
    public var isDashed: Bool {
        get { !dashPattern.isEmpty }
        set { dashPattern = newValue ? [7, 4] : [] }
    }

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
        (self.name, self.x, self.y, self.style, self.color) = (name, x, y, style, color)
        (self.marker, self.dashPattern, self.opacity, self.isAnimated) = (.circle, isDashed ? [7, 4] : [], 1, true)
    }

    /// Creates a series whose x values are the indices 0, 1, 2, … (a loss per step).
    public init(name: String, y: [Double], style: Style = .line, color: Color? = nil, isDashed: Bool = false) {
        self.init(name: name, x: y.indices.map(Double.init), y: y, style: style, color: color, isDashed: isDashed)
    }

    /// Creates a series by sampling `function` at `sampleCount` evenly spaced points of `range`,
    /// such as the curve w⁴ − 3w³ + 2 under an optimizer's iterates. Not animated.
    ///
    /// - Parameters:
    ///   - sampleCount: number of samples. The default value is `200`.
    ///   - name: legend text.
    ///   - function: the value at `x`.
    ///   - range: the x values sampled.
    ///   - color: fixed colour, or `nil` for the palette's next. The default value is `nil`.
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
