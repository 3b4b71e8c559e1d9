import DescentCore

/// A metric measured after predictions and targets are mapped back to their original units,
/// `y·scale + shift` per output column: for a model trained on a standardised target
/// (`scale` = σ, `shift` = μ of the training targets), the mean squared error in the target's
/// own units rather than in standard deviations.
///
///     let mse = RescaledMetric(MeanSquaredError(), scale: [55.5], shift: [152.1])
///
/// Predictions and targets must have `scale.count` columns (`[n, k]`, or `[n]` for one column).
///
/// - scikit-learn: `TransformedTargetRegressor(regressor, transformer=StandardScaler())` scores
///   its inverse-transformed predictions against the original targets; PyTorch has no equivalent
///   (scale the outputs back by hand before `torchmetrics`).
public struct RescaledMetric<Base: Metric>: Metric {
    /// The metric on the rescaled values.
    public var base: Base
    /// The factor of each output column.
    public let scale: [Double]
    /// The offset of each output column, added after scaling.
    public let shift: [Double]

    /// `base` measured on `y·scale + shift`; `scale` and `shift` have one entry per output column.
    public init(_ base: Base, scale: [Double], shift: [Double]) {
        self.base = base
        self.scale = scale
        self.shift = shift
    }

    /// Adds one batch, both tensors mapped back to the original units first.
    /// - Throws: ``MetricError`` when the last axis does not have `scale.count` columns.
    public mutating func update<Scalar: TensorScalar>(predictions: Tensor<Scalar>, targets: Tensor<Scalar>) throws {
        try base.update(predictions: rescaled(predictions, "predictions"), targets: rescaled(targets, "targets"))
    }

    private func rescaled<Scalar: TensorScalar>(_ values: Tensor<Scalar>, _ name: String) throws -> Tensor<Scalar> {
        let columns = values.rank >= 2 ? values.shape[values.rank - 1] : 1
        guard columns == scale.count, scale.count == shift.count, values.rank >= 1 else {
            throw MetricError("RescaledMetric: \(name) of shape \(values.shape) do not have the \(scale.count) column(s) the scale was fitted on")
        }
        let shape = values.rank >= 2 ? [scale.count] : []
        let factor = try Tensor<Scalar>(shape: shape, scalars: scale.map { Scalar($0) })
        let offset = try Tensor<Scalar>(shape: shape, scalars: shift.map { Scalar($0) })
        return values * factor + offset
    }

    /// The base metric's value.
    public var value: Base.Value { base.value }
    /// The base metric's named numbers (the same names: the units change, not the meaning).
    public var summary: [String: Double] { base.summary }
    /// Forgets every batch.
    public mutating func reset() { base.reset() }
}
