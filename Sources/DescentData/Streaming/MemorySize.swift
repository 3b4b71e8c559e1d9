/// An amount of memory in bytes, read from text such as `256MB`, `1.5GiB` or `800k`.
///
/// Units (case-insensitive, a space before them allowed): none or `B` bytes; decimal `k`/`kB`,
/// `M`/`MB`, `G`/`GB`, `T`/`TB` (10³, 10⁶, 10⁹, 10¹²); binary `KiB`, `MiB`, `GiB`, `TiB` (2¹⁰, 2²⁰,
/// 2³⁰, 2⁴⁰). A fraction is exact (`1.5GiB` is 1,610,612,736 bytes) and rounds down to a whole byte.
///
///     try MemorySize(parsing: "256MB").bytes     // 256_000_000
///     try MemorySize(parsing: "1.5GiB").bytes    // 1_610_612_736
///
/// - PyTorch: no equivalent; the units are those of `docker --memory` and systemd's `MemoryMax=`
///   (which, unlike here, read `M` as MiB).
public struct MemorySize: Equatable, Hashable, Comparable, Sendable, Codable, CustomStringConvertible {
    /// The number of bytes, at least 1.
    public var bytes: Int

    /// A size of `bytes` bytes.
    public init(bytes: Int) { self.bytes = bytes }

    /// Reads a size such as `256MB`, `1.5GiB`, `800k` or `1048576`.
    /// - Throws: ``DataError`` for text that is not a number with a known unit, or a size that is
    ///   zero, negative or more than `Int.max` bytes; the message shows valid examples.
    public init(parsing text: String) throws {
        let examples = "write a size such as 256MB, 1.5GiB or 800k (kB/MB/GB/TB are powers of 1000, KiB/MiB/GiB/TiB of 1024)"
        let trimmed = text.trimmingASCIISpaces()
        guard !trimmed.isEmpty else { throw DataError("the memory size is empty; \(examples)") }
        if trimmed.hasPrefix("-") { throw DataError("the memory size \"\(text)\" is negative; \(examples)") }
        let digits = trimmed.prefix { $0.isASCII && ($0.isNumber || $0 == ".") }
        let unitText = trimmed.dropFirst(digits.count).trimmingASCIISpaces().lowercased()
        let parts = digits.split(separator: ".", omittingEmptySubsequences: false)
        guard !digits.isEmpty, parts.count <= 2, parts.contains(where: { !$0.isEmpty }) else {
            throw DataError("\"\(text)\" is not a memory size; \(examples)")
        }
        let units: [String: Int] = [
            "": 1, "b": 1, "k": 1_000, "kb": 1_000, "m": 1_000_000, "mb": 1_000_000, "g": 1_000_000_000, "gb": 1_000_000_000,
            "t": 1_000_000_000_000, "tb": 1_000_000_000_000, "kib": 1 << 10, "mib": 1 << 20, "gib": 1 << 30, "tib": 1 << 40,
        ]
        guard let unit = units[unitText] else {
            throw DataError("unknown unit \"\(unitText)\" in the memory size \"\(text)\"; \(examples)")
        }
        // Exact: (whole · 10ᶠ + fraction) · unit / 10ᶠ in integers, with overflow checks.
        let whole = parts[0], fraction = parts.count == 2 ? parts[1] : ""
        var mantissa = 0
        var scale = 1
        for character in whole + fraction {
            let digit = character.wholeNumberValue ?? 0  // only ASCII digits reach here
            guard let shifted = mantissa.multipliedChecked(by: 10) else {
                throw DataError("the memory size \"\(text)\" is too large; the largest is \(Int.max) bytes")
            }
            let (sum, overflow) = shifted.addingReportingOverflow(digit)
            guard !overflow else { throw DataError("the memory size \"\(text)\" is too large; the largest is \(Int.max) bytes") }
            mantissa = sum
        }
        for _ in fraction {
            guard let next = scale.multipliedChecked(by: 10) else { throw DataError("the memory size \"\(text)\" has too many decimals") }
            scale = next
        }
        let (high, low) = mantissa.multipliedFullWidth(by: unit)
        guard high == 0, low / UInt(scale) <= UInt(Int.max) else {
            throw DataError("the memory size \"\(text)\" is too large; the largest is \(Int.max) bytes")
        }
        let bytes = Int(low / UInt(scale))
        guard bytes > 0 else { throw DataError("the memory size \"\(text)\" is zero bytes; \(examples)") }
        self.bytes = bytes
    }

    /// The size in the largest unit that writes it exactly, such as `256 MB`, `1.5 GiB` or `1,000,001 bytes`.
    public var description: String {
        for (name, unit) in [("TiB", 1 << 40), ("TB", 1_000_000_000_000), ("GiB", 1 << 30), ("GB", 1_000_000_000), ("MiB", 1 << 20),
                             ("MB", 1_000_000), ("KiB", 1 << 10), ("kB", 1_000)] where bytes >= unit {
            // Whole or one decimal place: 1.5 GiB is exact, 1.37 GiB is not and falls through.
            if bytes % unit == 0 { return "\(bytes / unit) \(name)" }
            if bytes <= Int.max / 10 && (bytes * 10) % unit == 0 { return "\(bytes / unit).\(bytes * 10 / unit % 10) \(name)" }
        }
        return "\(bytes.grouped) bytes"
    }

    /// Orders sizes by their bytes.
    public static func < (a: MemorySize, b: MemorySize) -> Bool { a.bytes < b.bytes }
}

extension StringProtocol {
    /// Without leading and trailing spaces and tabs.
    func trimmingASCIISpaces() -> String {
        guard let first = firstIndex(where: { $0 != " " && $0 != "\t" }),
              let last = lastIndex(where: { $0 != " " && $0 != "\t" }) else { return "" }
        return String(self[first...last])
    }
}
