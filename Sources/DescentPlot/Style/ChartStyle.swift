/// Sizes, fonts and colours shared by every chart.
///
/// Chosen to stay legible when a chart is shown at 640×400 on screen or inlined in a report.
public struct ChartStyle: Sendable, Hashable {
    /// Font size of the title, in pixels. The default value is `16`.
    public var titleFontSize: Double = 16
    /// Font size of axis labels and legend entries, in pixels. The default value is `13`.
    public var labelFontSize: Double = 13
    /// Font size of tick labels, in pixels. The default value is `11`.
    public var tickFontSize: Double = 11
    /// Width of series lines, in pixels. The default value is `2`.
    public var lineWidth: Double = 2
    /// Radius of point markers, in pixels. The default value is `3.5`.
    public var pointRadius: Double = 3.5
    /// Colours of series and classes. The default value is `Palette.okabeIto`.
    public var palette: Palette = .okabeIto
    /// Colour scale of heat maps and contour plots. The default value is `ColorMap.viridis`.
    public var colorMap: ColorMap = .viridis
    /// Whether to draw light grid lines at the ticks. The default value is `true`.
    public var showsGrid: Bool = true

    /// Creates the default style; change properties to adjust it.
    public init() {}

    /// The font stack used for all text: the system sans-serif font of the viewer.
    static let fontFamily = "system-ui, -apple-system, 'Segoe UI', Helvetica, Arial, sans-serif"
    /// Colour of axis lines, tick labels and titles.
    static let inkColor = "#333333"
    /// Colour of grid lines.
    static let gridColor = "#e6e6e6"

    /// Approximate width of `text` in pixels at `fontSize`, used to size margins (no font
    /// metrics are available when writing SVG by hand; 0.6 em per character is a safe average).
    static func estimatedWidth(of text: String, fontSize: Double) -> Double {
        Double(text.count) * fontSize * 0.6
    }
}
