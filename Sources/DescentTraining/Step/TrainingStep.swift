import DescentCompiled
import DescentCore
import DescentData
import DescentNN
import DescentOptim

/// One step of gradient descent on a batch, as a ``Trainer`` runs it: zero the gradients,
/// predict, measure the loss, back-propagate, clip (if asked), update.
///
/// There are two implementations, and every result is the same bits on either:
/// ``EagerTrainingStep`` is the plain loop a learner writes (autodiff graph, `backward()`,
/// `optimizer.step`); ``CompiledTrainingStep`` replays a captured step into preallocated buffers
/// (DescentCompiled's `CompiledStep`, with the update fused into the backward pass at batch
/// size 1). ``Trainer`` chooses one once, with ``makeTrainingStep(model:loss:allowsCompiled:)``,
/// and ``Trainer/step`` says which and, on the plain loop, why: `print(trainer.step)`.
///
/// A step written outside Descent (for example one that all-reduces gradients between the
/// backward pass and the update) conforms by implementing ``train(on:next:optimizer:clipping:)``.
///
/// - PyTorch: the body of the usual training loop; fastai: `Learner._do_one_batch`.
public protocol TrainingStep<Scalar>: AnyObject, CustomStringConvertible {
    /// The element type of the model.
    associatedtype Scalar: TensorScalar

    /// Which path this step takes and, for the plain loop, why the compiled one is not used.
    var path: TrainingStepPath { get }

    /// One step on `batch`; returns the batch loss before the update.
    /// - Parameters:
    ///   - batch: the samples and their targets.
    ///   - next: the batch the next call will get, if known (a step may prepare for it; the
    ///     results are the same either way).
    ///   - optimizer: the optimizer over the model's parameters.
    ///   - clipping: gradient clipping between the backward pass and the update, or `nil`.
    func train(on batch: Batch<Scalar>, next: Batch<Scalar>?, optimizer: any Optimizer<Scalar>,
               clipping: GradientClippingRule?) throws -> Double
}

/// A ``TrainingStep`` that can stop after the backward pass: it sets every trainable parameter's
/// gradient to the batch's and returns the batch loss, without updating anything. A step that
/// changes the gradients before the update (the data-parallel all-reduce) runs this, then the
/// optimizer. Both built-in steps conform (the compiled one without its fused batch-1 update,
/// which applies the update inside the backward pass).
/// - PyTorch: `opt.zero_grad(); loss = loss_fn(model(x), y); loss.backward()`.
public protocol GradientComputingStep<Scalar>: TrainingStep {
    /// Forward, loss and backward on `batch`; every trainable parameter's gradient is *set* to
    /// this batch's. Returns the batch loss.
    func computeGradients(on batch: Batch<Scalar>) throws -> Double
}

extension GradientComputingStep {
    /// ``computeGradients(on:)``, then `clipping`, then `optimizer.step`: the unfused step.
    /// Returns the batch loss before the update.
    func trainUnfused(on batch: Batch<Scalar>, model: any Layer<Scalar>, optimizer: any Optimizer<Scalar>,
                      clipping: GradientClippingRule?) throws -> Double {
        let batchLoss = try computeGradients(on: batch)
        let parameters = model.trainableParameters()
        clip(parameters, clipping)
        try optimizer.step(parameters)
        return batchLoss
    }
}

/// Which implementation a ``TrainingStep`` is.
public enum TrainingStepPath: Equatable, Sendable, CustomStringConvertible {
    /// The compiled step (preallocated buffers, no autodiff graph, fused updates at batch size 1).
    case compiled
    /// The plain autodiff loop, with the reason the compiled step is not used (the model or
    /// loss has no compiled form, or it was turned off).
    case eager(reason: String)

    /// `"compiled step"`, or `"plain loop (autodiff): <reason>"`.
    public var description: String {
        switch self {
        case .compiled: "compiled step"
        case let .eager(reason): "plain loop (autodiff): \(reason)"
        }
    }

    /// The reason the compiled step is not used, or `nil` when it is.
    public var reason: String? {
        if case let .eager(reason) = self { return reason }
        return nil
    }
}

/// The step for `model` and `loss`: the compiled one when `allowsCompiled` and both have a
/// compiled form, otherwise the plain loop with the reason recorded in its ``TrainingStep/path``.
/// Never falls back in silence: the reason is there to print.
/// - Parameters:
///   - model: the model.
///   - loss: the loss (mean reduction).
///   - allowsCompiled: whether the compiled step may be used. The default value is `true`.
public func makeTrainingStep<Scalar: TensorScalar>(model: any Layer<Scalar>, loss: any Loss,
                                                   allowsCompiled: Bool = true) -> any TrainingStep<Scalar> {
    guard allowsCompiled else {
        return EagerTrainingStep(model: model, loss: loss, reason: "the compiled step is turned off (usesCompiledStep = false)")
    }
    if let reason = CompiledStep<Scalar>.unsupportedReason(model: model, loss: loss) {
        return EagerTrainingStep(model: model, loss: loss, reason: reason)
    }
    return CompiledTrainingStep(model: model, loss: loss)
}
