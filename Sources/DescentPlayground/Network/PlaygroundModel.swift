import Descent

/// The model of a network run, from its spec: every `ModelSpec` model, and one more choice the
/// lesson needs, `mlp(…, activation: none)`: linear layers stacked with nothing between them,
/// which can only ever draw a straight boundary (their product is one linear map).
enum PlaygroundModel {
    /// The words that mean "no activation".
    static let noActivation = ["none", "identity", "linear"]

    /// A freshly initialised model for two inputs and `outputs` outputs.
    /// - Throws: ``RequestError`` with `ModelSpec`'s message for a bad spec, or the playground's
    ///   for a model larger than ``TrainRequest/Limits``.
    static func make<Scalar: TensorScalar>(_ text: String, outputs: Int, generator: inout RandomGenerator) throws -> Sequential<Scalar> {
        var spec: Spec
        do { spec = try Spec(parsing: text) } catch let error as SpecError { throw RequestError(error.message) }
        // `activation: none` is read here and removed, so ModelSpec checks everything else.
        let isLinearStack = spec.name == "mlp" && spec.arguments.contains { argument in
            guard argument.label == "activation", case .word(let word) = argument.value else { return false }
            return noActivation.contains(word)
        }
        if isLinearStack { spec.arguments.removeAll { $0.label == "activation" } }
        let model: ModelSpec
        do { model = try ModelSpec(spec: spec) } catch let error as SpecError { throw RequestError(error.message) }
        guard case let .mlp(hiddenSizes, _, dropout, batchNorm) = model.kind else {
            return model.makeModel(inputs: 2, outputs: outputs, generator: &generator)
        }
        guard hiddenSizes.count <= TrainRequest.Limits.hiddenLayers, hiddenSizes.allSatisfy({ $0 <= TrainRequest.Limits.width }) else {
            throw RequestError("model \(text): the playground takes at most \(TrainRequest.Limits.hiddenLayers) hidden layers of at most "
                               + "\(TrainRequest.Limits.width) units, got \(hiddenSizes)")
        }
        guard isLinearStack else { return model.makeModel(inputs: 2, outputs: outputs, generator: &generator) }
        guard !batchNorm, dropout == 0 else {
            throw RequestError("model \(text): `activation: none` stacks plain linear layers; leave out batchNorm and dropout")
        }
        // The same layers in the same order as `Sequential.mlp`, without the activations, so the
        // same seed draws the same initial weights as the model with an activation.
        var layers: [any Layer<Scalar>] = []
        var width = 2
        for size in hiddenSizes + [outputs] {
            layers.append(Linear<Scalar>(width, size, bias: model.bias, weightInitializer: model.initializer,
                                         biasInitializer: model.initializer.matchingBiasInitializer, generator: &generator))
            width = size
        }
        return Sequential(layers: layers)
    }
}
