import Foundation

/// A chart that renders itself as a standalone SVG document.
public protocol Chart: Sendable {
    /// The chart as an SVG document of `width` × `height` pixels.
    func svg(width: Double, height: Double) -> String
}

extension Chart {
    /// The chart as an SVG document of 640 × 400 pixels.
    public func svg() -> String {
        svg(width: 640, height: 400)
    }

    /// Writes the chart as an SVG file, replacing any file at `url`.
    ///
    /// - Parameters:
    ///   - url: destination, usually ending in `.svg`.
    ///   - width: width in pixels. The default value is `640`.
    ///   - height: height in pixels. The default value is `400`.
    /// - Throws: the file system's error when the file cannot be written.
    public func write(to url: URL, width: Double = 640, height: Double = 400) throws {
        try Data(svg(width: width, height: height).utf8).write(to: url, options: .atomic)
    }
}
