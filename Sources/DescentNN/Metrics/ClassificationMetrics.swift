import DescentCore

/// The fraction of rows whose predicted class is the target class.
///
/// Predictions are `[n, C]` scores (logits or probabilities; the arg-max is the prediction) or,
/// for a binary model, `[n]`/`[n, 1]` scores compared with ``threshold``. Targets are `[n]` labels.
public struct Accuracy: Metric {
    /// The binary decision threshold: `0.5` for probabilities, `0` for logits.
    public var threshold: Double
    /// Correct predictions so far.
    public private(set) var correct = 0
    /// Predictions so far.
    public private(set) var total = 0

    /// An accuracy metric. - Parameter threshold: for one-column predictions. The default value is `0.5`.
    public init(threshold: Double = 0.5) { self.threshold = threshold }

    /// Adds one batch of predictions and targets.

    public mutating func update<Scalar: TensorScalar>(predictions: Tensor<Scalar>, targets: Tensor<Scalar>) throws {
        let predicted = try predictedClasses(predictions, threshold: threshold, metric: "Accuracy")
        let labels = try classLabels(targets, count: predicted.count, metric: "Accuracy")
        correct += zip(predicted, labels).filter { $0 == $1 }.count
        total += labels.count
    }
    /// `correct / total` (0 before any update).
    public var value: Double { total == 0 ? 0 : Double(correct) / Double(total) }
    /// The result under its conventional short name.
    public var summary: [String: Double] { ["accuracy": value] }
    /// Forgets every batch.
    public mutating func reset() { correct = 0; total = 0 }
}

/// The fraction of rows whose target class is among the `k` highest scores.
///
/// Ties are broken by class index, as a stable sort would: class `c` ranks above class `d` when
/// its score is larger, or equal with `c < d`. `k = 1` is ``Accuracy``.
public struct TopKAccuracy: Metric {
    /// How many of the highest-scoring classes count.
    public let k: Int
    /// Hits so far.
    public private(set) var correct = 0
    /// Rows so far.
    public private(set) var total = 0

    /// A top-k accuracy metric. - Parameter k: at least 1. The default value is `5`.
    public init(k: Int = 5) {
        precondition(k >= 1, "TopKAccuracy: k must be ≥ 1, got \(k)")
        self.k = k
    }

    /// Adds one batch of predictions and targets.

    public mutating func update<Scalar: TensorScalar>(predictions: Tensor<Scalar>, targets: Tensor<Scalar>) throws {
        guard predictions.rank == 2 else {
            throw MetricError("TopKAccuracy: predictions must be [n, classes], got shape \(predictions.shape)")
        }
        let n = predictions.shape[0], classes = predictions.shape[1]
        let labels = try classLabels(targets, count: n, metric: "TopKAccuracy")
        let scores = predictions.doubles
        for (row, label) in labels.enumerated() {
            guard label < classes else { throw MetricError("TopKAccuracy: label \(label) at row \(row) is not below \(classes) classes") }
            let target = scores[row * classes + label]
            var rank = 0
            for c in 0..<classes where c != label {
                let s = scores[row * classes + c]
                if s > target || (s == target && c < label) { rank += 1 }
            }
            if rank < k { correct += 1 }
        }
        total += n
    }
    /// `correct / total` (0 before any update).
    public var value: Double { total == 0 ? 0 : Double(correct) / Double(total) }
    /// The result under its conventional short name.
    public var summary: [String: Double] { ["top\(k)Accuracy": value] }
    /// Forgets every batch.
    public mutating func reset() { correct = 0; total = 0 }
}

/// Counts of (target class, predicted class) pairs: `counts[t][p]` (rows: truth, columns: prediction,
/// as scikit-learn's `confusion_matrix`).
public struct ConfusionMatrix: Metric {
    /// The number of classes.
    public let classCount: Int
    /// The binary decision threshold for one-column predictions.
    public var threshold: Double
    /// `counts[target][predicted]`.
    public private(set) var counts: [[Int]]

    /// An empty matrix.
    /// - Parameters:
    ///   - classCount: the number of classes (2 for a binary model).
    ///   - threshold: for one-column predictions. The default value is `0.5`.
    public init(classCount: Int, threshold: Double = 0.5) {
        self.classCount = classCount
        self.threshold = threshold
        counts = Array(repeating: Array(repeating: 0, count: classCount), count: classCount)
    }

    /// Adds one batch of predictions and targets.

    public mutating func update<Scalar: TensorScalar>(predictions: Tensor<Scalar>, targets: Tensor<Scalar>) throws {
        let predicted = try predictedClasses(predictions, threshold: threshold, metric: "ConfusionMatrix")
        let labels = try classLabels(targets, count: predicted.count, metric: "ConfusionMatrix")
        for (p, t) in zip(predicted, labels) {
            guard p < classCount, t < classCount else {
                throw MetricError("ConfusionMatrix: class \(Swift.max(p, t)) is not below the \(classCount) classes it was made for")
            }
        }
        for (p, t) in zip(predicted, labels) { counts[t][p] += 1 }
    }
    /// The counts.
    public var value: [[Int]] { counts }
    /// The result under its conventional short name.
    public var summary: [String: Double] {
        let total = counts.joined().reduce(0, +)
        return ["accuracy": total == 0 ? 0 : Double((0..<classCount).map { counts[$0][$0] }.reduce(0, +)) / Double(total)]
    }
    /// Forgets every batch.
    public mutating func reset() { counts = Array(repeating: Array(repeating: 0, count: classCount), count: classCount) }
}

/// Precision, recall and F1 per class and their unweighted (macro) means.
public struct PrecisionRecallF1Value: Codable, Sendable, Equatable {
    /// Mean over classes of `TP / (TP + FP)` (0 for a class never predicted).
    public var precision: Double
    /// Mean over classes of `TP / (TP + FN)` (0 for a class that never occurs).
    public var recall: Double
    /// Mean over classes of `2PR / (P + R)` (0 where P + R = 0), scikit-learn's macro F1.
    public var f1: Double
    /// Per-class precision.
    public var classPrecision: [Double]
    /// Per-class recall.
    public var classRecall: [Double]
    /// Per-class F1.
    public var classF1: [Double]
}

/// Macro-averaged precision, recall and F1 (scikit-learn's
/// `precision_recall_fscore_support(average='macro', zero_division=0)`), from a streaming
/// confusion matrix.
public struct PrecisionRecallF1: Metric {
    /// The confusion matrix the scores are computed from.
    public private(set) var matrix: ConfusionMatrix

    /// A metric for `classCount` classes.
    /// - Parameters:
    ///   - threshold: for one-column (binary) predictions. The default value is `0.5`.
    ///   - classCount: the number of classes.
    public init(classCount: Int, threshold: Double = 0.5) {
        matrix = ConfusionMatrix(classCount: classCount, threshold: threshold)
    }

    /// Adds one batch of predictions and targets.

    public mutating func update<Scalar: TensorScalar>(predictions: Tensor<Scalar>, targets: Tensor<Scalar>) throws {
        try matrix.update(predictions: predictions, targets: targets)
    }

    /// Per-class and macro-averaged precision, recall and F1.

    public var value: PrecisionRecallF1Value {
        let c = matrix.classCount, counts = matrix.counts
        var precision: [Double] = [], recall: [Double] = [], f1: [Double] = []
        for k in 0..<c {
            let tp = Double(counts[k][k])
            let predicted = Double((0..<c).map { counts[$0][k] }.reduce(0, +))
            let actual = Double(counts[k].reduce(0, +))
            let p = predicted == 0 ? 0 : tp / predicted
            let r = actual == 0 ? 0 : tp / actual
            precision.append(p); recall.append(r); f1.append(p + r == 0 ? 0 : 2 * p * r / (p + r))
        }
        func mean(_ x: [Double]) -> Double { x.isEmpty ? 0 : x.reduce(0, +) / Double(x.count) }
        return PrecisionRecallF1Value(precision: mean(precision), recall: mean(recall), f1: mean(f1),
                                      classPrecision: precision, classRecall: recall, classF1: f1)
    }
    /// The result under its conventional short name.
    public var summary: [String: Double] {
        let v = value
        return ["precision": v.precision, "recall": v.recall, "f1": v.f1]
    }
    /// Forgets every batch.
    public mutating func reset() { matrix.reset() }
}
