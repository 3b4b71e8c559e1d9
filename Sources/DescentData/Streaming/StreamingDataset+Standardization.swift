import DescentCore

/// Per-column `(x − μ)/σ` applied to rows as a ``StreamingDataset`` reads them: the same
/// arithmetic as ``Standardizer/transform(_:)`` (subtract, then divide, in `Scalar`), so a
/// streamed row equals the in-memory standardised row bit for bit.
struct RowStandardization<Scalar: TensorScalar>: Sendable {
    var featureMean: [Scalar]
    var featureScale: [Scalar]
    var targetMean: [Scalar]?
    var targetScale: [Scalar]?

    init(features: Standardizer?, targets: Standardizer?, featureCount: Int) {
        featureMean = features.map { $0.mean.map { Scalar($0) } } ?? []
        featureScale = features.map { $0.standardDeviation.map { Scalar($0 == 0 ? 1 : $0) } } ?? []
        targetMean = targets.map { $0.mean.map { Scalar($0) } }
        targetScale = targets.map { $0.standardDeviation.map { Scalar($0 == 0 ? 1 : $0) } }
    }

    func apply(toFeatures rows: UnsafeMutablePointer<Scalar>, rows count: Int) {
        guard !featureMean.isEmpty else { return }
        Self.standardize(rows, count: count, mean: featureMean, scale: featureScale)
    }

    func apply(toTargets rows: UnsafeMutablePointer<Scalar>, rows count: Int) {
        guard let targetMean, let targetScale else { return }
        Self.standardize(rows, count: count, mean: targetMean, scale: targetScale)
    }

    /// `x[i, j] = (x[i, j] − mean[j]) / scale[j]` for `count` rows of `mean.count` columns; the
    /// loop is compiled for the concrete element type (generic arithmetic would dispatch per element).
    static func standardize(_ rows: UnsafeMutablePointer<Scalar>, count: Int, mean: [Scalar], scale: [Scalar]) {
        if Scalar.self == Float.self {
            standardize(UnsafeMutableRawPointer(rows).assumingMemoryBound(to: Float.self), count, unsafeBitCast(mean, to: [Float].self),
                        unsafeBitCast(scale, to: [Float].self))
        } else if Scalar.self == Double.self {
            standardize(UnsafeMutableRawPointer(rows).assumingMemoryBound(to: Double.self), count, unsafeBitCast(mean, to: [Double].self),
                        unsafeBitCast(scale, to: [Double].self))
        } else {
            let width = mean.count
            for i in 0..<count { for j in 0..<width { rows[i * width + j] = (rows[i * width + j] - mean[j]) / scale[j] } }
        }
    }

    private static func standardize<T: BinaryFloatingPoint>(_ rows: UnsafeMutablePointer<T>, _ count: Int, _ mean: [T], _ scale: [T]) {
        let width = mean.count
        mean.withUnsafeBufferPointer { m in
            scale.withUnsafeBufferPointer { s in
                for i in 0..<count {
                    let row = rows + i * width
                    for j in 0..<width { row[j] = (row[j] - m[j]) / s[j] }
                }
            }
        }
    }
}

extension StreamingDataset {
    /// The same data, standardised as it is read: features by `features` and real-valued targets
    /// by `targets` (each `nil` to leave them as they are), for example fitted by
    /// ``fittingStandardizers(targets:)`` on the training part.
    /// - Throws: ``DataError`` if a standardiser was fitted on a different number of columns.
    /// - scikit-learn: `StandardScaler().partial_fit` over batches, then `transform` per batch.
    public func standardizing(features: Standardizer?, targets: Standardizer?) throws -> StreamingDataset {
        if let features, features.mean.count != featuresPerRow {
            throw DataError("the feature standardiser has \(features.mean.count) columns; the data has \(featuresPerRow)")
        }
        if let targets, classCount != nil || targets.mean.count != targetCount {
            throw DataError("the target standardiser has \(targets.mean.count) columns; the data has \(classCount != nil ? "class labels" : "\(targetCount) target columns")")
        }
        var copy = self
        copy.standardization = RowStandardization(features: features, targets: targets, featureCount: featuresPerRow)
        return copy
    }

    /// μ and σ of every feature (and, with `targets`, of real-valued targets) over all rows, in
    /// two sequential passes with Double sums, as ``Standardizer/fit(_:)`` computes them in memory.
    /// Any standardisation already set is not applied while fitting.
    /// - Throws: ``DataError`` if the file cannot be read.
    public func fittingStandardizers(targets: Bool) throws -> (features: Standardizer, targets: Standardizer?) {
        var plain = self
        plain.standardization = nil
        let width = featuresPerRow, k = targetCount
        let fitsTargets = targets && classCount == nil && k > 0
        let reader = try ChunkReader(plain)
        let features = UnsafeMutablePointer<Scalar>.allocate(capacity: Swift.max(chunkRows * width, 1))
        let values = UnsafeMutablePointer<Scalar>.allocate(capacity: Swift.max(chunkRows * k, 1))
        let classes = UnsafeMutablePointer<Int>.allocate(capacity: Swift.max(chunkRows, 1))
        let rowIndices = UnsafeMutablePointer<Int>.allocate(capacity: Swift.max(chunkRows, 1))
        defer { features.deallocate(); values.deallocate(); classes.deallocate(); rowIndices.deallocate() }
        var featureSums = [Double](repeating: 0, count: width), targetSums = [Double](repeating: 0, count: fitsTargets ? k : 0)
        var featureSquares = featureSums, targetSquares = targetSums
        for pass in 0..<2 {
            let featureMean = featureSums.map { $0 / Double(Swift.max(count, 1)) }
            let targetMean = targetSums.map { $0 / Double(Swift.max(count, 1)) }
            for chunk in 0..<chunkCount {
                try reader.read(chunk: chunk, features: features, values: values, classes: classes, rowIndices: rowIndices, offset: 0)
                let rows = chunks[chunk].rowCount
                if pass == 0 {
                    Self.accumulate(features, rows: rows, width: width, mean: nil, into: &featureSums)
                    if fitsTargets { Self.accumulate(values, rows: rows, width: k, mean: nil, into: &targetSums) }
                } else {
                    Self.accumulate(features, rows: rows, width: width, mean: featureMean, into: &featureSquares)
                    if fitsTargets { Self.accumulate(values, rows: rows, width: k, mean: targetMean, into: &targetSquares) }
                }
            }
        }
        func standardizer(_ sums: [Double], _ squares: [Double], shape: [Int]) -> Standardizer {
            let n = Double(Swift.max(count, 1))
            return Standardizer(featureShape: shape, mean: sums.map { $0 / n }, standardDeviation: squares.map { ($0 / n).squareRoot() })
        }
        return (standardizer(featureSums, featureSquares, shape: featureShape),
                fitsTargets ? standardizer(targetSums, targetSquares, shape: [k]) : nil)
    }

    /// Adds each column's values (without `mean`) or squared deviations from `mean` to `sums`.
    private static func accumulate(_ rows: UnsafeMutablePointer<Scalar>, rows count: Int, width: Int, mean: [Double]?, into sums: inout [Double]) {
        if Scalar.self == Float.self {
            accumulate(UnsafeMutableRawPointer(rows).assumingMemoryBound(to: Float.self), count, width, mean, &sums)
        } else if Scalar.self == Double.self {
            accumulate(UnsafeMutableRawPointer(rows).assumingMemoryBound(to: Double.self), count, width, mean, &sums)
        }
    }

    private static func accumulate<T: BinaryFloatingPoint>(_ rows: UnsafeMutablePointer<T>, _ count: Int, _ width: Int, _ mean: [Double]?,
                                                           _ sums: inout [Double]) {
        sums.withUnsafeMutableBufferPointer { sum in
            for i in 0..<count {
                let row = rows + i * width
                if let mean {
                    for j in 0..<width { let d = Double(row[j]) - mean[j]; sum[j] += d * d }
                } else {
                    for j in 0..<width { sum[j] += Double(row[j]) }
                }
            }
        }
    }
}
