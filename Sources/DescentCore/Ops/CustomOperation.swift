extension Tensor {
    /// Records a result computed outside the built-in operations (a *fused* operation) together
    /// with its hand-written backward function, so that it takes part in automatic differentiation
    /// like any built-in operation (PyTorch's `torch.autograd.Function`).
    ///
    /// Fused operations compute in one loop what a chain of small operations would compute in many
    /// (for example softmax cross-entropy, whose gradient is simply `softmax(x) − onehot(y)`).
    ///
    ///     let value = ...                       // computed from the inputs' elements
    ///     return Tensor.fusedOperation(value: value, inputs: [x, y]) { upstream in
    ///         [upstream * localDerivative, nil] // ∂L/∂x, and no gradient for y
    ///     }
    ///
    /// - Parameters:
    ///   - value: the result; it is returned without a gradient record if gradients are disabled or
    ///     no input requires a gradient.
    ///   - inputs: the tensors the result depends on.
    ///   - backward: maps `∂L/∂result` (shape of `value`) to `∂L/∂input` for each input, in order,
    ///     each with the input's shape (or `nil` for no gradient). It runs with gradients disabled.
    /// - Returns: `value`, recorded as the result of an operation on `inputs`.
    public static func fusedOperation(
        value: Tensor, inputs: [Tensor], backward: @escaping (Tensor) -> [Tensor?]
    ) -> Tensor {
        var result = value.detached()
        record(&result, inputs: inputs, backward: backward)
        return result
    }
}
