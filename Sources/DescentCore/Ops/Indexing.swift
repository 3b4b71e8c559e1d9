extension Tensor {
    /// The slices at `indices` along `axis`, in that order (`torch.index_select`). Rows of a batch
    /// are gathered this way. The gradient scatter-adds back (repeated indices accumulate).
    /// - Throws: ``TensorError/indexOutOfRange(operation:index:count:)`` for a bad index.
    public func indexSelect(_ indices: [Int], alongAxis axis: Int = 0) throws -> Tensor {
        guard rank > 0 else { throw TensorError.invalidShape(operation: "indexSelect", shape: shape, reason: "a scalar has no axis") }
        let a = axis < 0 ? axis + rank : axis
        guard a >= 0 && a < rank else { throw TensorError.axisOutOfRange(operation: "indexSelect", axis: axis, rank: rank) }
        let length = shape[a]
        if let bad = indices.first(where: { $0 < 0 || $0 >= length }) {
            throw TensorError.indexOutOfRange(operation: "indexSelect", index: bad, count: length)
        }
        return gatherSlices(indices, axis: a)
    }

    func gatherSlices(_ indices: [Int], axis a: Int) -> Tensor {
        let outer = shape[..<a].reduce(1, *)
        let inner = shape[(a + 1)...].reduce(1, *)
        let length = shape[a]
        var newShape = shape
        newShape[a] = indices.count
        let input = self
        var result = Tensor(shape: newShape) { out in
            var o = 0
            for block in 0..<outer {
                for index in indices {
                    (out.baseAddress! + o).update(from: input.storage.pointer + (block * length + index) * inner, count: inner)
                    o += inner
                }
            }
        }
        let oldShape = shape
        Tensor.record(&result, inputs: [self]) { g in
            var full = Tensor(zeros: oldShape)
            full.withUnsafeMutableBufferPointer { out in
                var o = 0
                for block in 0..<outer {
                    for index in indices {
                        let destination = out.baseAddress! + (block * length + index) * inner
                        Scalar.applyBinary(.add, destination, lhsStride: 1, g.storage.pointer + o, rhsStride: 1, destination, count: inner)
                        o += inner
                    }
                }
            }
            return [full]
        }
        return result
    }

    /// For a `[n, c]` tensor, the element `self[i, indices[i]]` of each row, as shape `[n]`
    /// (`x.gather(1, idx).squeeze(1)`). Used to pick each row's target class.
    /// - Throws: ``TensorError`` if the shape is not `[n, c]` or an index is outside `0..<c`.
    public func pickingColumns(_ indices: [Int]) throws -> Tensor {
        guard rank == 2, shape[0] == indices.count else {
            throw TensorError.shapeMismatch(operation: "pickingColumns", lhs: shape, rhs: [indices.count])
        }
        let columns = shape[1]
        if let bad = indices.first(where: { $0 < 0 || $0 >= columns }) {
            throw TensorError.indexOutOfRange(operation: "pickingColumns", index: bad, count: columns)
        }
        let input = self, rows = shape[0]
        var result = Tensor(shape: [rows]) { out in
            for r in 0..<rows { out[r] = input.storage.pointer[r * columns + indices[r]] }
        }
        let oldShape = shape
        Tensor.record(&result, inputs: [self]) { g in
            var full = Tensor(zeros: oldShape)
            full.withUnsafeMutableBufferPointer { out in
                for r in 0..<rows { out[r * columns + indices[r]] = g.storage.pointer[r] }
            }
            return [full]
        }
        return result
    }

    /// Rows of one-hot vectors: row `i` has 1 at `labels[i]` (`torch.nn.functional.one_hot`).
    /// - Throws: ``TensorError/indexOutOfRange(operation:index:count:)`` for a label outside `0..<classCount`.
    public static func oneHot(_ labels: [Int], classCount: Int) throws -> Tensor {
        if let bad = labels.first(where: { $0 < 0 || $0 >= classCount }) {
            throw TensorError.indexOutOfRange(operation: "oneHot", index: bad, count: classCount)
        }
        var result = Tensor(zeros: [labels.count, classCount])
        result.withUnsafeMutableBufferPointer { out in
            for (i, label) in labels.enumerated() { out[i * classCount + label] = 1 }
        }
        return result
    }
}
