import DescentKernels
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Splits the data rows of a CSV file into byte ranges that can be parsed independently.
///
/// Every range starts right after a line feed that ends a record, so parsing a range on its own
/// gives exactly the records a sequential pass gives there. Nominal boundaries (equal shares of
/// the bytes) move forward to just after the next line feed. A line feed inside a quoted field
/// does not end a record, so when the data hold quotes, the quote parity (quotes before a
/// position, modulo 2: an XOR monoid, counted per range in parallel) tells whether a boundary
/// sits inside a quoted field; such a boundary moves on to the first line feed with even parity.
/// This is exact for RFC 4180 text, where every quote belongs to a quoted field. For text that
/// breaks the rule (a stray quote) a boundary may be wrong, but the parse then stops at the first
/// error in file order anyway, and that error is found by a range that starts at a true record
/// boundary (CSVParallelParse explains why).
///
/// Reference: DuckDB's parallel CSV reader (seek to the next newline); arrow-csv2 (quote parity
/// reconciled per chunk).
struct CSVChunkPlan {
    /// The byte ranges, in file order, covering the data without gaps.
    var ranges: [Range<Int>]
    /// Line feeds, carriage returns and quotes in each range.
    var lineFeeds: [Int], carriageReturns: [Int], quotes: [Int]

    /// The rows a range can hold at most: one per line feed, plus one when the range does not end
    /// with a line feed. Records ended by a lone carriage return are not counted (the parser
    /// reports when a range overflows, and the caller then uses ``generousRowBound(_:)``).
    func rowBound(_ k: Int, in base: UnsafePointer<UInt8>) -> Int {
        let range = ranges[k]
        return lineFeeds[k] + (range.isEmpty || base[range.upperBound - 1] != 10 ? 1 : 0)
    }

    /// A bound that also counts lone carriage returns: line feeds + carriage returns + 1.
    func generousRowBound(_ k: Int) -> Int { lineFeeds[k] + carriageReturns[k] + 1 }

    /// Plans ranges of about `chunkBytes` bytes over `bytes[start...]`.
    static func make(_ bytes: UnsafeBufferPointer<UInt8>, from start: Int, chunkBytes: Int) -> CSVChunkPlan {
        let base = bytes.baseAddress!, end = bytes.count
        let size = end - start
        let count = Swift.max(1, Swift.min(size / Swift.max(chunkBytes, 1), 1 << 16))
        var ranges: [Range<Int>] = []
        var lower = start
        for k in 1...count {
            var upper = k == count ? end : start + Int((Int64(size) * Int64(k)) / Int64(count))
            if upper < lower { upper = lower }
            if k < count { upper = nextRecordStart(base, from: upper, end: end) }
            if upper > lower { ranges.append(lower..<upper) }
            lower = upper
        }
        if ranges.isEmpty { ranges = [start..<end] }
        var plan = CSVChunkPlan(ranges: ranges, lineFeeds: [], carriageReturns: [], quotes: [])
        plan.count(base)
        if plan.quotes.contains(where: { $0 > 0 }) && plan.reconcileQuotes(base, end: end) { plan.count(base) }
        return plan
    }

    /// The position after the first line feed at or after `position - 1` (so a position already
    /// after a line feed stays), or `end`.
    static func nextRecordStart(_ base: UnsafePointer<UInt8>, from position: Int, end: Int) -> Int {
        var i = Swift.max(position - 1, 0)
        while i < end && base[i] != 10 { i += 1 }
        return Swift.min(i + 1, end)
    }

    /// Counts line feeds, carriage returns and quotes per range, the ranges in parallel.
    mutating func count(_ base: UnsafePointer<UInt8>) {
        let n = ranges.count
        var counts = [(Int, Int, Int)](repeating: (0, 0, 0), count: n)
        let ranges = self.ranges
        counts.withUnsafeMutableBufferPointer { out in
            WorkerPool.run(parts: n) { k in out[k] = CSVChunkPlan.countBytes(base, ranges[k]) }
        }
        lineFeeds = counts.map(\.0)
        carriageReturns = counts.map(\.1)
        quotes = counts.map(\.2)
    }

    /// Moves boundaries that fall inside quoted fields (odd quote parity) forward. Returns whether
    /// any moved (the counts are then stale).
    mutating func reconcileQuotes(_ base: UnsafePointer<UInt8>, end: Int) -> Bool {
        var parity = 0
        var starts: [Int] = [ranges[0].lowerBound]
        var moved = false
        for k in 1..<ranges.count {
            parity ^= quotes[k - 1] & 1
            var start = ranges[k].lowerBound
            // A boundary an earlier walk went past is dropped (its range merges with the previous).
            if start <= starts.last! { continue }
            if parity == 1 {
                // Inside a quoted field: walk on, toggling at each quote, to a line feed outside.
                var inside = true
                var i = start
                while i < end {
                    let byte = base[i]
                    i += 1
                    if byte == UInt8(ascii: "\"") { inside.toggle() } else if byte == 10 && !inside { break }
                }
                start = i
                moved = true
            }
            if start > starts.last! && start < end { starts.append(start) }
        }
        guard moved else { return false }
        ranges = starts.indices.map { k in starts[k]..<(k + 1 < starts.count ? starts[k + 1] : end) }
        return true
    }

    /// Line feeds, carriage returns and quotes in `range`. Line feeds are counted 8 bytes at a
    /// time (SWAR: the high bit of each byte of `t` below is set exactly where `v` has a line feed,
    /// and a popcount adds them up); carriage returns and quotes are usually absent, which
    /// `memchr` (vectorised in the C library) confirms at memory speed before any count.
    static func countBytes(_ base: UnsafePointer<UInt8>, _ range: Range<Int>) -> (Int, Int, Int) {
        let lineFeeds = count(10, in: base, range)
        let carriageReturns = memchr(base + range.lowerBound, 13, range.count) == nil ? 0 : count(13, in: base, range)
        let quotes = memchr(base + range.lowerBound, 34, range.count) == nil ? 0 : count(34, in: base, range)
        return (lineFeeds, carriageReturns, quotes)
    }

    /// How many bytes of `range` equal `byte`.
    static func count(_ byte: UInt8, in base: UnsafePointer<UInt8>, _ range: Range<Int>) -> Int {
        let low7: UInt64 = 0x7F7F_7F7F_7F7F_7F7F
        let pattern = UInt64(byte) &* 0x0101_0101_0101_0101
        let raw = UnsafeRawPointer(base)
        var total = 0
        var i = range.lowerBound
        // 32 bytes per step: a lane of `v .== needle` is all ones (−1) where it matches, so
        // subtracting it counts; lanes are widened and summed every 255 steps, before they wrap.
        let needle = SIMD32<UInt8>(repeating: byte)
        while range.upperBound - i >= 32 {
            var lanes = SIMD32<UInt8>()
            var steps = 0
            while steps < 255 && range.upperBound - i >= 32 {
                let v = raw.loadUnaligned(fromByteOffset: i, as: SIMD32<UInt8>.self)
                lanes &-= unsafeBitCast(v .== needle, to: SIMD32<UInt8>.self)
                i += 32
                steps += 1
            }
            total += Int(SIMD32<UInt16>(truncatingIfNeeded: lanes).wrappedSum())
        }
        while range.upperBound - i >= 8 {
            let v = raw.loadUnaligned(fromByteOffset: i, as: UInt64.self) ^ pattern
            // A byte of v is zero exactly where the input byte matched; the sum below cannot
            // carry between bytes because each byte is masked to 7 bits first.
            let t = ~(((v & low7) &+ low7) | v | low7)
            total += t.nonzeroBitCount
            i += 8
        }
        while i < range.upperBound {
            if base[i] == byte { total += 1 }
            i += 1
        }
        return total
    }
}
