import DescentCore
import DescentKernels
import DescentNN

/// A training step captured once and replayed: the forward pass, the loss and the backward pass
/// of a `Sequential` model run straight into buffers allocated for a maximum batch size, with no
/// autodiff graph, no allocation and no per-element dynamic dispatch.
///
/// The gradients land in each `Parameter/gradient` (tensors allocated once and reused), so any
/// optimizer and gradient clipping work unchanged:
///
///     let step = try CompiledStep(model: model, loss: CrossEntropyLoss(), maximumBatchSize: 128)
///     for batch in batches {
///         let loss = try step.computeGradients(features: batch.features, labels: labels)
///         try optimizer.step(step.parameters)
///     }
///
/// - Supported models: a `Sequential` (nested ones are flattened) or a single `Linear` made
///   of `Linear`, `ReLU`, `LeakyReLU`, `Tanh`, `Sigmoid`, `GELU`, `Dropout` and
///   `Flatten` (`startAxis: 1`). Supported losses, mean reduction: `CrossEntropyLoss` with
///   class labels (no class weights or label smoothing; `ignoreIndex` is honoured),
///   `MeanSquaredErrorLoss`, `BinaryCrossEntropyWithLogitsLoss` without weights. Anything
///   else makes the initialiser throw a ``CompiledStepError``: fall back to the autodiff path.
///   So does a layer or parameter used more than once (autodiff sums its gradients; the step
///   keeps one buffer per use). ``unsupportedReason(model:loss:)`` gives the reason without
///   building.
/// - Results: bit-identical to `loss(model(x), y).backward()` in overwrite mode (the same
///   kernels are called in the same order; batch-1 weight gradients use an outer-product loop
///   that rounds as the GEMM does). Accumulating gradients adds inside the GEMM (`beta = 1`)
///   instead of adding afterwards, so it agrees to rounding (≈1e-7 relative in Float).
/// - The plan reads the parameters' current storage on every call, so an optimizer may update
///   them in place or replace them. Their shapes must not change.
/// - Not thread-safe: one step object per thread. The gradient tensors are reused by the next
///   call: copy one if you keep it across steps.
/// - ``trainStep(features:labels:optimizer:nextFeatures:)`` runs the whole step with the
///   optimizer; for a batch of one row it applies the update inside the backward pass (no
///   gradient buffer; large layers split across threads by weight rows), bit-identical to
///   `computeGradients` then `optimizer.step(parameters)`, and leaves the gradients `nil`.
/// - PyTorch: the closest is `torch.compile(train_step)` or a CUDA-graph capture; JAX: `jax.jit`
///   of a `value_and_grad` step.
public final class CompiledStep<Scalar: TensorScalar> {
    /// The largest batch ``computeGradients(features:labels:)`` accepts (``predict(_:)`` takes any
    /// size, in chunks of this many rows).
    public let maximumBatchSize: Int
    /// Values per sample the model takes (the first `Linear`'s input size).
    public let inputWidth: Int
    /// Values per sample the model gives (the last layer's output size).
    public let outputWidth: Int
    /// One sample's shape the step was built for, or `nil` (rows of ``inputWidth`` values).
    public let sampleShape: [Int]?
    /// The model's parameters with their names, in `Layer/namedParameters()` order, frozen ones
    /// included (optimizers skip those): pass it to `optimizer.step(_:)`. Computed once, so a step
    /// does not walk the model.
    public let parameters: [(name: String, parameter: Parameter<Scalar>)]
    /// The same parameters without their names (a step walks them without copying the strings).
    let parameterList: [Parameter<Scalar>]

    let loss: CompiledLoss
    /// Weight updates a fused backward pass has prepared and not yet applied.
    var pendingUpdates: [PendingOuterProduct<Scalar>] = []
    /// The first layer's outputs for the next sample, when the last fused step computed them.
    var lookahead: FirstLayerLookahead<Scalar>?
    /// Set by the last fused backward pass when it computed the first layer's next outputs.
    var lookaheadWasComputed = false
    /// A copy of the first layer's outputs for a layer that reads them while the look-ahead
    /// overwrites them (see ``applyPendingUpdates(nextInput:)``).
    let lookaheadInputCopy: UnsafeMutablePointer<Scalar>
    /// Which rows of each pending update each part applies, fixed once per step (reused storage).
    var pendingRows: [Range<Int>] = []
    /// How the fused update's look-ahead split shares the first layer's rows (measured).
    var partBalance = PartBalance()
    /// Ticks each part of the last split update took (``PartBalance``), one per part.
    let partTicks = UnsafeMutablePointer<UInt64>.allocate(capacity: 64)
    /// The last optimizer a fused step ran with and its adapter (kept so a step does not build one).
    var cachedUpdater: (optimizer: ObjectIdentifier, updater: any CompiledStepUpdater)?
    var operations: [CompiledOperation<Scalar>]
    /// Two `maximumBatchSize × widest` buffers the backward pass alternates between.
    let gradientBuffers: (UnsafeMutablePointer<Scalar>, UnsafeMutablePointer<Scalar>)
    /// The output of each operation in the current forward pass (dropout in evaluation passes its input through).
    var outputs: [UnsafePointer<Scalar>]
    /// One class label per row, and one log-sum-exp per row (cross-entropy scratch).
    let labelBuffer: UnsafeMutablePointer<Int>
    let logSumExpBuffer: UnsafeMutablePointer<Scalar>
    /// One scalar per output of a full batch: the loss's shifted logits and exponentials.
    let lossScratch: UnsafeMutablePointer<Scalar>

    /// Compiles one training step of `model` under `loss`.
    /// - Parameters:
    ///   - model: a `Sequential` (or `Linear`) of supported layers (see ``CompiledStep``).
    ///   - loss: a supported loss with mean reduction.
    ///   - maximumBatchSize: the most rows a training batch will have; the buffers are sized for it.
    ///   - sampleShape: one sample's shape (`[c, h, w]` for images), which convolutions and pooling
    ///     need; the default value `nil` suits models of rows (it is the features' shape without the
    ///     batch axis).
    /// - Throws: ``CompiledStepError`` (`.unsupportedModel`, `.unsupportedLoss`) naming what has no
    ///   compiled form.
    public init(model: any Layer<Scalar>, loss: any Loss, maximumBatchSize: Int, sampleShape: [Int]? = nil) throws {
        precondition(maximumBatchSize > 0, "CompiledStep: maximumBatchSize must be positive, got \(maximumBatchSize)")
        if let sampleShape, sampleShape.isEmpty || sampleShape.contains(where: { $0 < 1 }) {
            throw CompiledStepError(.invalidBatch, "CompiledStep: a sample shape must be positive sizes, got \(sampleShape)")
        }
        let (kinds, widths) = try compiledKinds(of: model, sampleShape: sampleShape)
        if sampleShape == nil, Self.needsSampleShape(model: model) {
            throw CompiledStepError(.unsupportedModel, "CompiledStep: a model with convolutions or pooling needs the sample shape (CompiledStep(model:loss:maximumBatchSize:sampleShape:), e.g. [1, 28, 28])")
        }
        self.loss = try CompiledLoss(loss)
        self.maximumBatchSize = maximumBatchSize
        self.sampleShape = sampleShape
        var inputWidth = widths[0]
        if case let .linear(weight, _) = kinds[0] { inputWidth = weight.shape[1] }
        if let sampleShape { inputWidth = sampleShape.reduce(1, *) }
        self.inputWidth = inputWidth
        outputWidth = widths.last!
        if case .crossEntropy = self.loss, outputWidth < 1 {
            throw CompiledStepError(.unsupportedModel, "CompiledStep: cross-entropy needs at least one output class")
        }
        let parameters = model.namedParameters()
        self.parameters = parameters
        parameterList = parameters.map(\.parameter)
        var operations: [CompiledOperation<Scalar>] = []
        var width = inputWidth
        for (kind, outWidth) in zip(kinds, widths) {
            var operation = CompiledOperation(kind: kind, inputWidth: width, outputWidth: outWidth,
                                              output: allocateBuffer(maximumBatchSize * outWidth))
            switch kind {
            case let .linear(weight, bias):
                operation.weightName = parameters.first { $0.parameter === weight }?.name ?? ""
                operation.biasName = bias.flatMap { bias in parameters.first { $0.parameter === bias }?.name } ?? ""
                operation.weightGradient = Tensor(zeros: weight.shape)
                operation.outputGradient = allocateBuffer(outWidth)
                if let bias {
                    operation.biasGradient = Tensor(zeros: bias.shape)
                    operation.biasScratch = allocateBuffer(bias.value.scalarCount)
                }
            case .dropout: operation.mask = allocateBuffer(maximumBatchSize * outWidth)
            case .activation: break
            case let .convolution(weight, bias, template):
                operation.weightName = parameters.first { $0.parameter === weight }?.name ?? ""
                operation.biasName = bias.flatMap { bias in parameters.first { $0.parameter === bias }?.name } ?? ""
                operation.weightGradient = Tensor(zeros: weight.shape)
                operation.weightScratch = allocateBuffer(weight.value.scalarCount)
                if let bias {
                    operation.biasGradient = Tensor(zeros: bias.shape)
                    operation.biasScratch = allocateBuffer(bias.value.scalarCount)
                }
                var geometry = template
                geometry.batch = maximumBatchSize
                operation.workspace = allocateBuffer(Swift.max(
                    Convolution2D.forwardWorkspaceCount(geometry), Convolution2D.inputGradientWorkspaceCount(geometry),
                    Convolution2D.parameterGradientWorkspaceCount(geometry)))
            case .maxPool: operation.indices = .allocate(capacity: maximumBatchSize * outWidth)
            case .averagePool, .adaptiveAveragePool: break
            }
            operations.append(operation)
            width = outWidth
        }
        self.operations = operations
        lookaheadInputCopy = allocateBuffer(operations[0].outputWidth)
        let widest = ([inputWidth] + widths).max()!
        gradientBuffers = (allocateBuffer(maximumBatchSize * widest), allocateBuffer(maximumBatchSize * widest))
        outputs = Array(repeating: UnsafePointer(gradientBuffers.0), count: operations.count)
        labelBuffer = .allocate(capacity: maximumBatchSize)
        logSumExpBuffer = allocateBuffer(maximumBatchSize)
        lossScratch = allocateBuffer(maximumBatchSize * (widths.last ?? 1))
    }

    deinit {
        for operation in operations {
            UnsafeMutableRawPointer(operation.output).deallocate()
            operation.mask.map { UnsafeMutableRawPointer($0).deallocate() }
            operation.biasScratch.map { UnsafeMutableRawPointer($0).deallocate() }
            operation.outputGradient.map { UnsafeMutableRawPointer($0).deallocate() }
            operation.weightScratch.map { UnsafeMutableRawPointer($0).deallocate() }
            operation.workspace.map { UnsafeMutableRawPointer($0).deallocate() }
            operation.indices?.deallocate()
        }
        UnsafeMutableRawPointer(gradientBuffers.0).deallocate()
        UnsafeMutableRawPointer(gradientBuffers.1).deallocate()
        labelBuffer.deallocate()
        UnsafeMutableRawPointer(lookaheadInputCopy).deallocate()
        partTicks.deallocate()
        UnsafeMutableRawPointer(logSumExpBuffer).deallocate()
        UnsafeMutableRawPointer(lossScratch).deallocate()
    }

    /// Whether `model` has convolutions or pooling, whose step needs the sample shape
    /// (``init(model:loss:maximumBatchSize:sampleShape:)``).
    public static func needsSampleShape(model: any Layer<Scalar>) -> Bool {
        guard let layers = try? flattenedLayers(model) else { return false }
        return layers.contains { layer in
            if case .structureOnly? = try? spatialKind(of: layer, index: 0, sampleShape: nil) { return true }
            return false
        }
    }

    /// Why `model` and `loss` cannot be compiled, or `nil` if they can.
    public static func unsupportedReason(model: any Layer<Scalar>, loss: any Loss) -> String? {
        do {
            _ = try compiledKinds(of: model)
            _ = try CompiledLoss(loss)
            return nil
        } catch {
            return "\(error)"
        }
    }

    // MARK: Training

    /// Forward, loss and backward on one batch in training mode; every trainable parameter's
    /// `Parameter/gradient` is *set* to this batch's gradient (`zero_grad()` then `backward()`
    /// in PyTorch). Returns the batch loss (before any update), rounded to `Scalar` as the
    /// autodiff loss tensor is.
    /// - Parameters:
    ///   - features: `[n, …]` with `n ≤ maximumBatchSize` and ``inputWidth`` values per sample.
    ///   - labels: one class index per row (cross-entropy).
    /// - Throws: ``CompiledStepError`` for a batch that does not fit, `LossError` for a label
    ///   outside the classes.
    @discardableResult
    public func computeGradients(features: Tensor<Scalar>, labels: [Int]) throws -> Double {
        try run(features: features, labels: labels, targets: nil, accumulate: false)
    }

    /// ``computeGradients(features:labels:)`` with real-valued targets (mse, bce-with-logits: the
    /// predictions' shape, or `[n]` for one output) or class indices stored as whole numbers
    /// (`[n]`, cross-entropy).
    @discardableResult
    public func computeGradients(features: Tensor<Scalar>, targets: Tensor<Scalar>) throws -> Double {
        try run(features: features, labels: nil, targets: targets, accumulate: false)
    }

    /// As ``computeGradients(features:labels:)`` but *adds* this batch's gradient to each
    /// parameter's existing gradient (plain `backward()` in PyTorch; a `nil` gradient counts as 0),
    /// for gradient accumulation over several batches.
    @discardableResult
    public func accumulateGradients(features: Tensor<Scalar>, labels: [Int]) throws -> Double {
        try run(features: features, labels: labels, targets: nil, accumulate: true)
    }

    /// ``accumulateGradients(features:labels:)`` with tensor targets (see
    /// ``computeGradients(features:targets:)``).
    @discardableResult
    public func accumulateGradients(features: Tensor<Scalar>, targets: Tensor<Scalar>) throws -> Double {
        try run(features: features, labels: nil, targets: targets, accumulate: true)
    }

    // MARK: Evaluation

    /// The model's output for `features` in evaluation mode (dropout is the identity), `[n, outputWidth]`.
    /// Any number of rows: they are run in chunks of ``maximumBatchSize``. Allocates the result only.
    /// - Throws: ``CompiledStepError`` if the samples do not have ``inputWidth`` values.
    public func predict(_ features: Tensor<Scalar>) throws -> Tensor<Scalar> {
        let rows = try rowCount(of: features, limit: nil)
        let width = outputWidth, chunk = maximumBatchSize, inWidth = inputWidth
        let input = UnsafePointer(features.storage.pointer)
        return Tensor(shape: [rows, width]) { out in
            var start = 0
            while start < rows {
                let count = Swift.min(chunk, rows - start)
                let result = forward(input + start * inWidth, rows: count, training: false)
                (out.baseAddress! + start * width).update(from: result, count: count * width)
                start += count
            }
        }
    }

    /// The mean loss of the model on one batch in evaluation mode, without gradients.
    public func evaluationLoss(features: Tensor<Scalar>, labels: [Int]) throws -> Double {
        let rows = try rowCount(of: features, limit: maximumBatchSize)
        try loadLabels(labels, rows: rows)
        let output = forward(UnsafePointer(features.storage.pointer), rows: rows, training: false)
        return lossAndGradient(output, rows: rows, targets: nil, gradient: nil)
    }

    /// ``evaluationLoss(features:labels:)`` with tensor targets.
    public func evaluationLoss(features: Tensor<Scalar>, targets: Tensor<Scalar>) throws -> Double {
        let rows = try rowCount(of: features, limit: maximumBatchSize)
        let values = try checkedTargets(targets, rows: rows)
        let output = forward(UnsafePointer(features.storage.pointer), rows: rows, training: false)
        return lossAndGradient(output, rows: rows, targets: values, gradient: nil)
    }

    // MARK: The step

    func run(features: Tensor<Scalar>, labels: [Int]?, targets: Tensor<Scalar>?, accumulate: Bool,
             updater: (any CompiledStepUpdater)? = nil, next: Tensor<Scalar>? = nil) throws -> Double {
        // Generic code is not specialised across modules: called from the user's module this runs
        // through witness tables, copies each `CompiledOperation` with value witnesses and looks up
        // generic metadata (a third of a logistic-regression step). Hop to the specialisation.
        if Scalar.self == Float.self {
            return try unsafeDowncast(self as AnyObject, to: CompiledStep<Float>.self).runImplementation(
                features: unsafeBitCast(features, to: Tensor<Float>.self), labels: labels,
                targets: unsafeBitCast(targets, to: Tensor<Float>?.self), accumulate: accumulate, updater: updater,
                next: unsafeBitCast(next, to: Tensor<Float>?.self))
        }
        if Scalar.self == Double.self {
            return try unsafeDowncast(self as AnyObject, to: CompiledStep<Double>.self).runImplementation(
                features: unsafeBitCast(features, to: Tensor<Double>.self), labels: labels,
                targets: unsafeBitCast(targets, to: Tensor<Double>?.self), accumulate: accumulate, updater: updater,
                next: unsafeBitCast(next, to: Tensor<Double>?.self))
        }
        return try runImplementation(features: features, labels: labels, targets: targets, accumulate: accumulate,
                                     updater: updater, next: next)
    }

    func runImplementation(features: Tensor<Scalar>, labels: [Int]?, targets: Tensor<Scalar>?, accumulate: Bool,
                           updater: (any CompiledStepUpdater)?, next: Tensor<Scalar>?) throws -> Double {
        let rows = try rowCount(of: features, limit: maximumBatchSize)
        precondition(updater == nil || !accumulate, "CompiledStep: a fused step does not accumulate gradients")
        var values: UnsafePointer<Scalar>? = nil
        if let labels {
            try loadLabels(labels, rows: rows)
        } else if let targets {
            values = try checkedTargets(targets, rows: rows)
        }
        if updater != nil {
            // The fused step consumes the gradients: none is left to be mistaken for this step's.
            for parameter in parameterList where parameter.hasGradient() && !parameter.isFrozen { parameter.gradient = nil }
        }
        let input = UnsafePointer(features.storage.pointer)
        let output = forward(input, rows: rows, training: true,
                             firstOutputIsReady: lookaheadIsValid(for: features, rows: rows))
        let value = lossAndGradient(output, rows: rows, targets: values, gradient: gradientBuffers.0)
        let lookingAhead = updater != nil && canLookAhead(to: next)
        try backward(input: input, rows: rows, accumulate: accumulate, updater: updater,
                     nextInput: lookingAhead ? next.map { UnsafePointer($0.storage.pointer) } : nil)
        if lookingAhead, let next, lookaheadWasComputed { recordLookahead(for: next) }
        // Keeps `features` and `targets` alive until the loops that read their storage are done.
        withExtendedLifetime((features, targets, next)) {}
        return Double(Scalar(value))
    }

    /// The rows of `features`, checked against the plan.
    func rowCount(of features: Tensor<Scalar>, limit: Int?) throws -> Int {
        guard features.rank >= 1 else {
            throw CompiledStepError(.invalidBatch, "CompiledStep: features must be [n, …] with one sample per row, got a scalar")
        }
        let rows = features.shape[0]
        guard rows > 0, features.scalarCount == rows * inputWidth else {
            throw CompiledStepError(.invalidBatch, "CompiledStep: features of shape \(features.shape) do not give \(inputWidth) values per sample (the model's input size)")
        }
        if let limit, rows > limit {
            throw CompiledStepError(.invalidBatch, "CompiledStep: a batch of \(rows) rows exceeds maximumBatchSize \(limit); build the step with a larger maximumBatchSize")
        }
        return rows
    }

    /// Copies and validates class labels for cross-entropy.
    func loadLabels(_ labels: [Int], rows: Int) throws {
        guard case let .crossEntropy(ignoreIndex) = loss else {
            throw CompiledStepError(.invalidBatch, "CompiledStep: class labels need the cross-entropy loss; pass real-valued targets instead")
        }
        guard labels.count == rows else {
            throw LossError.labelCount(labels.count, logits: [rows, outputWidth])
        }
        for (row, label) in labels.enumerated() {
            guard (label >= 0 && label < outputWidth) || label == ignoreIndex else {
                throw LossError.labelOutOfRange(label, row: row, classes: outputWidth)
            }
            labelBuffer[row] = label
        }
    }

    /// Validates tensor targets; for cross-entropy, converts whole-number class indices into the label buffer.
    func checkedTargets(_ targets: Tensor<Scalar>, rows: Int) throws -> UnsafePointer<Scalar>? {
        if case let .crossEntropy(ignoreIndex) = loss {
            guard targets.rank == 1, targets.scalarCount == rows else {
                throw CompiledStepError(.invalidBatch, "CompiledStep: cross-entropy needs [n] class indices, got targets of shape \(targets.shape) for \(rows) rows (probability targets are not compiled)")
            }
            try targets.withUnsafeBufferPointer { values in
                for row in 0..<rows {
                    let v = values[row]
                    guard v == v.rounded(), Swift.abs(v) < 1e15 else {
                        throw LossError.fractionalClassIndex(v, row: row)
                    }
                    let label = Int(v)
                    guard (label >= 0 && label < outputWidth) || label == ignoreIndex else {
                        throw LossError.labelOutOfRange(label, row: row, classes: outputWidth)
                    }
                    labelBuffer[row] = label
                }
            }
            return nil
        }
        let fits = targets.shape == [rows, outputWidth] || (outputWidth == 1 && targets.shape == [rows])
        guard fits else {
            throw LossError.shapeMismatch(loss == .meanSquaredError ? "MeanSquaredErrorLoss" : "BinaryCrossEntropyWithLogitsLoss",
                                          predictions: [rows, outputWidth], targets: targets.shape)
        }
        return UnsafePointer(targets.storage.pointer)
    }

    /// The loss of `output` (`rows × outputWidth`); writes `∂loss/∂output` into `gradient` if given.
    func lossAndGradient(_ output: UnsafePointer<Scalar>, rows: Int, targets: UnsafePointer<Scalar>?, gradient: UnsafeMutablePointer<Scalar>?) -> Double {
        let count = rows * outputWidth
        switch loss {
        case let .crossEntropy(ignoreIndex):
            if Scalar.self == Float.self {
                return crossEntropyLossAndGradient(
                    cast(output, Float.self), labels: labelBuffer, rows: rows, classes: outputWidth, ignoreIndex: ignoreIndex,
                    logSumExps: castMutable(logSumExpBuffer, Float.self), scratch: castMutable(lossScratch, Float.self), gradient: gradient.map { castMutable($0, Float.self) })
            }
            return crossEntropyLossAndGradient(
                cast(output, Double.self), labels: labelBuffer, rows: rows, classes: outputWidth, ignoreIndex: ignoreIndex,
                logSumExps: castMutable(logSumExpBuffer, Double.self), scratch: castMutable(lossScratch, Double.self), gradient: gradient.map { castMutable($0, Double.self) })
        case .meanSquaredError:
            if Scalar.self == Float.self {
                return meanSquaredErrorLossAndGradient(cast(output, Float.self), cast(targets!, Float.self), count: count,
                                                       gradient: gradient.map { castMutable($0, Float.self) })
            }
            return meanSquaredErrorLossAndGradient(cast(output, Double.self), cast(targets!, Double.self), count: count,
                                                   gradient: gradient.map { castMutable($0, Double.self) })
        case .binaryCrossEntropyWithLogits:
            if Scalar.self == Float.self {
                return binaryCrossEntropyLossAndGradient(cast(output, Float.self), cast(targets!, Float.self), count: count,
                                                         gradient: gradient.map { castMutable($0, Float.self) })
            }
            return binaryCrossEntropyLossAndGradient(cast(output, Double.self), cast(targets!, Double.self), count: count,
                                                     gradient: gradient.map { castMutable($0, Double.self) })
        }
    }
}
