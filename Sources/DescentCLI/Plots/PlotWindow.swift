import Descent

/// The region of parameter space a picture of an optimizer shows: the customary plotting domain
/// of each test function, and the window fitted to a run's paths and the function's minima.
enum PlotWindow {
    /// The region where each function is customarily drawn (Jamil & Yang, 2013; Wikipedia's
    /// "Test functions for optimization"): the quartic's −1.5 … 4 holds its inflection point at 0 and
    /// its minimum at 9/4.
    static func domain(of function: TestFunction) -> [ClosedRange<Double>] {
        switch function {
        case .quartic: return [-1.5...4]
        case .rosenbrock: return [-2...2, -1...3]
        case .beale: return [-4.5...4.5, -4.5...4.5]
        case .booth: return [-10...10, -10...10]
        case .himmelblau: return [-5...5, -5...5]
        case .rastrigin: return [-5.12...5.12, -5.12...5.12]
        case .quadratic: return [-5...5, -3...3]
        }
    }

    /// The window for `paths` on `function`, one range per coordinate.
    ///
    /// Covers every start point, every known minimum and every path point that lies within three
    /// half-widths of the domain's centre (so a path that blows up to 1e30 does not shrink the
    /// others to a dot; it leaves the picture through an edge), padded by 8 % on each side and
    /// never narrower than a fifth of the domain.
    static func fitted(function: TestFunction, paths: [[[Double]]]) -> [ClosedRange<Double>] {
        let domain = domain(of: function)
        return domain.indices.map { axis -> ClosedRange<Double> in
            let center = (domain[axis].lowerBound + domain[axis].upperBound) / 2
            let halfWidth = (domain[axis].upperBound - domain[axis].lowerBound) / 2
            var values = function.minima.map { $0[axis] }
            for path in paths {
                if let start = path.first { values.append(start[axis]) }
                for point in path where Swift.abs(point[axis] - center) <= 3 * halfWidth { values.append(point[axis]) }
            }
            var low = values.min() ?? domain[axis].lowerBound
            var high = values.max() ?? domain[axis].upperBound
            let minimumWidth = 0.4 * halfWidth
            if high - low < minimumWidth {
                let middle = (low + high) / 2
                (low, high) = (middle - minimumWidth / 2, middle + minimumWidth / 2)
            }
            let padding = 0.08 * (high - low)
            return (low - padding)...(high + padding)
        }
    }

    /// Whether `point` lies inside `window`.
    static func contains(_ window: [ClosedRange<Double>], _ point: [Double]) -> Bool {
        zip(window, point).allSatisfy { $0.contains($1) }
    }
}
