import Foundation

/// Turns tick values into short, readable labels ("0.25", "1,000" is avoided in favour of "1000",
/// "2e-5", "10⁻³").
enum NumberFormatting {
    /// Formats `value` as a tick label on an axis whose ticks are `step` apart.
    ///
    /// Uses as many decimals as the step needs (step 0.05 → two decimals), and scientific notation
    /// ("2e-5", "1.5e6") for very small or very large magnitudes.
    static func label(_ value: Double, step: Double) -> String {
        guard value.isFinite else { return value.isNaN ? "NaN" : (value > 0 ? "∞" : "−∞") }
        // Snap values that should be exactly zero but carry rounding noise (0.1 + 0.2 − 0.3).
        if step > 0, abs(value) < step * 1e-9 { return "0" }
        let magnitude = max(abs(value), abs(step))
        if magnitude >= 1e6 || (magnitude < 1e-3 && magnitude > 0) {
            return scientific(value, significantDigits: significantDigits(value, step: step))
        }
        let decimals = step > 0 ? max(0, Int((-log10(step)).rounded(.up) + 1e-9)) : 2
        return minus(String(format: "%.\(min(decimals, 10))f", value))
    }

    /// Formats `value` for a data label such as a heat-map cell: up to `significantDigits`
    /// significant digits, trailing zeros removed.
    static func compact(_ value: Double, significantDigits: Int = 3) -> String {
        guard value.isFinite else { return value.isNaN ? "NaN" : (value > 0 ? "∞" : "−∞") }
        if value == 0 { return "0" }
        if value == value.rounded(), abs(value) < 1e6 { return minus(String(Int64(value))) }
        let magnitude = abs(value)
        if magnitude >= 1e6 || magnitude < 1e-3 { return scientific(value, significantDigits: significantDigits) }
        let digitsBeforePoint = Int(floor(log10(magnitude))) + 1
        let decimals = max(0, significantDigits - digitsBeforePoint)
        return minus(trimmingZeros(String(format: "%.\(decimals)f", value)))
    }

    /// Formats 10ⁿ with a superscript exponent, the usual label of a logarithmic axis.
    static func powerOfTen(_ exponent: Int) -> String {
        let superscripts: [Character: Character] = [
            "0": "⁰", "1": "¹", "2": "²", "3": "³", "4": "⁴", "5": "⁵", "6": "⁶", "7": "⁷", "8": "⁸", "9": "⁹",
            "-": "⁻",
        ]
        return "10" + String(String(exponent).map { superscripts[$0] ?? $0 })
    }

    private static func significantDigits(_ value: Double, step: Double) -> Int {
        guard step > 0, value != 0 else { return 1 }
        let digits = Int(floor(log10(abs(value)))) - Int(floor(log10(step))) + 1
        return min(max(digits, 1), 6)
    }

    private static func scientific(_ value: Double, significantDigits: Int) -> String {
        let text = String(format: "%.\(max(significantDigits - 1, 0))e", value)
        guard let split = text.firstIndex(of: "e") else { return text }
        let mantissa = trimmingZeros(String(text[..<split]))
        let exponent = Int(text[text.index(after: split)...]) ?? 0
        return minus("\(mantissa)e\(exponent)")
    }

    private static func trimmingZeros(_ text: String) -> String {
        guard text.contains(".") else { return text }
        var trimmed = text
        while trimmed.hasSuffix("0") { trimmed.removeLast() }
        if trimmed.hasSuffix(".") { trimmed.removeLast() }
        return trimmed
    }

    /// Uses the true minus sign (U+2212), which is as wide as a digit, for negative labels.
    private static func minus(_ text: String) -> String {
        if text == "-0" { return "0" }
        return text.hasPrefix("-") ? "−" + text.dropFirst() : text
    }
}
