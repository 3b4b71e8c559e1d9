import DescentCore

/// Batch normalisation over the channels of an NCHW input (`torch.nn.BatchNorm2d`).
///
///     training:    y = (x − μ_B) / √(σ²_B + ε) · γ + β      (μ_B, σ²_B: per channel over n, h, w; biased variance)
///                  running_mean ← (1 − m)·running_mean + m·μ_B
///                  running_var  ← (1 − m)·running_var  + m·σ²_B · k/(k − 1)   (unbiased, k = n·h·w)
///     evaluation:  y = (x − running_mean) / √(running_var + ε) · γ + β
///
/// State names match PyTorch: `weight` (γ), `bias` (β), `running_mean`, `running_var`,
/// `num_batches_tracked` (an `I64` in the model file).
///
/// Reference: Ioffe & Szegedy, *Batch Normalization*, 2015.
public final class BatchNorm2d<Scalar: TensorScalar>: BatchNormalization<Scalar>, Layer {
    /// Normalises each channel with batch statistics (training) or running statistics (evaluation).
    /// - Throws: ``LayerError`` for an input that is not `[n, C, h, w]`, or, in training, with only
    ///   one value per channel (`n·h·w = 1`, as PyTorch).
    public func forward(_ input: Tensor<Scalar>, context: ForwardContext) throws -> Tensor<Scalar> {
        guard input.rank == 4, input.shape[1] == featureCount else {
            throw LayerError("BatchNorm2d(\(featureCount)): the input must have shape [batch, \(featureCount), height, width], got \(input.shape)")
        }
        let count = input.shape[0] * input.shape[2] * input.shape[3]
        if context.isTraining, count <= 1 {
            throw LayerError("BatchNorm2d(\(featureCount)): training needs more than one value per channel, got input shape \(input.shape); use a batch of at least 2")
        }
        return normalized(input, axes: [0, 2, 3], featureShape: [featureCount, 1, 1], count: count, context: context)
    }
}
