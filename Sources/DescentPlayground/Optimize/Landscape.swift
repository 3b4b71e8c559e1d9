import Descent

/// How the landscape view shows a ``TestFunction``: the window it draws, the start it offers
/// first, and the function's values on a grid over that window (computed here, in Swift, from the
/// same formulas the optimizers descend, so the page never has a second copy of them).
enum Landscape {
    /// The window drawn, one range per coordinate: each function's customary plotting domain
    /// (Jamil & Yang, 2013), the quartic's from −2 to 4 so the seed's start −1.5, the flat
    /// inflection point at 0 and the minimum at 9/4 are all in view.
    static let windows: [TestFunction: [ClosedRange<Double>]] = [
        .quartic: [-2...4], .rosenbrock: [-2...2, -1...3], .beale: [-4.5...4.5, -4.5...4.5], .booth: [-10...10, -10...10],
        .himmelblau: [-5...5, -5...5], .rastrigin: [-5.12...5.12, -5.12...5.12], .quadratic: [-5...5, -3...3],
    ]

    /// The start the page offers first: the seed's −1.5 for the quartic, whose first gradient
    /// there is 4·(−1.5)³ − 9·(−1.5)² = −33.75; the function's ``TestFunction/defaultStart`` otherwise.
    static func start(of function: TestFunction) -> [Double] {
        function == .quartic ? [-1.5] : function.defaultStart
    }

    /// The functions as the catalogue lists them.
    static var catalogue: JSONValue {
        .array(TestFunction.allCases.map { function in
            let window = windows[function] ?? [-1...1, -1...1]
            return .object([("name", .string(function.rawValue)), ("dimension", .number(Double(function.dimension))),
                            ("start", .array(start(of: function).map(JSONValue.number))),
                            ("minima", .array(function.minima.map { .array($0.map(JSONValue.number)) })),
                            ("window", .array(window.map { .array([.number($0.lowerBound), .number($0.upperBound)]) }))])
        })
    }

    /// f on a `size`-point grid over the window: for the quartic `size` values from the left
    /// end to the right; otherwise `size × size` values row by row from the top (the largest y),
    /// each at a cell's centre.
    static func grid(of function: TestFunction, size: Int) -> JSONValue {
        let window = windows[function] ?? [-1...1, -1...1]
        func at(_ range: ClosedRange<Double>, _ i: Int, fromTop: Bool = false) -> Double {
            let t = (Double(i) + 0.5) / Double(size)
            return fromTop ? range.upperBound - t * (range.upperBound - range.lowerBound) : range.lowerBound + t * (range.upperBound - range.lowerBound)
        }
        var values: [Double] = []
        if function.dimension == 1 {
            values = (0..<size).map { function.value([at(window[0], $0)]) }
        } else {
            for row in 0..<size {
                for column in 0..<size { values.append(function.value([at(window[0], column), at(window[1], row, fromTop: true)])) }
            }
        }
        return .object([("function", .string(function.rawValue)), ("size", .number(Double(size))),
                        ("window", .array(window.map { .array([.number($0.lowerBound), .number($0.upperBound)]) })),
                        ("values", .array(values.map(JSONValue.number)))])
    }
}
