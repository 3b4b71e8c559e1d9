import ArgumentParser
import Descent
import Foundation

/// `descent demo`: the main job on built-in data, in well under a minute.
struct DemoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Train a small neural network on built-in spiral data and show what Descent does.",
        usage: "descent demo [<options>]",
        discussion: """
            Runs the command below with progress, prints the metrics and the files written, and \
            suggests what to try next:

              descent train --data "builtin:spirals(count: 600)" --model "mlp(64, 64)" \\
                --optimizer "adam(lr: 0.01)" --validation-split 0.2 --epochs 60 \\
                --output descent-demo
            """)

    @Option(name: .customLong("output"), help: "The folder for the report, the model and the history.")
    var outputDirectory = "descent-demo"

    @Option(help: "The random seed (the spirals, the validation split, the initial weights, shuffling).")
    var seed: UInt64 = 0

    @Option(help: "Epochs to train.")
    var epochs = 60

    @OptionGroup var progressOption: ProgressOption

    /// The `descent train` arguments the demo runs.
    var trainArguments: [String] {
        ["--data", "builtin:spirals(count: 600)", "--model", "mlp(64, 64)", "--optimizer", "adam(lr: 0.01)",
         "--validation-split", "0.2", "--epochs", "\(epochs)", "--seed", "\(seed)", "--output", outputDirectory]
    }

    func output() throws -> String { try demo(progress: .quiet) }

    func demo(progress: ProgressReporter.Style) throws -> String {
        var lines: [String] = []
        // The seed example in one line: gradient descent on L(w) = w⁴ − 3w³ + 2 from w = 6.
        var w = 6.0
        for _ in 0..<200 { w -= 0.01 * (4 * w * w * w - 9 * w * w) }
        lines.append(String(format: "Warm-up: gradient descent on L(w) = w⁴ − 3w³ + 2 from w = 6 (learning rate 0.01, 200 steps) reaches w = %.4f (the minimum is 9/4 = 2.25).", w))
        lines.append("")
        lines.append("Training an MLP with two hidden layers of 64 units on 600 points of three interleaved spirals")
        lines.append("(a problem no straight line can separate), with Adam, mini-batches of 32, 20% held out for validation:")
        lines.append("  descent " + (["train"] + trainArguments).map(shellQuoted).joined(separator: " "))
        if progress != .quiet { FileHandle.standardError.write(Data((lines.joined(separator: "\n") + "\n\n").utf8)); lines = [] }
        let train = try TrainCommand.parse(trainArguments)
        let outcome = try train.execute(progress: progress, handleInterrupts: true)
        lines.append(contentsOf: outcome.messages)
        lines.append(outcome.text)
        lines.append("")
        lines.append("Files in \(outputDirectory)/: report.html (open it in a browser: loss curves, metrics, confusion matrix,")
        lines.append("decision regions), model.safetensors (weights, loadable in PyTorch), preprocessing.json, config.json,")
        lines.append("history.json, history-epochs.csv, history-steps.csv (loss per step and per epoch), checkpoints/.")
        lines.append("Next: descent evaluate --model \(shellQuoted(outputDirectory)) --data 'builtin:spirals(count: 600)',")
        lines.append("      descent lr-find --data builtin:spirals --model \"mlp(64, 64)\", or descent train --help.")
        return lines.joined(separator: "\n")
    }

    func run() throws {
        print(try demo(progress: progressOption.style))
    }
}
