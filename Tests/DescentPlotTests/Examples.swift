import Foundation
@testable import DescentPlot

/// Charts built from small synthetic training runs, shared by the tests.
enum Examples {
    /// Loss falling like a·e^(−kt) + floor; the values are made up to look like training.
    static func decay(start: Double, floor: Double, rate: Double, count: Int) -> [Double] {
        (0..<count).map { floor + (start - floor) * exp(-rate * Double($0)) }
    }

    static func lossCurves() -> LineChart {
        var chart = LineChart(title: "Training loss", xLabel: "epoch", yLabel: "loss")
        chart.add(Series(name: "SGD", y: decay(start: 2.3, floor: 0.4, rate: 0.05, count: 60)))
        chart.add(Series(name: "SGD + momentum", y: decay(start: 2.3, floor: 0.2, rate: 0.12, count: 60)))
        chart.add(Series(name: "Adam", y: decay(start: 2.3, floor: 0.1, rate: 0.25, count: 60)))
        chart.add(Series(name: "Adam (validation)", y: decay(start: 2.3, floor: 0.18, rate: 0.22, count: 60), color: Palette.okabeIto.color(at: 2), isDashed: true))
        chart.add(.vertical(at: 41, label: "early stopping"))
        return chart
    }

    /// Three optimizers; one diverges to 1e12 and then NaN.
    static func divergingLossCurves() -> LineChart {
        var chart = LineChart(title: "Learning rate too high", xLabel: "step", yLabel: "loss")
        var diverging = decay(start: 2.3, floor: 1, rate: 0.3, count: 12)
        for step in 0..<20 { diverging.append(pow(10, Double(step) * 0.6)) }
        diverging += [.infinity, .nan]
        chart.add(Series(name: "SGD lr=0.01", y: decay(start: 2.3, floor: 0.3, rate: 0.08, count: 50)))
        chart.add(Series(name: "SGD lr=1", y: diverging))
        chart.add(Series(name: "Adam", y: decay(start: 2.3, floor: 0.05, rate: 0.2, count: 50)))
        chart.yScale = .log
        chart.yRange = .robust
        chart.add(.vertical(at: 31, label: "diverged", color: Palette.okabeIto.color(at: 1)))
        return chart
    }

    static func learningRateFinder() -> LineChart {
        let rates = (0..<80).map { pow(10, -6 + 6 * Double($0) / 79) }
        let losses = rates.map { rate -> Double in
            let x = log10(rate)
            return 2.3 - 1.6 / (1 + exp(-(x + 3.5) * 2.5)) + (x > -1 ? pow(10, (x + 1) * 1.5) - 1 : 0)
        }
        var chart = LineChart(title: "Learning-rate finder", xLabel: "learning rate", yLabel: "smoothed loss")
        chart.add(Series(name: "", x: rates, y: losses))
        chart.xScale = .log
        chart.yRange = .robust
        chart.add(.vertical(at: 3e-3, label: "suggested 3e-3 (steepest)", color: Palette.okabeIto.color(at: 2)))
        chart.add(.vertical(at: 1e-1, label: "minimum / 10", color: Palette.okabeIto.color(at: 3)))
        return chart
    }

    /// f(w) = w⁴ − 3w³ + 2 with gradient-descent iterates from w = 0.5, learning rate 0.05.
    static func quarticWithIterates(animated: Bool) -> LineChart {
        func f(_ w: Double) -> Double { w * w * w * w - 3 * w * w * w + 2 }
        func gradient(_ w: Double) -> Double { 4 * w * w * w - 9 * w * w }
        var iterates = [0.5]
        for _ in 0..<30 { iterates.append(iterates.last! - 0.05 * gradient(iterates.last!)) }
        var chart = LineChart(title: "Gradient descent on w⁴ − 3w³ + 2", xLabel: "w", yLabel: "f(w)")
        chart.add(Series(name: "f(w)", function: f, in: -1...3.2, color: .darkGray))
        chart.add(Series(name: "iterates (lr = 0.05)", x: iterates, y: iterates.map(f), style: .lineAndPoints))
        chart.add(.vertical(at: 2.25, label: "minimum w = 9/4"))
        chart.legendPosition = .topLeft
        if animated { chart.animation = Animation(duration: 6) }
        return chart
    }

    static func twoMoons(count: Int) -> (x: [Double], y: [Double], classes: [Int]) {
        var generator = SplitMix(seed: 7)
        var xs: [Double] = [], ys: [Double] = [], classes: [Int] = []
        for index in 0..<count {
            let upper = index % 2 == 0
            let angle = Double.pi * generator.nextUnit()
            xs.append((upper ? cos(angle) : 1 - cos(angle)) + 0.15 * (generator.nextUnit() - 0.5))
            ys.append((upper ? sin(angle) : 0.5 - sin(angle)) + 0.15 * (generator.nextUnit() - 0.5))
            classes.append(upper ? 0 : 1)
        }
        return (xs, ys, classes)
    }

    static func scatterWithRegions() -> ScatterPlot {
        let moons = twoMoons(count: 200)
        var plot = ScatterPlot(title: "Two moons: decision regions", xLabel: "x₁", yLabel: "x₂")
        plot.add(x: moons.x, y: moons.y, classes: moons.classes, classNames: ["upper moon", "lower moon"])
        plot.regions = DecisionRegions(x: -1.5...2.5, y: -1...1.5, resolution: 80) { x, y in
            y > 0.25 + 0.4 * sin(2 * (x - 0.5)) ? 0 : 1
        }
        return plot
    }

    static func confusionMatrix() -> HeatMap {
        var matrix = HeatMap(title: "Confusion matrix <test set>", counts: [[50, 2, 0], [3, 45, 7], [0, 5, 38]])
        matrix.columnLabels = ["setosa", "versicolor", "virginica"]
        matrix.rowLabels = ["setosa", "versicolor", "virginica"]
        matrix.xLabel = "predicted class"
        matrix.yLabel = "true class"
        matrix.colorMap = .blues
        return matrix
    }

    static func rosenbrock(_ x: Double, _ y: Double) -> Double { (1 - x) * (1 - x) + 100 * (y - x * x) * (y - x * x) }

    /// Iterates of plain gradient descent and of heavy-ball momentum on Rosenbrock from (−1.5, 2).
    static func rosenbrockPaths() -> [Series] {
        func gradient(_ x: Double, _ y: Double) -> (Double, Double) {
            (-2 * (1 - x) - 400 * x * (y - x * x), 200 * (y - x * x))
        }
        var plain = [(-1.5, 2.0)]
        for _ in 0..<3000 {
            let (x, y) = plain.last!
            let g = gradient(x, y)
            plain.append((x - 5e-4 * g.0, y - 5e-4 * g.1))
        }
        var momentum = [(-1.5, 2.0)]
        var velocity = (0.0, 0.0)
        for _ in 0..<3000 {
            let (x, y) = momentum.last!
            let g = gradient(x, y)
            velocity = (0.9 * velocity.0 + g.0, 0.9 * velocity.1 + g.1)
            momentum.append((x - 5e-4 * velocity.0, y - 5e-4 * velocity.1))
        }
        return [
            Series(name: "gradient descent", x: plain.map(\.0), y: plain.map(\.1)),
            Series(name: "momentum 0.9", x: momentum.map(\.0), y: momentum.map(\.1)),
        ]
    }

    static func rosenbrockRace(animated: Bool) -> ContourPlot {
        var plot = ContourPlot(title: "Rosenbrock: the optimizer race", xLabel: "x", yLabel: "y", x: -2...2, y: -1...3, function: rosenbrock)
        plot.levels = .logarithmic(count: 14)
        plot.colorBarLabel = "f(x, y)"
        for path in rosenbrockPaths() { plot.add(path) }
        if animated { plot.animation = Animation(duration: 8, repeats: true) }
        return plot
    }

    static func contourLinesOnly() -> ContourPlot {
        var plot = ContourPlot(title: "Quadratic bowl", xLabel: "w₁", yLabel: "w₂", x: -3...3, y: -3...3, resolution: 60) { x, y in
            x * x + 4 * y * y + x * y
        }
        plot.isFilled = false
        plot.levels = .linear(count: 8)
        plot.add(Series(name: "GD", x: [2.5, 1.8, 1.2, 0.7, 0.3, 0.1], y: [2.5, 0.5, 0.3, 0.1, 0.05, 0], style: .lineAndPoints))
        return plot
    }
}

/// A tiny deterministic random number generator so example data is the same on every run.
struct SplitMix {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    /// Uniform in [0, 1).
    mutating func nextUnit() -> Double { Double(next() >> 11) / Double(1 << 53) }
}
