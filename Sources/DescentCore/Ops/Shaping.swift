extension Tensor {
    /// Same storage, new shape with the same element count; records the inverse reshape.
    func reshapedUnchecked(_ newShape: [Int]) -> Tensor {
        precondition(newShape.reduce(1, *) == scalarCount, "reshape: shape \(shape) cannot become \(newShape)")
        var result = Tensor(storage: storage, shape: newShape)
        let old = shape
        Tensor.record(&result, inputs: [self]) { g in [g.reshapedUnchecked(old)] }
        return result
    }

    /// The same elements in a new shape (`torch.reshape`); one dimension may be `-1` (inferred).
    /// Shares storage (no copy).
    /// - Throws: ``TensorError/invalidShape(operation:shape:reason:)`` if the counts differ.
    public func reshaped(to newShape: [Int]) throws -> Tensor {
        var resolved = newShape
        let inferred = newShape.indices.filter { newShape[$0] == -1 }
        guard inferred.count <= 1, newShape.allSatisfy({ $0 >= -1 }) else {
            throw TensorError.invalidShape(operation: "reshaped(to:)", shape: newShape, reason: "at most one dimension may be -1, others must be ≥ 0")
        }
        if let i = inferred.first {
            let known = newShape.filter { $0 != -1 }.reduce(1, *)
            guard known > 0, scalarCount % known == 0 else {
                throw TensorError.invalidShape(operation: "reshaped(to:)", shape: newShape, reason: "\(scalarCount) elements of shape \(shape) do not divide into it")
            }
            resolved[i] = scalarCount / known
        }
        guard resolved.reduce(1, *) == scalarCount else {
            throw TensorError.invalidShape(operation: "reshaped(to:)", shape: newShape, reason: "it has \(resolved.reduce(1, *)) elements, the tensor of shape \(shape) has \(scalarCount)")
        }
        return reshapedUnchecked(resolved)
    }

    /// Axes from `startAxis` on merged into one (`torch.flatten(x, start_dim)`; `Flatten` uses 1).
    public func flattened(fromAxis startAxis: Int = 0) -> Tensor {
        if rank == 0 { return reshapedUnchecked([1]) }
        let start = normalizedAxis(startAxis, operation: "flattened")
        return reshapedUnchecked(Array(shape[..<start]) + [shape[start...].reduce(1, *)])
    }

    /// A new axis of size 1 inserted at `axis` (`torch.unsqueeze`).
    public func expandingShape(at axis: Int) -> Tensor {
        let a = axis < 0 ? axis + rank + 1 : axis
        precondition(a >= 0 && a <= rank, "expandingShape(at:): axis \(axis) is out of range for shape \(shape)")
        var s = shape
        s.insert(1, at: a)
        return reshapedUnchecked(s)
    }

    /// Axes of size 1 removed (all of them, or only `axis`) (`torch.squeeze`).
    public func squeezingShape(at axis: Int? = nil) -> Tensor {
        if let axis {
            let a = normalizedAxis(axis, operation: "squeezingShape(at:)")
            guard shape[a] == 1 else { return self }
            var s = shape
            s.remove(at: a)
            return reshapedUnchecked(s)
        }
        return reshapedUnchecked(shape.filter { $0 != 1 })
    }

    /// The axes reordered so that result axis `i` is input axis `axes[i]` (`torch.permute`). Copies.
    public func permuted(_ axes: [Int]) -> Tensor {
        precondition(axes.count == rank && Set(axes) == Set(0..<rank), "permuted: \(axes) is not a permutation of the axes of shape \(shape)")
        if axes == Array(0..<rank) { return self }
        let newShape = axes.map { shape[$0] }
        var inputStrides = [Int](repeating: 1, count: rank)
        for i in stride(from: rank - 2, through: 0, by: -1) { inputStrides[i] = inputStrides[i + 1] * shape[i + 1] }
        let permutedStrides = axes.map { inputStrides[$0] }
        let input = self
        var result = Tensor(shape: newShape) { out in
            let source = input.storage.pointer
            let rowLength = newShape.last ?? 1
            let inner = permutedStrides.last ?? 1
            var o = 0
            Broadcasting.forEachRow(of: newShape, stridesA: permutedStrides, stridesB: permutedStrides) { offset, _, _ in
                for j in 0..<rowLength { out[o + j] = source[offset + j * inner] }
                o += rowLength
            }
        }
        var inverse = [Int](repeating: 0, count: rank)
        for (i, a) in axes.enumerated() { inverse[a] = i }
        Tensor.record(&result, inputs: [self]) { g in [g.permuted(inverse)] }
        return result
    }

    /// The last two axes swapped (a matrix transpose for rank 2) (`x.mT`). Copies.
    public func transposed() -> Tensor {
        precondition(rank >= 2, "transposed(): needs rank ≥ 2, shape is \(shape)")
        var axes = Array(0..<rank)
        axes.swapAt(rank - 1, rank - 2)
        return permuted(axes)
    }

    /// The elements with index in `range` along `axis` (`x.narrow(axis, start, length)` / `x[..., a:b]`). Copies.
    public func slice(alongAxis axis: Int = 0, _ range: Range<Int>) -> Tensor {
        let a = normalizedAxis(axis, operation: "slice")
        precondition(range.lowerBound >= 0 && range.upperBound <= shape[a], "slice: range \(range) is out of bounds for axis \(a) of shape \(shape)")
        let outer = shape[..<a].reduce(1, *)
        let inner = shape[(a + 1)...].reduce(1, *)
        var newShape = shape
        newShape[a] = range.count
        let input = self, length = shape[a]
        var result = Tensor(shape: newShape) { out in
            let block = range.count * inner
            for o in 0..<outer {
                (out.baseAddress! + o * block).update(from: input.storage.pointer + (o * length + range.lowerBound) * inner, count: block)
            }
        }
        let oldShape = shape
        Tensor.record(&result, inputs: [self]) { g in
            var full = Tensor(zeros: oldShape)
            full.withUnsafeMutableBufferPointer { out in
                let block = range.count * inner
                for o in 0..<outer {
                    (out.baseAddress! + (o * length + range.lowerBound) * inner).update(from: g.storage.pointer + o * block, count: block)
                }
            }
            return [full]
        }
        return result
    }

    /// Tensors joined along an existing `axis` (`torch.cat`). All other sizes must match.
    /// - Throws: ``TensorError/shapeMismatch(operation:lhs:rhs:)`` naming the first mismatch.
    public static func concatenate(_ tensors: [Tensor], alongAxis axis: Int = 0) throws -> Tensor {
        guard let first = tensors.first else {
            throw TensorError.invalidShape(operation: "concatenate", shape: [], reason: "needs at least one tensor")
        }
        guard first.rank > 0 else { throw TensorError.invalidShape(operation: "concatenate", shape: [], reason: "scalars have no axis to join along; use stack") }
        let a = axis < 0 ? axis + first.rank : axis
        guard a >= 0 && a < first.rank else { throw TensorError.axisOutOfRange(operation: "concatenate", axis: axis, rank: first.rank) }
        for t in tensors.dropFirst() {
            var x = t.shape, y = first.shape
            guard x.count == y.count else { throw TensorError.shapeMismatch(operation: "concatenate", lhs: first.shape, rhs: t.shape) }
            x[a] = 0; y[a] = 0
            guard x == y else { throw TensorError.shapeMismatch(operation: "concatenate", lhs: first.shape, rhs: t.shape) }
        }
        let outer = first.shape[..<a].reduce(1, *)
        let inner = first.shape[(a + 1)...].reduce(1, *)
        let lengths = tensors.map { $0.shape[a] }
        let total = lengths.reduce(0, +)
        var newShape = first.shape
        newShape[a] = total
        var result = Tensor(shape: newShape) { out in
            var start = 0
            for (t, length) in zip(tensors, lengths) {
                let block = length * inner
                for o in 0..<outer {
                    (out.baseAddress! + (o * total + start) * inner).update(from: t.storage.pointer + o * block, count: block)
                }
                start += length
            }
        }
        record(&result, inputs: tensors) { g in
            var start = 0
            return lengths.map { length in
                defer { start += length }
                return g.slice(alongAxis: a, start..<(start + length))
            }
        }
        return result
    }

    /// Tensors of equal shape joined along a new `axis` (`torch.stack`).
    public static func stack(_ tensors: [Tensor], alongAxis axis: Int = 0) throws -> Tensor {
        guard let first = tensors.first else {
            throw TensorError.invalidShape(operation: "stack", shape: [], reason: "needs at least one tensor")
        }
        for t in tensors where t.shape != first.shape {
            throw TensorError.shapeMismatch(operation: "stack", lhs: first.shape, rhs: t.shape)
        }
        let a = axis < 0 ? axis + first.rank + 1 : axis
        guard a >= 0 && a <= first.rank else { throw TensorError.axisOutOfRange(operation: "stack", axis: axis, rank: first.rank + 1) }
        return try concatenate(tensors.map { $0.expandingShape(at: a) }, alongAxis: a)
    }
}
