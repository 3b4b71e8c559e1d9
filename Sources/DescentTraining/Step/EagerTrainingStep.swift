import DescentCore
import DescentData
import DescentNN
import DescentOptim

/// The plain training step: the five lines a learner writes, on the autodiff graph.
///
///     model.zeroGradients()
///     let predictions = try model.forward(batch.features, context: .training)
///     let loss = try loss(predictions, batch.targetTensor(for: loss, predictions: predictions))
///     try loss.backward()
///     try optimizer.step(model.trainableParameters())
///
/// with gradient clipping between the last two lines when asked. Every model and loss runs here;
/// it is the reference that ``CompiledTrainingStep`` matches bit for bit.
/// - PyTorch: `opt.zero_grad(); loss = loss_fn(model(x), y); loss.backward(); opt.step()`.
public final class EagerTrainingStep<Scalar: TensorScalar>: GradientComputingStep {
    /// The model trained.
    public let model: any Layer<Scalar>
    /// The loss minimised.
    public let loss: any Loss
    /// Why this step runs instead of the compiled one.
    public let path: TrainingStepPath

    /// The plain step for `model` and `loss`; `reason` says why the compiled step is not used.
    public init(model: any Layer<Scalar>, loss: any Loss, reason: String) {
        self.model = model
        self.loss = loss
        path = .eager(reason: reason)
    }

    /// The path, with its reason.
    public var description: String { path.description }

    /// One step on `batch` (`next` is not used). Returns the batch loss before the update.
    public func train(on batch: Batch<Scalar>, next: Batch<Scalar>?, optimizer: any Optimizer<Scalar>,
                      clipping: GradientClippingRule?) throws -> Double {
        try trainUnfused(on: batch, model: model, optimizer: optimizer, clipping: clipping)
    }

    /// Zero, forward, loss, `backward()`: the gradients of `batch`, without the update.
    public func computeGradients(on batch: Batch<Scalar>) throws -> Double {
        model.zeroGradients()
        let predictions = try model.forward(batch.features, context: .training)
        let lossTensor = try loss(predictions, batch.targetTensor(for: loss, predictions: predictions))
        try lossTensor.backward()
        return Double(lossTensor.scalar)
    }
}

/// Applies `rule` to the parameters' gradients (nothing for `nil`).
package func clip<Scalar: TensorScalar>(_ parameters: [(name: String, parameter: Parameter<Scalar>)], _ rule: GradientClippingRule?) {
    switch rule {
    case .norm(let maxNorm): GradientClipping.clipByGlobalNorm(parameters.map(\.parameter), maxNorm: maxNorm)
    case .value(let limit): GradientClipping.clipByValue(parameters.map(\.parameter), limit: limit)
    case nil: break
    }
}
