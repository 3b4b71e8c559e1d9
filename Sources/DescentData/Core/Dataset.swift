import DescentCore

/// A collection of samples that can be read a batch at a time by position.
///
/// The requirements are small on purpose: a count, the shape of one sample, and a batch of the
/// samples at given positions. ``DataLoader`` does the ordering, shuffling and batching.
///
/// - PyTorch: `torch.utils.data.Dataset` (map-style), with `__getitems__` for whole batches.
public protocol Dataset<Scalar>: Sendable {
    /// The element type of the feature tensors.
    associatedtype Scalar: TensorScalar

    /// The number of samples.
    var count: Int { get }

    /// The shape of one sample's features (for a table of `f` columns, `[f]`; for MNIST, `[28, 28]`).
    var featureShape: [Int] { get }

    /// The number of classes for classification data, `nil` for regression.
    var classCount: Int? { get }

    /// The samples at `indices`, in that order; an index may repeat.
    /// - Throws: ``DataError`` if an index is outside `0..<count` or the data cannot be read.
    func batch(at indices: [Int]) throws -> Batch<Scalar>
}

extension Dataset {
    /// Every sample as one batch, in order (`torch.utils.data.default_collate` of the whole set).
    public func all() throws -> Batch<Scalar> { try batch(at: Array(0..<count)) }

    func validate(_ indices: [Int]) throws {
        if let bad = indices.first(where: { $0 < 0 || $0 >= count }) {
            throw DataError("sample index \(bad) is out of range 0..<\(count)")
        }
    }
}
