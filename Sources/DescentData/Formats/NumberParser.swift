#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// What a text field holds, read as a number.
enum ParsedNumber: Equatable {
    /// A number (possibly NaN or ±infinity, which callers reject with their own message).
    case number(Double)
    /// An empty field or a common missing-value marker (`NA`, `N/A`, `null`, `None`, `?`).
    case missing
    /// Anything else.
    case invalid
}

/// Parses decimal numbers straight from bytes, without making a `String`.
///
/// Numbers with at most 19 significant digits whose value fits in 2⁵³ and a decimal exponent
/// within ±22 take Clinger's fast path (one exact integer conversion and one exactly rounded
/// multiplication or division, so the result is correctly rounded); anything else goes to `strtod`.
enum NumberParser {
    /// 10ᵏ for 0 ≤ k ≤ 22, all exactly representable in a `Double` (each product below is exact).
    /// A loop instead of a static table: a global table costs a lazy-initialisation check per call.
    @inline(__always) static func powerOfTen(_ k: Int) -> Double {
        var value = 1.0
        for _ in 0..<k { value *= 10 }
        return value
    }

    @inline(__always) static func isSpace(_ byte: UInt8) -> Bool { byte == 0x20 || byte == 0x09 }

    /// The number in `count` bytes at `start`, ignoring spaces around it.
    static func parse(_ start: UnsafePointer<UInt8>, _ count: Int) -> ParsedNumber {
        var begin = 0, end = count
        while begin < end && isSpace(start[begin]) { begin += 1 }
        while end > begin && isSpace(start[end - 1]) { end -= 1 }
        if begin == end { return .missing }
        var i = begin
        var negative = false
        if start[i] == UInt8(ascii: "-") || start[i] == UInt8(ascii: "+") {
            negative = start[i] == UInt8(ascii: "-")
            i += 1
        }
        var mantissa: UInt64 = 0
        var significantDigits = 0
        var digitCount = 0
        var exponent = 0
        while i < end, start[i] &- 48 < 10 {
            if mantissa != 0 || start[i] != 48 { significantDigits += 1 }
            if significantDigits <= 19 { mantissa = mantissa &* 10 &+ UInt64(start[i] &- 48) } else { exponent += 1 }
            digitCount += 1
            i += 1
        }
        if i < end, start[i] == UInt8(ascii: ".") {
            i += 1
            while i < end, start[i] &- 48 < 10 {
                if mantissa != 0 || start[i] != 48 { significantDigits += 1 }
                if significantDigits <= 19 {
                    mantissa = mantissa &* 10 &+ UInt64(start[i] &- 48)
                    exponent -= 1
                }
                digitCount += 1
                i += 1
            }
        }
        if digitCount == 0 { return special(start + begin, end - begin) }
        if i < end, start[i] | 0x20 == UInt8(ascii: "e") {
            i += 1
            var exponentNegative = false
            if i < end, start[i] == UInt8(ascii: "-") || start[i] == UInt8(ascii: "+") {
                exponentNegative = start[i] == UInt8(ascii: "-")
                i += 1
            }
            var value = 0
            var exponentDigits = 0
            while i < end, start[i] &- 48 < 10 {
                if value < 100_000 { value = value * 10 + Int(start[i] &- 48) }
                exponentDigits += 1
                i += 1
            }
            if exponentDigits == 0 { return .invalid }
            exponent += exponentNegative ? -value : value
        }
        if i != end { return .invalid }
        if significantDigits <= 19 && mantissa <= 1 << 53 && exponent >= -22 && exponent <= 22 {
            var value = Double(mantissa)
            if exponent != 0 {
                value = exponent < 0 ? value / powerOfTen(-exponent) : value * powerOfTen(exponent)
            }
            return .number(negative ? -value : value)
        }
        return slowPath(start + begin, end - begin)
    }

    /// `strtod` on a NUL-terminated copy, for long or extreme numbers (already validated).
    static func slowPath(_ start: UnsafePointer<UInt8>, _ count: Int) -> ParsedNumber {
        withUnsafeTemporaryAllocation(of: CChar.self, capacity: count + 1) { buffer in
            for i in 0..<count { buffer[i] = CChar(bitPattern: start[i]) }
            buffer[count] = 0
            return .number(strtod(buffer.baseAddress!, nil))
        }
    }

    /// NaN, infinity and missing-value markers, case-insensitively.
    static func special(_ start: UnsafePointer<UInt8>, _ count: Int) -> ParsedNumber {
        guard count <= 9 else { return .invalid }
        var word = ""
        for i in 0..<count { word.unicodeScalars.append(Unicode.Scalar(start[i] | (start[i] >= 65 && start[i] <= 90 ? 0x20 : 0))) }
        switch word {
        case "nan", "+nan", "-nan": return .number(.nan)
        case "inf", "+inf", "infinity", "+infinity": return .number(.infinity)
        case "-inf", "-infinity": return .number(-.infinity)
        case "na", "n/a", "null", "none", "?", "-", "nil": return .missing
        default: return .invalid
        }
    }
}
