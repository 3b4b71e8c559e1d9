import DescentCore

/// A measure a person reads to judge a model, accumulated over batches (torchmetrics' `Metric`).
///
/// Unlike a ``Loss``, a metric need not be differentiable (accuracy jumps as a prediction crosses
/// a boundary). Feed every batch of an epoch with ``update(predictions:targets:)``, read
/// ``value`` (or ``summary``), then ``reset()``. Counts and sums are kept in `Double`/`Int`, so
/// the result over batches equals the result over the whole set at once.
public protocol Metric: Sendable {
    /// The metric's result type (a number, or a struct of numbers); `Codable` for history files.
    associatedtype Value: Codable & Sendable
    /// Adds one batch. - Throws: ``MetricError`` when the shapes or labels do not fit.
    mutating func update<Scalar: TensorScalar>(predictions: Tensor<Scalar>, targets: Tensor<Scalar>) throws
    /// The result over everything since the last reset.
    var value: Value { get }
    /// Named numbers for logs and history (for example `["precision": 0.8, "recall": 0.7, "f1": 0.75]`).
    var summary: [String: Double] { get }
    /// Forgets every batch.
    mutating func reset()
}

/// Predictions and targets that a metric cannot compare.
public struct MetricError: Error, CustomStringConvertible, Equatable, Sendable {
    /// What was wrong and what to do about it.
    public var message: String
    /// An error with `message`.
    public init(_ message: String) { self.message = message }
    /// The message.
    public var description: String { message }
}

/// The predicted class of each row: the arg-max of `[n, C]` scores, or for `[n]`/`[n, 1]` scores
/// of a binary model, 1 where the score is ≥ `threshold`.
func predictedClasses<Scalar: TensorScalar>(_ predictions: Tensor<Scalar>, threshold: Double, metric: String) throws -> [Int] {
    if predictions.rank == 2 && predictions.shape[1] > 1 { return predictions.argmax(alongAxis: 1) }
    guard predictions.rank == 1 || (predictions.rank == 2 && predictions.shape[1] == 1) else {
        throw MetricError("\(metric): predictions must be [n, classes] scores or [n] binary scores, got shape \(predictions.shape)")
    }
    return predictions.doubles.map { $0 >= threshold ? 1 : 0 }
}

/// Class labels from a `[n]` (or `[n, 1]`) tensor of whole numbers.
func classLabels<Scalar: TensorScalar>(_ targets: Tensor<Scalar>, count: Int, metric: String) throws -> [Int] {
    guard targets.scalarCount == count, targets.rank <= 2, targets.rank < 2 || targets.shape[1] == 1 else {
        throw MetricError("\(metric): targets must be [n] class labels for \(count) predictions, got shape \(targets.shape)")
    }
    return try targets.doubles.enumerated().map { index, value in
        guard value == value.rounded(), value >= 0, value < 1e9 else {
            throw MetricError("\(metric): target \(index) is \(value); class labels must be whole numbers ≥ 0")
        }
        return Int(value)
    }
}
