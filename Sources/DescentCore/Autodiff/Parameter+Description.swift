extension Parameter: CustomStringConvertible {
    /// What `print(parameter)` shows: the element type, the shape, whether it trains, and the
    /// values and gradient when they are short enough to read (at most 10 elements), as PyTorch's
    /// `repr(nn.Parameter)` shows `Parameter containing: tensor(…, requires_grad=True)`:
    ///
    ///     Parameter<Double>(shape: [1], trainable, value: [-1.5], gradient: [-33.75])
    ///     Parameter<Float>(shape: [16, 2], trainable, gradient: none)
    public var description: String {
        let readable = value.scalarCount <= 10
        var parts = ["shape: \(shape)", isFrozen ? "frozen" : "trainable"]
        if readable { parts.append("value: \(value)") }
        if !isFrozen {
            switch gradient {
            case nil: parts.append("gradient: none")
            case let gradient? where readable: parts.append("gradient: \(gradient)")
            case let gradient?: parts.append("gradient: shape \(gradient.shape)")
            }
        }
        return "Parameter<\(Scalar.self)>(" + parts.joined(separator: ", ") + ")"
    }
}
