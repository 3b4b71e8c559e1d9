import Foundation

/// Rows of small images drawn pixel for pixel: a convolutional layer's filters, the feature maps it
/// computes for an input, the input images themselves. Each image is one embedded PNG (scaled up
/// with `image-rendering: pixelated`, so every pixel stays a sharp square), with a label under it.
///
///     let filters = ImageGrid(rows: [.init(title: "conv 0", images: weights.map {
///         ImageGrid.Image(width: 5, height: 5, values: $0, label: "") })], scaling: .symmetric)
///     report.addSVG(filters.svg(), caption: "First layer's filters")
///
/// Built from plain arrays, so it knows nothing of layers or tensors.
/// - matplotlib: a grid of `imshow(…, interpolation="nearest")` subplots.
public struct ImageGrid: Sendable, Hashable {
    /// One image: `height` rows of `width` values, row-major, top row first.
    public struct Image: Sendable, Hashable {
        /// The number of columns.
        public var width: Int
        /// The number of rows.
        public var height: Int
        /// `width × height` values, row-major; values beyond them are ignored, missing or
        /// non-finite ones are drawn in the colour of the lowest value.
        public var values: [Double]
        /// Text under the image (`predicted 3`). The default value is `""`.
        public var label: String

        /// An image of the given size and values.
        public init(width: Int, height: Int, values: [Double], label: String = "") {
            self.width = max(width, 0)
            self.height = max(height, 0)
            self.values = values
            self.label = label
        }
    }

    /// One row of images with a title to its left.
    public struct Row: Sendable, Hashable {
        /// Text left of the row (`image 1`, `conv 0`).
        public var title: String
        /// The images, left to right.
        public var images: [Image]

        /// A row of `images` titled `title`.
        public init(title: String, images: [Image]) {
            self.title = title
            self.images = images
        }
    }

    /// How values map to colours.
    public enum Scaling: Sendable, Hashable {
        /// Each image from its own smallest (first colour) to its largest value (last colour),
        /// for pixels and activations.
        case perImage
        /// Each image from `−m` to `m`, `m` its largest magnitude, so 0 is the middle colour, for
        /// weights (use a diverging map such as ``ColorMap/redBlue``).
        case symmetric
    }

    /// The rows, top to bottom.
    public var rows: [Row]
    /// How values map to colours. The default value is ``Scaling/perImage``.
    public var scaling: Scaling
    /// The colours. The default value is ``ColorMap/grays`` for ``Scaling/perImage`` and
    /// ``ColorMap/redBlue`` for ``Scaling/symmetric``.
    public var colorMap: ColorMap
    /// The side of an image's square in pixels (the longer side, for non-square images). The
    /// default value is `56`.
    public var imageSize: Double

    /// A grid of `rows`.
    public init(rows: [Row], scaling: Scaling = .perImage, colorMap: ColorMap? = nil, imageSize: Double = 56) {
        self.rows = rows
        self.scaling = scaling
        self.colorMap = colorMap ?? (scaling == .symmetric ? .redBlue : .grays)
        self.imageSize = imageSize.isFinite && imageSize > 0 ? imageSize : 56
    }

    /// The width of the title column, the gap between images and the height of a label line.
    static let titleWidth = 96.0, gap = 8.0, labelHeight = 16.0

    /// The grid's size in pixels.
    public var size: (width: Double, height: Double) {
        let columns = rows.map(\.images.count).max() ?? 0
        let width = Self.titleWidth + Double(columns) * (imageSize + Self.gap) + Self.gap
        let height = Double(rows.count) * (imageSize + Self.labelHeight + Self.gap) + Self.gap
        return (width, height)
    }

    /// The grid as an SVG document of its own ``size``.
    public func svg() -> String {
        var svg = SVGBuilder()
        let n = SVGBuilder.number
        let (width, height) = size
        svg.element("rect", [("x", "0"), ("y", "0"), ("width", n(width)), ("height", n(height)), ("fill", "#ffffff")])
        for (r, row) in rows.enumerated() {
            let top = Self.gap + Double(r) * (imageSize + Self.labelHeight + Self.gap)
            svg.text(row.title, [("x", n(Self.gap)), ("y", n(top + imageSize / 2 + 4)), ("font-size", "12"), ("fill", "#333333")])
            for (c, image) in row.images.enumerated() {
                let left = Self.titleWidth + Double(c) * (imageSize + Self.gap)
                guard image.width > 0, image.height > 0 else { continue }
                let longer = Double(max(image.width, image.height))
                let (w, h) = (imageSize * Double(image.width) / longer, imageSize * Double(image.height) / longer)
                let png = PNGEncoder.encode(width: image.width, height: image.height, pixels: colors(of: image))
                svg.element("image", [
                    ("x", n(left)), ("y", n(top)), ("width", n(w)), ("height", n(h)), ("preserveAspectRatio", "none"),
                    ("style", "image-rendering: pixelated; image-rendering: crisp-edges"),
                    ("xlink:href", "data:image/png;base64," + png.base64EncodedString()),
                ])
                svg.element("rect", [("x", n(left)), ("y", n(top)), ("width", n(w)), ("height", n(h)), ("fill", "none"),
                                     ("stroke", "#bbbbbb"), ("stroke-width", "0.5")])
                if !image.label.isEmpty {
                    svg.text(image.label, [("x", n(left + w / 2)), ("y", n(top + imageSize + 12)), ("font-size", "10"),
                                           ("text-anchor", "middle"), ("fill", "#333333")])
                }
            }
        }
        return svg.finished(width: width, height: height, title: rows.first?.title ?? "")
    }

    /// The image's pixels as colours, scaled as ``scaling`` says.
    func colors(of image: Image) -> [Color] {
        let count = image.width * image.height
        let values = (0..<count).map { $0 < image.values.count && image.values[$0].isFinite ? image.values[$0] : Double.nan }
        let finite = values.filter(\.isFinite)
        let (low, high): (Double, Double)
        switch scaling {
        case .perImage: (low, high) = (finite.min() ?? 0, finite.max() ?? 0)
        case .symmetric:
            let magnitude = finite.map(abs).max() ?? 0
            (low, high) = (-magnitude, magnitude)
        }
        let span = high - low
        return values.map { value in
            guard value.isFinite else { return colorMap.color(at: 0) }
            return colorMap.color(at: span > 0 ? (value - low) / span : 0.5)
        }
    }
}
