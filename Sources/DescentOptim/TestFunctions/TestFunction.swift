import RealModule

/// The classic functions for watching optimizers move, each with its value and analytic gradient
/// in any floating-point type.
///
/// | Function | f | minimum |
/// |---|---|---|
/// | `quartic` (1-D) | w⁴ − 3w³ + 2 | w = 9/4, f = −1675/256 (w = 0 is a flat inflection point) |
/// | `rosenbrock` | (1 − x)² + 100(y − x²)² | (1, 1), f = 0: a curved narrow valley |
/// | `beale` | (1.5 − x + xy)² + (2.25 − x + xy²)² + (2.625 − x + xy³)² | (3, 0.5), f = 0 |
/// | `booth` | (x + 2y − 7)² + (2x + y − 5)² | (1, 3), f = 0: a convex quadratic |
/// | `himmelblau` | (x² + y − 11)² + (x + y² − 7)² | four minima with f = 0, e.g. (3, 2) |
/// | `rastrigin` | 20 + Σ (xᵢ² − 10 cos 2πxᵢ) | 0 at the origin; many local minima |
/// | `quadratic` | ½(x² + 25y²) | 0 at the origin: an ill-conditioned bowl (condition number 25) |
///
/// Reference: Jamil & Yang, 2013, *A literature survey of benchmark functions for global
/// optimisation problems*; the quartic is the computational example of Wikipedia's "Gradient descent".
public enum TestFunction: String, CaseIterable, Sendable {
    case quartic, rosenbrock, beale, booth, himmelblau, rastrigin, quadratic

    /// The number of coordinates (1 for `quartic`, 2 otherwise).
    public var dimension: Int { self == .quartic ? 1 : 2 }

    /// A customary starting point: the seed's 6 for `quartic`, (−1.5, 2) for `rosenbrock`, …
    public var defaultStart: [Double] {
        switch self {
        case .quartic: return [6]
        case .rosenbrock: return [-1.5, 2]
        case .beale: return [1, 1.5]
        case .booth: return [-4, 6]
        case .himmelblau: return [0, 0]
        case .rastrigin: return [2.5, -2.2]
        case .quadratic: return [-4, 1.5]
        }
    }

    /// The global minimiser(s).
    public var minima: [[Double]] {
        switch self {
        case .quartic: return [[2.25]]
        case .rosenbrock: return [[1, 1]]
        case .beale: return [[3, 0.5]]
        case .booth: return [[1, 3]]
        case .himmelblau: return [[3, 2], [-2.805118, 3.131312], [-3.779310, -3.283186], [3.584428, -1.848127]]
        case .rastrigin, .quadratic: return [[0, 0]]
        }
    }

    /// f(p). `p` must have ``dimension`` elements.
    public func value<T: Real & BinaryFloatingPoint>(_ p: [T]) -> T {
        switch self {
        case .quartic:
            let w = p[0]
            return w * w * w * w - 3 * w * w * w + 2
        case .rosenbrock:
            let (x, y) = (p[0], p[1])
            return (1 - x) * (1 - x) + 100 * (y - x * x) * (y - x * x)
        case .beale:
            let (x, y) = (p[0], p[1])
            let (u1, u2, u3) = bealeTerms(x, y)
            return u1 * u1 + u2 * u2 + u3 * u3
        case .booth:
            let (x, y) = (p[0], p[1])
            let a = x + 2 * y - 7, b = 2 * x + y - 5
            return a * a + b * b
        case .himmelblau:
            let (x, y) = (p[0], p[1])
            let a = x * x + y - 11, b = x + y * y - 7
            return a * a + b * b
        case .rastrigin:
            var sum = T(10) * T(p.count)
            for x in p { sum += x * x - 10 * T.cos(2 * T.pi * x) }
            return sum
        case .quadratic:
            let (x, y) = (p[0], p[1])
            return (x * x + 25 * y * y) / 2
        }
    }

    private func bealeTerms<T: Real & BinaryFloatingPoint>(_ x: T, _ y: T) -> (T, T, T) {
        let y2: T = y * y, y3: T = y2 * y
        let u1: T = T(1.5) - x + x * y
        let u2: T = T(2.25) - x + x * y2
        let u3: T = T(2.625) - x + x * y3
        return (u1, u2, u3)
    }

    /// ∇f(p), from the analytic formulas.
    public func gradient<T: Real & BinaryFloatingPoint>(_ p: [T]) -> [T] {
        switch self {
        case .quartic:
            let w = p[0]
            return [4 * w * w * w - 9 * w * w]
        case .rosenbrock:
            let (x, y) = (p[0], p[1])
            return [-2 * (1 - x) - 400 * x * (y - x * x), 200 * (y - x * x)]
        case .beale:
            let (x, y) = (p[0], p[1])
            let (u1, u2, u3) = bealeTerms(x, y)
            let y2: T = y * y, y3: T = y2 * y
            let gx1: T = 2 * u1 * (y - 1), gx2: T = 2 * u2 * (y2 - 1), gx3: T = 2 * u3 * (y3 - 1)
            let gy1: T = 2 * u1 * x, gy2: T = 4 * u2 * x * y, gy3: T = 6 * u3 * x * y2
            return [gx1 + gx2 + gx3, gy1 + gy2 + gy3]
        case .booth:
            let (x, y) = (p[0], p[1])
            let a = x + 2 * y - 7, b = 2 * x + y - 5
            return [2 * a + 4 * b, 4 * a + 2 * b]
        case .himmelblau:
            let (x, y) = (p[0], p[1])
            let a = x * x + y - 11, b = x + y * y - 7
            return [4 * x * a + 2 * b, 2 * a + 4 * y * b]
        case .rastrigin:
            return p.map { x in 2 * x + 20 * T.pi * T.sin(2 * T.pi * x) }
        case .quadratic:
            return [p[0], 25 * p[1]]
        }
    }
}
