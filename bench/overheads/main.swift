// The full-loss pass and checkpoint overheads of BENCHMARKS.md, "Full-loss pass and checkpoint
// overheads (issue 15)". Run with bench/run-overheads.sh [passes|checkpoints|all] [rounds].
//
// passes: two MLPs at batch 32 with Adam 1e-3 in Float (descent train's defaults): mlp(64) on
//   spirals (2 features, 3 classes; `descent train --data builtin:spirals(count: N)`'s model) and
//   32 → 64 → 64 → 10 on blobs(features: 32, centers: 10), each on 10k, 30k and 100k rows for 3
//   epochs, with the full-loss pass exact and automatic (the default sample); prints the pass'
//   seconds per epoch and its share of the epoch's steps (the training time without the evaluations).
// checkpoints: iris-sized data (150 rows, 4 features, 3 classes; mlp(64), Adam, batch 32, Float:
//   descent train's defaults) for 100 epochs with no checkpoints, with the old behaviour (after
//   every epoch, written on the training thread, the best at every improvement), every epoch in
//   the background, and the new default (every 60 s of training and at the end, in the background);
//   prints the wall time, the training seconds and the checkpoint seconds of fit.
import Descent
import Foundation

let arguments = CommandLine.arguments.dropFirst()
let what = arguments.first ?? "all"
let rounds = arguments.dropFirst().first.flatMap { Int($0) } ?? 5

func median(_ values: [Double]) -> Double {
    let sorted = values.sorted()
    return sorted.count % 2 == 1 ? sorted[sorted.count / 2] : (sorted[sorted.count / 2 - 1] + sorted[sorted.count / 2]) / 2
}

func makeTrainer(inputs: Int, hidden: [Int], outputs: Int) throws -> Trainer<Float> {
    var generator = RandomGenerator(seed: 0, stream: 1)
    let model = Sequential<Float>.mlp(inputs: inputs, hiddenSizes: hidden, outputs: outputs, generator: &generator)
    let optimizer: any Optimizer<Float> = try OptimizerFactory.make("adam")
    return Trainer(model: model, loss: CrossEntropyLoss(), optimizer: optimizer, metrics: [Accuracy()])
}

if what == "passes" || what == "all" {
    print("workload,rows,evaluation,evaluated_rows,epoch_steps_s,pass_s,share_of_epoch")
    for (workload, rows) in ["spirals-mlp64", "blobs32-mlp64x64"].flatMap({ w in [10_000, 30_000, 100_000].map { (w, $0) } }) {
        let spirals = workload.hasPrefix("spirals")
        let data: TensorDataset<Float> = spirals ? try BuiltinDataset.spirals(count: rows, arms: 3, seed: 1)
                                                 : try BuiltinDataset.blobs(count: rows, centers: 10, features: 32, standardDeviation: 3, seed: 1)
        let epochs = 3
        var results: [String: (steps: [Double], pass: [Double], rows: Int)] = [:]
        for _ in 0..<rounds {
            for evaluation in [TrainingEvaluation.exact, .automatic()] {
                let trainer = spirals ? try makeTrainer(inputs: 2, hidden: [64], outputs: 3) : try makeTrainer(inputs: 32, hidden: [64, 64], outputs: 10)
                let loader = DataLoader(data, batchSize: .samples(32), shuffle: true, seed: 0, prefetch: false)
                let evaluationLoader = try trainer.makeTrainingEvaluationLoader(for: data, evaluation: evaluation)
                let result = try trainer.fit(epochs: epochs, training: loader, trainingEvaluation: evaluationLoader)
                let key = evaluation == .exact ? "exact" : "automatic"
                var entry = results[key] ?? ([], [], trainer.trainingLossSample?.rows ?? rows)
                entry.steps.append((result.seconds - result.evaluationSeconds - result.validationSeconds) / Double(epochs))
                entry.pass.append(result.evaluationSeconds / Double(epochs))
                results[key] = entry
            }
        }
        for key in ["exact", "automatic"] {
            let entry = results[key]!
            let steps = median(entry.steps), pass = median(entry.pass)
            print(String(format: "%@,%d,%@,%d,%.4f,%.4f,%.3f", workload, rows, key, entry.rows, steps, pass, pass / steps))
        }
    }
}

if what == "checkpoints" || what == "all" {
    // Iris-sized: 150 rows of 4 features, 3 classes (blobs stand in for iris; the sizes are what count).
    let data: TensorDataset<Float> = try BuiltinDataset.blobs(count: 150, centers: 3, features: 4, seed: 1)
    let (train, validation) = try data.split(trainFraction: 0.8, seed: 0)
    print("checkpoints,wall_s,train_s,checkpoint_s,files")
    var table: [String: (wall: [Double], train: [Double], checkpoint: [Double], files: Int)] = [:]
    let modes = ["none", "every-epoch-on-the-training-thread", "every-epoch-in-the-background", "default-60s-and-end"]
    for _ in 0..<rounds {
        for mode in modes {
            let folder = FileManager.default.temporaryDirectory.appendingPathComponent("descent-overheads-\(UUID().uuidString)")
            defer { try? FileManager.default.removeItem(at: folder) }
            let trainer = try makeTrainer(inputs: 4, hidden: [64], outputs: 3)
            let store = CheckpointStore(directory: folder, keep: 3)
            switch mode {
            case "every-epoch-on-the-training-thread":
                trainer.checkpointing = CheckpointPolicy(store: store, everyEpochs: 1, bestMonitor: "validation.loss", writesInBackground: false)
            case "every-epoch-in-the-background":
                trainer.checkpointing = CheckpointPolicy(store: store, everyEpochs: 1, bestMonitor: "validation.loss")
            case "default-60s-and-end":
                trainer.checkpointing = CheckpointPolicy(store: store, bestMonitor: "validation.loss")
            default:
                break
            }
            let loader = DataLoader(train, batchSize: .samples(32), shuffle: true, seed: 0, prefetch: false)
            let validationLoader = DataLoader(validation, batchSize: .samples(1024), prefetch: false)
            let start = Date()
            let result = try trainer.fit(epochs: 100, training: loader, validation: validationLoader,
                                         trainingEvaluation: try trainer.makeTrainingEvaluationLoader(for: train))
            let wall = Date().timeIntervalSince(start)
            var entry = table[mode] ?? ([], [], [], 0)
            entry.wall.append(wall); entry.train.append(result.seconds); entry.checkpoint.append(result.checkpointSeconds)
            entry.files = trainer.writtenCheckpoints.count
            table[mode] = entry
        }
    }
    for mode in modes {
        let entry = table[mode]!
        print(String(format: "%@,%.4f,%.4f,%.4f,%d", mode, median(entry.wall), median(entry.train), median(entry.checkpoint), entry.files))
    }
}
