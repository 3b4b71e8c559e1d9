// Training benchmarks (issue 8): the workloads of bench/peers/ through the public API a user
// calls, one epoch each with the data loader and shuffling included, for the compiled step
// (`CompiledStep`) and the plain autodiff loop (`model(x)`, `loss`, `backward()`, `step`).
//
// Paths: training/<workload>/<path>/<optimizer>/batch-<b>/threads-<t>, for example
// `training/mlp/compiled/sgd/batch-32/threads-2`. Run one path per process (bench/run-training.sh
// does) so that each peak RSS (VmHWM) belongs to one workload.
import Descent
import DescentKernels

#if canImport(Glibc)
import Glibc
#endif

/// The training workloads and how to run them.
enum TrainingBenchmarks {
    /// One workload: its path and a function that runs it and returns its JSON fields.
    struct Workload {
        var path: String
        var run: (_ quick: Bool) throws -> [(String, TrainingValue)]
    }

    /// The MLP batch sizes of the issue; batch 1 uses the first 5,000 samples.
    static let mlpBatchSizes = [1, 32, 128, 1024]

    static func workloads() -> [Workload] {
        var list: [Workload] = []
        for threads in [2, 1] {
            for batch in mlpBatchSizes {
                for optimizer in ["sgd", "adam"] {
                    for path in ["compiled", "autodiff"] {
                        list.append(Workload(path: "training/mlp/\(path)/\(optimizer)/batch-\(batch)/threads-\(threads)") { quick in
                            try mlp(compiled: path == "compiled", optimizer: optimizer, batchSize: batch, threads: threads, quick: quick)
                        })
                    }
                }
            }
            for optimizer in ["sgd", "adam"] {
                for path in ["compiled", "autodiff"] {
                    list.append(Workload(path: "training/logistic/\(path)/\(optimizer)/batch-1/threads-\(threads)") { quick in
                        try logistic(compiled: path == "compiled", optimizer: optimizer, threads: threads, quick: quick)
                    })
                }
            }
            for path in ["compiled", "autodiff"] {
                list.append(Workload(path: "training/linear/\(path)/sgd/batch-256/threads-\(threads)") { quick in
                    try linearRegression(compiled: path == "compiled", threads: threads, quick: quick)
                })
            }
        }
        // The data loader alone (shuffled MNIST-shaped data, `next()` and `peek()` as the
        // training loop calls them): the part of a training step that is not the model.
        for batch in mlpBatchSizes {
            list.append(Workload(path: "training/loader/batch-\(batch)") { quick in try loader(batchSize: batch, quick: quick) })
        }
        return list
    }

    /// Microseconds per batch of the loader alone, over the MLP workload's data (5,000 samples at
    /// batch 1, as that workload uses).
    static func loader(batchSize: Int, quick: Bool) throws -> [(String, TrainingValue)] {
        let data = try syntheticMNIST(rows: 60_000)
        let used = batchSize == 1 ? try data.subset(Array(0..<5_000)) : data
        let loader = DataLoader(used, batchSize: .samples(batchSize), shuffle: true, seed: 3)
        var checksum: Float = 0
        let times = try timedEpochs(quick: quick) { epoch in
            let batches = loader.batches(epoch: epoch)
            while let batch = try batches.next() {
                checksum += batch.features.storage.pointer[0]
                if batchSize == 1 { _ = try batches.peek() }
            }
        }
        return [
            ("microsecondsPerBatch", .number(median(times) / Double(loader.batchesPerEpoch) * 1e6)),
            ("epochSeconds", .numbers(times)),
            ("checksum", .number(checksum.isFinite ? 0 : 1)),
        ]
    }

    // MARK: Data

    /// The synthetic MNIST-shaped data of bench/peers: `rows × 784` uniform in [0, 1), labels
    /// `argmax((x − 0.5)·W)` with `W ~ N(0, 1)` of shape 784 × 10. Written straight into the
    /// dataset's tensor, so the data exists once in memory.
    static func syntheticMNIST(rows: Int) throws -> TensorDataset<Float> {
        try ConvolutionBenchmarks.syntheticImages(rows: rows, shape: [784], seed: 8)
    }

    static func makeOptimizer(_ name: String) throws -> any Optimizer<Float> {
        name == "adam" ? try Adam<Float>(learningRate: 1e-3) : try SGD<Float>(learningRate: 0.01)
    }

    // MARK: Workloads

    /// One epoch of the MLP 784-256-128-10 per timed run; the median of three after a warm-up epoch.
    static func mlp(compiled: Bool, optimizer optimizerName: String, batchSize: Int, threads: Int, quick: Bool) throws -> [(String, TrainingValue)] {
        setThreads(threads)
        let rows = batchSize == 1 ? 5_000 : 60_000
        let data = try syntheticMNIST(rows: quick ? Swift.min(rows, 2_000) : rows)
        var generator = RandomGenerator(seed: 1)
        let model = Sequential<Float> {
            Linear<Float>(784, 256, generator: &generator); ReLU<Float>()
            Linear<Float>(256, 128, generator: &generator); ReLU<Float>()
            Linear<Float>(128, 10, generator: &generator)
        }
        let optimizer = try makeOptimizer(optimizerName)
        // What `descent train` does with data in memory: no prefetch thread. The gather
        // (RowGather: prefetching, split across the pool) costs less than handing each batch to
        // another thread and waking it (BENCHMARKS.md, "Design measurements", "No prefetch
        // thread for data in memory").
        // DESCENT_BENCH_PREFETCH=1 turns it on (for such comparisons).
        let prefetchOverride = getenv("DESCENT_BENCH_PREFETCH").map { String(cString: $0) != "0" }
        // DESCENT_BENCH_LOOKAHEAD=0 turns the batch-1 look-ahead off (for comparisons).
        let lookahead = getenv("DESCENT_BENCH_LOOKAHEAD").map { String(cString: $0) != "0" } ?? true
        let loader = DataLoader(data, batchSize: .samples(batchSize), shuffle: true, seed: 3,
                                prefetch: prefetchOverride ?? false)
        let loss = CrossEntropyLoss()
        let step = compiled ? try CompiledStep(model: model, loss: loss, maximumBatchSize: batchSize) : nil
        var lastLoss = 0.0
        // The fastest window of 250 steps over the timed epochs: on a shared 2-vCPU machine a
        // busy neighbour slows whole epochs, and this rate shows what the code does undisturbed.
        let window = 250
        var windowStart = 0.0, bestWindow = Double.infinity
        func epoch(_ index: Int) throws {
            let batches = loader.batches(epoch: index)
            var total = 0.0, count = 0
            windowStart = monotonicSeconds()
            while let batch = try batches.next() {
                if count > 0 && count % window == 0 && index > 0 {
                    let now = monotonicSeconds()
                    bestWindow = Swift.min(bestWindow, now - windowStart)
                    windowStart = now
                }
                let labels = batch.targets.classes!
                if let step {
                    // What Trainer.fit runs: the update fused into the backward pass at batch 1,
                    // with a look-ahead to the next sample.
                    let next = batchSize == 1 && lookahead ? try batches.peek() : nil
                    total += try step.trainStep(features: batch.features, labels: labels, optimizer: optimizer,
                                                nextFeatures: next?.features)
                } else {
                    model.zeroGradients()
                    let value = try loss(model(batch.features, mode: .training), labels: labels)
                    try value.backward()
                    try optimizer.step(model.trainableParameters())
                    total += Double(value.scalar)
                }
                count += 1
            }
            lastLoss = total / Double(count)
        }
        let times = try timedEpochs(quick: quick, epoch)
        let seconds = median(times)
        let samples = Double(data.count)
        return [
            ("samplesPerSecond", .number(samples / seconds)),
            ("samplesPerSecondBestWindow", .number(bestWindow.isFinite ? Double(window * batchSize) / bestWindow : samples / seconds)),
            ("millisecondsPerStep", .number(seconds * 1000 / Double(loader.batchesPerEpoch))),
            ("epochSeconds", .numbers(times)),
            ("samples", .number(samples)),
            ("meanLossLastEpoch", .number(lastLoss)),
            ("threads", .number(Double(threads))),
            ("flushDenormals", .string(DenormalFlushing.isEnabled ? "yes" : "no")),
            ("peakRSSMegabytes", .number(peakResidentMegabytes())),
            ("datasetMegabytes", .number(samples * 784 * 4 / 1_048_576)),
        ]
    }

    /// Logistic regression 784 → 10 at batch 1: the median time of one step (forward, backward,
    /// update) over 5,000 steps on pre-gathered samples, and the epoch rate with the loader.
    static func logistic(compiled: Bool, optimizer optimizerName: String, threads: Int, quick: Bool) throws -> [(String, TrainingValue)] {
        setThreads(threads)
        let data = try syntheticMNIST(rows: quick ? 1_000 : 5_000)
        var generator = RandomGenerator(seed: 1)
        let model = Sequential<Float> { Linear<Float>(784, 10, generator: &generator) }
        let optimizer = try makeOptimizer(optimizerName)
        let loss = CrossEntropyLoss()
        let step = compiled ? try CompiledStep(model: model, loss: loss, maximumBatchSize: 1) : nil
        let loader = DataLoader(data, batchSize: 1, shuffle: true, seed: 3, prefetch: false)
        var samples: [(Tensor<Float>, [Int])] = []
        let batches = loader.batches(epoch: 0)
        while let batch = try batches.next() { samples.append((batch.features, batch.targets.classes!)) }
        // As Trainer.fit does, each step is told the next sample (the look-ahead).
        func train(_ features: Tensor<Float>, _ labels: [Int], next: Tensor<Float>?) throws {
            if let step {
                try step.trainStep(features: features, labels: labels, optimizer: optimizer, nextFeatures: next)
            } else {
                model.zeroGradients()
                try loss(model(features, mode: .training), labels: labels).backward()
                try optimizer.step(model.trainableParameters())
            }
        }
        for index in 0..<500 { try train(samples[index].0, samples[index].1, next: samples[index + 1].0) }  // warm-up
        var stepTimes: [Double] = []
        stepTimes.reserveCapacity(samples.count)
        for (index, (x, y)) in samples.enumerated() {
            let next = index + 1 < samples.count ? samples[index + 1].0 : nil
            let start = monotonicSeconds()
            try train(x, y, next: next)
            stepTimes.append(monotonicSeconds() - start)
        }
        // The same steps with the loader in the loop, per sample.
        let withLoader = try timedEpochs(quick: quick) { epoch in
            let batches = loader.batches(epoch: epoch)
            while let batch = try batches.next() { try train(batch.features, batch.targets.classes!, next: try batches.peek()?.features) }
        }
        return [
            ("microsecondsPerStep", .number(median(stepTimes) * 1e6)),
            ("microsecondsPerStepMean", .number(stepTimes.reduce(0, +) / Double(stepTimes.count) * 1e6)),
            ("microsecondsPerSampleWithLoader", .number(median(withLoader) / Double(data.count) * 1e6)),
            ("steps", .number(Double(stepTimes.count))),
            ("threads", .number(Double(threads))),
            ("flushDenormals", .string(DenormalFlushing.isEnabled ? "yes" : "no")),
            ("peakRSSMegabytes", .number(peakResidentMegabytes())),
        ]
    }

    /// Linear regression on the built-in `linear` data (1,000,000 × 100), batch 256, SGD lr 0.01, MSE.
    static func linearRegression(compiled: Bool, threads: Int, quick: Bool) throws -> [(String, TrainingValue)] {
        setThreads(threads)
        let rows = quick ? 100_000 : 1_000_000
        let data = try BuiltinDataset.linear(count: rows, features: 100, seed: 0, as: Float.self)
        var generator = RandomGenerator(seed: 1)
        let model = Sequential<Float> { Linear<Float>(100, 1, generator: &generator) }
        let optimizer = try makeOptimizer("sgd")
        let loss = MeanSquaredErrorLoss()
        let step = compiled ? try CompiledStep(model: model, loss: loss, maximumBatchSize: 256) : nil
        let loader = DataLoader(data, batchSize: 256, shuffle: true, seed: 3)
        var lastLoss = 0.0
        let times = try timedEpochs(quick: quick) { epoch in
            let batches = loader.batches(epoch: epoch)
            var total = 0.0, count = 0
            while let batch = try batches.next() {
                let targets = batch.targets.values!
                if let step {
                    total += try step.computeGradients(features: batch.features, targets: targets)
                    try optimizer.step(step.parameters)
                } else {
                    model.zeroGradients()
                    let value = try loss(model(batch.features, mode: .training), targets)
                    try value.backward()
                    try optimizer.step(model.trainableParameters())
                    total += Double(value.scalar)
                }
                count += 1
            }
            lastLoss = total / Double(count)
        }
        let seconds = median(times)
        return [
            ("samplesPerSecond", .number(Double(rows) / seconds)),
            ("millisecondsPerStep", .number(seconds * 1000 / Double(loader.batchesPerEpoch))),
            ("epochSeconds", .numbers(times)),
            ("meanLossLastEpoch", .number(lastLoss)),
            ("threads", .number(Double(threads))),
            ("flushDenormals", .string(DenormalFlushing.isEnabled ? "yes" : "no")),
            ("peakRSSMegabytes", .number(peakResidentMegabytes())),
            ("datasetMegabytes", .number(Double(rows) * 101 * 4 / 1_048_576)),
        ]
    }

    // MARK: Support

    /// A warm-up epoch, then three timed epochs (one, without warm-up, with `--quick`); seconds per epoch.
    static func timedEpochs(quick: Bool, _ epoch: (Int) throws -> Void) throws -> [Double] {
        if !quick { try epoch(0) }
        var times: [Double] = []
        for index in 1...(quick ? 1 : 3) {
            let start = monotonicSeconds()
            try epoch(index)
            times.append(monotonicSeconds() - start)
        }
        return times
    }

    /// Sets the GEMM thread count (the kernels read `DESCENT_NUM_THREADS`).
    static func setThreads(_ threads: Int) {
        setenv("DESCENT_NUM_THREADS", "\(threads)", 1)
        GEMM.maximumThreadCount = threads
        // DESCENT_FLUSH_DENORMALS=1 flushes subnormals on this thread, as XLA does by default and
        // as the peers do with torch.set_flush_denormal(True) (bench/run-training.sh sets both).
        DenormalFlushing.isEnabled = getenv("DESCENT_FLUSH_DENORMALS").map { String(cString: $0) == "1" } ?? false
    }

    static func monotonicSeconds() -> Double {
        var time = timespec()
        clock_gettime(CLOCK_MONOTONIC, &time)
        return Double(time.tv_sec) + Double(time.tv_nsec) * 1e-9
    }

    static func median(_ values: [Double]) -> Double {
        let sorted = values.sorted()
        return sorted.isEmpty ? .nan : sorted[sorted.count / 2]
    }

    /// This process's peak resident set size (VmHWM in /proc/self/status), in MiB.
    static func peakResidentMegabytes() -> Double {
        guard let file = fopen("/proc/self/status", "r") else { return .nan }
        defer { fclose(file) }
        var line: UnsafeMutablePointer<CChar>? = nil
        var capacity = 0
        defer { free(line) }
        while getline(&line, &capacity, file) > 0 {
            let text = String(cString: line!)
            if text.hasPrefix("VmHWM:") {
                let digits = text.filter(\.isNumber)
                return (Double(digits) ?? .nan) / 1024  // kB → MiB
            }
        }
        return .nan
    }

    /// Runs the workloads whose path contains one of `filters` (all without filters) and prints
    /// one JSON object per workload, as an array.
    static func run(filters: [String], quick: Bool, list: Bool) {
        let selected = workloads().filter { workload in filters.isEmpty || filters.contains { workload.path.contains($0) } }
        if list {
            for workload in selected { print(workload.path) }
            return
        }
        var records: [String] = []
        for workload in selected {
            do {
                let fields = try workload.run(quick) + [("name", .string(workload.path))]
                records.append("  {" + fields.map { "\"\($0.0)\": \($0.1.json)" }.joined(separator: ", ") + "}")
            } catch {
                records.append("  {\"name\": \"\(workload.path)\", \"error\": \"\(error)\"}")
            }
        }
        print("[\n" + records.joined(separator: ",\n") + "\n]")
    }
}

/// A JSON value of a training benchmark record.
enum TrainingValue {
    case number(Double)
    case numbers([Double])
    case string(String)

    var json: String {
        switch self {
        case .number(let value): return value.isFinite ? "\(value)" : "null"
        case .numbers(let values): return "[" + values.map { "\($0)" }.joined(separator: ", ") + "]"
        case .string(let value): return "\"\(value)\""
        }
    }
}
