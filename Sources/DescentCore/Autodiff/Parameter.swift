/// A trainable tensor owned by a layer: a leaf that requires a gradient, with a name given by its
/// place in the model (`"0.weight"`).
///
/// A reference type so that a layer, an optimizer and a checkpoint writer all see the same
/// parameter; its ``value`` is still a ``Tensor`` value whose storage the optimizer updates in place.
public final class Parameter<Scalar: TensorScalar>: @unchecked Sendable {
    /// The current value; a leaf that requires a gradient unless the parameter is frozen.
    /// Assigning a new value starts a fresh leaf (its gradient is `nil`).
    public var value: Tensor<Scalar> {
        get { storedValue }
        set {
            storedValue = isFrozen ? newValue.detached() : Tensor(storage: newValue.storage, shape: newValue.shape, node: GradNode(leaf: ()))
            version &+= 1
        }
    }

    /// A counter that changes whenever the value may have changed: on every assignment to
    /// ``value`` and every ``updateInPlace(_:)``. A cache of something computed from the value
    /// (the compiled step's look-ahead) compares it to know the value is still the same.
    public private(set) var version: UInt64 = 0
    private var storedValue: Tensor<Scalar>

    /// A frozen parameter gets no gradient and is skipped by optimizers (`requires_grad_(False)`).
    public var isFrozen: Bool {
        didSet { if isFrozen != oldValue { value = storedValue } }
    }

    /// Creates a parameter holding `value`.
    public init(_ value: Tensor<Scalar>, isFrozen: Bool = false) {
        self.isFrozen = isFrozen
        self.storedValue = isFrozen ? value.detached() : Tensor(storage: value.storage, shape: value.shape, node: GradNode(leaf: ()))
    }

    /// The accumulated gradient (`param.grad`), or `nil` (no backward pass reached it, or zeroed).
    public var gradient: Tensor<Scalar>? {
        get { value.gradient }
        set { value.gradient = newValue }
    }

    /// Whether ``gradient`` is set, without copying the value (a fused training step checks
    /// every parameter on every step).
    @_specialize(exported: false, where Scalar == Float)
    @_specialize(exported: false, where Scalar == Double)
    package func hasGradient() -> Bool {
        guard let node = storedValue.node, node.isLeaf else { return false }
        return node.gradient != nil
    }

    /// The gradient's elements for rewriting in place, or `nil` when there is no gradient. The
    /// data-parallel step writes the averaged gradient back through it, without a copy per step;
    /// the storage may be shared with the compiled step's own gradient tensor, which is meant to
    /// see the same values. Valid until the gradient is next set or released.
    package func gradientStorage() -> UnsafeMutableBufferPointer<Scalar>? {
        guard let node = storedValue.node, node.isLeaf, let gradient = node.gradient else { return nil }
        return UnsafeMutableBufferPointer(start: gradient.storage.pointer, count: gradient.scalarCount)
    }

    /// The shape of the value.
    public var shape: [Int] { value.shape }

    /// Sets the gradient to `nil` (`zero_grad(set_to_none=True)`).
    public func zeroGradient() { value.gradient = nil }

    /// The value's elements for an in-place update that happens later in the same pass (the
    /// compiled step's deferred weight updates), after making the storage unique as
    /// ``updateInPlace(_:)`` does. Not generic, so a hot loop does not look up generic metadata
    /// for the result type. The pointer is valid until the value is next assigned.
    // Called from the compiled step in another module, where this generic class is not
    // specialised: the pre-specialisations below skip the generic metadata lookups (a fused
    // batch-1 step calls these a few times per layer).
    @_specialize(exported: false, where Scalar == Float)
    @_specialize(exported: false, where Scalar == Double)
    package func uniqueStoragePointer() -> UnsafeMutablePointer<Scalar> {
        storedValue.makeStorageUnique()
        version &+= 1
        return storedValue.storage.pointer
    }

    /// The value's elements for reading (the compiled step's products), without copying the
    /// tensor value and its references. Valid until the value is next assigned or updated.
    @_specialize(exported: false, where Scalar == Float)
    @_specialize(exported: false, where Scalar == Double)
    package func valuePointer() -> UnsafePointer<Scalar> {
        UnsafePointer(storedValue.storage.pointer)
    }

    /// Calls `body` with the value's elements for an in-place update, outside the autodiff graph.
    @_specialize(exported: false, where Scalar == Float, R == Void)
    @_specialize(exported: false, where Scalar == Double, R == Void)
    public func updateInPlace<R>(_ body: (UnsafeMutableBufferPointer<Scalar>) throws -> R) rethrows -> R {
        // Keeps the leaf (and its gradient); copies the storage only if something else still shares it.
        storedValue.makeStorageUnique()
        version &+= 1
        return try body(UnsafeMutableBufferPointer(start: storedValue.storage.pointer, count: storedValue.scalarCount))
    }
}
