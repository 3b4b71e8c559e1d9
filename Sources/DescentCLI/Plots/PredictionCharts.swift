import Descent
import Foundation

/// Pictures of what a trained model predicts: a confusion matrix for classification, predicted
/// against actual values for regression, and the decision regions of a classifier on 2-D data.
enum PredictionCharts {
    /// The confusion matrix: rows are the true classes, columns the predicted ones; each cell
    /// counts the samples (sklearn's `confusion_matrix`).
    static func confusionMatrix(_ counts: [[Int]], classNames: [String], dataName: String) -> HeatMap {
        let total = counts.joined().reduce(0, +)
        let correct = counts.indices.reduce(0) { $0 + ($1 < counts[$1].count ? counts[$1][$1] : 0) }
        let accuracy = total > 0 ? String(format: "%.1f %% correct", 100 * Double(correct) / Double(total)) : "no samples"
        var map = HeatMap(title: "Confusion matrix, \(dataName): \(accuracy)", counts: counts)
        // Counts start at zero, so the colours compare cells by their share.
        map.valueRange = .fixed(0...Double(Swift.max(counts.joined().max() ?? 1, 1)))
        map.xLabel = "predicted class"
        map.yLabel = "true class"
        map.columnLabels = classNames
        map.rowLabels = classNames
        map.colorBarLabel = "samples"
        return map
    }

    /// Predicted against actual target values, with the line y = x where perfect predictions lie.
    static func predictedVersusActual(actual: [Double], predicted: [Double], dataName: String, targetName: String) -> LineChart {
        var chart = LineChart(title: "Predicted vs actual, \(dataName) data", xLabel: "actual \(targetName)", yLabel: "predicted \(targetName)")
        let finite = (actual + predicted).filter(\.isFinite)
        let low = finite.min() ?? 0, high = finite.max() ?? 1
        chart.add(Series(name: "perfect prediction (y = x)", x: [low, high], y: [low, high], color: .darkGray, isDashed: true))
        chart.add(Series(name: "\(actual.count) samples", x: actual, y: predicted, style: .points, color: Palette.okabeIto.color(at: 0)))
        chart.legendPosition = .topLeft
        return chart
    }

    /// The points of a 2-D classification dataset over the classes the model predicts in the plane.
    static func decisionRegions(x: [Double], y: [Double], classes: [Int], classNames: [String], regions: DecisionRegions,
                                featureNames: [String], dataName: String) -> ScatterPlot {
        var plot = ScatterPlot(title: "Decision regions with the \(dataName) points", xLabel: featureNames.first ?? "x₁",
                               yLabel: featureNames.dropFirst().first ?? "x₂")
        plot.add(x: x, y: y, classes: classes, classNames: classNames)
        plot.regions = regions
        return plot
    }
}
