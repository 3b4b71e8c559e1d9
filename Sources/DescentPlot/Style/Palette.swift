/// An ordered list of distinct colours for series and classes.
///
/// The default, `Palette.okabeIto`, stays distinguishable for the common forms of colour
/// blindness. Reference: Okabe & Ito, "Color Universal Design", 2008.
public struct Palette: Sendable, Hashable {
    /// The colours, used in order and repeated when there are more series than colours.
    public var colors: [Color]

    /// Creates a palette from `colors`; an empty list falls back to `Palette.okabeIto`.
    public init(colors: [Color]) {
        self.colors = colors.isEmpty ? Palette.okabeIto.colors : colors
    }

    /// The colour for the series or class at `index`, cycling through the palette.
    public func color(at index: Int) -> Color {
        colors[((index % colors.count) + colors.count) % colors.count]
    }

    /// Okabe–Ito, reordered so the first colours contrast most on white: blue, vermillion,
    /// bluish green, orange, sky blue, reddish purple, black, yellow.
    public static let okabeIto = Palette(uncheckedColors: [
        Color(hex: 0x0072B2), Color(hex: 0xD55E00), Color(hex: 0x009E73), Color(hex: 0xE69F00),
        Color(hex: 0x56B4E9), Color(hex: 0xCC79A7), Color(hex: 0x000000), Color(hex: 0xF0E442),
    ])

    /// Tableau 10 "Color Blind" (Tableau Software, 2016), an alternative colour-blind-safe set.
    public static let tableauColorBlind = Palette(uncheckedColors: [
        Color(hex: 0x006BA4), Color(hex: 0xFF800E), Color(hex: 0xABABAB), Color(hex: 0x595959),
        Color(hex: 0x5F9ED1), Color(hex: 0xC85200), Color(hex: 0x898989), Color(hex: 0xA2C8EC),
        Color(hex: 0xFFBC79), Color(hex: 0xCFCFCF),
    ])

    private init(uncheckedColors: [Color]) {
        self.colors = uncheckedColors
    }
}
