// Shared pieces of the benchmark runner: options, timing, JSON output.
import DescentCore
import DescentKernels

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Command-line options shared by all benchmarks.
struct BenchmarkOptions {
    /// Substrings of benchmark paths to run; empty runs everything.
    var filters: [String] = []
    /// Fewer repetitions (for smoke runs).
    var quick = false

    func selects(_ path: String) -> Bool { filters.isEmpty || filters.contains { path.contains($0) } }
}

/// One benchmark: a path (`group/name/...`) and a function returning its JSON fields.
struct Benchmark {
    var path: String
    var run: (BenchmarkOptions) -> [String: JSON]
}

/// A named list of benchmarks, defined in one file.
struct BenchmarkGroup {
    var name: String
    var benchmarks: [Benchmark]
}

/// Minimal JSON value (the benchmarks must not depend on Foundation).
indirect enum JSON {
    case number(Double)
    case string(String)
    case bool(Bool)
    case array([JSON])
    case object([String: JSON])

    func rendered(indent: String = "") -> String {
        switch self {
        case .number(let value):
            if value.isNaN || value.isInfinite { return "null" }
            if value == value.rounded() && Swift.abs(value) < 1e15 { return String(Int(value)) }
            return String(value)
        case .string(let value): return jsonStringLiteral(value)
        case .bool(let value): return value ? "true" : "false"
        case .array(let values):
            if values.isEmpty { return "[]" }
            let inner = indent + "  "
            return "[\n" + values.map { inner + $0.rendered(indent: inner) }.joined(separator: ",\n") + "\n\(indent)]"
        case .object(let fields):
            if fields.isEmpty { return "{}" }
            let inner = indent + "  "
            let body = fields.keys.sorted().map { key in
                inner + JSON.string(key).rendered() + ": " + fields[key]!.rendered(indent: inner)
            }
            return "{\n" + body.joined(separator: ",\n") + "\n\(indent)}"
        }
    }
}

/// Seconds from a monotonic clock.
func now() -> Double {
    var time = timespec()
    clock_gettime(CLOCK_MONOTONIC, &time)
    return Double(time.tv_sec) + Double(time.tv_nsec) * 1e-9
}

/// Times `body` (after one warm-up call) until `minimumRepetitions` runs and `minimumSeconds`
/// have passed; returns every run's seconds.
func measure(minimumRepetitions: Int, minimumSeconds: Double, _ body: () -> Void) -> [Double] {
    body()
    var times: [Double] = []
    let start = now()
    while times.count < minimumRepetitions || now() - start < minimumSeconds {
        let t0 = now()
        body()
        times.append(now() - t0)
        if times.count >= 10_000_000 { break }
    }
    return times
}

func median(_ values: [Double]) -> Double {
    let sorted = values.sorted()
    return sorted.isEmpty ? .nan : sorted[sorted.count / 2]
}

/// Rounds to three significant-ish decimals for readable JSON.
func rounded(_ value: Double, _ places: Int = 3) -> JSON {
    var scale = 1.0
    for _ in 0..<places { scale *= 10 }
    return .number((value * scale).rounded() / scale)
}

func fail(_ message: String) -> Never {
    let line = "descent-benchmarks: \(message)\n"
    _ = line.withCString { write(2, $0, strlen($0)) }
    exit(2)
}

/// CPU model, processor count and kernel configuration.
func machineDescription() -> [String: JSON] {
    var model = "unknown"
    if let file = fopen("/proc/cpuinfo", "r") {
        defer { fclose(file) }
        var line: UnsafeMutablePointer<CChar>? = nil
        var capacity = 0
        while getline(&line, &capacity, file) > 0 {
            let text = String(cString: line!)
            if text.hasPrefix("model name") {
                model = String(text.split(separator: ":", maxSplits: 1).last ?? "").trimmingSpaces()
                break
            }
        }
        free(line)
    }
    return [
        "cpu": .string(model),
        "processors": .number(Double(sysconf(Int32(_SC_NPROCESSORS_ONLN)))),
        "gemmBackend": .string(GEMM.backend),
        "instructionSet": .string(GEMM.instructionSet.description),
        "supportedInstructionSet": .string(GEMM.supportedInstructionSet.description),
        "maximumThreadCount": .number(Double(GEMM.maximumThreadCount)),
    ]
}

extension String {
    func trimmingSpaces() -> String {
        var scalars = Substring(self)
        while let first = scalars.first, first == " " || first == "\t" || first == "\n" { scalars.removeFirst() }
        while let last = scalars.last, last == " " || last == "\t" || last == "\n" { scalars.removeLast() }
        return String(scalars)
    }
}
