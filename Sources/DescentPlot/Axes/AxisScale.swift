import Foundation

/// How data values map to positions along an axis.
public enum AxisScale: Sendable, Hashable {
    /// Equal distances for equal differences. Ticks at 1-2-5 steps.
    case linear
    /// Equal distances for equal ratios (base 10). Ticks at decades; values that are zero or
    /// negative cannot be shown and are skipped (a line breaks there).
    case log

    /// The position of `value` in scale space (`value` or `log10(value)`), or `nil` when the value
    /// cannot be shown on this scale (non-finite, or not positive on a log scale).
    func transform(_ value: Double) -> Double? {
        guard value.isFinite else { return nil }
        switch self {
        case .linear: return value
        case .log: return value > 0 ? log10(value) : nil
        }
    }

    /// The data value at scale-space position `position`.
    func inverse(_ position: Double) -> Double {
        switch self {
        case .linear: return position
        case .log: return pow(10, position)
        }
    }
}

