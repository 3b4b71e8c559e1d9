import DescentCore

/// Splits one axis into several (`torch.nn.Unflatten(dim, unflattened_size)`): with `axis: 1,
/// shape: [1, 28, 28]`, a row of 784 pixels `[n, 784]` becomes an image `[n, 1, 28, 28]` (no copy).
/// The inverse of ``Flatten``.
public final class Unflatten<Scalar: TensorScalar>: Layer {
    /// The axis that is split.
    public let axis: Int
    /// The sizes it is split into; their product is the axis's size.
    public let shape: [Int]

    /// An unflatten layer.
    /// - Parameters:
    ///   - axis: the axis to split (negative counts from the end). The default value is `1`.
    ///   - shape: the new sizes, each at least 1.
    /// - Throws: ``LayerError`` for an empty shape, a size below 1 or a product that overflows.
    public init(axis: Int = 1, shape: [Int]) throws {
        guard !shape.isEmpty, shape.allSatisfy({ $0 >= 1 }) else {
            throw LayerError("Unflatten: the shape must be one or more sizes of at least 1, got \(shape)")
        }
        var product = 1
        for size in shape {
            let (next, overflow) = product.multipliedReportingOverflow(by: size)
            guard !overflow else { throw LayerError("Unflatten: the shape \(shape) has more elements than memory can address") }
            product = next
        }
        self.axis = axis
        self.shape = shape
    }

    /// The input with ``axis`` replaced by ``shape``.
    /// - Throws: ``LayerError`` if the axis does not exist or its size is not the product of ``shape``.
    public func forward(_ input: Tensor<Scalar>, context: ForwardContext) throws -> Tensor<Scalar> {
        try checkAxis(axis, of: input, layer: "Unflatten")
        let a = axis < 0 ? axis + input.rank : axis
        guard input.shape[a] == shape.reduce(1, *) else {
            throw LayerError("Unflatten(axis: \(axis), shape: \(shape)): axis \(a) of the input \(input.shape) has \(input.shape[a]) values, the shape needs \(shape.reduce(1, *))")
        }
        return try input.reshaped(to: Array(input.shape[..<a]) + shape + Array(input.shape[(a + 1)...]))
    }
}
