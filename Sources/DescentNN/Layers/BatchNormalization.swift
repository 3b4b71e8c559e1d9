import DescentCore

/// The state and computation `BatchNorm1d` and `BatchNorm2d` share (PyTorch's `_BatchNorm` and
/// `F.batch_norm`): γ and β per feature, the running mean and unbiased variance, the batch count,
/// with PyTorch's state names `weight`, `bias`, `running_mean`, `running_var`, `num_batches_tracked`.
/// Use one of the two subclasses; they differ only in the input shapes they take.
public class BatchNormalization<Scalar: TensorScalar>: CustomStateNames {
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

    /// The number of features (channels) `C`.
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

    /// Statistics per feature over `axes`, the running averages updated in training, γ and β applied.
    /// - Parameters:
    ///   - axes: the axes reduced (all but axis 1).
    ///   - featureShape: the shape per-feature tensors broadcast as (`[C]`, `[C, 1]`, `[C, 1, 1]`).
    ///   - count: the number of values per feature, above 1 in training (the caller checks it).
    func normalized(_ input: Tensor<Scalar>, axes: [Int], featureShape: [Int], count: Int, context: ForwardContext) -> Tensor<Scalar> {
        func perFeature(_ t: Tensor<Scalar>) -> Tensor<Scalar> { t.reshapedFeatures(featureShape) }
        let normalized: Tensor<Scalar>
        if context.isTraining {
            let mean = input.mean(alongAxes: axes, keepingDimensions: true)
            let centered = input - mean
            let variance = centered.squared().mean(alongAxes: axes, keepingDimensions: true)
            normalized = centered / (variance + Scalar(epsilon)).squareRoot()
            withoutGradients {
                batchesTracked.value = batchesTracked.value + 1
                let factor = Scalar(momentum ?? 1 / Double(batchesTracked.value.scalar))
                let batchMean = mean.detached().reshapedFeatures([featureCount])
                let unbiased = variance.detached().reshapedFeatures([featureCount]) * Scalar(Double(count) / Double(count - 1))
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
    /// The same `C` values as `shape` (`[C]`, `[C, 1]`, `[C, 1, 1]`); the count is the layer's own.
    func reshapedFeatures(_ shape: [Int]) -> Tensor {
        // The element counts agree by construction (C values either way), so this cannot throw.
        (try? reshaped(to: shape)) ?? self
    }
}
