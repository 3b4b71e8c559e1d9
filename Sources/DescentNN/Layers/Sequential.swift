import DescentCore

/// Layers applied one after another (`torch.nn.Sequential`); its layers' state is named by
/// position, as PyTorch names it: `0.weight`, `0.bias`, `2.weight`…
///
///     var generator = RandomGenerator(seed: 0)
///     let model = Sequential<Double> {
///         Linear(4, 5, generator: &generator)
///         ReLU()
///         Linear(5, 3, generator: &generator)
///     }
///     model.namedParameters().map(\.name)   // ["0.weight", "0.bias", "2.weight", "2.bias"]
///
/// The list holds existentials (`any Layer`), so a model of any length is one type; the cost is
/// one dynamic call per layer per forward pass.
public final class Sequential<Scalar: TensorScalar>: Layer {
    /// The layers, in the order they are applied.
    public let layers: [any Layer<Scalar>]

    /// A model from a list of layers.
    public init(layers: [any Layer<Scalar>]) { self.layers = layers }

    /// A model from layers written one per line (see ``LayerBuilder``).
    public convenience init(@LayerBuilder<Scalar> _ build: () -> [any Layer<Scalar>]) {
        self.init(layers: build())
    }

    /// The number of layers.
    public var count: Int { layers.count }

    /// The layer at `index`.
    public subscript(index: Int) -> any Layer<Scalar> { layers[index] }

    /// Applies each layer in turn.
    public func forward(_ input: Tensor<Scalar>, context: ForwardContext) throws -> Tensor<Scalar> {
        var x = input
        for (index, layer) in layers.enumerated() {
            do {
                x = try layer.forward(x, context: context)
            } catch let error as LayerError {
                throw LayerError("layer \(index) (\(type(of: layer))): \(error.message)")
            }
        }
        return x
    }
}

/// Builds a list of layers from statements, one layer per line, with `if`, `if`/`else` and `for`
/// (a Swift result builder).
@resultBuilder
public enum LayerBuilder<Scalar: TensorScalar> {
    /// One layer.
    public static func buildExpression<L: Layer>(_ layer: L) -> [any Layer<Scalar>] where L.Scalar == Scalar { [layer] }
    /// A layer already typed as an existential.
    public static func buildExpression(_ layer: any Layer<Scalar>) -> [any Layer<Scalar>] { [layer] }
    /// A list of layers, inserted in place.
    public static func buildExpression(_ layers: [any Layer<Scalar>]) -> [any Layer<Scalar>] { layers }
    /// The statements of a block, joined.
    public static func buildBlock(_ parts: [any Layer<Scalar>]...) -> [any Layer<Scalar>] { parts.flatMap { $0 } }
    /// An `if` without `else`.
    public static func buildOptional(_ part: [any Layer<Scalar>]?) -> [any Layer<Scalar>] { part ?? [] }
    /// The `if` branch of an `if`/`else`.
    public static func buildEither(first part: [any Layer<Scalar>]) -> [any Layer<Scalar>] { part }
    /// The `else` branch of an `if`/`else`.
    public static func buildEither(second part: [any Layer<Scalar>]) -> [any Layer<Scalar>] { part }
    /// A `for` loop.
    public static func buildArray(_ parts: [[any Layer<Scalar>]]) -> [any Layer<Scalar>] { parts.flatMap { $0 } }
}
