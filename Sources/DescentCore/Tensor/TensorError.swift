/// An error from a tensor operation on data that came from outside the program (files, command
/// lines, user arrays). Each message says what was wrong and what was expected.
public enum TensorError: Error, CustomStringConvertible, Equatable, Sendable {
    /// The number of scalars does not match the shape.
    case scalarCountMismatch(shape: [Int], expected: Int, got: Int)
    /// Two shapes cannot be combined by the named operation.
    case shapeMismatch(operation: String, lhs: [Int], rhs: [Int])
    /// A shape with a negative dimension, or a reshape that changes the element count.
    case invalidShape(operation: String, shape: [Int], reason: String)
    /// An axis outside `-rank..<rank`.
    case axisOutOfRange(operation: String, axis: Int, rank: Int)
    /// An index outside the valid range.
    case indexOutOfRange(operation: String, index: Int, count: Int)
    /// `backward()` called on a tensor with more than one element and no seed gradient.
    case nonScalarBackward(shape: [Int])
    /// `backward()` called on a tensor that does not depend on anything that requires a gradient.
    case noGradientRequired
    /// `backward()` called a second time on a graph that the first call released.
    case graphReleased

    public var description: String {
        switch self {
        case let .scalarCountMismatch(shape, expected, got):
            return "shape \(shape) needs \(expected) scalars, but \(got) were given"
        case let .shapeMismatch(operation, lhs, rhs):
            return "\(operation): shapes \(lhs) and \(rhs) are not compatible"
        case let .invalidShape(operation, shape, reason):
            return "\(operation): invalid shape \(shape): \(reason)"
        case let .axisOutOfRange(operation, axis, rank):
            return "\(operation): axis \(axis) is out of range for a tensor of rank \(rank) (valid: \(-rank)..<\(rank))"
        case let .indexOutOfRange(operation, index, count):
            return "\(operation): index \(index) is out of range 0..<\(count)"
        case let .nonScalarBackward(shape):
            return "backward() needs a scalar (one-element) tensor, but this one has shape \(shape); "
                + "reduce it first (for example with .sum() or .mean()) or pass a seed gradient of the same shape"
        case .noGradientRequired:
            return "backward(): this tensor does not depend on any tensor that requires a gradient; "
                + "create the parameters with .requiringGradient() (and not inside withoutGradients { })"
        case .graphReleased:
            return "backward(): the graph was already released by an earlier backward(); "
                + "recompute the forward pass, or pass retainingGraph: true to the first call"
        }
    }
}
