import DescentCore
import DescentKernels
import DescentNN
import DescentOptim

extension CompiledStep {
    /// One full training step on a batch: forward pass, loss, backward pass and `optimizer`'s
    /// update, returning the batch loss (before the update).
    ///
    /// For a batch of one row the update is fused into the backward pass: each `Linear`'s
    /// weight gradient `∂W[i, j] = g[i]·x[j]` is formed per element and applied at once, so the
    /// weights are read and written once, with no gradient buffer in between (see
    /// `OuterProductUpdate`). Optimizers and options without an outer-product form (weight decay,
    /// Nesterov, maximize, AMSGrad, other optimizers: see `ElementwiseUpdate`) fall
    /// back per parameter to the materialised gradient. A larger Float batch (up to 512 rows) with
    /// plain SGD steps (no momentum, weight decay, Nesterov or maximize) gets each weight's step
    /// inside its gradient product, `W ← (−η)·(Gᵀ·X) + W`, which gives the same bits when the
    /// GEMM sums the batch in one pass (`GEMM/addsCompleteProducts(depth:)`); the biases and any
    /// other update go through the optimizer. Other larger batches run
    /// ``computeGradients(features:labels:)`` then `optimizer.step(parameters)`. Either way the
    /// parameters, the loss and the optimizer's state (moments, step counts, so snapshots and
    /// resumes) are bit-identical to those two calls. The learning rate is read at every step, so
    /// schedules apply.
    ///
    /// - Gradients are consumed: afterwards every trainable parameter's `Parameter/gradient` is
    ///   `nil` (PyTorch's `zero_grad(set_to_none=True)` after `step()`). Use
    ///   ``computeGradients(features:labels:)`` when you need them (clipping, logging).
    /// - Parameters:
    ///   - features: `[n, …]` with `n ≤ maximumBatchSize` and ``inputWidth`` values per sample.
    ///   - labels: one class index per row (cross-entropy).
    ///   - optimizer: the optimizer, over this step's ``parameters``.
    ///   - nextFeatures: the features the next call will train on, if known (a data loader's next
    ///     batch). The default value is `nil`. For a batch of one row whose model starts with a
    ///     `Linear` (Float, AVX2 or better), that layer's update then also computes its outputs
    ///     for the next sample while each weight row is in registers, so the next call skips
    ///     reading the weights in its forward pass; the results are the same bits. The outputs are
    ///     used only if the next call gets this very tensor and nothing changed the layer's
    ///     parameters, the instruction set or the floating-point mode in between.
    /// - Throws: ``CompiledStepError`` for a batch that does not fit, `LossError` for a label
    ///   outside the classes, `OptimizerError` from the optimizer.
    /// - PyTorch: `loss = step(x, y); opt.step()` under `torch.compile`, with the update fused.
    @discardableResult
    public func trainStep(features: Tensor<Scalar>, labels: [Int], optimizer: any Optimizer<Scalar>,
                          nextFeatures: Tensor<Scalar>? = nil) throws -> Double {
        try trainStep(features: features, labels: labels, targets: nil, optimizer: optimizer, nextFeatures: nextFeatures)
    }

    /// ``trainStep(features:labels:optimizer:nextFeatures:)`` with tensor targets (see
    /// ``computeGradients(features:targets:)``).
    @discardableResult
    public func trainStep(features: Tensor<Scalar>, targets: Tensor<Scalar>, optimizer: any Optimizer<Scalar>,
                          nextFeatures: Tensor<Scalar>? = nil) throws -> Double {
        try trainStep(features: features, labels: nil, targets: targets, optimizer: optimizer, nextFeatures: nextFeatures)
    }

    /// The step with labels or targets; without an optimizer, only ``computeGradients(features:labels:)``.
    func trainStep(features: Tensor<Scalar>, labels: [Int]?, targets: Tensor<Scalar>?, optimizer: (any Optimizer<Scalar>)?,
                   nextFeatures: Tensor<Scalar>? = nil) throws -> Double {
        if let optimizer, features.rank >= 1,
           features.shape[0] == 1 || foldsPlainUpdatesIntoProducts(optimizer, rows: features.shape[0]) {
            let identifier = ObjectIdentifier(optimizer)
            if cachedUpdater?.optimizer != identifier { cachedUpdater = (identifier, OptimizerUpdater(optimizer: optimizer)) }
            return try trainFused(features: features, labels: labels, targets: targets, updater: cachedUpdater!.updater,
                                  next: features.shape[0] == 1 ? nextFeatures : nil)
        }
        let loss: Double
        if let labels {
            loss = try computeGradients(features: features, labels: labels)
        } else {
            loss = try computeGradients(features: features, targets: targets!)
        }
        guard let optimizer else { return loss }
        try optimizer.step(parameters)
        for (_, parameter) in parameters where !parameter.isFrozen { parameter.gradient = nil }
        return loss
    }
}

extension CompiledStep {
    /// Whether a batch of `rows` gets its plain weight updates inside the weight-gradient
    /// products (see `batchLinearBackward`): Float, a depth the GEMM sums in one pass, and an
    /// optimizer whose update of some trainable parameter is plain (SGD without momentum).
    func foldsPlainUpdatesIntoProducts(_ optimizer: any Optimizer<Scalar>, rows: Int) -> Bool {
        guard Scalar.self == Float.self, rows > 1, rows <= maximumBatchSize, GEMM.addsCompleteProducts(depth: rows) else {
            return false
        }
        guard let rules = optimizer as? any ElementwiseUpdating else { return false }
        return parameters.contains { !$0.parameter.isFrozen && rules.plainUpdateRate(name: $0.name) != nil }
    }
}

/// An ``Optimizer`` as the fused step's updater. Descent's own optimizers describe their
/// per-element rules as data (``ElementwiseUpdate``); any other optimizer has none, so every
/// update goes through its public `update(name:value:gradient:)` with a materialised gradient.
struct OptimizerUpdater<Scalar: TensorScalar>: CompiledStepUpdater {
    let optimizer: any Optimizer<Scalar>
    /// The optimizer's elementwise rules, if it has them (looked up once).
    let rules: (any ElementwiseUpdating)?

    init(optimizer: any Optimizer<Scalar>) {
        self.optimizer = optimizer
        rules = optimizer as? any ElementwiseUpdating
    }

    func outerProductUpdate(name: String, rows: Int, columns: Int) throws -> OuterProductUpdate? {
        try rules?.elementwiseUpdate(name: name, count: rows * columns).map(OuterProductUpdate.init)
    }

    func plainUpdateRate(name: String) -> Double? { rules?.plainUpdateRate(name: name) }

    func update(name: String, value: UnsafeMutableRawPointer, gradient: UnsafeRawPointer, count: Int) throws {
        try optimizer.update(name: name, value: UnsafeMutableBufferPointer(start: value.assumingMemoryBound(to: Scalar.self), count: count),
                             gradient: UnsafeBufferPointer(start: gradient.assumingMemoryBound(to: Scalar.self), count: count))
    }
}
