import Foundation

/// A self-contained HTML report: one file with inline CSS and inline SVG charts, no network
/// access and no JavaScript, readable in any browser and easy to attach or archive.
///
///     var report = HTMLReport(title: "Run 2026-11-21: MLP on digits")
///     report.addSection("Configuration")
///     report.addKeyValueTable([("optimizer", "Adam"), ("learning rate", "1e-3")])
///     report.addSection("Training")
///     report.addChart(lossChart, caption: "Loss per epoch")
///     report.addTable(headers: ["epoch", "loss"], rows: [["1", "0.93"], ["2", "0.41"]])
///     try report.write(to: URL(fileURLWithPath: "report.html"))
///
/// All text is escaped; the output is also well-formed XML.
public struct HTMLReport: Sendable, Hashable {
    /// One piece of content, in document order.
    public enum Block: Sendable, Hashable {
        /// A section heading (`<h2>`); following blocks belong to the section.
        case section(String)
        /// A paragraph of plain text.
        case paragraph(String)
        /// Two-column table of names and values.
        case keyValueTable([KeyValue])
        /// Table with a header row.
        case table(headers: [String], rows: [[String]])
        /// An SVG document, inlined, with an optional caption.
        case figure(svg: String, caption: String)
    }

    /// A name and its value, one row of a key–value table.
    public struct KeyValue: Sendable, Hashable {
        /// The name, such as "learning rate".
        public var key: String
        /// The value, such as "0.001".
        public var value: String

        /// Creates a row.
        public init(key: String, value: String) {
            (self.key, self.value) = (key, value)
        }
    }

    /// The page title and top heading.
    public var title: String
    /// The content, in order.
    public var blocks: [Block] = []

    /// Creates an empty report.
    public init(title: String) {
        self.title = title
    }

    /// Starts a new section with `heading`.
    public mutating func addSection(_ heading: String) {
        blocks.append(.section(heading))
    }

    /// Adds a paragraph of plain text.
    public mutating func addParagraph(_ text: String) {
        blocks.append(.paragraph(text))
    }

    /// Adds a two-column table of names and values, such as a run's configuration.
    public mutating func addKeyValueTable(_ rows: [(String, String)]) {
        blocks.append(.keyValueTable(rows.map { KeyValue(key: $0.0, value: $0.1) }))
    }

    /// Adds a table with a header row; rows shorter than the header are padded with empty cells.
    public mutating func addTable(headers: [String], rows: [[String]]) {
        blocks.append(.table(headers: headers, rows: rows))
    }

    /// Adds a chart as inline SVG.
    ///
    /// - Parameters:
    ///   - width: width in pixels. The default value is `720`.
    ///   - height: height in pixels. The default value is `420`.
    ///   - caption: text under the chart. The default value is `""`.
    ///   - chart: the chart.
    public mutating func addChart(_ chart: some Chart, width: Double = 720, height: Double = 420, caption: String = "") {
        blocks.append(.figure(svg: chart.svg(width: width, height: height), caption: caption))
    }

    /// Adds an SVG document produced elsewhere. It must be well-formed SVG; it is inlined as is.
    public mutating func addSVG(_ svg: String, caption: String = "") {
        blocks.append(.figure(svg: svg, caption: caption))
    }

    /// The report as one HTML document.
    public func html() -> String {
        let e = MarkupEscaping.escape
        var page = "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\"/>\n"
        page += "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"/>\n"
        page += "<title>\(e(title))</title>\n<style>\n\(Self.styleSheet)</style>\n</head>\n<body>\n<main>\n"
        page += "<h1>\(e(title))</h1>\n"
        var sectionOpen = false
        for block in blocks {
            switch block {
            case .section(let heading):
                if sectionOpen { page += "</section>\n" }
                page += "<section>\n<h2>\(e(heading))</h2>\n"
                sectionOpen = true
            case .paragraph(let text):
                page += "<p>\(e(text))</p>\n"
            case .keyValueTable(let rows):
                page += "<table class=\"key-value\">\n<tbody>\n"
                for row in rows { page += "<tr><th scope=\"row\">\(e(row.key))</th><td>\(e(row.value))</td></tr>\n" }
                page += "</tbody>\n</table>\n"
            case .table(let headers, let rows):
                page += "<table>\n<thead>\n<tr>" + headers.map { "<th scope=\"col\">\(e($0))</th>" }.joined() + "</tr>\n</thead>\n<tbody>\n"
                for row in rows {
                    let cells = row + [String](repeating: "", count: max(0, headers.count - row.count))
                    page += "<tr>" + cells.map { "<td>\(e($0))</td>" }.joined() + "</tr>\n"
                }
                page += "</tbody>\n</table>\n"
            case .figure(let svg, let caption):
                page += "<figure>\n\(svg)"
                if !caption.isEmpty { page += "<figcaption>\(e(caption))</figcaption>\n" }
                page += "</figure>\n"
            }
        }
        if sectionOpen { page += "</section>\n" }
        page += "</main>\n</body>\n</html>\n"
        return page
    }

    /// Writes the report, replacing any file at `url`.
    ///
    /// - Throws: the file system's error when the file cannot be written.
    public func write(to url: URL) throws {
        try Data(html().utf8).write(to: url, options: .atomic)
    }

    /// Light, readable defaults: a centred column, system fonts, striped tables, charts that
    /// shrink on narrow screens.
    static let styleSheet = """
        body { margin: 0; background: #fafafa; color: #222; font: 15px/1.5 \(ChartStyle.fontFamily); }
        main { max-width: 960px; margin: 0 auto; padding: 24px; }
        h1 { font-size: 1.7em; margin: 0.2em 0 0.8em; }
        h2 { font-size: 1.3em; margin: 1.6em 0 0.6em; padding-bottom: 0.2em; border-bottom: 1px solid #ddd; }
        section { margin-bottom: 1.5em; }
        table { border-collapse: collapse; margin: 0.8em 0; background: #fff; font-variant-numeric: tabular-nums; }
        th, td { padding: 4px 12px; border: 1px solid #ddd; text-align: left; }
        thead th { background: #f0f0f0; }
        tbody tr:nth-child(even) { background: #f7f7f7; }
        table.key-value th { font-weight: 600; background: #f4f4f4; }
        figure { margin: 1em 0; }
        figure svg { max-width: 100%; height: auto; background: #fff; border: 1px solid #e4e4e4; }
        figcaption { color: #555; font-size: 0.92em; margin-top: 0.3em; }

        """
}
