// descent-benchmarks [--filter SUBSTRING]... [--quick] [--list]
var filters: [String] = []
var quick = false, list = false
var arguments = CommandLine.arguments.dropFirst()
while let argument = arguments.popFirst() {
    switch argument {
    case "--filter": if let value = arguments.popFirst() { filters.append(value) }
    case "--quick": quick = true
    case "--list": list = true
    default: print("usage: descent-benchmarks [--filter SUBSTRING]... [--quick] [--list]")
    }
}
TrainingBenchmarks.run(filters: filters, quick: quick, list: list)
