// descent-benchmarks: runs benchmark groups and prints one JSON document on standard output.
//
//     descent-benchmarks [--filter SUBSTRING]... [--quick] [--list]
//     mpirun -np 2 descent-benchmarks --mpi-allreduce     (all-reduce bandwidth; MPIBenchmarks.swift)
//
// Every benchmark has a path such as `kernels/matmul/float/1024/threads-1`; `--filter` keeps the
// benchmarks whose path contains any of the given substrings (all when there is no filter).
// Each group lives in its own file and is listed in `benchmarkGroups` below.

/// All benchmark groups, in the order they run.
func benchmarkGroups() -> [BenchmarkGroup] {
    [
        kernelBenchmarks(),
        convolutionKernelBenchmarks(),
        trainingBenchmarks(),
        csvBenchmarks(),
    ]
}

func main() {
    var options = BenchmarkOptions()
    var arguments = CommandLine.arguments.dropFirst()
    var list = false
    while let argument = arguments.popFirst() {
        switch argument {
        case "--filter":
            guard let value = arguments.popFirst() else { fail("--filter needs a value, e.g. --filter kernels") }
            options.filters.append(value)
        case "--quick": options.quick = true
        case "--list": list = true
        case "--mpi-allreduce":
            runMPIAllReduceBenchmark()
            return
        case "-h", "--help":
            print("usage: descent-benchmarks [--filter SUBSTRING]... [--quick] [--list]")
            return
        default: fail("unknown argument '\(argument)'; try --help")
        }
    }
    let selected = benchmarkGroups().flatMap(\.benchmarks).filter { options.selects($0.path) }
    if list {
        for benchmark in selected { print(benchmark.path) }
        return
    }
    var results: [JSON] = []
    for benchmark in selected {
        var record = benchmark.run(options)
        record["name"] = .string(benchmark.path)
        results.append(.object(record))
    }
    let document: JSON = .object([
        "machine": .object(machineDescription()),
        "results": .array(results),
    ])
    print(document.rendered())
}

main()
