/// The Eisel–Lemire algorithm: the `Double` nearest to `w × 10^q` for a decimal mantissa of at
/// most 19 digits, with one or two 64 × 64 → 128-bit products instead of big-number arithmetic.
///
/// Correctly rounded (to nearest, ties to even) for every input it answers; it answers `nil` only
/// when the truncated product cannot decide (a case the paper shows cannot arise for 19-digit
/// mantissas, kept as a guard), and callers then use `strtod`. Subnormal results and overflow to
/// infinity are handled here. The constants follow the paper's double-precision parameters
/// (52 explicit mantissa bits, exponent bias 1023).
///
/// Reference: Daniel Lemire, "Number Parsing at a Gigabyte per Second", Software: Practice and
/// Experience 51(8), 2021, Algorithm 1; Noble Mushtak and Daniel Lemire, "Fast Number Parsing
/// Without Fallback", 2023 (why the second product always suffices). C++: `fast_float`.
enum EiselLemire {
    /// The smallest and largest decimal exponents with a table entry; below, any 19-digit mantissa
    /// rounds to zero, above to infinity.
    static let smallestPowerOfTen = -342, largestPowerOfTen = 308

    /// `w × 10^q` correctly rounded, negated when `negative`; `nil` when undecidable (see above).
    /// - Precondition: `w` holds at most 19 decimal digits exactly (no digit was dropped).
    @inline(__always)
    static func double(mantissa w: UInt64, exponent q: Int, negative: Bool) -> Double? {
        let sign: UInt64 = negative ? 1 << 63 : 0
        if w == 0 || q < smallestPowerOfTen { return Double(bitPattern: sign) }
        if q > largestPowerOfTen { return Double(bitPattern: sign | 0x7FF0_0000_0000_0000) }
        // Normalise w so its top bit is set, then multiply by the 128-bit approximation of 5^q
        // (the power of two of 10^q = 5^q · 2^q goes into the exponent).
        let leadingZeros = w.leadingZeroBitCount
        let normalized = w << UInt64(leadingZeros)
        let index = 2 * (q - smallestPowerOfTen)
        var (high, low) = normalized.multipliedFullWidth(by: powersOfFive128[index])
        // 55 bits are needed (52 + the implicit bit + a rounding bit + one for the upper-bit
        // shift); when the bits below them are all ones, the low word of 5^q can carry into them.
        let precisionMask: UInt64 = 0x1FF
        if high & precisionMask == precisionMask {
            let second = normalized.multipliedFullWidth(by: powersOfFive128[index + 1]).high
            let (sum, carry) = low.addingReportingOverflow(second)
            low = sum
            if carry { high &+= 1 }
        }
        if low == UInt64.max && (q < -27 || q > 55) { return nil }
        let upperBit = Int(high >> 63)
        var mantissa = high >> UInt64(upperBit + 9)
        // ⌊log2(10^q)⌋ = ⌊q · 217706 / 2^16⌋, exact for |q| ≤ 1650; +63 for the product's scale.
        var power2 = (((152_170 + 65_536) * q) >> 16) + 63 + upperBit - leadingZeros + 1023
        if power2 <= 0 {
            // Subnormal (or zero): shift to the fixed exponent, round half to even below.
            if -power2 + 1 >= 64 { return Double(bitPattern: sign) }
            mantissa >>= UInt64(-power2 + 1)
            mantissa += mantissa & 1
            mantissa >>= 1
            power2 = mantissa < (1 << 52) ? 0 : 1
            return Double(bitPattern: sign | mantissa | (UInt64(power2) << 52))
        }
        // An exact halfway case (possible only for small |q|): round to even, not up.
        if low <= 1 && q >= -4 && q <= 23 && mantissa & 3 == 1 && (mantissa << UInt64(upperBit + 9)) == high {
            mantissa &= ~1
        }
        mantissa += mantissa & 1
        mantissa >>= 1
        if mantissa >= (2 << 52) {
            mantissa = 1 << 52
            power2 += 1
        }
        mantissa &= ~(1 << 52)
        if power2 >= 0x7FF { return Double(bitPattern: sign | 0x7FF0_0000_0000_0000) }
        return Double(bitPattern: sign | mantissa | (UInt64(power2) << 52))
    }
}
