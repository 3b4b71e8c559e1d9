/// Accumulates SVG markup: elements with escaped attributes, text, and compact coordinates.
///
/// Charts build their document with one builder; nothing here knows about axes or data.
struct SVGBuilder {
    /// The markup written so far.
    private(set) var markup = ""

    /// Marks where a chart's unique identifier goes; replaced once the document is complete
    /// (see `finished(width:height:title:)`). Escaping turns a U+E000 in user text into
    /// `&#xE000;`, so a raw U+E000 in the markup can only be this placeholder.
    static let identifierPlaceholder = "\u{E000}"

    /// Appends an empty element, such as `<line x1="0" … />`.
    mutating func element(_ name: String, _ attributes: [(String, String)]) {
        markup += "<\(name)"
        appendAttributes(attributes)
        markup += "/>\n"
    }

    /// Opens an element that will hold children; close it with `close(_:)`.
    mutating func open(_ name: String, _ attributes: [(String, String)] = []) {
        markup += "<\(name)"
        appendAttributes(attributes)
        markup += ">\n"
    }

    /// Closes an element opened with `open(_:_:)`.
    mutating func close(_ name: String) {
        markup += "</\(name)>\n"
    }

    /// Appends a `<text>` element holding `content`, escaped.
    mutating func text(_ content: String, _ attributes: [(String, String)]) {
        markup += "<text"
        appendAttributes(attributes)
        markup += ">\(MarkupEscaping.escape(content))</text>\n"
    }

    /// Appends markup produced elsewhere, unchanged.
    mutating func raw(_ fragment: String) {
        markup += fragment
    }

    private mutating func appendAttributes(_ attributes: [(String, String)]) {
        for (key, value) in attributes {
            // Escape around the placeholder so it survives into the markup.
            let escaped = value.components(separatedBy: Self.identifierPlaceholder).map(MarkupEscaping.escape)
            markup += " \(key)=\"\(escaped.joined(separator: Self.identifierPlaceholder))\""
        }
    }

    /// Wraps the markup in an `<svg>` root of the given size and replaces the identifier
    /// placeholder with a hash of the content.
    ///
    /// The hash makes identifiers (clip paths, animated paths) unique across different charts
    /// inlined in one HTML page, while two identical charts share identical definitions, which
    /// is harmless.
    func finished(width: Double, height: Double, title: String) -> String {
        let identifier = "descent-" + String(Self.fnv1a(markup), radix: 16)
        let body = markup.replacingOccurrences(of: Self.identifierPlaceholder, with: identifier)
        let size = "width=\"\(Self.number(width))\" height=\"\(Self.number(height))\""
        var document = "<svg xmlns=\"http://www.w3.org/2000/svg\" xmlns:xlink=\"http://www.w3.org/1999/xlink\" "
        document += "\(size) viewBox=\"0 0 \(Self.number(width)) \(Self.number(height))\" "
        document += "font-family=\"\(ChartStyle.fontFamily)\" role=\"img\">\n"
        if !title.isEmpty { document += "<title>\(MarkupEscaping.escape(title))</title>\n" }
        document += body
        document += "</svg>\n"
        return document
    }

    /// 64-bit FNV-1a hash of the UTF-8 bytes of `text`.
    static func fnv1a(_ text: String) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in text.utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x0000_0100_0000_01b3
        }
        return hash
    }

    /// Formats a coordinate with at most two decimals and no trailing zeros ("12.5", "-3", "0.07").
    static func number(_ value: Double) -> String {
        guard value.isFinite else { return "0" }
        let hundredths = (value * 100).rounded()
        if abs(hundredths) >= 1e15 { return String(Int64(value.rounded())) }
        let scaled = Int64(hundredths)
        let sign = scaled < 0 ? "-" : ""
        let magnitude = scaled.magnitude
        let whole = magnitude / 100
        let fraction = magnitude % 100
        if fraction == 0 { return sign + String(whole) }
        if fraction % 10 == 0 { return sign + "\(whole).\(fraction / 10)" }
        return sign + "\(whole)." + (fraction < 10 ? "0" : "") + String(fraction)
    }
}
