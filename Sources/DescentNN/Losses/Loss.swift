import DescentCore

/// How a loss combines its per-element values (PyTorch's `reduction` argument).
public enum Reduction: String, Sendable, Codable, CaseIterable {
    /// The average: divided by the number of elements (or, for weighted cross-entropy with class
    /// labels, by the sum of the targets' weights). PyTorch's default.
    case mean
    /// The sum.
    case sum
    /// No reduction: one value per element (or per example for cross-entropy).
    case none
}

/// What a loss expects as targets (used to make example targets, as `descent gradcheck` does).
public enum LossTargetKind: Sendable, Equatable {
    /// Real values with the predictions' shape (regression).
    case values
    /// 0/1 values (or probabilities) with the predictions' shape (binary classification).
    case binary
    /// One class index per row of `[n, classes]` predictions, stored as whole numbers in a `[n]` tensor.
    case classIndices
}

/// A differentiable measure of how far predictions are from targets, minimised by training
/// (`torch.nn.*Loss`). Unlike a ``Metric``, it must change smoothly with the parameters.
///
/// A loss is a value type that is not generic: the same loss works for `Float` and `Double`
/// models. Every loss computes its value and its gradient in one fused loop (see
/// `Tensor/fusedOperation(value:inputs:backward:)`).
public protocol Loss: Sendable, CustomStringConvertible {
    /// How per-element values are combined.
    var reduction: Reduction { get }
    /// What the targets are.
    var targetKind: LossTargetKind { get }
    /// The loss of `predictions` against `targets`: a scalar (`mean`, `sum`) or per-element
    /// values (`none`).
    /// - Throws: ``LossError`` when the shapes or the target values do not fit.
    func callAsFunction<Scalar: TensorScalar>(_ predictions: Tensor<Scalar>, _ targets: Tensor<Scalar>) throws -> Tensor<Scalar>
}

/// Predictions and targets that a loss cannot compare.
public struct LossError: Error, CustomStringConvertible, Equatable, Sendable {
    /// What was wrong and what to do about it.
    public var message: String
    /// An error with `message`.
    public init(_ message: String) { self.message = message }
    /// The message.
    public var description: String { message }
}
