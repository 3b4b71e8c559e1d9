import Foundation
import Testing

/// Every Swift snippet of the documentation (README.md, docs/, the DocC catalog) stands verbatim
/// in one of this module's test files, which compile and run it: a snippet that stops compiling
/// or printing what the page says fails a test, and one that is edited on the page but not here
/// fails this one.
@Suite struct SnippetCoverageTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// The Markdown files whose ```swift blocks must be covered.
    static func documentationFiles() throws -> [URL] {
        var files = [root.appendingPathComponent("README.md")]
        for folder in ["docs", "Sources/Descent/Descent.docc"] {
            let enumerator = FileManager.default.enumerator(at: root.appendingPathComponent(folder), includingPropertiesForKeys: nil)
            while let url = enumerator?.nextObject() as? URL {
                if url.pathExtension == "md" { files.append(url) }
            }
        }
        return files.sorted { $0.path < $1.path }
    }

    /// The ```swift blocks of a Markdown text, each as its lines.
    static func swiftBlocks(in text: String) -> [[String]] {
        var blocks: [[String]] = []
        var current: [String]?
        for line in text.components(separatedBy: "\n") {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if current == nil, trimmed == "```swift" { current = [] } else if current != nil, trimmed == "```" {
                blocks.append(current!)
                current = nil
            } else { current?.append(line) }
        }
        return blocks
    }

    /// Lines without their indentation and trailing spaces, blank lines and `import` lines
    /// dropped: a snippet pasted into a test function is indented deeper than on the page, and its
    /// imports stand at the top of the test file.
    static func normalized(_ lines: [String]) -> [String] {
        lines.map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty && !$0.hasPrefix("import ") }
    }

    @Test func everyDocumentationSnippetIsInATest() throws {
        let testsFolder = Self.root.appendingPathComponent("Tests/DescentDocsTests")
        let enumerator = FileManager.default.enumerator(at: testsFolder, includingPropertiesForKeys: nil)
        var sources: [URL] = []
        while let url = enumerator?.nextObject() as? URL {
            if url.pathExtension == "swift" { sources.append(url) }
        }
        let testLines = try Self.normalized(sources.flatMap { try String(contentsOf: $0, encoding: .utf8).components(separatedBy: "\n") })
        let testText = "\n" + testLines.joined(separator: "\n") + "\n"
        var checked = 0
        for file in try Self.documentationFiles() {
            for block in Self.swiftBlocks(in: try String(contentsOf: file, encoding: .utf8)) {
                let snippet = Self.normalized(block)
                guard !snippet.isEmpty else { continue }
                checked += 1
                #expect(testText.contains("\n" + snippet.joined(separator: "\n") + "\n"),
                        "a ```swift block of \(file.lastPathComponent) is in no test of Tests/DescentDocsTests; paste it into one that runs it:\n\(block.joined(separator: "\n"))")
            }
        }
        #expect(checked >= 13, "found only \(checked) snippets: is the documentation where this test looks?")
    }
}
