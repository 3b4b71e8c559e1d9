import Foundation

/// Resident memory of this process from /proc/self/status (Linux; zeros elsewhere).
struct ProcessMemory {
    /// `VmRSS`: resident now.
    var residentKilobytes = 0
    /// `VmHWM`: the peak resident size so far.
    var peakKilobytes = 0

    /// `VmRSS` in bytes.
    var residentBytes: Int { residentKilobytes * 1024 }

    static func current() -> ProcessMemory {
        var memory = ProcessMemory()
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return memory }
        for line in status.split(separator: "\n") {
            let parts = line.split(separator: " ", omittingEmptySubsequences: true)
            guard parts.count >= 2, let value = Int(parts[1]) else { continue }
            if line.hasPrefix("VmRSS:") { memory.residentKilobytes = value }
            if line.hasPrefix("VmHWM:") { memory.peakKilobytes = value }
        }
        return memory
    }
}

/// The memory limit when `--memory-limit` is not given: half of what this process may use, the
/// smaller of the machine's memory (`MemTotal` in /proc/meminfo) and the cgroup's limit
/// (`/sys/fs/cgroup/memory.max`, as in a container); 4 GB where neither can be read.
func defaultMemoryLimit() -> Int {
    var limit = Int.max
    if let text = try? String(contentsOfFile: "/sys/fs/cgroup/memory.max", encoding: .utf8),
       let bytes = Int(text.trimmingCharacters(in: .whitespacesAndNewlines)), bytes > 0 {
        limit = bytes
    }
    if let text = try? String(contentsOfFile: "/proc/meminfo", encoding: .utf8),
       let line = text.split(separator: "\n").first(where: { $0.hasPrefix("MemTotal:") }),
       let kilobytes = Int(line.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first ?? "") {
        limit = Swift.min(limit, kilobytes.multipliedReportingOverflow(by: 1024).overflow ? Int.max : kilobytes * 1024)
    }
    return limit == Int.max ? 4_000_000_000 : limit / 2
}

/// `37.4 MB`, `1.61 GB`, `812 kB`: a byte count for people (decimal units, three significant digits).
func formattedBytes(_ bytes: Int) -> String {
    let value = Double(bytes)
    for (unit, size) in [("GB", 1e9), ("MB", 1e6), ("kB", 1e3)] where value >= size {
        let scaled = value / size
        return (scaled >= 100 ? String(format: "%.0f", scaled) : scaled >= 10 ? String(format: "%.1f", scaled) : String(format: "%.2f", scaled)) + " " + unit
    }
    return "\(bytes) bytes"
}
