import DescentCore
import Foundation

/// Makes losses from spec strings such as `mse`, `huber(delta: 0.5)`,
/// `cross-entropy(labelSmoothing: 0.1, weights: [1, 2, 1])` or `bce-with-logits(posWeight: [3])`.
public enum LossSpec {
    /// The loss names (aliases: `mae` for `l1`, `bce` for `bce-with-logits`, `ce` for `cross-entropy`).
    public static let names = ["mse", "l1", "huber", "smooth-l1", "bce-with-logits", "cross-entropy"]

    /// The loss `text` describes. Every loss takes `reduction: mean|sum|none` (default `mean`).
    /// - Throws: `SpecError` naming the valid losses or keys.
    public static func makeLoss(_ text: String) throws -> any Loss {
        try makeLoss(Spec(parsing: text))
    }

    /// The loss a parsed `Spec` describes.
    public static func makeLoss(_ spec: Spec) throws -> any Loss {
        let name = spec.name.lowercased().replacingOccurrences(of: "_", with: "-")
        let component = "loss \(spec.name)"
        func start(_ keys: [String]) throws -> (SpecArguments, Reduction) {
            var arguments = try SpecArguments(spec, component: component, validKeys: keys + ["reduction"])
            let word = try arguments.word("reduction", allowed: Reduction.allCases.map(\.rawValue), default: "mean")
            return (arguments, Reduction(rawValue: word)!)
        }
        func optionalList(_ arguments: inout SpecArguments, _ key: String, aliases: [String] = []) throws -> [Double]? {
            let values = try arguments.doubles(key, aliases: aliases, default: [])
            return values.isEmpty ? nil : values
        }
        switch name {
        case "mse", "mean-squared-error":
            let (arguments, reduction) = try start([])
            try arguments.finish()
            return MeanSquaredErrorLoss(reduction: reduction)
        case "l1", "mae", "mean-absolute-error":
            let (arguments, reduction) = try start([])
            try arguments.finish()
            return L1Loss(reduction: reduction)
        case "huber":
            var (arguments, reduction) = try start(["delta"])
            let delta = try arguments.double("delta", default: 1)
            try arguments.finish()
            guard delta > 0 else { throw SpecError("\(component): `delta` must be > 0, not \(delta)") }
            return HuberLoss(delta: delta, reduction: reduction)
        case "smooth-l1", "smoothl1":
            var (arguments, reduction) = try start(["beta"])
            let beta = try arguments.double("beta", default: 1)
            try arguments.finish()
            guard beta >= 0 else { throw SpecError("\(component): `beta` must be ≥ 0, not \(beta)") }
            return SmoothL1Loss(beta: beta, reduction: reduction)
        case "bce-with-logits", "bce", "binary-cross-entropy":
            var (arguments, reduction) = try start(["posWeight", "weight"])
            let positive = try optionalList(&arguments, "posWeight", aliases: ["positiveWeight", "pos_weight"])
            let weight = try optionalList(&arguments, "weight")
            try arguments.finish()
            return BinaryCrossEntropyWithLogitsLoss(weight: weight, positiveWeight: positive, reduction: reduction)
        case "cross-entropy", "ce", "crossentropy", "softmax-cross-entropy":
            var (arguments, reduction) = try start(["labelSmoothing", "weights", "ignoreIndex"])
            let smoothing = try arguments.double("labelSmoothing", aliases: ["label_smoothing", "smoothing"], default: 0)
            guard smoothing >= 0 && smoothing <= 1 else { throw SpecError("\(component): `labelSmoothing` must be in [0, 1], not \(smoothing)") }
            let weights = try optionalList(&arguments, "weights", aliases: ["weight", "classWeights"])
            let ignore = try arguments.int("ignoreIndex", aliases: ["ignore_index"], default: -100)
            try arguments.finish()
            return CrossEntropyLoss(classWeights: weights, labelSmoothing: smoothing, ignoreIndex: ignore, reduction: reduction)
        default:
            throw SpecError("unknown loss `\(spec.name)`\(Suggestion.didYouMean(spec.name, among: names)); valid losses: \(names.joined(separator: ", "))")
        }
    }
}
