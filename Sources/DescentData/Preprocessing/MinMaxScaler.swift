import DescentCore

/// Min-max scaling: each feature mapped linearly so its training minimum and maximum become
/// `lower` and `upper`.
///
///     x′ᵢⱼ = lower + (xᵢⱼ − minⱼ) · (upper − lower) / (maxⱼ − minⱼ)
///
/// Fit on the training split only; values outside the training range map outside
/// [`lower`, `upper`]. A constant feature (max = min) maps to `lower`.
///
/// - scikit-learn: `sklearn.preprocessing.MinMaxScaler(feature_range=(lower, upper))`.
public struct MinMaxScaler: Equatable, Sendable, Codable {
    /// The shape of one sample's features the statistics were fitted on.
    public var featureShape: [Int]
    /// The training minimum of each feature.
    public var minimum: [Double]
    /// The training maximum of each feature.
    public var maximum: [Double]
    /// The value the minimum maps to. The default value is `0`.
    public var lower: Double
    /// The value the maximum maps to. The default value is `1`.
    public var upper: Double

    /// A scaler with the given statistics and target range.
    public init(featureShape: [Int], minimum: [Double], maximum: [Double], lower: Double = 0, upper: Double = 1) {
        self.featureShape = featureShape
        self.minimum = minimum
        self.maximum = maximum
        self.lower = lower
        self.upper = upper
    }

    /// Fits the minimum and maximum of each feature of `features` (`[n, …]`).
    /// - Parameters:
    ///   - lower: the value the minimum maps to. The default value is `0`.
    ///   - upper: the value the maximum maps to. The default value is `1`.
    ///   - features: the training features, `[n, …]`.
    /// - Throws: ``DataError`` for an empty tensor or `lower ≥ upper`.
    public static func fit<Scalar: TensorScalar>(_ features: Tensor<Scalar>, lower: Double = 0, upper: Double = 1) throws -> MinMaxScaler {
        guard lower < upper else { throw DataError("MinMaxScaler needs lower < upper, got \(lower) and \(upper)") }
        let (shape, columns) = try featureLayout(features, operation: "MinMaxScaler.fit")
        let statistics = columnStatistics(features, columns: columns)
        return MinMaxScaler(featureShape: shape, minimum: statistics.minimum, maximum: statistics.maximum, lower: lower, upper: upper)
    }

    /// The per-feature factor `(upper − lower) / (max − min)`, 0 for constant features.
    var scale: [Double] {
        zip(minimum, maximum).map { $1 > $0 ? (upper - lower) / ($1 - $0) : 0 }
    }

    /// Scales `features` into the fitted range.
    /// - Throws: ``DataError`` if the feature shape differs from the fitted one.
    public func transform<Scalar: TensorScalar>(_ features: Tensor<Scalar>) throws -> Tensor<Scalar> {
        try checkShape(features, featureShape, "MinMaxScaler")
        // x·s + (lower − min·s), one multiply and one add per element.
        let offset = zip(minimum, scale).map { lower - $0 * $1 }
        return try features * statisticTensor(scale, featureShape) + statisticTensor(offset, featureShape)
    }
}
