import DescentCore

/// Streaming sums of errors for the regression metrics (predictions and targets of equal shape,
/// or `[n, 1]` and `[n]`).
struct ErrorSums: Sendable {
    var count = 0
    var squaredError = 0.0
    var absoluteError = 0.0

    mutating func add<Scalar: TensorScalar>(_ predictions: Tensor<Scalar>, _ targets: Tensor<Scalar>, metric: String) throws {
        guard predictions.scalarCount == targets.scalarCount,
              predictions.shape.filter({ $0 != 1 }) == targets.shape.filter({ $0 != 1 }) else {
            throw MetricError("\(metric): predictions of shape \(predictions.shape) and targets of shape \(targets.shape) differ")
        }
        for (p, t) in zip(predictions.doubles, targets.doubles) {
            let d = p - t
            squaredError += d * d
            absoluteError += Swift.abs(d)
        }
        count += predictions.scalarCount
    }
}

/// Mean squared error `Σ(ŷ − y)²/n` over all elements seen.
public struct MeanSquaredError: Metric {
    var sums = ErrorSums()
    /// A mean-squared-error metric.
    public init() {}
    /// Adds one batch of predictions and targets.
    public mutating func update<Scalar: TensorScalar>(predictions: Tensor<Scalar>, targets: Tensor<Scalar>) throws {
        try sums.add(predictions, targets, metric: "MeanSquaredError")
    }
    /// `Σ(ŷ − y)²/n` (0 before any update).
    public var value: Double { sums.count == 0 ? 0 : sums.squaredError / Double(sums.count) }
    /// The result under its conventional short name.
    public var summary: [String: Double] { ["mse": value] }
    /// Forgets every batch.
    public mutating func reset() { sums = ErrorSums() }
}

/// Root mean squared error `√(Σ(ŷ − y)²/n)`, in the targets' units.
public struct RootMeanSquaredError: Metric {
    var sums = ErrorSums()
    /// A root-mean-squared-error metric.
    public init() {}
    /// Adds one batch of predictions and targets.
    public mutating func update<Scalar: TensorScalar>(predictions: Tensor<Scalar>, targets: Tensor<Scalar>) throws {
        try sums.add(predictions, targets, metric: "RootMeanSquaredError")
    }
    /// `√(Σ(ŷ − y)²/n)` (0 before any update).
    public var value: Double { sums.count == 0 ? 0 : (sums.squaredError / Double(sums.count)).squareRoot() }
    /// The result under its conventional short name.
    public var summary: [String: Double] { ["rmse": value] }
    /// Forgets every batch.
    public mutating func reset() { sums = ErrorSums() }
}

/// Mean absolute error `Σ|ŷ − y|/n`.
public struct MeanAbsoluteError: Metric {
    var sums = ErrorSums()
    /// A mean-absolute-error metric.
    public init() {}
    /// Adds one batch of predictions and targets.
    public mutating func update<Scalar: TensorScalar>(predictions: Tensor<Scalar>, targets: Tensor<Scalar>) throws {
        try sums.add(predictions, targets, metric: "MeanAbsoluteError")
    }
    /// `Σ|ŷ − y|/n` (0 before any update).
    public var value: Double { sums.count == 0 ? 0 : sums.absoluteError / Double(sums.count) }
    /// The result under its conventional short name.
    public var summary: [String: Double] { ["mae": value] }
    /// Forgets every batch.
    public mutating func reset() { sums = ErrorSums() }
}

/// The coefficient of determination `R² = 1 − Σ(y − ŷ)² / Σ(y − ȳ)²`, per output column and
/// averaged uniformly over columns (scikit-learn's `r2_score`, `multioutput='uniform_average'`).
///
/// 1 is a perfect fit, 0 is as good as predicting the mean, negative is worse. The targets'
/// spread is accumulated with Chan et al.'s parallel update of mean and squared deviations, so
/// it is exact across batches and stable. A column with constant targets scores 1 if predicted
/// exactly, else 0 (scikit-learn's convention).
public struct RSquared: Metric {
    var count = 0
    var residual: [Double] = []
    var mean: [Double] = []
    var deviation: [Double] = []  // Σ(y − ȳ)² per column

    /// An R² metric.
    public init() {}

    /// Adds one batch of predictions and targets.

    public mutating func update<Scalar: TensorScalar>(predictions: Tensor<Scalar>, targets: Tensor<Scalar>) throws {
        guard predictions.scalarCount == targets.scalarCount,
              predictions.shape.filter({ $0 != 1 }) == targets.shape.filter({ $0 != 1 }) else {
            throw MetricError("RSquared: predictions of shape \(predictions.shape) and targets of shape \(targets.shape) differ")
        }
        let columns = targets.rank == 2 ? targets.shape[1] : 1
        let rows = columns == 0 ? 0 : targets.scalarCount / columns
        if residual.isEmpty {
            residual = Array(repeating: 0, count: columns); mean = residual; deviation = residual
        }
        guard residual.count == columns else {
            throw MetricError("RSquared: targets have \(columns) columns, earlier batches had \(residual.count)")
        }
        guard rows > 0 else { return }
        let p = predictions.doubles, y = targets.doubles
        for c in 0..<columns {
            var batchMean = 0.0
            for r in 0..<rows { batchMean += y[r * columns + c] }
            batchMean /= Double(rows)
            var batchDeviation = 0.0
            for r in 0..<rows {
                let v = y[r * columns + c]
                batchDeviation += (v - batchMean) * (v - batchMean)
                residual[c] += (v - p[r * columns + c]) * (v - p[r * columns + c])
            }
            // Chan et al. (1979): combine (n_a, mean_a, M2_a) with (n_b, mean_b, M2_b).
            let na = Double(count), nb = Double(rows), delta = batchMean - mean[c]
            deviation[c] += batchDeviation + delta * delta * na * nb / (na + nb)
            mean[c] += delta * nb / (na + nb)
        }
        count += rows
    }

    /// The mean over columns of `1 − residual/deviation` (0 before any update).
    public var value: Double {
        guard count > 0, !residual.isEmpty else { return 0 }
        let scores = zip(residual, deviation).map { res, dev in dev == 0 ? (res == 0 ? 1 : 0) : 1 - res / dev }
        return scores.reduce(0, +) / Double(scores.count)
    }
    /// The result under its conventional short name.
    public var summary: [String: Double] { ["r2": value] }
    /// Forgets every batch.
    public mutating func reset() { self = RSquared() }
}
