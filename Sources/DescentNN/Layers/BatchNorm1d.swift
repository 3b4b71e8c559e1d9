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
public final class BatchNorm1d<Scalar: TensorScalar>: BatchNormalization<Scalar>, Layer {
    /// Normalises with batch statistics (training) or running statistics (evaluation).
    /// - Throws: ``LayerError`` for an input that is not `[n, C]` or `[n, C, L]`, or, in training,
    ///   with only one value per feature (as PyTorch).
    public func forward(_ input: Tensor<Scalar>, context: ForwardContext) throws -> Tensor<Scalar> {
        guard (input.rank == 2 || input.rank == 3), input.shape[1] == featureCount else {
            throw LayerError("BatchNorm1d(\(featureCount)): the input must have shape [batch, \(featureCount)] or [batch, \(featureCount), length], got \(input.shape)")
        }
        // Per-feature tensors broadcast as [C] against [n, C], and as [C, 1] against [n, C, L].
        let count = input.rank == 2 ? input.shape[0] : input.shape[0] * input.shape[2]
        if context.isTraining, count <= 1 {
            throw LayerError("BatchNorm1d(\(featureCount)): training needs more than one value per feature, got input shape \(input.shape); use a batch of at least 2 (or drop the last batch of size 1)")
        }
        return normalized(
            input, axes: input.rank == 2 ? [0] : [0, 2], featureShape: input.rank == 2 ? [featureCount] : [featureCount, 1],
            count: count, context: context)
    }
}
