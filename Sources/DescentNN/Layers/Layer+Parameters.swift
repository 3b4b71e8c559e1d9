import DescentCore

extension Layer {
    /// Every parameter with its dotted name, own parameters first, then sublayers' in declaration
    /// order (`model.named_parameters()`); frozen ones included.
    ///
    /// Found by reflection over stored properties the first time it is asked for, then cached.
    /// For `Sequential { Linear(4, 5); ReLU(); Linear(5, 3) }` the names are `0.weight`, `0.bias`,
    /// `2.weight`, `2.bias`, as in PyTorch.
    public func namedParameters() -> [(name: String, parameter: Parameter<Scalar>)] {
        LayerStructureCache.shared.structure(of: self).parameters
    }

    /// Every parameter, in the order of ``namedParameters()`` (`model.parameters()`).
    public func parameters() -> [Parameter<Scalar>] { namedParameters().map { $0.parameter } }

    /// The parameters that are not frozen, with their names (what an optimizer updates).
    public func trainableParameters() -> [(name: String, parameter: Parameter<Scalar>)] {
        namedParameters().filter { !$0.parameter.isFrozen }
    }

    /// Every buffer with its dotted name (`model.named_buffers()`).
    public func namedBuffers() -> [(name: String, buffer: Buffer<Scalar>)] {
        LayerStructureCache.shared.structure(of: self).buffers
    }

    /// Every layer below this one with its dotted name (`model.named_modules()` without the root).
    public func namedSublayers() -> [(name: String, layer: any Layer<Scalar>)] {
        LayerStructureCache.shared.structure(of: self).sublayers
    }

    /// The number of scalars in all parameters (frozen ones included).
    public var parameterCount: Int { parameters().reduce(0) { $0 + $1.value.scalarCount } }

    /// Freezes every parameter: they get no gradient and optimizers skip them
    /// (`for p in model.parameters(): p.requires_grad_(False)`).
    public func freeze() { for p in parameters() { p.isFrozen = true } }

    /// Makes every parameter trainable again.
    public func unfreeze() { for p in parameters() { p.isFrozen = false } }

    /// Sets every parameter's gradient to `nil` (`model.zero_grad(set_to_none=True)`).
    public func zeroGradients() { for p in parameters() { p.zeroGradient() } }

    /// The values of every parameter and buffer under its dotted name (`model.state_dict()`), in
    /// PyTorch's order (each layer's parameters, then its buffers, then its sublayers').
    /// Shares storage with the model (no copy).
    public func stateEntries() -> [StateEntry<Scalar>] {
        let structure = LayerStructureCache.shared.structure(of: self)
        return structure.stateOrder.map { item in
            if item.isParameter {
                return StateEntry(name: item.name, value: structure.parameters[item.index].parameter.value.detached(), kind: .parameter)
            }
            let buffer = structure.buffers[item.index].buffer
            return StateEntry(name: item.name, value: buffer.value, kind: buffer.kind == .integer ? .integerBuffer : .buffer)
        }
    }
}

/// One tensor of a model's state: a parameter or a buffer, under its dotted name.
public struct StateEntry<Scalar: TensorScalar> {
    /// What the tensor is.
    public enum Kind: Sendable, Equatable {
        /// A trainable `Parameter`.
        case parameter
        /// A floating-point ``Buffer``.
        case buffer
        /// A ``Buffer`` holding counts, stored as `I64`.
        case integerBuffer
    }
    /// The dotted name (`0.weight`).
    public var name: String
    /// The value.
    public var value: Tensor<Scalar>
    /// Parameter or buffer.
    public var kind: Kind
}

// MARK: Flat gradients for data-parallel training

extension Layer {
    /// All trainable parameters' gradients, concatenated in ``trainableParameters()`` order into
    /// one vector (a missing gradient counts as zeros).
    ///
    /// Data-parallel training reduces one flat buffer per step instead of one tensor per
    /// parameter: each worker computes its gradients, calls this, the workers average the vectors
    /// (one all-reduce), and each calls ``setFlattenedGradients(_:)`` with the average before the
    /// optimizer step. The layout is stable as long as the model's structure and frozen set are.
    public func flattenedGradients() -> Tensor<Scalar> {
        let parameters = trainableParameters().map { $0.parameter }
        let total = parameters.reduce(0) { $0 + $1.value.scalarCount }
        return Tensor(shape: [total]) { out in
            var offset = 0
            for p in parameters {
                let count = p.value.scalarCount
                if let g = p.gradient {
                    g.withUnsafeBufferPointer { (out.baseAddress! + offset).update(from: $0.baseAddress!, count: count) }
                } else {
                    (out.baseAddress! + offset).update(repeating: 0, count: count)
                }
                offset += count
            }
        }
    }

    /// Sets every trainable parameter's gradient from one vector laid out as by
    /// ``flattenedGradients()``.
    /// - Throws: ``LayerError`` if the vector's length is not the number of trainable scalars.
    public func setFlattenedGradients(_ flat: Tensor<Scalar>) throws {
        let parameters = trainableParameters().map { $0.parameter }
        try Self.scatter(flat, into: parameters, what: "setFlattenedGradients") { p, slice in p.gradient = slice }
    }

    /// All trainable parameters' values, concatenated in ``trainableParameters()`` order (to
    /// broadcast weights from one worker to the others, or to measure a weight norm).
    public func flattenedParameters() -> Tensor<Scalar> {
        let parameters = trainableParameters().map { $0.parameter }
        let total = parameters.reduce(0) { $0 + $1.value.scalarCount }
        return Tensor(shape: [total]) { out in
            var offset = 0
            for p in parameters {
                p.value.withUnsafeBufferPointer { (out.baseAddress! + offset).update(from: $0.baseAddress!, count: $0.count) }
                offset += p.value.scalarCount
            }
        }
    }

    /// Writes every trainable parameter's value in place from one vector laid out as by
    /// ``flattenedParameters()`` (gradients are kept).
    /// - Throws: ``LayerError`` if the vector's length is not the number of trainable scalars.
    public func setFlattenedParameters(_ flat: Tensor<Scalar>) throws {
        let parameters = trainableParameters().map { $0.parameter }
        try Self.scatter(flat, into: parameters, what: "setFlattenedParameters") { p, slice in
            slice.withUnsafeBufferPointer { source in
                p.updateInPlace { $0.baseAddress!.update(from: source.baseAddress!, count: source.count) }
            }
        }
    }

    private static func scatter(
        _ flat: Tensor<Scalar>, into parameters: [Parameter<Scalar>], what: String,
        _ assign: (Parameter<Scalar>, Tensor<Scalar>) -> Void
    ) throws {
        let total = parameters.reduce(0) { $0 + $1.value.scalarCount }
        guard flat.rank == 1, flat.scalarCount == total else {
            throw LayerError("\(what): expected a vector of \(total) values (the trainable parameters' scalars), got shape \(flat.shape)")
        }
        var offset = 0
        for p in parameters {
            let count = p.value.scalarCount
            let slice = flat.withUnsafeBufferPointer { source in
                Tensor<Scalar>(shape: p.shape) { $0.baseAddress!.update(from: source.baseAddress! + offset, count: count) }
            }
            assign(p, slice)
            offset += count
        }
    }
}
