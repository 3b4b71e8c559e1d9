import DescentCore

/// The shape of one sample's features, as `--input-shape` writes it: sizes joined by `x`, such as
/// `1x28x28` (channels × height × width, NCHW without the batch axis) or `784`.
///
///     let shape = try SampleShape(parsing: "1x28x28")   // [1, 28, 28]
///     let images = try dataset.reshapingSamples(to: shape.sizes)
///
/// - PyTorch: the `(C, H, W)` of `torch.nn.Unflatten(1, (C, H, W))`, or of
///   `x.view(-1, C, H, W)` on rows of pixels.
public struct SampleShape: Equatable, Sendable, CustomStringConvertible {
    /// The sizes, each at least 1; their product fits an `Int`.
    public let sizes: [Int]
    /// The most axes a sample shape may have (channels, height, width and one more).
    public static let maximumRank = 4

    /// A shape of the given sizes.
    /// - Throws: ``DataError`` if there are no sizes or more than ``maximumRank``, a size is below
    ///   1, or their product overflows `Int`.
    public init(_ sizes: [Int]) throws {
        guard !sizes.isEmpty, sizes.count <= Self.maximumRank else {
            throw DataError("a sample shape has 1 to \(Self.maximumRank) sizes, such as 1x28x28 (channels × height × width); got \(sizes.count)")
        }
        guard sizes.allSatisfy({ $0 >= 1 }) else {
            throw DataError("every size of a sample shape must be at least 1, not \(sizes.map(String.init).joined(separator: "x"))")
        }
        guard checkedProduct(sizes) != nil else {
            throw DataError("the sample shape \(sizes.map(String.init).joined(separator: "x")) has more elements than an Int counts")
        }
        self.sizes = sizes
    }

    /// Reads `CxHxW` (or any 1 to 4 whole numbers joined by `x` or `×`; spaces are ignored).
    /// - Throws: ``DataError`` saying what a shape looks like.
    public init(parsing text: String) throws {
        let parts = text.lowercased().split(omittingEmptySubsequences: false) { $0 == "x" || $0 == "×" }
        var sizes: [Int] = []
        for part in parts {
            let digits = String(part).trimmingSpaces()
            guard !digits.isEmpty, digits.allSatisfy({ $0.isASCII && $0.isNumber }), let size = Int(digits) else {
                throw DataError("the input shape `\(text)` is not sizes joined by x; write channels x height x width, such as 1x28x28 or 3x32x32")
            }
            sizes.append(size)
        }
        try self.init(sizes)
    }

    /// The number of features in one sample (the product of the sizes).
    public var elementCount: Int { sizes.reduce(1, *) }

    /// `1x28x28`.
    public var description: String { sizes.map(String.init).joined(separator: "x") }
}

extension TensorDataset {
    /// The same samples with each sample's features reshaped to `shape` (no copy: the features
    /// are contiguous, so a reshape only changes the shape), for example rows of 784 pixels as
    /// `[1, 28, 28]` images.
    /// - Throws: ``DataError`` when a sample's feature count differs from the shape's, saying both.
    public func reshapingSamples(to shape: SampleShape, source: String? = nil) throws -> TensorDataset {
        let features = featureShape.reduce(1, *)
        guard features == shape.elementCount else {
            throw DataError(file: source, "the input shape \(shape) holds \(shape.elementCount.grouped) values, but each sample has \(features.grouped) features"
                            + (featureShape.count > 1 ? " (shape \(featureShape.map(String.init).joined(separator: "x")))" : "")
                            + "; give an --input-shape whose sizes multiply to \(features.grouped) (for example 1x28x28 for 784 pixel columns)")
        }
        guard featureShape != shape.sizes else { return self }
        return try replacingFeatures(self.features.reshaped(to: [count] + shape.sizes), featureNames: featureNames)
    }
}
