import DescentCore

/// The feature scaling a model was trained with, in one `Codable` value to save beside the model.
///
///     let scaling = try FeatureScaling.fit("standardize", on: train.features)   // training split only
///     let x = try scaling.transform(batch.features)                            // same at prediction
///
/// Encoded as JSON it reads `{"standardize":{"_0":{"mean":[…],"standardDeviation":[…],…}}}`.
/// - scikit-learn: a fitted `StandardScaler` / `MinMaxScaler` pickled with the model.
public enum FeatureScaling: Equatable, Sendable, Codable {
    /// No scaling.
    case none
    /// Standardisation with training statistics (see ``Standardizer``).
    case standardize(Standardizer)
    /// Min-max scaling to a range (see ``MinMaxScaler``).
    case minMax(MinMaxScaler)

    /// The names ``fit(_:on:)`` accepts.
    public static let names = ["none", "standardize", "minmax"]

    /// Fits the named scaling on `features` (`[n, …]`), which should be the training split only.
    /// - Parameters:
    ///   - name: `none`, `standardize` (also `standard`, `zscore`) or `minmax`.
    ///   - features: the training features, `[n, …]`.
    /// - Throws: ``DataError`` for an unknown name or empty features.
    public static func fit<Scalar: TensorScalar>(_ name: String, on features: Tensor<Scalar>) throws -> FeatureScaling {
        switch name.lowercased() {
        case "none": return .none
        case "standardize", "standardise", "standard", "zscore": return .standardize(try Standardizer.fit(features))
        case "minmax", "min-max", "min_max": return .minMax(try MinMaxScaler.fit(features))
        default: throw DataError("unknown feature scaling \"\(name)\"; choose one of \(names.joined(separator: ", "))")
        }
    }

    /// Applies the fitted scaling.
    /// - Throws: ``DataError`` if the feature shape differs from the fitted one.
    public func transform<Scalar: TensorScalar>(_ features: Tensor<Scalar>) throws -> Tensor<Scalar> {
        switch self {
        case .none: return features
        case .standardize(let scaler): return try scaler.transform(features)
        case .minMax(let scaler): return try scaler.transform(features)
        }
    }
}
