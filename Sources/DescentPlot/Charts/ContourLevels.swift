import Foundation

/// How a contour plot chooses the values at which it draws contour lines.
public enum ContourLevels: Sendable, Hashable {
    /// `count` levels evenly spaced between the minimum and maximum of the grid.
    case linear(count: Int)
    /// `count` levels evenly spaced in log₁₀ between the smallest positive value and the maximum:
    /// the right choice for functions spanning many decades, such as Rosenbrock's
    /// (0 at the minimum, thousands at the corners). Non-positive values get no line.
    case logarithmic(count: Int)
    /// Exactly these levels.
    case values([Double])

    /// The levels for grid values spanning `minimum...maximum` (smallest positive value
    /// `smallestPositive`), in increasing order.
    func resolve(minimum: Double, maximum: Double, smallestPositive: Double?) -> [Double] {
        switch self {
        case .values(let levels):
            return levels.filter(\.isFinite).sorted()
        case .linear(let count):
            guard minimum.isFinite, maximum.isFinite, maximum > minimum, count > 0 else { return [] }
            return (1...count).map { minimum + (maximum - minimum) * Double($0) / Double(count + 1) }
        case .logarithmic(let count):
            guard let smallestPositive, maximum.isFinite, maximum > smallestPositive, count > 0 else { return [] }
            // Cap the span at 12 decades so one value like 1e-300 does not waste every level.
            let low = log10(max(smallestPositive, maximum * 1e-12))
            let high = log10(maximum)
            return (1...count).map { pow(10, low + (high - low) * Double($0) / Double(count + 1)) }
        }
    }

    /// Whether colours for these levels read best on a logarithmic scale.
    var isLogarithmic: Bool {
        if case .logarithmic = self { return true }
        return false
    }
}
