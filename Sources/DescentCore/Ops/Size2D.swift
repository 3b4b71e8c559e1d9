/// A height and a width: a kernel size, stride, padding or dilation of a 2-D operation, as PyTorch
/// takes an `int` or a pair (`kernel_size=3` or `kernel_size=(3, 2)`). An integer literal gives
/// both: `stride: 2` is `Size2D(height: 2, width: 2)`.
public struct Size2D: Sendable, Hashable, Codable, ExpressibleByIntegerLiteral, CustomStringConvertible {
    /// The size along the rows (axis 2 of an NCHW tensor).
    public var height: Int
    /// The size along the columns (axis 3).
    public var width: Int

    /// A size with a separate height and width.
    public init(height: Int, width: Int) {
        self.height = height
        self.width = width
    }

    /// The same size in both directions.
    public init(_ both: Int) { self.init(height: both, width: both) }

    /// The same size in both directions.
    public init(integerLiteral value: Int) { self.init(value) }

    /// `3` when both are 3, otherwise `3×2` (height × width).
    public var description: String { height == width ? "\(height)" : "\(height)×\(width)" }
}
