/// NumPy broadcasting: shapes are aligned at their last axis; two sizes are compatible when they
/// are equal or one of them is 1; a missing leading axis counts as 1.
public enum Broadcasting {
    /// The broadcast shape of `lhs` and `rhs`, or `nil` when they are incompatible.
    public static func shape(_ lhs: [Int], _ rhs: [Int]) -> [Int]? {
        let rank = Swift.max(lhs.count, rhs.count)
        var result = [Int](repeating: 1, count: rank)
        for i in 0..<rank {
            let a = i < rank - lhs.count ? 1 : lhs[i - (rank - lhs.count)]
            let b = i < rank - rhs.count ? 1 : rhs[i - (rank - rhs.count)]
            if a == b || b == 1 { result[i] = a } else if a == 1 { result[i] = b } else { return nil }
        }
        return result
    }

    /// The broadcast shape, or a ``TensorError/shapeMismatch(operation:lhs:rhs:)`` naming both shapes.
    public static func checkedShape(_ lhs: [Int], _ rhs: [Int], operation: String) throws -> [Int] {
        guard let result = shape(lhs, rhs) else { throw TensorError.shapeMismatch(operation: operation, lhs: lhs, rhs: rhs) }
        return result
    }

    /// Element strides of a row-major tensor of `shape` seen through the broadcast `target` shape:
    /// 0 along axes that are broadcast.
    static func strides(of shape: [Int], broadcastTo target: [Int]) -> [Int] {
        var strides = [Int](repeating: 0, count: target.count)
        var step = 1
        let offset = target.count - shape.count
        for i in Swift.stride(from: shape.count - 1, through: 0, by: -1) {
            strides[i + offset] = shape[i] == 1 && target[i + offset] != 1 ? 0 : step
            step *= shape[i]
        }
        return strides
    }

    /// Calls `body(offsetA, offsetB, offsetOut)` once per row (last axis) of `target`, with the
    /// element offsets of the row's start in each operand. One call per row, never per element.
    @inline(__always)
    static func forEachRow(
        of target: [Int], stridesA: [Int], stridesB: [Int], _ body: (Int, Int, Int) -> Void
    ) {
        let rank = target.count
        if rank == 0 { body(0, 0, 0); return }
        let rowLength = target[rank - 1]
        let rows = target.dropLast().reduce(1, *)
        if rows == 0 || rowLength == 0 { return }
        var index = [Int](repeating: 0, count: rank - 1)
        var offsetA = 0, offsetB = 0
        for row in 0..<rows {
            body(offsetA, offsetB, row * rowLength)
            // Odometer increment over the leading axes.
            var axis = rank - 2
            while axis >= 0 {
                index[axis] += 1
                offsetA += stridesA[axis]
                offsetB += stridesB[axis]
                if index[axis] < target[axis] { break }
                offsetA -= stridesA[axis] * target[axis]
                offsetB -= stridesB[axis] * target[axis]
                index[axis] = 0
                axis -= 1
            }
        }
    }
}
