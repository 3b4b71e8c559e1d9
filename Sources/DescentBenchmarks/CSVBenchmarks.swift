// CSV loading benchmarks: `CSVLoader.load` on the files bench/csv_data.py writes (MB/s).
import Descent
import DescentKernels

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// `csv/load/...` benchmarks: each file of `$DESCENT_CSV_BENCH_DIR` (default `out/bench-csv`;
/// bench/csv-load.sh writes them) read into a Float table on one and on two threads. A file
/// that is not there gives an `error` record saying how to make it.
func csvBenchmarks() -> BenchmarkGroup {
    let folder = getenv("DESCENT_CSV_BENCH_DIR").map { String(cString: $0) } ?? "out/bench-csv"
    // The options a user would give: MNIST's label is a class, the float file's `y` a value.
    let files: [(name: String, options: CSVOptions)] = [
        ("mnist.csv", CSVOptions(targets: ["label"], targetKind: .classification)),
        ("floats.csv", CSVOptions(targets: ["y"], targetKind: .regression)),
    ]
    var benchmarks: [Benchmark] = []
    for file in files {
        for threads in [1, 2] {
            benchmarks.append(Benchmark(path: "csv/load/\(file.name)/threads-\(threads)") { options in
                csvLoad(folder + "/" + file.name, options: file.options, threads: threads, benchmark: options)
            })
        }
    }
    return BenchmarkGroup(name: "csv", benchmarks: benchmarks)
}

private func csvLoad(_ path: String, options: CSVOptions, threads: Int, benchmark: BenchmarkOptions) -> [String: JSON] {
    var info = stat()
    guard stat(path, &info) == 0 else {
        return ["error": .string("\(path) is missing: run python3 bench/csv_data.py \(path.split(separator: "/").dropLast().joined(separator: "/"))")]
    }
    let bytes = Double(info.st_size)
    var rows = 0
    var failure: String?
    let times = measure(minimumRepetitions: benchmark.quick ? 1 : 5, minimumSeconds: benchmark.quick ? 0 : 2) {
        GEMM.withMaximumThreadCount(threads) {
            do {
                let table: CSVTable<Float> = try CSVLoader.load(path, options: options)
                rows = table.count
            } catch {
                failure = "\(error)"
            }
        }
    }
    if let failure { return ["error": .string(failure)] }
    let seconds = median(times)
    return [
        "bytes": .number(bytes), "rows": .number(Double(rows)), "threads": .number(Double(threads)),
        "seconds": rounded(seconds, 4), "megabytesPerSecond": rounded(bytes / seconds / 1e6, 1),
        "allSeconds": .array(times.map { rounded($0, 4) }),
    ]
}
