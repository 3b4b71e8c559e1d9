import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif

/// Parses a document with Foundation's `XMLParser` and records its elements, so tests can check
/// well-formedness and count what was drawn.
final class XMLInspector: NSObject, XMLParserDelegate {
    /// One element: its name, attributes, the names of its ancestors, and its direct text.
    struct Element {
        var name: String
        var attributes: [String: String]
        var ancestors: [String]
        var ancestorClasses: [String]
        var text = ""
    }

    private(set) var elements: [Element] = []
    private var stack: [Int] = []
    private(set) var errorDescription: String?

    /// Parses `document`; returns `nil` when it is not well-formed XML.
    static func parse(_ document: String) -> XMLInspector? {
        let inspector = XMLInspector()
        let parser = XMLParser(data: Data(document.utf8))
        parser.delegate = inspector
        return parser.parse() ? inspector : nil
    }

    func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?,
                attributes: [String: String] = [:]) {
        let ancestors = stack.map { elements[$0].name }
        let classes = stack.compactMap { elements[$0].attributes["class"] }
        elements.append(Element(name: name, attributes: attributes, ancestors: ancestors, ancestorClasses: classes))
        stack.append(elements.count - 1)
    }

    func parser(_ parser: XMLParser, didEndElement name: String, namespaceURI: String?, qualifiedName: String?) {
        stack.removeLast()
    }

    func parser(_ parser: XMLParser, foundCharacters string: String) {
        if let current = stack.last { elements[current].text += string }
    }

    func parser(_ parser: XMLParser, parseErrorOccurred parseError: Error) {
        errorDescription = parseError.localizedDescription
    }

    /// Elements called `name`, optionally only those with `class` equal to `className`.
    func all(_ name: String, className: String? = nil) -> [Element] {
        elements.filter { $0.name == name && (className == nil || $0.attributes["class"] == className) }
    }

    /// Elements called `name` inside an element whose class is `className`.
    func all(_ name: String, inside className: String) -> [Element] {
        elements.filter { $0.name == name && $0.ancestorClasses.contains(className) }
    }

    /// The text of every `<text>` element.
    var texts: [String] { all("text").map(\.text) }
}
