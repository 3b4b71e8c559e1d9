/// A request to animate a chart inside the SVG: lines grow point by point and points appear one
/// by one, all series in step, so several optimizers visibly race each other.
///
/// Uses SMIL (`<animate>`, `<set>`, `<animateMotion>`), which every current browser plays
/// without JavaScript. The chart's own state is the finished one: viewers that ignore animation
/// (image converters, some editors) show it, and so does a browser until the race begins, one
/// second or a quarter of `duration` after the page loads (whichever is longer), so a screenshot
/// or a reader's first look shows the whole paths.
public struct Animation: Sendable, Hashable {
    /// Seconds until the longest series is complete. The default value is `8`.
    public var duration: Double
    /// Whether the animation starts over after a short pause. The default value is `false`.
    public var repeats: Bool

    /// Creates an animation request.
    ///
    /// - Parameters:
    ///   - duration: seconds until the longest series is complete. The default value is `8`.
    ///   - repeats: whether to loop. The default value is `false`.
    public init(duration: Double = 8, repeats: Bool = false) {
        self.duration = max(duration, 0.1)
        self.repeats = repeats
    }
}

/// Turns step indices into SMIL timing for one chart: step `i` of every series is reached at the
/// same moment, `i / (stepCount − 1)` of the way through.
struct AnimationTimeline {
    /// The animation settings.
    var animation: Animation
    /// The number of steps of the longest animated series.
    var stepCount: Int

    /// Share of the cycle spent animating; a repeating animation holds the finished chart for the
    /// rest before starting over.
    private var activeFraction: Double { animation.repeats ? 0.8 : 1 }

    /// The `dur` of every animation element: all share one cycle so they stay in step when looping.
    var durationAttribute: String { "\(Self.seconds(max(animation.duration / activeFraction, 0.1)))s" }

    /// Seconds the finished chart shows before the first animation starts: at least one second,
    /// a quarter of the duration for a long race.
    var startDelay: Double { max(1, animation.duration / 4) }

    /// The `begin` of every animation element.
    var beginAttribute: String { "\(Self.seconds(startDelay))s" }

    /// Attributes shared by every animation element.
    var commonAttributes: [(String, String)] {
        [("begin", beginAttribute), ("dur", durationAttribute), ("fill", "freeze"), ("repeatCount", animation.repeats ? "indefinite" : "1")]
    }

    /// The fraction `0...1` of the cycle at which step `index` is reached.
    func time(ofStep index: Int) -> Double {
        guard stepCount > 1 else { return 0 }
        return Double(index) / Double(stepCount - 1) * activeFraction
    }

    /// SMIL children for a `<path pathLength="1">` that grows along its points (the mask of the
    /// drawn path). Until `startDelay` the path is whole.
    ///
    /// From then on the path is dashed with a single dash as long as the whole path (`pathLength` normalises
    /// lengths to 1) and the dash offset moves from 1 (hidden) to 0 (complete), so the drawn part
    /// ends exactly at the point of the current step. `cumulativeLengths[i]` is the drawn length
    /// up to point `i`.
    func growingPath(cumulativeLengths: [Double]) -> String {
        guard let total = cumulativeLengths.last, total > 0 else { return "" }
        let keys = keyframes(count: cumulativeLengths.count)
        let times = keys.map { time(ofStep: $0) }
        let values = keys.map { 1 - cumulativeLengths[$0] / total }
        var markup = "<set attributeName=\"stroke-dasharray\" to=\"1 1\" begin=\"\(beginAttribute)\" fill=\"freeze\"/>\n"
        markup += animateElement(attribute: "stroke-dashoffset", times: times, values: values.map(Self.fraction))
        return markup
    }

    /// Markup for a dot that travels along the path with id `pathIdentifier`, hidden in viewers
    /// that do not animate.
    func travellingDot(pathIdentifier: String, cumulativeLengths: [Double], color: Color, radius: Double) -> String {
        guard let total = cumulativeLengths.last, total > 0 else { return "" }
        let keys = keyframes(count: cumulativeLengths.count)
        let times = Self.closedTimes(keys.map { time(ofStep: $0) })
        var points = keys.map { Self.fraction(cumulativeLengths[$0] / total) }
        if times.count > points.count { points.append(points.last ?? "1") }
        var markup = "<circle r=\"\(SVGBuilder.number(radius))\" fill=\"\(color.hexString)\" stroke=\"#ffffff\" stroke-width=\"1.5\" opacity=\"0\">\n"
        markup += "<set attributeName=\"opacity\" to=\"1\" begin=\"\(beginAttribute)\" fill=\"freeze\"/>\n"
        markup += "<animateMotion keyPoints=\"\(points.joined(separator: ";"))\" keyTimes=\"\(times.map(Self.fraction).joined(separator: ";"))\" calcMode=\"linear\""
        markup += commonAttributes.map { " \($0.0)=\"\($0.1)\"" }.joined()
        markup += "><mpath xlink:href=\"#\(pathIdentifier)\"/></animateMotion>\n</circle>\n"
        return markup
    }

    /// SMIL child that hides an element from the start of the race until step `index` is reached.
    func appearing(atStep index: Int) -> String {
        let start = time(ofStep: index)
        guard start > 0 else { return "" }
        var markup = "<animate attributeName=\"opacity\" values=\"0;1\" keyTimes=\"0;\(Self.fraction(start))\" calcMode=\"discrete\""
        markup += commonAttributes.map { " \($0.0)=\"\($0.1)\"" }.joined()
        return markup + "/>\n"
    }

    private func animateElement(attribute: String, times: [Double], values: [String]) -> String {
        let closed = Self.closedTimes(times)
        var allValues = values
        if closed.count > values.count { allValues.append(values.last ?? "0") }
        var markup = "<animate attributeName=\"\(attribute)\" values=\"\(allValues.joined(separator: ";"))\""
        markup += " keyTimes=\"\(closed.map(Self.fraction).joined(separator: ";"))\" calcMode=\"linear\""
        markup += commonAttributes.map { " \($0.0)=\"\($0.1)\"" }.joined()
        return markup + "/>\n"
    }

    /// Indices of at most 200 keyframes, always including the first and last point; keeps the
    /// SVG small for runs of thousands of steps (between keyframes the line grows evenly).
    private func keyframes(count: Int) -> [Int] {
        let limit = 200
        guard count > limit else { return Array(0..<count) }
        return (0..<limit).map { Int((Double($0) * Double(count - 1) / Double(limit - 1)).rounded()) }
    }

    /// SMIL requires `keyTimes` to end at exactly 1: holds the last value until then.
    private static func closedTimes(_ times: [Double]) -> [Double] {
        guard let last = times.last else { return [0, 1] }
        return last < 1 - 1e-9 ? times + [1] : Array(times.dropLast()) + [1]
    }

    private static func fraction(_ value: Double) -> String {
        let rounded = (value * 10_000).rounded() / 10_000
        return rounded == rounded.rounded() ? String(Int(rounded)) : String(rounded)
    }

    private static func seconds(_ value: Double) -> String {
        fraction((value * 100).rounded() / 100)
    }
}
