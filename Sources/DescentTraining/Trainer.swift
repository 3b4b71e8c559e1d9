import DescentCompiled
import DescentCore
import DescentData
import DescentNN
import DescentOptim
import Foundation

/// How gradients are clipped between `backward()` and the optimizer step.
public enum GradientClippingRule: Equatable, Sendable, Codable {
    /// Scale all gradients together so their global L2 norm is at most this
    /// (`torch.nn.utils.clip_grad_norm_`).
    case norm(Double)
    /// Clamp every gradient element to ±this (`torch.nn.utils.clip_grad_value_`).
    case value(Double)
}

/// What ``Trainer/fit(epochs:training:validation:trainingEvaluation:)`` returns.
public struct FitResult: Sendable {
    /// Why the run stopped.
    public var stopReason: StopReason
    /// The history of the whole run (including the part before a resume).
    public var history: TrainingHistory
    /// Where and why the run diverged, when ``stopReason`` is `.diverged`.
    public var divergence: Divergence?
    /// Seconds of training in this call: the steps, the end-of-epoch evaluations and the
    /// callbacks, without the time spent on checkpoints (``checkpointSeconds``). Samples per
    /// second are ``samples`` / `seconds`.
    public var seconds: Double
    /// Samples trained on in this call.
    public var samples: Int
    /// Seconds the training thread spent on checkpoints in this call: taking the snapshots and
    /// waiting for writes (which run in the background). Not part of ``seconds``; the call took
    /// `seconds + checkpointSeconds` in all. The default value is `0`.
    public var checkpointSeconds: Double = 0
    /// Seconds of ``seconds`` spent on the full-loss pass, the end-of-epoch evaluation of the
    /// training data (`Trainer/trainingEvaluation`). The default value is `0`.
    public var evaluationSeconds: Double = 0
    /// Seconds of ``seconds`` spent on the end-of-epoch evaluation of the validation data. The
    /// default value is `0`.
    public var validationSeconds: Double = 0
    /// The epochs completed (the last history record's epoch).
    public var epochs: Int { history.epochs.last?.epoch ?? 0 }
}

/// Trains a model by mini-batch gradient descent, epoch after epoch, and keeps the history.
///
/// The trainer is a thin layer over the loop a learner writes by hand; that loop stays the heart
/// of Descent and can always be written directly:
///
///     let parameters = model.trainableParameters()
///     for epoch in 0..<epochs {
///         let batches = loader.batches(epoch: epoch)
///         while let batch = try batches.next() {
///             model.zeroGradients()                                           // 1. forget the last gradients
///             let predictions = try model(batch.features, mode: .training)    // 2. predict
///             let loss = try crossEntropy(predictions, batch.targetTensor(for: crossEntropy, predictions: predictions))  // 3. measure
///             try loss.backward()                                             // 4. ∂loss/∂θ for every parameter
///             try optimizer.step(parameters)                                  // 5. θ ← θ − η·(update)
///         }
///     }
///
/// `trainStep(on:)` is exactly those five lines (plus optional clipping). ``fit(epochs:training:validation:trainingEvaluation:)``
/// adds what a real run needs around them: the schedule, the history (batch losses, the full
/// training loss and validation metrics per epoch), callbacks, early stopping, divergence
/// detection, a time limit, a stop request (Ctrl-C), and checkpoints from which
/// ``restore(from:)`` resumes bit for bit.
///
/// - Resume is exact when the resumed run uses the same data, configuration, element type and
///   build: every source of randomness (loader order, dropout masks) is saved or recomputed from
///   the seed, and the arithmetic is deterministic (the matrix products split their work across
///   threads by output blocks, never by the summation axis, so the thread count does not change
///   any sum).
/// - PyTorch: the usual `for epoch … for x, y in loader: opt.zero_grad(); loss = …; loss.backward(); opt.step()`;
///   Keras: `model.fit`; fastai: `Learner.fit`.
public final class Trainer<Scalar: TensorScalar> {
    /// The model being trained.
    public let model: any Layer<Scalar>
    /// The loss minimised.
    public var loss: any Loss {
        didSet { chosenStep = nil }
    }
    /// The optimizer that updates the parameters.
    public let optimizer: any Optimizer<Scalar>
    /// The learning-rate schedule, if any; `LearningRateScheduler/unit` says whether it advances
    /// per step or per epoch (metric-driven plateau schedules always advance per epoch).
    public var scheduler: LearningRateScheduler?
    /// Metrics computed over the training and validation data at the end of each epoch.
    public var metrics: [any Metric]
    /// Gradient clipping, if any. The default value is `nil`.
    public var gradientClipping: GradientClippingRule?
    /// Wall-clock seconds after which the run stops (after the current step). The default value is `nil`.
    public var timeLimit: Double?
    /// The early-stopping rule, if any.
    public var earlyStopping: EarlyStopping?
    /// The divergence detector; `nil` turns detection off. The default value is `DivergenceDetector()`.
    public var divergence: DivergenceDetector? = DivergenceDetector()
    /// Where and when checkpoints are written, if at all (every 60 s of training and at the end
    /// by default, in the background; see ``CheckpointPolicy``). The default value is `nil`.
    public var checkpointing: CheckpointPolicy?
    /// Code that runs at the training events.
    public var callbacks: [any TrainingCallback] = []
    /// What the `trainingEvaluation` loader given to ``fit(epochs:training:validation:trainingEvaluation:)``
    /// holds (set by ``makeTrainingEvaluationLoader(for:evaluation:batchSize:)``); `fit` records it
    /// in the history as ``TrainingHistory/trainingLossSample``. The default value is `nil` (not stated).
    public var trainingLossSample: TrainingLossSample?
    /// Free text saved in every checkpoint (the CLI stores its configuration as JSON).
    public var configuration: String?
    /// Set by ``requestStop(_:)``; read after every step.
    public let stopSignal = StopSignal()
    /// The run's progress (restored by ``restore(from:)``).
    public internal(set) var state = TrainerState()
    /// The weights of the best epoch so far, for early stopping's `restoreBestWeights`.
    var bestWeights: SafeTensorsArchive?
    /// The checkpoint files written during the last fit, newest last.
    public internal(set) var writtenCheckpoints: [URL] = []
    /// Whether `trainStep(on:)` may run a `CompiledStep` (preallocated buffers, no autodiff
    /// graph) when the model and loss have a compiled form. It gives bit-identical gradients and
    /// losses, only faster. The default value is `true`; `false` always runs the autodiff loop.
    public var usesCompiledStep = true {
        didSet { chosenStep = nil }
    }
    /// How each step runs, chosen once for the model and loss (``makeTrainingStep(model:loss:allowsCompiled:)``)
    /// and kept until ``loss`` or ``usesCompiledStep`` changes. `print(trainer.step)` says which
    /// path it is and, on the plain loop, why the compiled step is not used. Assign a step of your
    /// own (for example DescentDistributed's all-reducing step) to run it instead, until ``loss``
    /// or ``usesCompiledStep`` changes.
    public var step: any TrainingStep<Scalar> {
        get {
            if let chosenStep { return chosenStep }
            let step: any TrainingStep<Scalar> = makeTrainingStep(model: model, loss: loss, allowsCompiled: usesCompiledStep)
            chosenStep = step
            return step
        }
        set { chosenStep = newValue }
    }
    /// The step chosen so far (`nil` until the first use).
    var chosenStep: (any TrainingStep<Scalar>)?
    /// The compiled step, once a compiled ``step`` has run a batch (`nil` before, or on the plain loop).
    public var compiledStep: CompiledStep<Scalar>? { (chosenStep as? CompiledTrainingStep<Scalar>)?.compiledStep }

    /// A trainer for `model`.
    /// - Parameters:
    ///   - model: the model (any `Layer`).
    ///   - loss: the loss (mean reduction).
    ///   - optimizer: an optimizer over the same element type.
    ///   - scheduler: a learning-rate schedule. The default value is `nil` (a constant rate).
    ///   - metrics: metrics for the epoch reports. The default value is `[]`.
    public init(model: any Layer<Scalar>, loss: any Loss, optimizer: any Optimizer<Scalar>,
                scheduler: LearningRateScheduler? = nil, metrics: [any Metric] = []) {
        self.model = model
        self.loss = loss
        self.optimizer = optimizer
        self.scheduler = scheduler
        self.metrics = metrics
    }

    /// Asks the run to stop after the current step (thread-safe; a signal handler may call it).
    public func requestStop(_ reason: StopReason = .interrupted) { stopSignal.request(reason) }

    /// One step of gradient descent on `batch`: zero the gradients, predict, measure the loss,
    /// back-propagate, clip (if configured), step. Returns the batch loss (before the step).
    ///
    /// It runs ``step``: the compiled step when the model and loss have a compiled form (the same
    /// operations in the same order into preallocated buffers, so the parameters, the loss and the
    /// optimizer state are bit-identical to the autodiff loop; without clipping the parameters'
    /// gradients are then `nil` after the step), otherwise the plain loop.
    ///
    /// - Parameters:
    ///   - next: the batch the next call will get, if known (``fit(epochs:training:validation:trainingEvaluation:)``
    ///     passes it at batch size 1): the compiled step then computes the next sample's first-layer
    ///     outputs during this step's update (same results).
    ///   - batch: the batch to train on.
    @discardableResult
    public func trainStep(on batch: Batch<Scalar>, next: Batch<Scalar>? = nil) throws -> Double {
        try step.train(on: batch, next: next, optimizer: optimizer, clipping: gradientClipping)
    }
}
