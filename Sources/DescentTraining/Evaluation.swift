import DescentCore
import DescentData
import DescentNN

extension Batch {
    /// The batch's targets as the tensor `loss` expects next to `predictions`:
    /// class indices as a `[n]` tensor of whole numbers for cross-entropy, 0/1 values in the
    /// predictions' shape for binary losses, real values reshaped to the predictions' shape.
    /// - Throws: ``TrainingError`` when the targets cannot fit the loss (real values for a
    ///   classification loss, or a count that does not match the predictions).
    public func targetTensor(for loss: any Loss, predictions: Tensor<Scalar>) throws -> Tensor<Scalar> {
        switch targets {
        case .classes(let labels):
            switch loss.targetKind {
            case .classIndices:
                return Tensor(shape: [labels.count]) { out in for i in 0..<labels.count { out[i] = Scalar(labels[i]) } }
            case .binary, .values:
                guard predictions.scalarCount == labels.count else {
                    throw TrainingError("\(loss) needs one output per sample for class labels, but the model gives \(predictions.shape); "
                                        + "use cross-entropy for several classes")
                }
                return Tensor(shape: predictions.shape) { out in for i in 0..<labels.count { out[i] = Scalar(labels[i]) } }
            }
        case .values(let values):
            if loss.targetKind == .classIndices {
                throw TrainingError("\(loss) needs class labels, but the targets are real values; use a regression loss such as mse, or --task classification")
            }
            if values.shape == predictions.shape { return values }
            guard values.scalarCount == predictions.scalarCount else {
                throw TrainingError("the targets have shape \(values.shape) but the model predicts \(predictions.shape); the output size must match the number of target columns")
            }
            return try values.reshaped(to: predictions.shape)
        }
    }
}

/// The loss and metrics of a model over a whole dataset.
public struct EvaluationResult: Equatable, Sendable {
    /// The mean loss per sample (batch losses weighted by batch size).
    public var loss: Double
    /// Every metric's named values (`accuracy`, `mse`, …).
    public var metrics: [String: Double]
    /// The number of samples.
    public var count: Int

    /// `loss` under the key `"loss"`, with the metrics.
    public var values: [String: Double] { metrics.merging(["loss": loss]) { a, _ in a } }
}

/// Computes the loss and metrics of `model` over every batch of `loader` (its epoch 0), in
/// evaluation mode and without recording gradients (`model.eval(); with torch.no_grad(): …`).
///
/// - Parameters:
///   - model: the model.
///   - loss: a loss with `mean` reduction; batch means are weighted by batch size.
///   - metrics: metrics to fill (each is reset first).
///   - loader: the data.
/// - Throws: errors from the loader, the model, the loss or the metrics.
public func evaluate<Scalar: TensorScalar>(
    _ model: any Layer<Scalar>, loss: any Loss, metrics: [any Metric] = [], on loader: any BatchLoader<Scalar>
) throws -> EvaluationResult {
    var metrics = metrics
    for index in metrics.indices { metrics[index].reset() }
    var total = 0.0
    var count = 0
    try withoutGradients {
        let batches = try loader.batches(epoch: 0, startingAt: 0)
        while let batch = try batches.next() {
            let predictions = try model.forward(batch.features, context: .evaluation)
            let targets = try batch.targetTensor(for: loss, predictions: predictions)
            total += Double(try batchLoss(loss, predictions, targets, batch: batch).scalar) * Double(batch.count)
            count += batch.count
            for index in metrics.indices { try metrics[index].update(predictions: predictions, targets: targets) }
        }
    }
    var values: [String: Double] = [:]
    for metric in metrics { values.merge(metric.summary) { a, _ in a } }
    return EvaluationResult(loss: count == 0 ? .nan : total / Double(count), metrics: values, count: count)
}

/// `loss(predictions, targets)`; for cross-entropy with class labels, the labels go in as they
/// are, which is what the loss does with `targets` after checking and converting every value
/// back to a whole number (the same call, without a generic conversion per row, which was the
/// largest part of an evaluation pass: BENCHMARKS.md, "Full-loss pass and checkpoint overheads
/// (issue 15)").
private func batchLoss<Scalar: TensorScalar>(_ loss: any Loss, _ predictions: Tensor<Scalar>, _ targets: Tensor<Scalar>,
                                             batch: Batch<Scalar>) throws -> Tensor<Scalar> {
    if let crossEntropy = loss as? CrossEntropyLoss, case .classes(let labels) = batch.targets, predictions.rank == 2 {
        return try crossEntropy(predictions, labels: labels)
    }
    return try loss(predictions, targets)
}
