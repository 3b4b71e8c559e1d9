import DescentCore
import DescentKernels

/// A dataset held in memory as a feature tensor `[n, …]` and `n` targets.
///
/// Batches are gathered by copying whole rows (`memcpy`) from the contiguous feature storage.
///
///     let data = try TensorDataset(features: x, targets: .values(y))
///     let (train, test) = try data.split(trainFraction: 0.8, seed: 1)
///
/// - PyTorch: `torch.utils.data.TensorDataset`.
public struct TensorDataset<Scalar: TensorScalar>: Dataset {
    /// The features, shape `[n, …]`.
    public let features: Tensor<Scalar>
    /// The targets of the `n` samples.
    public let targets: Targets<Scalar>
    /// The names of the feature columns, when the data came from a table. The default value is `nil`.
    public var featureNames: [String]?
    /// The class names in index order (class `i` is `classNames[i]`), when known.
    public var classNames: [String]?
    /// The number of classes for class targets (given, or one more than the largest label).
    public let classCount: Int?

    /// A dataset of `features` (`[n, …]`) and the same number of `targets`.
    /// - Parameters:
    ///   - classCount: the number of classes for class targets. The default value is `nil`:
    ///     `classNames.count` if given, otherwise one more than the largest label.
    ///   - features: the samples, `[n, …]`.
    ///   - targets: the `n` targets: classes or values.
    ///   - featureNames: the names of the feature columns. The default value is `nil`.
    ///   - classNames: the class names in index order. The default value is `nil`.
    /// - Throws: ``DataError`` if the counts differ, features have rank 0, or a class is negative
    ///   or not below `classCount`.
    public init(
        features: Tensor<Scalar>, targets: Targets<Scalar>, featureNames: [String]? = nil,
        classNames: [String]? = nil, classCount: Int? = nil
    ) throws {
        guard features.rank >= 1 else { throw DataError("features need a sample axis; got a scalar tensor") }
        guard features.shape[0] == targets.count else {
            throw DataError("features have \(features.shape[0]) samples (shape \(features.shape)) but there are \(targets.count) targets")
        }
        if let values = targets.values, values.rank == 0 {
            throw DataError("target values need a sample axis; got a scalar tensor")
        }
        self.features = features
        self.targets = targets
        self.featureNames = featureNames
        self.classNames = classNames
        if let labels = targets.classes {
            let count = classCount ?? classNames?.count ?? ((labels.max() ?? -1) + 1)
            if let bad = labels.firstIndex(where: { $0 < 0 || $0 >= count }) {
                throw DataError("sample \(bad) has class \(labels[bad]); classes must be in 0..<\(count)")
            }
            self.classCount = count
        } else {
            self.classCount = nil
        }
    }

    /// The number of samples.
    public var count: Int { features.shape[0] }

    /// The shape of one sample's features.
    public var featureShape: [Int] { Array(features.shape.dropFirst()) }

    /// The samples at `indices`, rows copied with one `memcpy` each.
    @_specialize(exported: false, where Scalar == Float)
    @_specialize(exported: false, where Scalar == Double)
    public func batch(at indices: [Int]) throws -> Batch<Scalar> {
        try validate(indices)
        return Batch(features: gatherRows(features, indices), targets: targets.gathering(indices), indices: indices)
    }

    /// A new dataset of the samples at `indices`, keeping names (`torch.utils.data.Subset`, copied).
    public func subset(_ indices: [Int]) throws -> TensorDataset {
        try validate(indices)
        return try TensorDataset(
            features: gatherRows(features, indices), targets: targets.gathering(indices),
            featureNames: featureNames, classNames: classNames, classCount: classCount)
    }

    /// The same samples with features replaced (for example after preprocessing).
    /// - Throws: ``DataError`` if the sample count changes.
    public func replacingFeatures(_ newFeatures: Tensor<Scalar>, featureNames: [String]? = nil) throws -> TensorDataset {
        try TensorDataset(
            features: newFeatures, targets: targets, featureNames: featureNames ?? (newFeatures.shape == features.shape ? self.featureNames : nil),
            classNames: classNames, classCount: classCount)
    }
}

/// A dataset held in memory that can ask for a batch's rows ahead of the gather.
///
/// At small batch sizes each row of a large dataset is a DRAM miss that nothing overlaps, a
/// noticeable part of a batch-1 training step (BENCHMARKS.md, "Design measurements", "Row
/// prefetch"). ``DataLoader`` knows the next batch while it hands out the current one and calls
/// this for it.
protocol RowPrefetching {
    /// Starts loading the feature rows at `indices` into the caches and returns at once; indices
    /// outside the dataset are skipped. Does nothing for batches too large to gain from it.
    func prefetchRows(at indices: ArraySlice<Int>)
}

extension TensorDataset: RowPrefetching {
    func prefetchRows(at indices: ArraySlice<Int>) {
        let rows = features.shape[0]
        guard rows > 0 else { return }
        let rowBytes = features.scalarCount / rows * MemoryLayout<Scalar>.stride
        // Larger batches prefetch ahead inside their own gather (`RowGather`).
        guard rowBytes > 0, indices.count * rowBytes <= RowGather.prefetchLimitBytes,
              indices.allSatisfy({ $0 >= 0 && $0 < rows }) else { return }
        features.withUnsafeBufferPointer { source in
            guard let base = source.baseAddress else { return }
            indices.withUnsafeBufferPointer { indices in
                RowGather.prefetchRows(of: base, rowBytes: rowBytes, indices: indices)
            }
        }
    }
}
