/// An n-dimensional array of `Float` or `Double` with reverse-mode automatic differentiation.
///
/// Storage is contiguous and row-major (the last axis varies fastest) and is shared between
/// copies until one of them is written (copy-on-write), so a `Tensor` behaves like a value.
///
/// A tensor created with ``requiringGradient()`` is a *leaf*: operations on it record what the
/// backward pass needs, and ``backward(seed:retainingGraph:)`` on a scalar result accumulates `∂result/∂leaf`
/// into the leaf's ``gradient``, as `torch.Tensor.backward` does.
///
///     var w = Tensor<Double>([-1.5]).requiringGradient()
///     let loss = (w.pow(4) - 3 * w.pow(3) + 2).sum()
///     try loss.backward()
///     w.gradient   // [-33.75]
///
/// Operators (`+`, `*`, ``matmul(_:)``…) check shapes and stop the program with both shapes in the
/// message when they do not fit: that is a bug in the calling code, like an index out of range.
/// Everything that takes data from outside the program (``init(shape:scalars:)``,
/// ``reshaped(to:)``, file loaders) throws a ``TensorError`` instead.
public struct Tensor<Scalar: TensorScalar>: @unchecked Sendable {
    /// The buffer; shared between copies until a write.
    public internal(set) var storage: TensorStorage<Scalar>
    /// The size of each axis, outermost first. `[]` for a scalar.
    public internal(set) var shape: [Int]
    /// The autodiff record: a leaf's gradient slot, or the operation that produced this tensor.
    var node: GradNode<Scalar>?

    init(storage: TensorStorage<Scalar>, shape: [Int], node: GradNode<Scalar>? = nil) {
        self.storage = storage
        self.shape = shape
        self.node = node
    }

    // MARK: Creating tensors

    /// A tensor of the given shape and row-major scalars.
    /// - Throws: ``TensorError/scalarCountMismatch(shape:expected:got:)`` if the counts differ,
    ///   ``TensorError/invalidShape(operation:shape:reason:)`` for a negative dimension.
    public init(shape: [Int], scalars: [Scalar]) throws {
        let count = try Tensor.validatedCount(of: shape, operation: "Tensor(shape:scalars:)")
        guard count == scalars.count else {
            throw TensorError.scalarCountMismatch(shape: shape, expected: count, got: scalars.count)
        }
        let newStorage = TensorStorage<Scalar>(uninitializedCount: count)
        scalars.withUnsafeBufferPointer { if count > 0 { newStorage.pointer.initialize(from: $0.baseAddress!, count: count) } }
        storage = newStorage
        self.shape = shape
    }

    /// A tensor of the given shape whose scalars are written by `body` into uninitialised memory.
    /// `body` must write all `count` elements.
    public init(shape: [Int], unsafeUninitializedScalars body: (UnsafeMutableBufferPointer<Scalar>) throws -> Void) rethrows {
        let count = shape.reduce(1, *)
        precondition(shape.allSatisfy { $0 >= 0 }, "Tensor: negative dimension in shape \(shape)")
        storage = TensorStorage(uninitializedCount: count)
        try body(UnsafeMutableBufferPointer(start: storage.pointer, count: count))
        self.shape = shape
    }

    /// A one-dimensional tensor holding `scalars`.
    public init(_ scalars: [Scalar]) {
        try! self.init(shape: [scalars.count], scalars: scalars)
    }

    /// A rank-0 (scalar) tensor.
    public init(_ value: Scalar) {
        storage = TensorStorage(count: 1, repeating: value)
        shape = []
    }

    /// A two-dimensional tensor from rows of equal length.
    /// - Throws: ``TensorError/invalidShape(operation:shape:reason:)`` if the rows differ in length.
    public init(rows: [[Scalar]]) throws {
        let columns = rows.first?.count ?? 0
        if let bad = rows.firstIndex(where: { $0.count != columns }) {
            throw TensorError.invalidShape(
                operation: "Tensor(rows:)", shape: [rows.count, columns],
                reason: "row \(bad) has \(rows[bad].count) values, row 0 has \(columns)")
        }
        try self.init(shape: [rows.count, columns], scalars: rows.flatMap { $0 })
    }

    /// A tensor with every element equal to `value`.
    public init(repeating value: Scalar, shape: [Int]) {
        precondition(shape.allSatisfy { $0 >= 0 }, "Tensor: negative dimension in shape \(shape)")
        storage = TensorStorage(count: shape.reduce(1, *), repeating: value)
        self.shape = shape
    }

    /// A tensor of zeros.
    public init(zeros shape: [Int]) { self.init(repeating: 0, shape: shape) }

    /// A tensor of ones.
    public init(ones shape: [Int]) { self.init(repeating: 1, shape: shape) }

    /// A tensor of zeros with the shape of `other`.
    public init(zerosLike other: Tensor) { self.init(repeating: 0, shape: other.shape) }

    /// Converts between `Float` and `Double` (no gradient flows through the conversion).
    public init<Other: TensorScalar>(converting other: Tensor<Other>) {
        self.init(shape: other.shape) { out in
            let source = other.storage.pointer
            for i in 0..<out.count { out[i] = Scalar(source[i]) }
        }
    }

    /// `[0, 1, …, count−1]`.
    public init(rangeUpTo count: Int) {
        self.init(shape: [count]) { out in for i in 0..<count { out[i] = Scalar(i) } }
    }

    static func validatedCount(of shape: [Int], operation: String) throws -> Int {
        var count = 1
        for d in shape {
            guard d >= 0 else { throw TensorError.invalidShape(operation: operation, shape: shape, reason: "dimensions must be ≥ 0") }
            let (product, overflow) = count.multipliedReportingOverflow(by: d)
            guard !overflow else { throw TensorError.invalidShape(operation: operation, shape: shape, reason: "too many elements") }
            count = product
        }
        return count
    }

    // MARK: Properties

    /// The number of axes.
    public var rank: Int { shape.count }
    /// The number of elements.
    public var scalarCount: Int { storage.count }
    /// The elements in row-major order.
    public var scalars: [Scalar] { Array(UnsafeBufferPointer(start: storage.pointer, count: scalarCount)) }
    /// The single element of a one-element tensor.
    public var scalar: Scalar {
        precondition(scalarCount == 1, "Tensor.scalar needs one element, shape is \(shape)")
        return storage.pointer[0]
    }
    /// The elements as `Double`s.
    public var doubles: [Double] {
        // Generic code is not specialised across modules (metrics call this for every batch of an
        // evaluation); convert through the concrete type, which is one instruction per element.
        let count = scalarCount
        if Scalar.self == Float.self {
            let values = UnsafeRawPointer(storage.pointer).assumingMemoryBound(to: Float.self)
            return (0..<count).map { Double(values[$0]) }
        }
        if Scalar.self == Double.self { return Array(UnsafeBufferPointer(start: UnsafeRawPointer(storage.pointer).assumingMemoryBound(to: Double.self), count: count)) }
        return (0..<count).map { Double(storage.pointer[$0]) }
    }

    /// The element at a multi-dimensional index (negative indices are not accepted).
    public subscript(index: Int...) -> Scalar {
        get { storage.pointer[offset(of: index)] }
        set {
            let o = offset(of: index)
            makeStorageUnique()
            storage.pointer[o] = newValue
        }
    }

    func offset(of index: [Int]) -> Int {
        precondition(index.count == rank, "Tensor: index \(index) has \(index.count) components, tensor has rank \(rank)")
        var o = 0
        for (axis, i) in index.enumerated() {
            precondition(i >= 0 && i < shape[axis], "Tensor: index \(index) is out of range for shape \(shape)")
            o = o * shape[axis] + i
        }
        return o
    }

    // MARK: Raw access

    /// Calls `body` with the elements, read-only.
    public func withUnsafeBufferPointer<R>(_ body: (UnsafeBufferPointer<Scalar>) throws -> R) rethrows -> R {
        try body(UnsafeBufferPointer(start: storage.pointer, count: scalarCount))
    }

    /// Calls `body` with the elements for writing, copying the storage first if it is shared.
    /// Writing does not record anything for autodiff: use it for optimizer updates and in-place
    /// kernels outside the graph.
    public mutating func withUnsafeMutableBufferPointer<R>(_ body: (UnsafeMutableBufferPointer<Scalar>) throws -> R) rethrows -> R {
        makeStorageUnique()
        return try body(UnsafeMutableBufferPointer(start: storage.pointer, count: scalarCount))
    }

    @_specialize(exported: false, where Scalar == Float)
    @_specialize(exported: false, where Scalar == Double)
    mutating func makeStorageUnique() {
        if !isKnownUniquelyReferenced(&storage) { storage = storage.copy() }
    }

    /// `true` if both tensors have the same shape and exactly the same elements.
    public func isIdentical(to other: Tensor) -> Bool {
        shape == other.shape && (0..<scalarCount).allSatisfy { storage.pointer[$0] == other.storage.pointer[$0] }
    }
}

extension Tensor: CustomStringConvertible {
    /// Nested brackets of the elements, for example `[[1.0, 2.0], [3.0, 4.0]]`.
    public var description: String {
        if rank == 0 { return "\(storage.pointer[0])" }
        var text = ""
        func emit(_ axis: Int, _ offset: Int) {
            text += "["
            let stride = shape[(axis + 1)...].reduce(1, *)
            for i in 0..<shape[axis] {
                if i > 0 { text += ", " }
                if axis == rank - 1 { text += "\(storage.pointer[offset + i])" } else { emit(axis + 1, offset + i * stride) }
            }
            text += "]"
        }
        emit(0, 0)
        return text
    }
}
