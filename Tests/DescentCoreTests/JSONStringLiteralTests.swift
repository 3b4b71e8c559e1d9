import Testing

@testable import DescentCore

/// The one JSON quoting routine: expected literals are what Python's
/// `json.dumps(text, ensure_ascii=False)` prints for the same text (RFC 8259 §7 escapes).
struct JSONStringLiteralTests {
    @Test func plainTextIsOnlyQuoted() {
        #expect(jsonStringLiteral("0.weight") == "\"0.weight\"")
        #expect(jsonStringLiteral("") == "\"\"")
        #expect(jsonStringLiteral("Grüße ∂") == "\"Grüße ∂\"")
    }

    @Test func quotesBackslashesAndControlCharactersAreEscaped() {
        #expect(jsonStringLiteral("a\"b\\c") == "\"a\\\"b\\\\c\"")
        #expect(jsonStringLiteral("line\nnext\r\ttab") == "\"line\\nnext\\r\\ttab\"")
        #expect(jsonStringLiteral("\u{0}\u{1f}\u{1}") == "\"\\u0000\\u001f\\u0001\"")
    }
}
