import Descent

/// Turns `descent optimize` runs into a picture: the paths over the function's contour plot,
/// or, for the 1-D quartic, the iterates on its curve.
///
/// Each optimizer takes the next colour of the palette, dash pattern and marker shape
/// (`appearance(ofRun:)`), so paths that coincide stay apart, also in grey print; every path after
/// the first is translucent, so a later path drawn over an earlier one does not hide it. Each is
/// named in the legend by its spec as typed; a run that diverged is drawn up to its last finite point and its legend entry says at
/// which step it diverged. With `animated`, the paths grow step by step in the SVG itself (SMIL,
/// no JavaScript), all in step: the optimizer race.
struct OptimizerPathPlot {
    /// One optimizer's run and its legend name.
    struct Run {
        /// The name in the legend: the optimizer spec as the user typed it.
        var label: String
        /// The path.
        var trajectory: Trajectory
    }

    /// The function the runs descend.
    var function: TestFunction
    /// The runs, drawn in order.
    var runs: [Run]
    /// Whether the paths grow step by step.
    var animated = false

    /// Seconds the race lasts: about 0.08 s per step, between 4 and 12 s.
    var animationDuration: Double {
        let steps = runs.map { $0.trajectory.points.count }.max() ?? 0
        return Swift.min(Swift.max(Double(steps) * 0.08, 4), 12)
    }

    /// The SVG document, `width` × `height` pixels.
    func svg(width: Double = 720, height: Double = 520) -> String {
        function.dimension == 1 ? curveChart().svg(width: width, height: height) : contourChart().svg(width: width, height: height)
    }

    /// The legend name of `run`: its label, plus how it ended when it did not end well.
    func legendName(of run: Run, window: [ClosedRange<Double>]) -> String {
        if run.trajectory.divergence != nil, let last = run.trajectory.points.last {
            return "\(run.label) — diverged at step \(last.step + 1)"
        }
        if run.trajectory.points.contains(where: { !PlotWindow.contains(window, $0.parameters) }) {
            return "\(run.label) — leaves the plot"
        }
        return run.label
    }

    /// The dash pattern of run `index` (`[]`: solid), in order, repeating after five.
    /// The playground's race uses the same list (`RACE_DASHES` in `PlaygroundPage+Charts.swift`).
    static let dashPatterns: [[Double]] = [[], [9, 4], [1, 4], [10, 4, 1, 4], [5, 3]]

    /// The opacity of every path after the first.
    static let laterPathOpacity = 0.7

    /// How run `index` is drawn: the palette's colour `index` (the series' default), a dash pattern,
    /// a marker shape (of its iterates and its end marker) and its opacity.
    static func appearance(ofRun index: Int) -> (dashPattern: [Double], marker: Series.Marker, opacity: Double) {
        let markers = Series.Marker.allCases
        return (dashPatterns[index % dashPatterns.count], markers[index % markers.count], index == 0 ? 1 : laterPathOpacity)
    }

    /// `series` drawn as run `index`.
    static func styled(_ series: Series, asRun index: Int) -> Series {
        var styled = series
        (styled.dashPattern, styled.marker, styled.opacity) = appearance(ofRun: index)
        return styled
    }

    /// Lines with a dot per iterate while the dots stay apart; a plain line for long runs.
    private func pathStyle(pointCount: Int) -> Series.Style {
        pointCount <= 80 ? .lineAndPoints : .line
    }

    /// The 2-D picture: filled contours (log-spaced levels for the functions spanning many
    /// decades), one path per run, and the known minima marked.
    func contourChart() -> ContourPlot {
        var window = PlotWindow.fitted(function: function, paths: runs.map { $0.trajectory.points.map(\.parameters) })
        // Headroom above the data for the legend (one 19-pixel row per entry on a plot about 430
        // pixels tall), so it does not hide the paths or the minimum.
        let legendShare = Swift.min(Double(runs.count + 1) * 19 + 24, 200) / 430
        let height = window[1].upperBound - window[1].lowerBound
        window[1] = window[1].lowerBound...(window[1].upperBound + height * legendShare / (1 - legendShare))
        let f = function
        var plot = ContourPlot(title: Self.title(of: function), xLabel: "x", yLabel: "y", x: window[0], y: window[1], resolution: 120) { x, y in
            f.value([x, y])
        }
        plot.levels = function == .rastrigin ? .linear(count: 14) : .logarithmic(count: 18)
        plot.colorBarLabel = "f(x, y)"
        for (index, run) in runs.enumerated() {
            let points = run.trajectory.points
            plot.add(Self.styled(Series(name: legendName(of: run, window: window), x: points.map { $0.parameters[0] },
                                        y: points.map { $0.parameters[1] }, style: pathStyle(pointCount: points.count)), asRun: index))
        }
        let minima = function.minima.filter { PlotWindow.contains(window, $0) }
        for (index, minimum) in minima.enumerated() {
            var marker = Series(name: index == 0 ? (minima.count == 1 ? "minimum" : "minima") : "", x: [minimum[0]], y: [minimum[1]],
                                style: .points, color: .black)
            marker.isAnimated = false
            plot.add(marker)
        }
        if animated { plot.animation = Animation(duration: animationDuration, repeats: true) }
        return plot
    }

    /// The 1-D picture: the curve, each run's iterates as dots on it, the minimum marked.
    func curveChart() -> LineChart {
        let window = PlotWindow.fitted(function: function, paths: runs.map { $0.trajectory.points.map(\.parameters) })
        let f = function
        func value(_ w: Double) -> Double { f.value([w]) }
        var chart = LineChart(title: Self.title(of: function), xLabel: "w", yLabel: "f(w)")
        let curve = Series(name: "f(w)", function: value, in: window[0], sampleCount: 300, color: .darkGray)
        chart.add(curve)
        for (index, run) in runs.enumerated() {
            let ws = run.trajectory.points.map { $0.parameters[0] }
            // The curve is series 0 of the chart: run `index` takes the palette's colour `index + 1` by default.
            chart.add(Self.styled(Series(name: legendName(of: run, window: window), x: ws, y: ws.map(value), style: .lineAndPoints), asRun: index))
        }
        for minimum in function.minima {
            chart.add(.vertical(at: minimum[0], label: "minimum w = \(OptimizeCommand.short(minimum[0]))"))
        }
        // The y axis spans the curve's lowest value and the highest iterate shown, so the steep
        // walls beyond the iterates (w⁴ grows fast) do not flatten the well around the minimum.
        let shownIterates = runs.flatMap { $0.trajectory.points.map { $0.parameters[0] } }.filter { window[0].contains($0) }
        let low = curve.y.min() ?? 0
        let high = shownIterates.isEmpty ? (curve.y.max() ?? 1) : Swift.max(shownIterates.map(value).max()!, low + 1)
        let padding = 0.05 * Swift.max(high - low, 1e-9)
        chart.xRange = .fixed(window[0])
        chart.yRange = .fixed((low - padding)...(high + padding))
        if animated { chart.animation = Animation(duration: animationDuration, repeats: true) }
        return chart
    }

    /// The function's name and formula, for the title.
    static func title(of function: TestFunction) -> String {
        switch function {
        case .quartic: return "quartic: f(w) = w⁴ − 3w³ + 2"
        case .rosenbrock: return "Rosenbrock: (1 − x)² + 100(y − x²)²"
        case .beale: return "Beale: (1.5 − x + xy)² + (2.25 − x + xy²)² + (2.625 − x + xy³)²"
        case .booth: return "Booth: (x + 2y − 7)² + (2x + y − 5)²"
        case .himmelblau: return "Himmelblau: (x² + y − 11)² + (x + y² − 7)²"
        case .rastrigin: return "Rastrigin: 20 + Σ (xᵢ² − 10 cos 2πxᵢ)"
        case .quadratic: return "ill-conditioned bowl: ½(x² + 25y²)"
        }
    }
}
