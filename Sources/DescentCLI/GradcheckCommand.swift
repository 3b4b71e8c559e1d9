import ArgumentParser
import Descent
import Foundation

/// `descent gradcheck`: compares a model's backward-pass gradients with central differences.
struct GradcheckCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gradcheck",
        abstract: "Check a model's gradients against finite differences, parameter by parameter.",
        usage: "descent gradcheck [<options>] --model <model>",
        discussion: """
            Builds the model in Double precision, computes the mean loss over one batch, and compares \
            the gradient of every parameter from the backward pass with the central difference \
            (L(θ+h) − L(θ−h)) / 2h. Relative errors below 1e-7 are correct; up to 1e-4 is normal \
            where ReLU kinks are crossed; above 1e-2 the gradient is wrong.

            Examples:
              descent gradcheck --model "mlp(5, 4, activation: relu)" --inputs 4 \\
                --outputs 3 --loss cross-entropy --seed 0
              descent gradcheck --model linear --inputs 3 --outputs 1 \\
                --loss "huber(delta: 0.5)" --format json
              descent gradcheck --model "mlp(8)" --data iris.csv --target species \\
                --loss cross-entropy
              descent gradcheck --model lenet5 --input-shape 1x28x28 --outputs 10 \\
                --batch-size 2
            """)

    @Option(help: "The model spec: linear, logistic, softmax, mlp(64), mlp(5, 4, activation: relu, dropout: 0.2, batchNorm: true), lenet5, cnn(32, 64), layers(conv2d(8, 3), relu, flatten, linear).")
    var model: String

    @Option(help: "The number of input features. With --data: inferred from the file when omitted.")
    var inputs: Int?

    @Option(name: .customLong("input-shape"), help: "The shape of one sample, channels×height×width such as 1x28x28, for convolutional models (lenet5, cnn(…), layers(conv2d(…), …)); --inputs is then its product.")
    var inputShape: String?

    @Option(help: "The number of outputs or classes. With --data: inferred from the target column when omitted.")
    var outputs: Int?

    @Option(help: "The loss: mse, l1, huber(delta: 1), smooth-l1(beta: 1), bce-with-logits, cross-entropy(labelSmoothing: 0.1). Default: the model's usual loss (linear → mse, logistic → bce-with-logits, softmax → cross-entropy).")
    var loss: String?

    @Option(help: "Seed for the initial weights and the random batch.")
    var seed: UInt64 = 0

    @Option(name: .customLong("batch-size"), help: "Rows in the random batch.")
    var batchSize: Int = 4

    @Option(help: "Use these weights (a safetensors file with the model's parameter names) instead of fresh ones.")
    var weights: String?

    @Option(help: "Use this CSV file (with a header row) as the batch instead of random numbers.")
    var data: String?

    @Option(help: "The column of --data that holds the target: a name or a 0-based position.")
    var target: String?

    @Option(name: .customLong("step-size"), help: "The finite-difference step h.")
    var stepSize: Double = 1e-5

    @OptionGroup var formatOption: FormatOption<TableFormat>

    func validate() throws {
        if let inputs, inputs < 1 { throw ValidationError("--inputs must be at least 1, got \(inputs)") }
        if let outputs, outputs < 1 { throw ValidationError("--outputs must be at least 1, got \(outputs)") }
        guard batchSize >= 1, batchSize <= Self.maximumBatchSize else {
            throw ValidationError("--batch-size must be from 1 to \(Self.maximumBatchSize) (gradcheck checks a small batch), got \(batchSize)")
        }
        guard stepSize > 0 else { throw ValidationError("--step-size must be > 0, got \(stepSize)") }
        if data != nil && target == nil { throw ValidationError("--data needs --target COLUMN (the column that holds the target)") }
        if target != nil && data == nil { throw ValidationError("--target needs --data FILE.csv") }
        if let inputShape {
            let shape: [Int]
            do { shape = try ModelSpec.inputShape(parsing: inputShape) } catch { throw ValidationError("--input-shape: \(error)") }
            let (count, overflow) = shape.reduce((1, false)) { partial, size in
                let (product, o) = partial.0.multipliedReportingOverflow(by: size)
                return (product, partial.1 || o)
            }
            if overflow { throw ValidationError("--input-shape \(inputShape) has more values per sample than memory can address") }
            if let inputs, inputs != count { throw ValidationError("--inputs \(inputs) does not match --input-shape \(inputShape) (\(count) values); give one of them") }
            if data != nil { throw ValidationError("--input-shape is for the random batch; --data reads rows of a CSV file") }
        }
        if data == nil && ((inputs == nil && inputShape == nil) || outputs == nil) {
            throw ValidationError("give --inputs N (or --input-shape CxHxW) and --outputs N (or --data FILE.csv --target COLUMN to infer them)")
        }
    }

    /// The parsed `--input-shape`, or `[inputs]`.
    private func sampleShape(inputs: Int) throws -> [Int] {
        guard let inputShape else { return [inputs] }
        do { return try ModelSpec.inputShape(parsing: inputShape) } catch { throw ValidationError("--input-shape: \(error)") }
    }

    /// The largest `--batch-size`: finite differences run the batch twice per parameter.
    static let maximumBatchSize = 100_000

    /// Throws unless the model and one batch of `inputs` features fit in memory (half the machine's).
    private func fits(_ spec: ModelSpec, inputs: Int, outputs: Int) throws {
        let shape = try sampleShape(inputs: inputs)
        try specError { try spec.checkFits(inputShape: shape, outputs: outputs, bytesPerScalar: MemoryLayout<Double>.stride, memoryLimit: defaultMemoryLimit()) }
        let (batchScalars, overflow) = inputs.multipliedReportingOverflow(by: batchSize)
        guard !overflow, batchScalars <= defaultMemoryLimit() / MemoryLayout<Double>.stride else {
            throw ValidationError("a batch of \(batchSize) rows of \(inputs) inputs does not fit in memory; give a smaller --batch-size or --inputs")
        }
    }

    func run() throws {
        let (text, allPass) = try report()
        print(text)
        if !allPass { throw ExitCode(1) }
    }

    /// The text to print.
    func output() throws -> String { try report().text }

    /// The report and whether no parameter's gradient is wrong.
    func report() throws -> (text: String, allPass: Bool) {
        let modelSpec: ModelSpec
        do { modelSpec = try ModelSpec(parsing: model) } catch { throw ValidationError("--model: \(error)") }
        guard let lossText = loss ?? modelSpec.suggestedLossName else {
            throw ValidationError("--loss is needed for \(modelSpec.spec.name): one of \(LossSpec.names.joined(separator: ", "))")
        }
        let lossFunction: any Loss
        do { lossFunction = try LossSpec.makeLoss(lossText) } catch { throw ValidationError("--loss: \(error)") }
        guard lossFunction.reduction != .none else {
            throw ValidationError("--loss: reduction none gives one loss per example; gradcheck checks the mean (or sum)")
        }
        // The sizes given are checked before the random batch or the model is allocated.
        let givenInputs = try inputs ?? (inputShape == nil ? nil : sampleShape(inputs: 0).reduce(1, *))
        if let givenInputs, let outputs { try fits(modelSpec, inputs: givenInputs, outputs: outputs) }
        var generator = RandomGenerator(seed: seed)
        let (input, targets, inputCount, outputCount) = try makeBatch(lossFunction, generator: &generator)
        try fits(modelSpec, inputs: inputCount, outputs: outputCount)
        let network: Sequential<Double>
        do {
            network = try modelSpec.makeModel(inputShape: sampleShape(inputs: inputCount), outputs: outputCount, generator: &generator)
        } catch let error as SpecError { throw ValidationError("--model: \(error)") }
        if let weights {
            do { try network.loadState(from: URL(fileURLWithPath: weights)) } catch {
                throw ValidationError("--weights \(weights): \(error)")
            }
        }
        let check: ModelGradientCheck
        do {
            check = try network.checkGradients(input: input, targets: targets, loss: lossFunction, stepSize: stepSize)
        } catch {
            throw ValidationError("\(error)")
        }
        let allPass = check.parameters.allSatisfy { GradientVerdict(maxRelativeError: $0.maxRelativeError) != .wrong }
        let text = formatOption.format == .json ? json(check) : table(check, lossName: "\(lossFunction)", rows: input.shape[0])
        return (text, allPass)
    }

    /// The batch: from --data, or random numbers that suit the loss.
    func makeBatch(_ loss: any Loss, generator: inout RandomGenerator) throws -> (Tensor<Double>, Tensor<Double>, Int, Int) {
        if let data, let target {
            // The real CSV reader (quoting, text labels, errors with line and column).
            let kind: TargetKind = loss.targetKind == .classIndices ? .classification : .regression
            let table: CSVTable<Double>
            do {
                table = try CSVLoader.load(data, options: CSVOptions(targets: [ColumnSelector(parsing: target)], targetKind: kind))
            } catch {
                throw ValidationError("\(error)")
            }
            let x = table.features
            let featureCount = x.shape.count > 1 ? x.shape[1] : 1
            let targetName = table.targetNames.first ?? target
            if let inputs, inputs != featureCount {
                throw ValidationError("--inputs \(inputs) does not match \(data), which has \(featureCount) feature columns besides \(targetName)")
            }
            var y: Tensor<Double>
            switch table.targets {
            case .classes(let labels): y = Tensor(labels.map(Double.init))
            case .values(let values): y = try values.reshaped(to: [table.count])
            }
            let inferred = ModelSpec.outputCount(for: y, targetKind: loss.targetKind)
            let outputCount = outputs ?? inferred
            if loss.targetKind != .classIndices { y = try y.reshaped(to: [table.count, 1]) }
            if loss.targetKind == .classIndices, inferred > outputCount {
                throw ValidationError("\(data): column \(targetName) has labels up to \(inferred - 1), more than --outputs \(outputCount) classes")
            }
            if loss.targetKind != .classIndices, outputCount != 1 {
                throw ValidationError("--outputs \(outputCount): a target column from --data gives one output")
            }
            return (x, y, featureCount, outputCount)
        }
        let shape = try sampleShape(inputs: inputs ?? 0)
        let inputCount = shape.reduce(1, *), outputCount = outputs!
        let x = Tensor<Double>.normal(shape: [batchSize] + shape, generator: &generator)
        let y: Tensor<Double>
        switch loss.targetKind {
        case .values:
            y = Tensor.normal(shape: [batchSize, outputCount], generator: &generator)
        case .binary:
            y = Tensor(shape: [batchSize, outputCount]) { out in
                for i in 0..<out.count { out[i] = generator.nextUniform() < 0.5 ? 0 : 1 }
            }
        case .classIndices:
            y = Tensor((0..<batchSize).map { _ in Double(generator.nextIndex(below: outputCount)) })
        }
        return (x, y, inputCount, outputCount)
    }

    func table(_ check: ModelGradientCheck, lossName: String, rows: Int) -> String {
        var lines = ["loss: \(check.loss)  (\(lossName), mean over a batch of \(rows))", ""]
        let header = ["parameter", "shape", "max relative error", "verdict"]
        let body = check.parameters.map { result in
            [result.name, "\(result.shape)", String(format: "%.3e", result.maxRelativeError),
             GradientVerdict(maxRelativeError: result.maxRelativeError).rawValue]
        }
        let widths = header.indices.map { column in ([header] + body).map { $0[column].count }.max()! }
        func format(_ cells: [String]) -> String {
            cells.enumerated().map { $0.element.padding(toLength: widths[$0.offset], withPad: " ", startingAt: 0) }
                .joined(separator: "  ").trimmingCharacters(in: .whitespaces)
        }
        lines.append(format(header))
        lines.append(format(widths.map { String(repeating: "-", count: $0) }))
        lines += body.map(format)
        lines.append("")
        lines.append("ok: ≤ 1e-7 · ok (kinks): ≤ 1e-4, normal where ReLU-like kinks are crossed · doubtful: ≤ 1e-2 · WRONG: > 1e-2")
        return lines.joined(separator: "\n")
    }

    func json(_ check: ModelGradientCheck) -> String {
        func number(_ x: Double) -> String { x.isFinite ? "\(x)" : "null" }
        func nested(_ values: [Double], _ shape: [Int]) -> String {
            guard let first = shape.first else { return number(values.first ?? 0) }
            if shape.count == 1 { return "[" + values.map(number).joined(separator: ", ") + "]" }
            let stride = shape.dropFirst().reduce(1, *)
            return "[" + (0..<first).map { nested(Array(values[($0 * stride)..<(($0 + 1) * stride)]), Array(shape.dropFirst())) }
                .joined(separator: ", ") + "]"
        }
        let parameters = check.parameters.map { p in
            "    {\"name\": \(jsonStringLiteral(p.name)), \"shape\": [\(p.shape.map(String.init).joined(separator: ", "))], "
                + "\"analytic\": \(nested(p.analytic, p.shape)), \"numeric\": \(nested(p.numeric, p.shape)), "
                + "\"maxRelativeError\": \(number(p.maxRelativeError))}"
        }
        return "{\n  \"loss\": \(number(check.loss)),\n  \"parameters\": [\n" + parameters.joined(separator: ",\n") + "\n  ]\n}"
    }
}
