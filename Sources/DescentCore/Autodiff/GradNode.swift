/// One vertex of the autodiff graph.
///
/// A *leaf* node belongs to a tensor created with ``Tensor/requiringGradient()`` and holds its
/// accumulated gradient. An *interior* node belongs to the result of an operation and holds the
/// operation's backward function (vector–Jacobian product), which captures what it needs from the
/// forward pass. Forward and backward of every operation are written side by side in `Ops/`.
final class GradNode<Scalar: TensorScalar>: @unchecked Sendable {
    /// The nodes of the operation's inputs, in the order the backward function returns gradients
    /// (`nil` for an input that does not require a gradient).
    let inputs: [GradNode?]
    /// Maps the gradient of this node's output to the gradients of its inputs. Released after a
    /// backward pass unless the graph is retained.
    var backwardFunction: ((Tensor<Scalar>) -> [Tensor<Scalar>?])?
    /// For a leaf: the accumulated gradient. For an interior node: the gradient being summed during
    /// one backward pass.
    var gradient: Tensor<Scalar>?
    /// `true` for a leaf.
    let isLeaf: Bool
    /// `true` once the backward function was released.
    var isReleased = false
    /// Scratch mark of ``topologicalOrder(from:)`` (always `false` between calls).
    var isVisited = false

    init(leaf: Void) {
        inputs = []
        isLeaf = true
    }

    init(inputs: [GradNode?], backward: @escaping (Tensor<Scalar>) -> [Tensor<Scalar>?]) {
        self.inputs = inputs
        self.backwardFunction = backward
        isLeaf = false
    }
}
