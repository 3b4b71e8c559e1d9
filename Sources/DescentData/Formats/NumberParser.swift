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

/// 10ᵏ for 0 ≤ k ≤ 22, each exactly representable in a `Double`. A constant array of literals is
/// initialised statically (no lazy-initialisation check at each use in an optimised build).
let exactPowersOfTen: [Double] = [
    1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16,
    1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
]

/// Parses decimal numbers straight from bytes, without making a `String`, correctly rounded.
///
/// - A mantissa of at most 19 digits that fits in 2⁵³ with a decimal exponent within ±22 takes
///   Clinger's fast path: one exact integer conversion and one correctly rounded multiplication
///   or division by an exact power of ten.
/// - Other mantissas of at most 19 significant digits go through ``EiselLemire`` (two 128-bit
///   products at most), which also rounds correctly, subnormals included.
/// - Longer mantissas (20 digits and more) go to `strtod`, as do the undecidable cases Eisel–Lemire
///   hands back.
/// Accepted syntax: optional `+`/`-`, digits with an optional `.` (`.5` and `5.` are numbers),
/// an optional exponent `e`/`E` with optional sign; spaces and tabs around the number are ignored.
/// This is `Double(String)`'s decimal syntax without hexadecimal floats; NaN and infinity words
/// are recognised by ``special(_:_:)``.
enum NumberParser {
    @inline(__always) static func isSpace(_ byte: UInt8) -> Bool { byte == 0x20 || byte == 0x09 }

    /// Reads a plain decimal number that starts at `s[start]`, stopping at the first byte that
    /// cannot continue it (a delimiter, a line break, a space, or anything else: the caller checks
    /// what follows). Returns the value — always finite — and the position where it stopped, or
    /// `nil` when the text is not a finite number with 1 to 19 digits (no digits, an exponent
    /// without digits, a longer mantissa, an overflow to infinity, or a rare undecidable case):
    /// then ``parse(_:_:)`` decides.
    ///
    /// The CSV chunk parser's hot loop: no allocation, no per-digit branch besides the loop test.
    @inline(__always)
    static func scan(_ s: UnsafePointer<UInt8>, from start: Int, to end: Int) -> (value: Double, end: Int)? {
        var i = start
        var negative = false
        if i < end {
            if s[i] == UInt8(ascii: "-") { negative = true; i += 1 } else if s[i] == UInt8(ascii: "+") { i += 1 }
        }
        // Wrapping arithmetic: more than 19 digits may wrap, and such numbers are rejected below.
        var mantissa: UInt64 = 0
        let integerStart = i
        accumulateDigits(s, &i, end, into: &mantissa)
        var digits = i - integerStart
        var exponent = 0
        if i < end && s[i] == UInt8(ascii: ".") {
            i += 1
            let fractionStart = i
            accumulateDigits(s, &i, end, into: &mantissa)
            exponent = fractionStart - i
            digits += i - fractionStart
        }
        if digits == 0 || digits > 19 { return nil }
        if i < end && s[i] | 0x20 == UInt8(ascii: "e") {
            return scanExponent(s, from: i + 1, to: end, mantissa: mantissa, exponent: exponent, negative: negative)
        }
        guard let value = double(mantissa: mantissa, exponent: exponent, negative: negative) else { return nil }
        return (value, i)
    }

    /// ``scan(_:from:to:)`` with a branch-free first try for the common shapes: an integer of up
    /// to 7 digits (MNIST's pixels) and a decimal of up to 7 integer and 16 fraction digits
    /// (`-0.123456789`). Eight bytes are loaded at once, the length of the digit run found from a
    /// mask (SWAR: a byte is a digit when `byte − '0'` is below 10), and the digits converted with
    /// three multiplications; a loop over digits would mispredict its exit on most fields, since
    /// lengths vary. The value is then Clinger's exact case (at most 19 digits below 2⁵³, divided
    /// by an exact power of ten). Anything else — an exponent, longer runs, fewer than 27 bytes
    /// left — goes to ``scan(_:from:to:)``; the results are the same either way.
    /// Kept out of line (it is large); the chunk parser tries ``shortInteger(_:from:to:)`` first,
    /// which is small enough to inline.
    @inline(never)
    static func scanFast(_ s: UnsafePointer<UInt8>, from start: Int, to end: Int) -> (value: Double, end: Int)? {
        #if _endian(little)
        if end - start >= 27 {
            var i = start
            var negative = false
            if s[i] == UInt8(ascii: "-") { negative = true; i += 1 } else if s[i] == UInt8(ascii: "+") { i += 1 }
            var (mantissa, length) = digitRun(s + i)
            if length < 8 {
                i += length
                var digits = length, fraction = 0
                if s[i] == UInt8(ascii: ".") {
                    i += 1
                    let (first, firstLength) = digitRun(s + i)
                    mantissa = mantissa &* decimalPowers[firstLength] &+ first
                    fraction = firstLength
                    if firstLength == 8 {
                        let (second, secondLength) = digitRun(s + i + 8)
                        mantissa = mantissa &* decimalPowers[secondLength] &+ second
                        fraction += secondLength
                    }
                    i += fraction
                    digits += fraction
                }
                let next = s[i]
                if digits > 0 && digits <= 19 && fraction < 16 && next | 0x20 != UInt8(ascii: "e") && next &- 48 > 9 && mantissa <= 1 << 53 {
                    // No division for integers: it would cost more than the rest of the parse.
                    let integer = Double(Int64(bitPattern: mantissa))
                    let value = fraction == 0 ? integer : integer / exactPowersOfTen[fraction]
                    return (negative ? -value : value, i)
                }
            }
        }
        #endif
        return scanOutOfLine(s, from: start, to: end)
    }

    /// An integer of 1 to 7 digits with an optional sign at `s[start]`, not followed by a point
    /// or an exponent (MNIST's pixels), from one 8-byte load: its value and the position after
    /// it, or an end of `-1` for anything else (then ``scanFast(_:from:to:)``). Small enough to
    /// inline into the chunk parser's loop, and returns no optional, so that loop's common case
    /// has no call and no branch that depends on the number's length.
    @inline(__always)
    static func shortInteger(_ s: UnsafePointer<UInt8>, from start: Int, to end: Int) -> (value: Double, end: Int) {
        #if _endian(little)
        if end - start >= 10 {
            var i = start
            let negative = s[i] == UInt8(ascii: "-")
            if negative || s[i] == UInt8(ascii: "+") { i += 1 }
            let (mantissa, length) = digitRun(s + i)
            let next = s[i + Swift.min(length, 7)]
            if length > 0 && length < 8 && next != UInt8(ascii: ".") && next | 0x20 != UInt8(ascii: "e") {
                let value = Double(Int64(bitPattern: mantissa))
                return (negative ? -value : value, i + length)
            }
        }
        #endif
        return (0, -1)
    }

    /// The value and length (0–8) of the run of digits at `p`, from one 8-byte load. A borrow or
    /// carry from a non-digit byte can only spoil the bytes after it, so the first byte flagged as
    /// a non-digit (high bit set below) is exact.
    @inline(__always)
    static func digitRun(_ p: UnsafePointer<UInt8>) -> (value: UInt64, length: Int) {
        let word = UnsafeRawPointer(p).loadUnaligned(as: UInt64.self)
        let offset = word &- 0x3030_3030_3030_3030
        let nonDigits = (offset | (offset &+ 0x7676_7676_7676_7676)) & 0x8080_8080_8080_8080
        let length = nonDigits.trailingZeroBitCount >> 3
        if length == 0 { return (0, 0) }
        return (eightDigits(length == 8 ? word : word << UInt64(64 - 8 * length)), length)
    }

    /// ``scan(_:from:to:)`` out of line: the fallback of ``scanFast(_:from:to:)``, kept out of
    /// the chunk parser's loop so the fast shapes stay inlined there.
    @inline(never)
    static func scanOutOfLine(_ s: UnsafePointer<UInt8>, from start: Int, to end: Int) -> (value: Double, end: Int)? {
        scan(s, from: start, to: end)
    }

    /// The value of eight ASCII digits in a little-endian word (the first digit in the lowest
    /// byte; zero bytes count as the digit 0): pairs, then quadruples, then all eight are combined
    /// by multiply-and-shift (as in simdjson and fast_float).
    @inline(__always)
    static func eightDigits(_ word: UInt64) -> UInt64 {
        var value = word & 0x0F0F_0F0F_0F0F_0F0F
        value = (value &* 2561) >> 8
        value = ((value & 0x00FF_00FF_00FF_00FF) &* 6_553_601) >> 16
        return ((value & 0x0000_FFFF_0000_FFFF) &* 42_949_672_960_001) >> 32
    }

    /// 10ᵏ for 0 ≤ k ≤ 8, for appending up to eight digits to a mantissa.
    static let decimalPowers: [UInt64] = [1, 10, 100, 1000, 10_000, 100_000, 1_000_000, 10_000_000, 100_000_000]

    /// Appends the decimal digits at `s[i...]` to `mantissa` (wrapping), moving `i` past them:
    /// eight bytes at a time while eight remain (``digitRun(_:)``, so a fraction such as `123456789` costs two steps, not nine
    /// loop turns), then one byte at a time.
    @inline(__always)
    static func accumulateDigits(_ s: UnsafePointer<UInt8>, _ i: inout Int, _ end: Int, into mantissa: inout UInt64) {
        #if _endian(little)
        while end - i >= 8 {
            let (value, length) = digitRun(s + i)
            if length == 0 { return }
            mantissa = mantissa &* decimalPowers[length] &+ value
            i += length
            if length < 8 { return }
        }
        #endif
        while i < end {
            let digit = s[i] &- 48
            if digit > 9 { return }
            mantissa = mantissa &* 10 &+ UInt64(digit)
            i += 1
        }
    }

    /// The rest of ``scan(_:from:to:)`` after an `e` or `E`: out of line, so the scan of numbers
    /// without an exponent stays small enough to inline into the chunk parser's loop.
    @inline(never)
    static func scanExponent(_ s: UnsafePointer<UInt8>, from start: Int, to end: Int, mantissa: UInt64, exponent: Int, negative: Bool) -> (value: Double, end: Int)? {
        var i = start
        var exponentNegative = false
        if i < end && (s[i] == UInt8(ascii: "-") || s[i] == UInt8(ascii: "+")) {
            exponentNegative = s[i] == UInt8(ascii: "-")
            i += 1
        }
        let exponentStart = i
        var value = 0
        while i < end {
            let digit = s[i] &- 48
            if digit > 9 { break }
            // Capped: any exponent past 10⁵ means zero or infinity for a 19-digit mantissa.
            if value < 100_000 { value = value * 10 + Int(digit) }
            i += 1
        }
        if i == exponentStart { return nil }
        let total = exponent + (exponentNegative ? -value : value)
        guard let result = double(mantissa: mantissa, exponent: total, negative: negative) else { return nil }
        return (result, i)
    }

    /// `mantissa × 10^exponent`, correctly rounded: Clinger's fast path, else Eisel–Lemire.
    /// - Precondition: `mantissa` holds every digit of the number (at most 19).
    @inline(__always)
    static func double(mantissa: UInt64, exponent: Int, negative: Bool) -> Double? {
        if mantissa <= 1 << 53 && exponent >= -22 && exponent <= 22 {
            // Through Int64: one signed conversion instruction (the mantissa is below 2⁶³).
            var value = Double(Int64(bitPattern: mantissa))
            if exponent < 0 { value /= exactPowersOfTen[-exponent] } else if exponent > 0 { value *= exactPowersOfTen[exponent] }
            return negative ? -value : value
        }
        return eiselLemire(mantissa: mantissa, exponent: exponent, negative: negative)
    }

    /// Out of line, so the common fast path above stays small enough to inline into loops.
    /// Infinite results (an exponent beyond the `Double` range) come back as `nil`, so that the
    /// scanning caller need not test every value: ``parse(_:_:)`` then reports the infinity.
    @inline(never)
    static func eiselLemire(mantissa: UInt64, exponent: Int, negative: Bool) -> Double? {
        guard let value = EiselLemire.double(mantissa: mantissa, exponent: exponent, negative: negative), value.isFinite else { return nil }
        return value
    }

    /// The number in `count` bytes at `start`, ignoring spaces around it.
    static func parse(_ start: UnsafePointer<UInt8>, _ count: Int) -> ParsedNumber {
        var begin = 0, end = count
        while begin < end && isSpace(start[begin]) { begin += 1 }
        while end > begin && isSpace(start[end - 1]) { end -= 1 }
        if begin == end { return .missing }
        if let (value, stop) = scan(start, from: begin, to: end), stop == end { return .number(value) }
        return parseCarefully(start + begin, end - begin)
    }

    /// The general path for what ``scan(_:from:to:)`` declines: validates the syntax, counts
    /// significant digits (leading zeros do not count), and uses Eisel–Lemire for up to 19 of
    /// them, `strtod` beyond.
    static func parseCarefully(_ start: UnsafePointer<UInt8>, _ count: Int) -> ParsedNumber {
        var i = 0
        var negative = false
        if start[i] == UInt8(ascii: "-") || start[i] == UInt8(ascii: "+") {
            negative = start[i] == UInt8(ascii: "-")
            i += 1
        }
        var mantissa: UInt64 = 0
        var significantDigits = 0, digitCount = 0, exponent = 0
        var inFraction = false
        while i < count {
            if start[i] == UInt8(ascii: "."), !inFraction {
                inFraction = true
                i += 1
                continue
            }
            let digit = start[i] &- 48
            if digit > 9 { break }
            if mantissa != 0 || digit != 0 { significantDigits += 1 }
            if significantDigits <= 19 {
                mantissa = mantissa &* 10 &+ UInt64(digit)
                if inFraction { exponent -= 1 }
            } else if !inFraction {
                exponent += 1
            }
            digitCount += 1
            i += 1
        }
        if digitCount == 0 { return special(start, count) }
        if i < count, start[i] | 0x20 == UInt8(ascii: "e") {
            i += 1
            var exponentNegative = false
            if i < count, start[i] == UInt8(ascii: "-") || start[i] == UInt8(ascii: "+") {
                exponentNegative = start[i] == UInt8(ascii: "-")
                i += 1
            }
            var value = 0, exponentDigits = 0
            while i < count, start[i] &- 48 < 10 {
                if value < 100_000 { value = value * 10 + Int(start[i] &- 48) }
                exponentDigits += 1
                i += 1
            }
            if exponentDigits == 0 { return .invalid }
            exponent += exponentNegative ? -value : value
        }
        if i != count { return .invalid }
        if significantDigits <= 19, let value = exponent >= -22 && exponent <= 22 && mantissa <= 1 << 53
            ? double(mantissa: mantissa, exponent: exponent, negative: negative)
            : EiselLemire.double(mantissa: mantissa, exponent: exponent, negative: negative) {
            return .number(value)
        }
        return strtodOfCopy(start, count)
    }

    /// `strtod` on a NUL-terminated copy, for long or undecidable numbers (already validated).
    static func strtodOfCopy(_ start: UnsafePointer<UInt8>, _ count: Int) -> ParsedNumber {
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
