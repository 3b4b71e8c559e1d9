// The training workloads as a benchmark group of `descent-benchmarks` (see TrainingBenchmarks.swift).

/// The `training/...` benchmarks. Run one path per process so each peak RSS is its own.
func trainingBenchmarks() -> BenchmarkGroup {
    BenchmarkGroup(name: "training", benchmarks: (TrainingBenchmarks.workloads() + ConvolutionBenchmarks.workloads()).map { workload in
        Benchmark(path: workload.path) { options in
            do {
                var record: [String: JSON] = [:]
                for (key, value) in try workload.run(options.quick) { record[key] = value.benchmarkJSON }
                return record
            } catch {
                return ["error": .string("\(error)")]
            }
        }
    })
}

extension TrainingValue {
    var benchmarkJSON: JSON {
        switch self {
        case .number(let value): return .number(value)
        case .numbers(let values): return .array(values.map { .number($0) })
        case .string(let value): return .string(value)
        }
    }
}
