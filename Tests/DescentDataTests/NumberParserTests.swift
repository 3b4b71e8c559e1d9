import DescentCore
@testable import DescentData
import Foundation
import Testing

extension RandomGenerator {
    /// A test input index in `0..<n` (the modulo bias is irrelevant here).
    mutating func below(_ n: Int) -> Int { Int(next() % UInt64(n)) }
}

/// `NumberParser.parse` on the UTF-8 bytes of `text`.
func parseNumber(_ text: String) -> ParsedNumber {
    var copy = text
    return copy.withUTF8 { NumberParser.parse($0.baseAddress!, $0.count) }
}

/// Every expected value below is Swift's `Double(String)` (correctly rounded decimal conversion,
/// the reference the brief names) or a bit pattern it round-trips.
@Suite struct NumberParserTests {
    @Test func randomDecimalTextMatchesDoubleFromString() {
        var random = RandomGenerator(seed: 15)
        let digits = Array("0123456789")
        var checked = 0
        for _ in 0..<200_000 {
            var text = ["", "-", "+"][random.below(3)]
            let integerDigits = random.below(4) == 0 ? 0 : random.below(22)
            for _ in 0..<integerDigits { text.append(digits[random.below(10)]) }
            let hasPoint = random.below(3) != 0
            var fractionDigits = 0
            if hasPoint {
                text.append(".")
                fractionDigits = random.below(4) == 0 ? 0 : random.below(22)
                for _ in 0..<fractionDigits { text.append(digits[random.below(10)]) }
            }
            if integerDigits + fractionDigits == 0 { continue }
            if random.below(2) == 0 {
                text.append(["e", "E"][random.below(2)])
                text.append(["", "-", "+"][random.below(3)])
                text.append(String(random.below(360)))
            }
            guard let expected = Double(text) else { Issue.record("Double(\"\(text)\") is nil"); continue }
            // A plain comparison per input (an #expect each would dominate the run time).
            if parseNumber(text) != .number(expected) {
                Issue.record("\(text): parsed \(parseNumber(text)), Double(String) gives \(expected)")
                return
            }
            checked += 1
        }
        #expect(checked > 150_000)
    }

    @Test func randomDoublesRoundTripThroughShortestAndLongDigits() {
        // Shortest digits (Swift's description, 17 significant digits at most: Eisel–Lemire) and
        // 25 significant digits (strtod), for random bit patterns across every exponent.
        var random = RandomGenerator(seed: 42)
        for _ in 0..<100_000 {
            let x = Double(bitPattern: random.next())
            guard x.isFinite else { continue }
            for text in [x.description, String(format: "%.24e", x), String(format: "%.16e", x)] where parseNumber(text) != .number(Double(text)!) {
                Issue.record("\(text): parsed \(parseNumber(text)), Double(String) gives \(Double(text)!)")
                return
            }
            if parseNumber(x.description) != .number(x) {
                Issue.record("\(x.description) does not round-trip: \(parseNumber(x.description))")
                return
            }
        }
    }

    @Test func edgeCasesMatchDoubleFromString() {
        let cases = [
            "0", "-0", "+0", "0.0", "-0.0", "5.", ".5", "+.5", "-5.", "0.1", "0.30000000000000004",
            "9007199254740992", "9007199254740993", "9007199254740995", "18446744073709551615", "1e23", "8.41e21",
            "1.7976931348623157e308", "1.7976931348623158e308", "1.7976931348623159e308", "1e309", "-1e400",
            "2.2250738585072011e-308", "2.2250738585072014e-308", "4.9406564584124654e-324", "4.9e-324",
            "2.4703282292062327e-324", "2.4703282292062328e-324", "1e-400", "123456789012345678901234567890",
            "0.000000000000000000000000000001234567", "7.0E+2", "1E5", "-.25e-3", "00012.5000",
        ]
        for text in cases {
            #expect(parseNumber(text) == .number(Double(text)!), "\(text)")
        }
        // -0 keeps its sign; spaces and tabs around a number are ignored.
        if case .number(let x) = parseNumber("-0") { #expect(x.sign == .minus) }
        #expect(parseNumber(" \t7.25 ") == .number(7.25))
        for bad in ["1.2.3", "1e", "1e+", "--1", "1-", "0x10", "1,5", "e5", ".", "+", "1 2"] {
            #expect(parseNumber(bad) == .invalid, "\(bad)")
        }
        for missing in ["", "  ", "NA", "n/a", "null", "None", "?", "-"] {
            #expect(parseNumber(missing) == .missing, "\(missing)")
        }
    }

    @Test func theEightBytePathAgreesWithTheDigitLoop() {
        // Every field shape the chunk parser meets: 0–9 integer digits, signs, 0–18 fraction
        // digits, then a delimiter, a line break, an exponent or text; expected values (or nil)
        // from scan, itself checked against Double(String) above.
        var random = RandomGenerator(seed: 7)
        for _ in 0..<50_000 {
            var text = ["", "-", "+"][random.below(3)]
            for _ in 0..<random.below(10) { text += String(random.below(10)) }
            if random.below(2) == 0 {
                text += "."
                for _ in 0..<random.below(19) { text += String(random.below(10)) }
            }
            text += [",", "\n", "e3,", "\r\n", ",1,2,3,4,5,6,7,8", "x"][random.below(6)] + String(repeating: "0", count: 30)
            var copy = text
            let (fast, loop) = copy.withUTF8 { bytes in
                (NumberParser.scanFast(bytes.baseAddress!, from: 0, to: bytes.count), NumberParser.scan(bytes.baseAddress!, from: 0, to: bytes.count))
            }
            let short = copy.withUTF8 { NumberParser.shortInteger($0.baseAddress!, from: 0, to: $0.count) }
            if short.end >= 0 && (short.value.bitPattern != loop?.value.bitPattern || short.end != loop?.end) {
                Issue.record("\(text): short integer \(short), loop \(String(describing: loop))")
                return
            }
            if fast?.value.bitPattern != loop?.value.bitPattern || fast?.end != loop?.end {
                Issue.record("\(text): fast \(String(describing: fast)), loop \(String(describing: loop))")
                return
            }
        }
        #expect(NumberParser.eightDigits(0x3837_3635_3433_3231) == 12_345_678)
    }

    @Test func scanStopsAtTheFirstByteThatEndsTheNumber() {
        var text = "-12.5e1,3"
        let result = text.withUTF8 { NumberParser.scan($0.baseAddress!, from: 0, to: $0.count) }
        #expect(result?.value == -125)
        #expect(result?.end == 7)
        // Not a plain number: the careful path decides (a quote, a space, 20 digits, infinity).
        for declined in ["\"1\"", " 1", "12345678901234567890", "1e999", "nan"] {
            var copy = declined
            #expect(copy.withUTF8 { NumberParser.scan($0.baseAddress!, from: 0, to: $0.count) } == nil, "\(declined)")
        }
    }
}
