import DescentCore

/// Mean squared error: `ℓᵢ = (xᵢ − yᵢ)²`, `∂ℓᵢ/∂xᵢ = 2(xᵢ − yᵢ)` (`torch.nn.MSELoss`).
///
/// Predictions and targets have the same shape (or `[n, 1]` and `[n]`). Optax's `l2_loss` is
/// half of this.
public struct MeanSquaredErrorLoss: Loss {
    /// How per-element values are combined. The default value is `.mean`.
    public var reduction: Reduction
    /// A mean-squared-error loss. - Parameter reduction: The default value is `.mean`.
    public init(reduction: Reduction = .mean) { self.reduction = reduction }
    /// What the targets are.
    public var targetKind: LossTargetKind { .values }
    /// The loss as a spec string.
    public var description: String { "mse(reduction: \(reduction.rawValue))" }
    /// The reduced squared differences.
    public func callAsFunction<Scalar: TensorScalar>(_ predictions: Tensor<Scalar>, _ targets: Tensor<Scalar>) throws -> Tensor<Scalar> {
        try pointwiseLoss(.squared, predictions, targets, reduction: reduction, name: "MeanSquaredErrorLoss")
    }
}

/// Mean absolute error: `ℓᵢ = |xᵢ − yᵢ|`, `∂ℓᵢ/∂xᵢ = sign(xᵢ − yᵢ)` (0 at 0) (`torch.nn.L1Loss`).
public struct L1Loss: Loss {
    /// How per-element values are combined. The default value is `.mean`.
    public var reduction: Reduction
    /// An L1 loss. - Parameter reduction: The default value is `.mean`.
    public init(reduction: Reduction = .mean) { self.reduction = reduction }
    /// What the targets are.
    public var targetKind: LossTargetKind { .values }
    /// The loss as a spec string.
    public var description: String { "l1(reduction: \(reduction.rawValue))" }
    /// The reduced absolute differences.
    public func callAsFunction<Scalar: TensorScalar>(_ predictions: Tensor<Scalar>, _ targets: Tensor<Scalar>) throws -> Tensor<Scalar> {
        try pointwiseLoss(.absolute, predictions, targets, reduction: reduction, name: "L1Loss")
    }
}

/// Huber loss: quadratic near the target, linear far from it (`torch.nn.HuberLoss`).
///
///     ℓ = ½d²             if |d| < δ          ∂ℓ/∂x = clamp(d, −δ, δ)
///         δ(|d| − ½δ)     otherwise           (d = x − y)
///
/// Reference: Huber, *Robust Estimation of a Location Parameter*, 1964.
public struct HuberLoss: Loss {
    /// δ, where the loss turns from quadratic to linear.
    public var delta: Double
    /// How per-element values are combined. The default value is `.mean`.
    public var reduction: Reduction
    /// A Huber loss.
    /// - Parameters:
    ///   - delta: δ > 0. The default value is `1`, as PyTorch.
    ///   - reduction: The default value is `.mean`.
    public init(delta: Double = 1, reduction: Reduction = .mean) {
        precondition(delta > 0, "HuberLoss: delta must be > 0, got \(delta)")
        self.delta = delta
        self.reduction = reduction
    }
    /// What the targets are.
    public var targetKind: LossTargetKind { .values }
    /// The loss as a spec string.
    public var description: String { "huber(delta: \(delta), reduction: \(reduction.rawValue))" }
    /// The reduced Huber values.
    public func callAsFunction<Scalar: TensorScalar>(_ predictions: Tensor<Scalar>, _ targets: Tensor<Scalar>) throws -> Tensor<Scalar> {
        try pointwiseLoss(.huber(delta: delta), predictions, targets, reduction: reduction, name: "HuberLoss")
    }
}

/// Smooth L1 loss, the Huber loss divided by β (`torch.nn.SmoothL1Loss`).
///
///     ℓ = ½d²/β           if |d| < β          ∂ℓ/∂x = d/β inside, sign(d) outside
///         |d| − ½β        otherwise
///
/// β = 0 gives the L1 loss. Reference: Girshick, *Fast R-CNN*, 2015.
public struct SmoothL1Loss: Loss {
    /// β, where the loss turns from quadratic to linear.
    public var beta: Double
    /// How per-element values are combined. The default value is `.mean`.
    public var reduction: Reduction
    /// A smooth L1 loss.
    /// - Parameters:
    ///   - beta: β ≥ 0. The default value is `1`, as PyTorch.
    ///   - reduction: The default value is `.mean`.
    public init(beta: Double = 1, reduction: Reduction = .mean) {
        precondition(beta >= 0, "SmoothL1Loss: beta must be ≥ 0, got \(beta)")
        self.beta = beta
        self.reduction = reduction
    }
    /// What the targets are.
    public var targetKind: LossTargetKind { .values }
    /// The loss as a spec string.
    public var description: String { "smooth-l1(beta: \(beta), reduction: \(reduction.rawValue))" }
    /// The reduced smooth L1 values.
    public func callAsFunction<Scalar: TensorScalar>(_ predictions: Tensor<Scalar>, _ targets: Tensor<Scalar>) throws -> Tensor<Scalar> {
        try pointwiseLoss(.smoothL1(beta: beta), predictions, targets, reduction: reduction, name: "SmoothL1Loss")
    }
}

/// Binary cross-entropy on logits, in the numerically stable form
/// (`torch.nn.BCEWithLogitsLoss`).
///
///     ℓ = (1 − y)·x − w_y·log σ(x),   w_y = 1 + (p − 1)·y,   log σ(x) = min(x, 0) − log1p(e^{−|x|})
///       = max(x, 0) − x·y + log1p(e^{−|x|})      when p = 1
///     ∂ℓ/∂x = (1 − y) − w_y·σ(−x)  (= σ(x) − y when p = 1)
///
/// `x` are logits (any real number), `y` targets in [0, 1] of the same shape. The optional
/// per-element `weight` multiplies ℓ; the mean still divides by the element count.
public struct BinaryCrossEntropyWithLogitsLoss: Loss {
    /// Multiplies each element's loss, broadcast along the last axis (1 value or one per column).
    public var weight: [Double]?
    /// `p`, the weight of positive examples (PyTorch's `pos_weight`), broadcast along the last axis.
    public var positiveWeight: [Double]?
    /// How per-element values are combined. The default value is `.mean`.
    public var reduction: Reduction

    /// A binary cross-entropy loss on logits.
    /// - Parameters:
    ///   - weight: per-column weights. The default value is `nil` (all 1).
    ///   - positiveWeight: `p` per column; `p > 1` raises recall. The default value is `nil` (1).
    ///   - reduction: The default value is `.mean`.
    public init(weight: [Double]? = nil, positiveWeight: [Double]? = nil, reduction: Reduction = .mean) {
        self.weight = weight
        self.positiveWeight = positiveWeight
        self.reduction = reduction
    }
    /// What the targets are.
    public var targetKind: LossTargetKind { .binary }
    /// The loss as a spec string.
    public var description: String { "bce-with-logits(reduction: \(reduction.rawValue))" }
    /// The reduced binary cross-entropies.
    public func callAsFunction<Scalar: TensorScalar>(_ predictions: Tensor<Scalar>, _ targets: Tensor<Scalar>) throws -> Tensor<Scalar> {
        try pointwiseLoss(.binaryCrossEntropyWithLogits(weight: weight, positiveWeight: positiveWeight),
                          predictions, targets, reduction: reduction, name: "BinaryCrossEntropyWithLogitsLoss")
    }
}
