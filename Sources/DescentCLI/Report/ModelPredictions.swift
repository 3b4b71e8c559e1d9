import Descent
import Foundation

/// What a trained model predicts on a dataset, turned into the report's prediction charts: the
/// confusion matrix (classification) or predicted against actual values (regression), and for
/// the 2-D built-in datasets the decision regions over the plane.
struct ModelPredictions<Scalar: TensorScalar> {
    /// The built-in datasets whose two features are coordinates in the plane.
    static var planeDatasets: [String] { ["moons", "spirals", "circles", "blobs", "xor"] }
    /// At most this many points are drawn in a scatter plot (the report stays small).
    static var maximumPoints: Int { 2000 }

    var setup: TrainingSetup<Scalar>

    /// The data the predictions are shown on: test, else validation, else training data.
    var shownData: (name: String, dataset: TensorDataset<Scalar>) {
        if let test = setup.data.test { return ("test", test) }
        if let validation = setup.data.validation { return ("validation", validation) }
        return ("training", setup.data.train)
    }

    /// The model's outputs for `features`, in evaluation mode, 1024 rows at a time.
    func outputs(_ features: Tensor<Scalar>) throws -> Tensor<Scalar> {
        let count = features.shape[0]
        var parts: [Tensor<Scalar>] = []
        try withoutGradients {
            for start in stride(from: 0, to: count, by: 1024) {
                parts.append(try setup.model.forward(features.slice(alongAxis: 0, start..<Swift.min(start + 1024, count)), context: .evaluation))
            }
        }
        return parts.count == 1 ? parts[0] : try Tensor.concatenate(parts, alongAxis: 0)
    }

    /// The predicted class of each row: the largest output, or (one output, binary loss) a logit ≥ 0.
    func predictedClasses(_ features: Tensor<Scalar>) throws -> [Int] {
        let output = try outputs(features)
        if output.rank == 1 || output.shape[output.rank - 1] == 1 { return output.doubles.map { $0 >= 0 ? 1 : 0 } }
        return output.argmax(alongAxis: 1)
    }

    /// The confusion matrix, or predicted against actual, on ``shownData``.
    func predictionChart() throws -> (chart: any Chart, caption: String) {
        let (name, dataset) = shownData
        switch dataset.targets {
        case .classes(let labels):
            let predicted = try predictedClasses(dataset.features)
            let names = setup.data.classNames ?? []
            let classCount = Swift.max(names.count, (labels.max() ?? 0) + 1, (predicted.max() ?? 0) + 1)
            var counts = [[Int]](repeating: [Int](repeating: 0, count: classCount), count: classCount)
            for (truth, guess) in zip(labels, predicted) where truth >= 0 { counts[truth][guess] += 1 }
            let labelsShown = (0..<classCount).map { $0 < names.count ? names[$0] : String($0) }
            return (PredictionCharts.confusionMatrix(counts, classNames: labelsShown, dataName: name),
                    "Rows: the true class; columns: the class the model predicts. The diagonal counts the correct predictions.")
        case .values(let targets):
            let rows = Swift.min(dataset.count, Self.maximumPoints)
            let features = dataset.features.slice(alongAxis: 0, 0..<rows)
            var output = try outputs(features)
            var targets = targets.slice(alongAxis: 0, 0..<rows)
            if let standardizer = setup.data.targetStandardizer {  // both in the target's units
                output = try standardizer.inverseTransform(output.rank == 1 ? output.reshaped(to: [rows, 1]) : output)
                targets = try standardizer.inverseTransform(targets.rank == 1 ? targets.reshaped(to: [rows, 1]) : targets)
            }
            let outputColumns = output.rank >= 2 ? output.shape[output.rank - 1] : 1
            let targetColumns = targets.rank >= 2 ? targets.shape[targets.rank - 1] : 1
            let predicted = (0..<rows).map { output.doubles[$0 * outputColumns] }
            let actual = (0..<rows).map { targets.doubles[$0 * targetColumns] }
            let target = setup.data.target ?? "target"
            let shownNote = rows < dataset.count ? " (the first \(rows) of \(dataset.count) samples)" : ""
            return (PredictionCharts.predictedVersusActual(actual: actual, predicted: predicted, dataName: name, targetName: target),
                    "Each dot is a sample\(shownNote); dots on the dashed line are predicted exactly. The first target column is shown.")
        }
    }

    /// Whether the data is a 2-D built-in classification dataset (`builtin:moons`, …).
    var hasPlane: Bool {
        let source = setup.configuration.data.lowercased()
        guard source.hasPrefix("builtin:"), setup.data.inputCount == 2, setup.data.task == .classification else { return false }
        let name = source.dropFirst("builtin:".count).prefix { $0.isLetter }
        return Self.planeDatasets.contains(String(name))
    }

    /// The decision regions over the plane with the training points, in the data's own
    /// coordinates (the model sees them standardised); `nil` for other data.
    func decisionRegionsChart(resolution: Int = 90) throws -> ScatterPlot? {
        guard hasPlane, case .classes(let labels) = setup.data.train.targets else { return nil }
        var points = setup.data.train.features
        if let standardizer = setup.data.standardizer { points = try standardizer.inverseTransform(points) }
        let values = points.doubles
        let rows = Swift.min(labels.count, Self.maximumPoints)
        let xs = (0..<rows).map { values[$0 * 2] }, ys = (0..<rows).map { values[$0 * 2 + 1] }
        func padded(_ v: [Double]) -> ClosedRange<Double> {
            let low = v.min() ?? -1, high = v.max() ?? 1
            let pad = Swift.max(0.08 * (high - low), 1e-6)
            return (low - pad)...(high + pad)
        }
        let xRange = padded(xs), yRange = padded(ys)
        // One forward pass over the centres of a resolution × resolution grid (row 0 at the bottom).
        var grid = Tensor<Scalar>(shape: [resolution * resolution, 2]) { out in
            for row in 0..<resolution {
                for column in 0..<resolution {
                    let x = xRange.lowerBound + (Double(column) + 0.5) * (xRange.upperBound - xRange.lowerBound) / Double(resolution)
                    let y = yRange.lowerBound + (Double(row) + 0.5) * (yRange.upperBound - yRange.lowerBound) / Double(resolution)
                    out[(row * resolution + column) * 2] = Scalar(x)
                    out[(row * resolution + column) * 2 + 1] = Scalar(y)
                }
            }
        }
        if let standardizer = setup.data.standardizer { grid = try standardizer.transform(grid) }
        let predicted = try predictedClasses(grid)
        let classes = (0..<resolution).map { row in Array(predicted[(row * resolution)..<((row + 1) * resolution)]) }
        let regions = DecisionRegions(x: xRange, y: yRange, classes: classes)
        let names = setup.data.classNames ?? []
        return PredictionCharts.decisionRegions(x: xs, y: ys, classes: Array(labels.prefix(rows)), classNames: names, regions: regions,
                                                featureNames: setup.data.train.featureNames ?? [], dataName: "training")
    }
}
