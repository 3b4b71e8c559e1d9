import DescentKernels

extension Tensor {
    /// `true` if operations on this tensor are recorded for autodiff.
    public var requiresGradient: Bool { node != nil }

    /// `true` for a tensor created with ``requiringGradient()`` (as opposed to an operation's result).
    public var isLeaf: Bool { node?.isLeaf ?? true }

    /// This tensor as a leaf that requires a gradient (`tensor.requires_grad_()`).
    /// A tensor that is already a leaf keeps its gradient slot.
    public func requiringGradient() -> Tensor {
        if let node, node.isLeaf { return self }
        return Tensor(storage: storage, shape: shape, node: GradNode(leaf: ()))
    }

    /// The same values, cut off from the autodiff graph (`tensor.detach()`). Shares storage.
    public func detached() -> Tensor { Tensor(storage: storage, shape: shape, node: nil) }

    /// The accumulated gradient of a leaf (`tensor.grad`); `nil` until a backward pass reaches it,
    /// and always `nil` for a non-leaf. Set it to `nil` to zero it (PyTorch's `set_to_none`).
    public var gradient: Tensor? {
        get { node?.isLeaf == true ? node?.gradient : nil }
        nonmutating set {
            guard let node, node.isLeaf else { return }
            node.gradient = newValue
        }
    }

    /// Back-propagates from this tensor: adds `∂self/∂leaf · seed` to the ``gradient`` of every leaf
    /// it depends on (`tensor.backward(gradient)`). Gradients accumulate across calls until set to
    /// `nil`. The graph is released afterwards unless `retainingGraph` is `true`.
    ///
    /// - Parameters:
    ///   - seed: the gradient of some final scalar with respect to this tensor; may be omitted only
    ///     when this tensor has one element (then it is 1).
    ///   - retainingGraph: keep the graph for another backward pass (`retain_graph=True`). The
    ///     default value is `false`.
    /// - Throws: ``TensorError/nonScalarBackward(shape:)`` without a seed on a non-scalar,
    ///   ``TensorError/noGradientRequired`` if nothing requires a gradient, or
    ///   ``TensorError/graphReleased`` when called twice on a released graph.
    public func backward(seed: Tensor? = nil, retainingGraph: Bool = false) throws {
        // Generic code is not specialised across modules, so callers in DescentNN or user code run
        // this through witness tables and metadata lookups; hop to the Float/Double specialisation.
        if Scalar.self == Float.self {
            return try unsafeBitCast(self, to: Tensor<Float>.self)
                .backwardImplementation(seed: unsafeBitCast(seed, to: Tensor<Float>?.self), retainingGraph: retainingGraph)
        }
        if Scalar.self == Double.self {
            return try unsafeBitCast(self, to: Tensor<Double>.self)
                .backwardImplementation(seed: unsafeBitCast(seed, to: Tensor<Double>?.self), retainingGraph: retainingGraph)
        }
        try backwardImplementation(seed: seed, retainingGraph: retainingGraph)
    }

    func backwardImplementation(seed: Tensor?, retainingGraph: Bool) throws {
        guard let root = node else { throw TensorError.noGradientRequired }
        let start: Tensor
        if let seed {
            guard seed.shape == shape else {
                throw TensorError.shapeMismatch(operation: "backward(seed:)", lhs: shape, rhs: seed.shape)
            }
            start = seed.detached()
        } else {
            guard scalarCount == 1 else { throw TensorError.nonScalarBackward(shape: shape) }
            start = Tensor(repeating: 1, shape: shape)
        }
        if root.isLeaf {
            accumulate(start, into: root)
            return
        }
        let order = GradNode<Scalar>.topologicalOrder(from: root)
        for node in order where node.isReleased { throw TensorError.graphReleased }
        root.gradient = start
        withoutGradients {
            for node in order.reversed() {
                guard !node.isLeaf, let upstream = node.gradient, let function = node.backwardFunction else { continue }
                node.gradient = nil
                let inputGradients = function(upstream)
                // An index loop: `zip` over generic arrays instantiates metadata on every call.
                let inputs = node.inputs
                for index in 0..<Swift.min(inputs.count, inputGradients.count) {
                    guard let input = inputs[index], let gradient = inputGradients[index] else { continue }
                    accumulate(gradient, into: input)
                }
                if !retainingGraph {
                    node.backwardFunction = nil
                    node.isReleased = true
                }
            }
        }
    }

    private func accumulate(_ gradient: Tensor, into node: GradNode<Scalar>) {
        if var existing = node.gradient {
            node.gradient = nil  // drop the node's reference so the add below can be in place
            existing.addInPlace(gradient)
            node.gradient = existing
        } else {
            node.gradient = gradient.detached()
        }
    }

    /// `self += other` elementwise (same shape), in place, outside the autodiff graph.
    public mutating func addInPlace(_ other: Tensor) {
        precondition(shape == other.shape, "addInPlace: shapes \(shape) and \(other.shape) differ")
        let source = other.storage
        withUnsafeMutableBufferPointer { out in
            Scalar.applyBinary(.add, out.baseAddress!, lhsStride: 1, source.pointer, rhsStride: 1, out.baseAddress!, count: out.count)
        }
    }

    /// Records `result = f(inputs)` with its backward function when gradients are enabled and an
    /// input requires one. `backward` maps `∂L/∂result` to `∂L/∂input` for each input (or `nil`).
    static func record(
        _ result: inout Tensor, inputs: [Tensor], backward: @escaping (Tensor) -> [Tensor?]
    ) {
        var anyNode = false
        for input in inputs where input.node != nil { anyNode = true; break }
        guard anyNode, GradientMode.isEnabled else { return }
        var nodes: [GradNode<Scalar>?] = []
        nodes.reserveCapacity(inputs.count)
        for input in inputs { nodes.append(input.node) }
        result.node = GradNode(inputs: nodes, backward: backward)
    }
}

extension GradNode {
    /// The interior (non-leaf) nodes reachable from `root`, each after all of its inputs
    /// (iterative post-order DFS). Leaves are left out: the backward pass only accumulates into
    /// them, and not marking them keeps parameters shared between graphs untouched.
    ///
    /// Visited nodes are marked with a flag in the node (cleared again before returning) instead
    /// of a `Set`, and the DFS stack is two plain arrays (a tuple array needs tuple metadata at
    /// run time): this is called once per backward pass.
    static func topologicalOrder(from root: GradNode) -> [GradNode] {
        var order: [GradNode] = []
        if root.isLeaf { return order }
        root.isVisited = true
        var stackNodes: [GradNode] = [root]
        var stackNext: [Int] = [0]
        stackNodes.reserveCapacity(16)
        stackNext.reserveCapacity(16)
        while let node = stackNodes.last {
            let top = stackNext.count - 1
            let next = stackNext[top]
            if next < node.inputs.count {
                stackNext[top] = next + 1
                if let input = node.inputs[next], !input.isLeaf, !input.isVisited {
                    input.isVisited = true
                    stackNodes.append(input)
                    stackNext.append(0)
                }
            } else {
                order.append(node)
                stackNodes.removeLast()
                stackNext.removeLast()
            }
        }
        for node in order { node.isVisited = false }
        return order
    }
}
