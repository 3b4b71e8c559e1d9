// Convolutional training benchmarks (issue 17): LeNet-5 on 60,000 synthetic MNIST-shaped 1×28×28
// images (5,000 at batch 1) and the compute-bound CNN on 10,000 CIFAR-shaped 3×32×32 images, one
// epoch per timed run through the public API, for the compiled step and the plain autodiff loop.
// The same data, models and recipes as bench/peers/conv_peers.py.
//
// Paths: training/<lenet5|cnn>/<compiled|autodiff>/<sgd|adam>/batch-<b>/threads-<t>.
import Descent
import DescentKernels

#if canImport(Glibc)
import Glibc
#endif

enum ConvolutionBenchmarks {
    static func workloads() -> [TrainingBenchmarks.Workload] {
        var list: [TrainingBenchmarks.Workload] = []
        for threads in [2, 1] {
            for optimizer in ["sgd", "adam"] {
                for path in ["compiled", "autodiff"] {
                    for batch in [1, 64, 256] {
                        list.append(.init(path: "training/lenet5/\(path)/\(optimizer)/batch-\(batch)/threads-\(threads)") { quick in
                            try run(workload: "lenet5", compiled: path == "compiled", optimizer: optimizer, batchSize: batch, threads: threads, quick: quick)
                        })
                    }
                    list.append(.init(path: "training/cnn/\(path)/\(optimizer)/batch-128/threads-\(threads)") { quick in
                        try run(workload: "cnn", compiled: path == "compiled", optimizer: optimizer, batchSize: 128, threads: threads, quick: quick)
                    })
                }
            }
        }
        return list
    }

    /// `rows` samples of `shape`, uniform in [0, 1), labels `argmax((x − 0.5)·W)` with a fixed
    /// `W ~ N(0, 1)` drawn from `seed` (the teacher of BENCHMARKS.md). Written straight into the
    /// dataset's tensor, so the data exists once in memory.
    static func syntheticImages(rows: Int, shape: [Int], seed: UInt64 = 17) throws -> TensorDataset<Float> {
        let features = shape.reduce(1, *), classes = 10
        var weightGenerator = RandomGenerator(seed: seed, stream: 1)
        let teacher = (0..<features * classes).map { _ in Float(weightGenerator.nextNormal()) }
        var generator = RandomGenerator(seed: seed)
        var labels = [Int](repeating: 0, count: rows)
        let x = Tensor<Float>(shape: [rows] + shape) { out in
            var scores = [Float](repeating: 0, count: classes)
            for row in 0..<rows {
                let sample = out.baseAddress! + row * features
                for j in 0..<features { sample[j] = Float(generator.nextUniform()) }
                for c in 0..<classes { scores[c] = 0 }
                for j in 0..<features {
                    let centred = sample[j] - 0.5
                    for c in 0..<classes { scores[c] += centred * teacher[j * classes + c] }
                }
                labels[row] = scores.indices.max { scores[$0] < scores[$1] }!
            }
        }
        return try TensorDataset(features: x, targets: .classes(labels), classCount: classes)
    }

    static func model(_ workload: String) throws -> Sequential<Float> {
        var g = RandomGenerator(seed: 1)
        if workload == "lenet5" {
            return Sequential<Float>(layers: [
                try Conv2d<Float>(1, 6, kernelSize: 5, padding: 2, generator: &g), ReLU<Float>(), MaxPool2d<Float>(kernelSize: 2),
                try Conv2d<Float>(6, 16, kernelSize: 5, generator: &g), ReLU<Float>(), MaxPool2d<Float>(kernelSize: 2),
                Flatten<Float>(), Linear<Float>(400, 120, generator: &g), ReLU<Float>(), Linear<Float>(120, 84, generator: &g),
                ReLU<Float>(), Linear<Float>(84, 10, generator: &g),
            ])
        }
        return Sequential<Float>(layers: [
            try Conv2d<Float>(3, 32, kernelSize: 3, padding: 1, generator: &g), ReLU<Float>(), MaxPool2d<Float>(kernelSize: 2),
            try Conv2d<Float>(32, 64, kernelSize: 3, padding: 1, generator: &g), ReLU<Float>(), MaxPool2d<Float>(kernelSize: 2),
            try Conv2d<Float>(64, 128, kernelSize: 3, padding: 1, generator: &g), ReLU<Float>(),
            AdaptiveAvgPool2d<Float>(outputSize: 1), Flatten<Float>(), Linear<Float>(128, 10, generator: &g),
        ])
    }

    static func run(workload: String, compiled: Bool, optimizer optimizerName: String, batchSize: Int, threads: Int,
                    quick: Bool) throws -> [(String, TrainingValue)] {
        TrainingBenchmarks.setThreads(threads)
        let shape = workload == "lenet5" ? [1, 28, 28] : [3, 32, 32]
        // DESCENT_BENCH_SAMPLES overrides the sample count (bench/run-conv.sh SAMPLES=…, for short runs).
        let override = getenv("DESCENT_BENCH_SAMPLES").flatMap { Int(String(cString: $0)) }.flatMap { $0 > 0 ? $0 : nil }
        let rows = override ?? (workload == "lenet5" ? (batchSize == 1 ? 5_000 : 60_000) : 10_000)
        let data = try syntheticImages(rows: quick ? Swift.min(rows, 1_024) : rows, shape: shape)
        let model = try model(workload)
        let optimizer = try TrainingBenchmarks.makeOptimizer(optimizerName)
        let loader = DataLoader(data, batchSize: .samples(batchSize), shuffle: true, seed: 3, prefetch: false)
        let loss = CrossEntropyLoss()
        let step = compiled ? try CompiledStep(model: model, loss: loss, maximumBatchSize: batchSize, sampleShape: shape) : nil
        var lastLoss = 0.0
        func epoch(_ index: Int) throws {
            let batches = loader.batches(epoch: index)
            var total = 0.0, count = 0
            while let batch = try batches.next() {
                let labels = batch.targets.classes!
                if let step {
                    total += try step.trainStep(features: batch.features, labels: labels, optimizer: optimizer, nextFeatures: nil)
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
        let times = try TrainingBenchmarks.timedEpochs(quick: quick, epoch)
        let seconds = median(times)
        let samples = Double(data.count)
        return [
            ("samplesPerSecond", .number(samples / seconds)),
            ("millisecondsPerStep", .number(seconds * 1000 / Double(loader.batchesPerEpoch))),
            ("epochSeconds", .numbers(times)),
            ("samples", .number(samples)),
            ("meanLossLastEpoch", .number(lastLoss)),
            ("threads", .number(Double(threads))),
            ("flushDenormals", .string(DenormalFlushing.isEnabled ? "yes" : "no")),
            ("peakRSSMegabytes", .number(TrainingBenchmarks.peakResidentMegabytes())),
            ("datasetMegabytes", .number(samples * Double(shape.reduce(1, *)) * 4 / 1_048_576)),
        ]
    }
}
