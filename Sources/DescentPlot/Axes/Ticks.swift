import Foundation

/// A tick on an axis: where it is (data units) and what it reads.
struct Tick: Equatable {
    /// The data value at the tick.
    var value: Double
    /// The label printed next to the tick.
    var label: String
}

/// Chooses "nice" tick positions: multiples of 1, 2 or 5 times a power of ten on linear axes,
/// powers of ten on logarithmic axes.
///
/// Reference: Heckbert, "Nice numbers for graph labels", Graphics Gems, 1990.
enum Ticks {
    /// The nice step (1, 2 or 5 × 10ⁿ) closest to dividing `span` into `targetCount` intervals.
    static func niceStep(span: Double, targetCount: Int) -> Double {
        guard span > 0, span.isFinite else { return 1 }
        let rough = span / Double(max(targetCount, 1))
        let power = pow(10, floor(log10(rough)))
        let fraction = rough / power
        let nice: Double = fraction < 1.5 ? 1 : fraction < 3 ? 2 : fraction < 7 ? 5 : 10
        return nice * power
    }

    /// Linear ticks covering `lower...upper`.
    ///
    /// - Parameters:
    ///   - expands: when `true`, the returned range grows outward to the first ticks at or beyond
    ///     the data, so the ticks cover all of it; when `false` the range is kept and only the
    ///     ticks inside it are returned.
    /// - Returns: the ticks and the (possibly widened) range.
    static func linear(lower: Double, upper: Double, targetCount: Int = 6, expands: Bool)
        -> (ticks: [Tick], lower: Double, upper: Double)
    {
        var (low, high) = (lower, upper)
        if high - low <= abs(high) * 1e-12 {
            // A flat series: open a window around the value so it sits mid-chart.
            let pad = low == 0 ? 1 : abs(low) * 0.1
            (low, high) = (low - pad, high + pad)
        }
        let step = niceStep(span: high - low, targetCount: targetCount)
        // Integer multiples of the step avoid accumulated rounding (0.30000000000000004).
        var first = (low / step).rounded(.down)
        var last = (high / step).rounded(.up)
        if !expands {
            first = (low / step - 1e-9).rounded(.up)
            last = (high / step + 1e-9).rounded(.down)
        }
        var ticks: [Tick] = []
        var index = first
        while index <= last, ticks.count < 100 {
            let value = index * step
            ticks.append(Tick(value: value, label: NumberFormatting.label(value, step: step)))
            index += 1
        }
        if expands { (low, high) = (first * step, last * step) }
        return (ticks, low, high)
    }

    /// Logarithmic ticks covering `lower...upper` (both positive).
    ///
    /// Ticks sit at decades (10ⁿ), every second or third decade when there are many; a range
    /// narrower than two decades gets 1-2-5 ticks, and narrower still, linear ticks.
    static func logarithmic(lower: Double, upper: Double, targetCount: Int = 6, expands: Bool)
        -> (ticks: [Tick], lower: Double, upper: Double)
    {
        var low = lower > 0 && lower.isFinite ? lower : 1
        var high = upper > 0 && upper.isFinite ? upper : low * 10
        if high <= low * (1 + 1e-12) { (low, high) = (low / 2, high * 2) }
        let firstDecade = Int(floor(log10(low) + 1e-9))
        let lastDecade = Int(ceil(log10(high) - 1e-9))
        let plain = low >= 1e-3 && high <= 1e4
        func label(_ value: Double, exponent: Int) -> String {
            plain ? NumberFormatting.compact(value) : NumberFormatting.powerOfTen(exponent)
        }

        if lastDecade - firstDecade >= 2 {
            let stride = max(1, Int(ceil(Double(lastDecade - firstDecade) / Double(targetCount + 2))))
            let decadeCount = Int(ceil(Double(lastDecade - firstDecade) / Double(stride))) * stride
            let finalDecade = expands ? firstDecade + decadeCount : lastDecade
            var ticks: [Tick] = []
            for exponent in Swift.stride(from: firstDecade, through: finalDecade, by: stride) {
                let value = pow(10, Double(exponent))
                if expands || (value >= low * (1 - 1e-9) && value <= high * (1 + 1e-9)) {
                    ticks.append(Tick(value: value, label: label(value, exponent: exponent)))
                }
            }
            if expands { (low, high) = (pow(10, Double(firstDecade)), pow(10, Double(finalDecade))) }
            return (ticks, low, high)
        }

        // Less than two decades: 1, 2, 5 × 10ⁿ inside the range.
        var candidates: [Double] = []
        for exponent in (firstDecade - 1)...(lastDecade + 1) {
            for mantissa in [1.0, 2, 5] { candidates.append(mantissa * pow(10, Double(exponent))) }
        }
        if expands {
            low = candidates.last(where: { $0 <= low * (1 + 1e-9) }) ?? low
            high = candidates.first(where: { $0 >= high * (1 - 1e-9) }) ?? high
        }
        let inside = candidates.filter { $0 >= low * (1 - 1e-9) && $0 <= high * (1 + 1e-9) }
        if inside.count >= 3 {
            return (inside.map { Tick(value: $0, label: NumberFormatting.compact($0)) }, low, high)
        }
        // Very narrow (such as 0.3 to 0.45): linear ticks read best.
        let linearTicks = linear(lower: low, upper: high, targetCount: 4, expands: false).ticks
        return (linearTicks.filter { $0.value > 0 }, low, high)
    }
}
