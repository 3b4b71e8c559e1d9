import DescentCompiled
import DescentCore
import DescentData
import DescentNN
import DescentOptim

/// The fast training step: DescentCompiled's `CompiledStep`, built for the largest batch seen so
/// far, with the same bits as ``EagerTrainingStep``.
///
/// Without clipping it runs `CompiledStep.trainStep(features:labels:optimizer:nextFeatures:)`,
/// which fuses the optimizer's update into the backward pass for a batch of one row and folds
/// plain SGD into the weight products of small batches; with clipping it computes the gradients
/// compiled, clips them and calls the optimizer. Made by
/// ``makeTrainingStep(model:loss:allowsCompiled:)`` only for a model and loss that compile.
public final class CompiledTrainingStep<Scalar: TensorScalar>: GradientComputingStep {
    /// The model trained.
    public let model: any Layer<Scalar>
    /// The loss minimised.
    public let loss: any Loss
    /// The compiled step, built on the first batch (and rebuilt for a larger one); `nil` before.
    public private(set) var compiledStep: CompiledStep<Scalar>?
    /// Whether the model has convolutions or pooling (computed once).
    var compiledStepNeedsShape: Bool?

    /// The compiled step for `model` and `loss` (which must compile: see
    /// `CompiledStep.unsupportedReason(model:loss:)`).
    public init(model: any Layer<Scalar>, loss: any Loss) {
        self.model = model
        self.loss = loss
    }

    /// Always ``TrainingStepPath/compiled``.
    public var path: TrainingStepPath { .compiled }

    /// `"compiled step"`.
    public var description: String { path.description }

    /// One step on `batch`; `next` lets a batch-1 step compute the next sample's first-layer
    /// outputs during this step's update. Returns the batch loss before the update.
    public func train(on batch: Batch<Scalar>, next: Batch<Scalar>?, optimizer: any Optimizer<Scalar>,
                      clipping: GradientClippingRule?) throws -> Double {
        let step = try compiledStep(for: batch.count, sampleShape: Array(batch.features.shape.dropFirst()))
        let nextFeatures = next?.features
        let (labels, targets) = try labelsOrTargets(of: batch)
        guard let clipping else {
            if let labels {
                return try step.trainStep(features: batch.features, labels: labels, optimizer: optimizer, nextFeatures: nextFeatures)
            }
            return try step.trainStep(features: batch.features, targets: targets!, optimizer: optimizer, nextFeatures: nextFeatures)
        }
        // Clipping needs the gradients, so they are computed, clipped, then stepped, as the plain loop does.
        return try trainUnfused(on: batch, model: model, optimizer: optimizer, clipping: clipping)
    }

    /// The compiled forward, loss and backward on `batch` (never the fused update): the gradients
    /// of `batch`, without the update.
    public func computeGradients(on batch: Batch<Scalar>) throws -> Double {
        let step = try compiledStep(for: batch.count)
        let (labels, targets) = try labelsOrTargets(of: batch)
        if let labels { return try step.computeGradients(features: batch.features, labels: labels) }
        return try step.computeGradients(features: batch.features, targets: targets!)  // safe: labelsOrTargets gives one of the two
    }

    /// Class labels as indices for cross-entropy, as whole numbers for the other losses.
    private func labelsOrTargets(of batch: Batch<Scalar>) throws -> (labels: [Int]?, targets: Tensor<Scalar>?) {
        switch (batch.targets, loss.targetKind) {
        case (.classes(let classes), .classIndices):
            return (classes, nil)
        case (.classes(let classes), _):
            return (nil, Tensor<Scalar>(shape: [classes.count]) { out in for i in 0..<classes.count { out[i] = Scalar(classes[i]) } })
        case (.values(let values), _):
            guard loss.targetKind != .classIndices else {
                throw TrainingError("\(loss) needs class labels, but the targets are real values; use a regression loss such as mse, or --task classification")
            }
            return (nil, values)
        }
    }

    /// The compiled step for batches of `rows` rows of samples shaped `sampleShape`, built (or
    /// rebuilt for a larger batch). The shape is given to the step only for models that need it
    /// (convolutions and pooling), so a model of rows accepts its features in any shape.
    func compiledStep(for rows: Int, sampleShape: [Int] = []) throws -> CompiledStep<Scalar> {
        let needsShape = compiledStepNeedsShape ?? CompiledStep<Scalar>.needsSampleShape(model: model)
        compiledStepNeedsShape = needsShape
        let shape = needsShape && !sampleShape.isEmpty ? sampleShape : nil
        if let step = compiledStep, step.maximumBatchSize >= rows, step.sampleShape == shape { return step }
        let larger = compiledStep?.sampleShape == shape ? compiledStep?.maximumBatchSize ?? 0 : 0
        let step = try CompiledStep(model: model, loss: loss, maximumBatchSize: Swift.max(rows, larger, 1), sampleShape: shape)
        compiledStep = step
        return step
    }
}
