import DescentCore
import DescentKernels

/// The targets of a batch or dataset: real values for regression, class indices for classification.
///
/// - PyTorch: the `y` of an `(x, y)` batch; class indices correspond to a `torch.long` tensor as
///   `torch.nn.CrossEntropyLoss` expects, real values to a float tensor as `torch.nn.MSELoss` expects.
public enum Targets<Scalar: TensorScalar>: Sendable {
    /// Real-valued targets, shape `[n]` or `[n, targetCount]`.
    case values(Tensor<Scalar>)
    /// One class index in `0..<classCount` per sample.
    case classes([Int])

    /// The number of samples.
    public var count: Int {
        switch self {
        case .values(let tensor): return tensor.shape.first ?? 0
        case .classes(let labels): return labels.count
        }
    }

    /// The real-valued targets, or `nil` for class targets.
    public var values: Tensor<Scalar>? {
        if case .values(let tensor) = self { return tensor }
        return nil
    }

    /// The class indices, or `nil` for real-valued targets.
    public var classes: [Int]? {
        if case .classes(let labels) = self { return labels }
        return nil
    }

    /// The targets of the samples at `indices`, in that order (indices must be valid).
    @_specialize(exported: false, where Scalar == Float)
    @_specialize(exported: false, where Scalar == Double)
    func gathering(_ indices: [Int]) -> Targets {
        switch self {
        case .values(let tensor): return .values(gatherRows(tensor, indices))
        case .classes(let labels): return .classes(indices.map { labels[$0] })
        }
    }
}

/// One mini-batch: `features` of shape `[n, …]` and the `targets` of the same `n` samples.
///
/// A trainer uses it the same way for regression and classification:
///
///     let prediction = model(batch.features)
///     switch batch.targets {
///     case .values(let y): loss = meanSquaredError(prediction, y)
///     case .classes(let labels): loss = crossEntropy(prediction, labels)
///     }
///
/// - PyTorch: the `(x, y)` pair a `torch.utils.data.DataLoader` yields.
public struct Batch<Scalar: TensorScalar>: Sendable {
    /// The inputs, shape `[n, …]`: one row (or image) per sample.
    public var features: Tensor<Scalar>
    /// The targets of the same samples.
    public var targets: Targets<Scalar>
    /// The positions of these samples in their dataset (for a streaming dataset, the row number in
    /// the file), so a batch can be traced back to its data.
    public var indices: [Int]

    /// A batch of the given features, targets and source positions.
    public init(features: Tensor<Scalar>, targets: Targets<Scalar>, indices: [Int]) {
        self.features = features
        self.targets = targets
        self.indices = indices
    }

    /// The number of samples in the batch.
    public var count: Int { features.shape.first ?? 0 }
}

/// The rows of `tensor` (along axis 0) at `indices`, copied with one `memcpy` per row and the
/// rows ahead prefetched (``RowGather``). Indices must be in range; callers validate
/// user-provided indices first.
@_specialize(exported: false, where Scalar == Float)
@_specialize(exported: false, where Scalar == Double)
func gatherRows<Scalar: TensorScalar>(_ tensor: Tensor<Scalar>, _ indices: [Int]) -> Tensor<Scalar> {
    var shape = tensor.shape
    let rowCount = shape[0]
    let rowScalars = rowCount == 0 ? 0 : tensor.scalarCount / rowCount
    shape[0] = indices.count
    // Raw byte copies: a generic element-wise copy would go through witness tables per element.
    let rowBytes = rowScalars * MemoryLayout<Scalar>.stride
    return tensor.withUnsafeBufferPointer { source in
        Tensor(shape: shape) { out in
            guard let base = source.baseAddress, let destination = out.baseAddress else { return }
            indices.withUnsafeBufferPointer { indices in
                RowGather.copyRows(from: base, rowBytes: rowBytes, indices: indices, to: destination)
            }
        }
    }
}
