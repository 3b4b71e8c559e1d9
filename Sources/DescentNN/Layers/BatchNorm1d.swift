import DescentCore

/// Batch normalisation over a `[batch, features]` or `[batch, features, length]` input
/// (`torch.nn.BatchNorm1d`).
///
///     training:    y = (x − μ_B) / √(σ²_B + ε) · γ + β      (μ_B, σ²_B: batch mean and biased variance)
///                  running_mean ← (1 − m)·running_mean + m·μ_B
///                  running_var  ← (1 − m)·running_var  + m·σ²_B · n/(n − 1)   (unbiased)
///     evaluation:  y = (x − running_mean) / √(running_var + ε) · γ + β
///
/// Statistics are per feature, over the batch axis (and the length axis of a 3-D input);
/// `n` is the number of values per feature. State names match PyTorch: `weight` (γ), `bias` (β),
/// `running_mean`, `running_var`, `num_batches_tracked`.
///
/// Reference: Ioffe & Szegedy, *Batch Normalization*, 2015.
public final class BatchNorm1d<Scalar: TensorScalar>: Layer, CustomStateNames {
    /// γ, shape `[features]`, initially ones (`nil` when not affine).
    public let weight: Parameter<Scalar>?
    /// β, shape `[features]`, initially zeros (`nil` when not affine).
    public let bias: Parameter<Scalar>?
    /// The running mean (`running_mean`), initially zeros.
    public let runningMean: Buffer<Scalar>
    /// The running unbiased variance (`running_var`), initially ones.
    public let runningVariance: Buffer<Scalar>
    /// The number of training batches seen (`num_batches_tracked`, stored as `I64` as PyTorch).
    public let batchesTracked: Buffer<Scalar>

    /// PyTorch's names for the buffers.
    public var stateNames: [String: String] {
        ["runningMean": "running_mean", "runningVariance": "running_var", "batchesTracked": "num_batches_tracked"]
    }

    /// The number of features `C`.
    public let featureCount: Int
    /// ε, added to the variance.
    public let epsilon: Double
    /// `m`, the weight of the new batch in the running averages; `nil` for a cumulative average
    /// (factor `1/num_batches_tracked`).
    public let momentum: Double?

    /// A batch normalisation layer.
    /// - Parameters:
    ///   - featureCount: `C`, the size of axis 1 of the input.
    ///   - epsilon: ε. The default value is `1e-5`, as PyTorch.
    ///   - momentum: m. The default value is `0.1`, as PyTorch; `nil` for a cumulative average.
    ///   - affine: whether to learn γ and β. The default value is `true`.
    public init(_ featureCount: Int, epsilon: Double = 1e-5, momentum: Double? = 0.1, affine: Bool = true) {
        self.featureCount = featureCount
        self.epsilon = epsilon
        self.momentum = momentum
        weight = affine ? Parameter(Tensor(ones: [featureCount])) : nil
        bias = affine ? Parameter(Tensor(zeros: [featureCount])) : nil
        runningMean = Buffer(Tensor(zeros: [featureCount]))
        runningVariance = Buffer(Tensor(ones: [featureCount]))
        batchesTracked = Buffer(Tensor(zeros: []), kind: .integer)
    }

    /// Normalises with batch statistics (training) or running statistics (evaluation).
    /// - Throws: ``LayerError`` for an input that is not `[n, C]` or `[n, C, L]`, or, in training,
    ///   with only one value per feature (as PyTorch).
    public func forward(_ input: Tensor<Scalar>, context: ForwardContext) throws -> Tensor<Scalar> {
        guard (input.rank == 2 || input.rank == 3), input.shape[1] == featureCount else {
            throw LayerError("BatchNorm1d(\(featureCount)): the input must have shape [batch, \(featureCount)] or [batch, \(featureCount), length], got \(input.shape)")
        }
        // Per-feature tensors broadcast as [C] against [n, C], and as [C, 1] against [n, C, L].
        let featureShape = input.rank == 2 ? [featureCount] : [featureCount, 1]
        func perFeature(_ t: Tensor<Scalar>) -> Tensor<Scalar> { try! t.reshaped(to: featureShape) }
        let axes = input.rank == 2 ? [0] : [0, 2]
        let normalized: Tensor<Scalar>
        if context.isTraining {
            let count = input.rank == 2 ? input.shape[0] : input.shape[0] * input.shape[2]
            guard count > 1 else {
                throw LayerError("BatchNorm1d(\(featureCount)): training needs more than one value per feature, got input shape \(input.shape); use a batch of at least 2 (or drop the last batch of size 1)")
            }
            let mean = input.mean(alongAxes: axes, keepingDimensions: true)
            let centered = input - mean
            let variance = centered.squared().mean(alongAxes: axes, keepingDimensions: true)
            normalized = centered / (variance + Scalar(epsilon)).squareRoot()
            withoutGradients {
                batchesTracked.value = batchesTracked.value + 1
                let factor = Scalar(momentum ?? 1 / Double(batchesTracked.value.scalar))
                let batchMean = mean.detached().reshapedFlat(featureCount)
                let unbiased = variance.detached().reshapedFlat(featureCount) * Scalar(Double(count) / Double(count - 1))
                runningMean.value = (1 - factor) * runningMean.value + factor * batchMean
                runningVariance.value = (1 - factor) * runningVariance.value + factor * unbiased
            }
        } else {
            normalized = (input - perFeature(runningMean.value)) / (perFeature(runningVariance.value) + Scalar(epsilon)).squareRoot()
        }
        guard let weight, let bias else { return normalized }
        return normalized * perFeature(weight.value) + perFeature(bias.value)
    }
}

extension Tensor {
    func reshapedFlat(_ count: Int) -> Tensor { try! reshaped(to: [count]) }
}
