import DescentCore

/// Standardisation: each feature shifted to mean 0 and scaled to standard deviation 1.
///
///     μⱼ = (1/n) Σᵢ xᵢⱼ      σⱼ = √((1/n) Σᵢ (xᵢⱼ − μⱼ)²)      x′ᵢⱼ = (xᵢⱼ − μⱼ) / σⱼ
///
/// Fit it on the training split only, then apply the same transform to validation, test and
/// prediction data; save it (it is `Codable`) with the model. A constant feature (σ = 0) is only
/// shifted (its scale is 1), as scikit-learn does; ``constantFeatures`` lists them.
///
/// - scikit-learn: `sklearn.preprocessing.StandardScaler` (population σ, `ddof=0`).
///   PyTorch has no fitted scaler; `torchvision.transforms.Normalize(mean, std)` applies one.
public struct Standardizer: Equatable, Sendable, Codable {
    /// The shape of one sample's features the statistics were fitted on.
    public var featureShape: [Int]
    /// μ for each feature (row-major over `featureShape`).
    public var mean: [Double]
    /// σ for each feature.
    public var standardDeviation: [Double]

    /// A standardiser with the given statistics.
    public init(featureShape: [Int], mean: [Double], standardDeviation: [Double]) {
        self.featureShape = featureShape
        self.mean = mean
        self.standardDeviation = standardDeviation
    }

    enum CodingKeys: String, CodingKey { case featureShape, mean, standardDeviation }

    /// Decodes saved statistics, checking them as untrusted input (a saved file may have been
    /// edited): the shape's sizes are ≥ 0 and their product fits, both lists have one finite
    /// value per feature, and every σ is ≥ 0.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        featureShape = try container.decode([Int].self, forKey: .featureShape)
        mean = try container.decode([Double].self, forKey: .mean)
        standardDeviation = try container.decode([Double].self, forKey: .standardDeviation)
        func invalid(_ message: String) -> DecodingError {
            .dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "standardizer: \(message); the file was edited or damaged: train again to rewrite it"))
        }
        var count = 1
        for size in featureShape {
            let (product, overflow) = count.multipliedReportingOverflow(by: size)
            guard size >= 0, !overflow else { throw invalid("featureShape \(featureShape) is not a shape") }
            count = product
        }
        guard mean.count == count, standardDeviation.count == count else {
            throw invalid("featureShape \(featureShape) has \(count) features, but mean has \(mean.count) values and standardDeviation \(standardDeviation.count)")
        }
        guard mean.allSatisfy(\.isFinite), standardDeviation.allSatisfy({ $0.isFinite && $0 >= 0 }) else {
            throw invalid("mean and standardDeviation must be finite, and standardDeviation ≥ 0")
        }
    }

    /// Fits μ and σ on `features` (shape `[n, …]`, n ≥ 1): the training split only.
    /// - Throws: ``DataError`` for an empty or scalar tensor.
    public static func fit<Scalar: TensorScalar>(_ features: Tensor<Scalar>) throws -> Standardizer {
        let (shape, columns) = try featureLayout(features, operation: "Standardizer.fit")
        let statistics = columnStatistics(features, columns: columns)
        return Standardizer(featureShape: shape, mean: statistics.mean, standardDeviation: statistics.standardDeviation)
    }

    /// The indices of features whose σ is 0 (they carry no information).
    public var constantFeatures: [Int] { standardDeviation.indices.filter { standardDeviation[$0] == 0 } }

    /// `(x − μ) / σ`, with σ = 1 for constant features.
    /// - Throws: ``DataError`` if the feature shape differs from the fitted one.
    public func transform<Scalar: TensorScalar>(_ features: Tensor<Scalar>) throws -> Tensor<Scalar> {
        try checkShape(features, featureShape, "Standardizer")
        let scale = standardDeviation.map { $0 == 0 ? 1 : $0 }
        return try (features - statisticTensor(mean, featureShape)) / statisticTensor(scale, featureShape)
    }

    /// `x·σ + μ`: undoes ``transform(_:)`` (for example on predictions of a standardised target).
    public func inverseTransform<Scalar: TensorScalar>(_ features: Tensor<Scalar>) throws -> Tensor<Scalar> {
        try checkShape(features, featureShape, "Standardizer")
        let scale = standardDeviation.map { $0 == 0 ? 1 : $0 }
        return try features * statisticTensor(scale, featureShape) + statisticTensor(mean, featureShape)
    }
}

/// The shape of one sample and the number of features of a `[n, …]` tensor.
func featureLayout<Scalar: TensorScalar>(_ features: Tensor<Scalar>, operation: String) throws -> (shape: [Int], columns: Int) {
    guard features.rank >= 1, features.shape[0] > 0 else {
        throw DataError("\(operation) needs at least one sample with shape [n, …], got shape \(features.shape)")
    }
    let shape = Array(features.shape.dropFirst())
    return (shape, shape.reduce(1, *))
}

/// Throws unless `features` has samples of `featureShape`.
func checkShape<Scalar: TensorScalar>(_ features: Tensor<Scalar>, _ featureShape: [Int], _ name: String) throws {
    guard features.rank >= 1, Array(features.shape.dropFirst()) == featureShape else {
        throw DataError("\(name) was fitted on samples of shape \(featureShape), but these have shape \(Array(features.shape.dropFirst())) (tensor \(features.shape))")
    }
}

/// A tensor of per-feature statistics shaped like one sample, to broadcast over `[n, …]`.
/// - Throws: ``DataError`` when the statistics do not fill `shape` (a standardiser built with
///   lists of the wrong length through the memberwise initialiser).
func statisticTensor<Scalar: TensorScalar>(_ values: [Double], _ shape: [Int]) throws -> Tensor<Scalar> {
    do { return try Tensor(shape: shape, scalars: values.map { Scalar($0) }) } catch {
        throw DataError("the standardiser's statistics (\(values.count) values) do not fit its feature shape \(shape)")
    }
}

/// Per-column mean, population standard deviation, minimum and maximum, accumulated in Double
/// (two passes, so the variance does not suffer from cancellation).
func columnStatistics<Scalar: TensorScalar>(_ features: Tensor<Scalar>, columns: Int)
    -> (mean: [Double], standardDeviation: [Double], minimum: [Double], maximum: [Double])
{
    // The loops run on the concrete element type, reading the tensor in place: converting it to
    // a Double array first cost a copy twice the tensor's size (376 MB for MNIST) and a closure per element.
    features.withUnsafeBufferPointer { buffer in
        if Scalar.self == Float.self {
            return columnStatistics(UnsafeRawPointer(buffer.baseAddress!).assumingMemoryBound(to: Float.self), rows: features.shape[0], columns: columns)
        }
        return columnStatistics(UnsafeRawPointer(buffer.baseAddress!).assumingMemoryBound(to: Double.self), rows: features.shape[0], columns: columns)
    }
}

/// Per-column statistics of `rows × columns` values, summed in Double in row order (two passes).
private func columnStatistics<T: BinaryFloatingPoint>(_ x: UnsafePointer<T>, rows: Int, columns: Int)
    -> (mean: [Double], standardDeviation: [Double], minimum: [Double], maximum: [Double])
{
    var mean = [Double](repeating: 0, count: columns)
    var minimum = [Double](repeating: .infinity, count: columns)
    var maximum = [Double](repeating: -.infinity, count: columns)
    var variance = [Double](repeating: 0, count: columns)
    mean.withUnsafeMutableBufferPointer { mean in
        minimum.withUnsafeMutableBufferPointer { minimum in
            maximum.withUnsafeMutableBufferPointer { maximum in
                for i in 0..<rows {
                    let row = x + i * columns
                    for j in 0..<columns {
                        let value = Double(row[j])
                        mean[j] += value
                        minimum[j] = Swift.min(minimum[j], value)
                        maximum[j] = Swift.max(maximum[j], value)
                    }
                }
            }
        }
        for j in 0..<columns { mean[j] /= Double(rows) }
        variance.withUnsafeMutableBufferPointer { variance in
            for i in 0..<rows {
                let row = x + i * columns
                for j in 0..<columns {
                    let d = Double(row[j]) - mean[j]
                    variance[j] += d * d
                }
            }
        }
    }
    let standardDeviation = variance.map { ($0 / Double(rows)).squareRoot() }
    return (mean, standardDeviation, minimum, maximum)
}
