import DescentCore
@testable import DescentNN
import Foundation
import Testing

/// Frees `count` large tensor buffers of `rows × columns` elements filled with NaN, so that the
/// next allocations of that size get NaN-filled memory from the pool (`BufferPool` keeps freed
/// buffers of at least 64 KiB and hands the most recent back for a request of the same size).
/// An op that leaves any element of its output unwritten then shows NaN instead of whatever the
/// allocator happened to return. The shapes used with it are odd sizes no other test allocates.
private func poisonPool<Scalar: TensorScalar>(_: Scalar.Type, rows: Int, columns: Int, count: Int = 4) {
    var buffers: [Tensor<Scalar>] = []
    for _ in 0..<count { buffers.append(Tensor(repeating: .nan, shape: [rows, columns])) }
    buffers.removeAll()
}

/// The shapes an evaluation can meet when a dataset has no rows, no feature columns, or both:
/// every op the evaluation runs (Linear forward and backward, activations, reductions, losses,
/// metrics) gives a defined result (zeros, the reduction's identity, NaN for the mean of nothing
/// as PyTorch) or throws a clear error, and never reads memory it did not write. Each test runs
/// several times (the failure it guards against gave values that changed from run to run:
/// `6.3e15`, `-nan(0x3ffffe0000000)`), and the suite passes under `--sanitize=address`.
@Suite struct EmptyShapeTests {
    /// Linear with 0 input features: each of the n output rows is the bias, or 0 without a bias
    /// (`torch.nn.Linear(0, 7)(torch.zeros(n, 0))` returns the bias in every row). Before the fix
    /// the layer counted its rows as `scalarCount / inFeatures` = 0 and wrote nothing, so the
    /// output was whatever the buffer held (here NaN, from `poisonPool`).
    @Test(arguments: 0..<4)
    func linearWithNoInputsOutputsTheBias(round: Int) throws {
        try check(Float.self)
        try check(Double.self)
        func check<Scalar: TensorScalar>(_: Scalar.Type) throws {
            let rows = 4099, outputs = 7  // ≥ 64 KiB of output even in Float, an unusual size
            var generator = RandomGenerator(seed: UInt64(round))
            let layer = Linear<Scalar>(0, outputs, generator: &generator)
            let bias = try #require(layer.bias).value.scalars
            #expect(bias.count == outputs && bias.allSatisfy { $0 == 0 })  // U(±1/√0) has no width: PyTorch's bound is 0 too
            // A visible bias, so that "each row is the bias" is not also "each row is 0".
            let withBias = try Linear<Scalar>(weight: Tensor(zeros: [outputs, 0]), bias: Tensor((0..<outputs).map { Scalar($0) + 0.5 }))
            poisonPool(Scalar.self, rows: rows, columns: outputs)
            let x = Tensor<Scalar>(zeros: [rows, 0]).requiringGradient()
            let y = try withBias(x, mode: .evaluation)
            #expect(y.shape == [rows, outputs])
            let expected = Array((0..<rows).map { _ in (0..<outputs).map { Scalar($0) + 0.5 } }.joined())
            let isBiasInEveryRow = y.scalars == expected  // compared outside #expect, which would print 28,693 values
            #expect(isBiasInEveryRow, "the first rows: \(y.scalars.prefix(2 * outputs))")

            let noBias = try Linear<Scalar>(weight: Tensor(zeros: [outputs, 0]), bias: nil)
            poisonPool(Scalar.self, rows: rows, columns: outputs)
            let z = try noBias(Tensor<Scalar>(zeros: [rows, 0]), mode: .evaluation)
            let isZero = z.scalars.allSatisfy { $0 == 0 }
            #expect(z.shape == [rows, outputs] && isZero, "the first row: \(z.scalars.prefix(outputs))")

            // Backward: ∂x is [n, 0], ∂W is [7, 0], ∂b sums the upstream ones over the rows.
            try y.sum().backward()
            #expect(x.gradient?.shape == [rows, 0])
            #expect(withBias.weight.gradient?.shape == [outputs, 0])
            #expect(withBias.bias?.gradient?.scalars == Array(repeating: Scalar(rows), count: outputs))
        }
    }

    /// Zero rows through Linear: `[0, 3] → [0, 5]`, and the gradients of the parameters are zeros
    /// (a sum over no rows), not unwritten memory.
    @Test(arguments: 0..<3)
    func linearWithNoRowsGivesEmptyOutputAndZeroGradients(round: Int) throws {
        var generator = RandomGenerator(seed: UInt64(round))
        let layer = Linear<Double>(3, 5, generator: &generator)
        let y = try layer(Tensor<Double>(zeros: [0, 3]), mode: .training)
        #expect(y.shape == [0, 5])
        try y.sum().backward()
        #expect(layer.weight.gradient?.scalars == Array(repeating: 0, count: 15))
        #expect(layer.bias?.gradient?.scalars == Array(repeating: 0, count: 5))
        // And no outputs: [4, 3] → [4, 0].
        let none = Linear<Double>(3, 0, generator: &generator)
        #expect(try none(Tensor<Double>(ones: [4, 3]), mode: .evaluation).shape == [4, 0])
    }

    /// `[m, 0]·[0, n]` is the m×n zero matrix (an empty sum), whatever the output buffer held.
    @Test(arguments: 0..<3)
    func matmulWithAnEmptyInnerAxisIsZero(round: Int) {
        let m = 4099, n = 5 + round  // 4099·5·8 bytes ≥ 64 KiB, an unusual size
        poisonPool(Double.self, rows: m, columns: n)
        let product = Tensor<Double>(zeros: [m, 0]).matmul(Tensor<Double>(zeros: [0, n]))
        let isZero = product.scalars.allSatisfy { $0 == 0 }
        #expect(product.shape == [m, n] && isZero, "the first row: \(product.scalars.prefix(n))")
        #expect(Tensor<Double>(zeros: [0, 3]).matmul(Tensor<Double>(zeros: [3, 0])).shape == [0, 0])
    }

    /// Elementwise activations keep an empty shape and their backward passes give empty gradients.
    @Test func activationsKeepEmptyShapes() throws {
        let layers: [any Layer<Float>] = [ReLU(), LeakyReLU(), Sigmoid(), Tanh(), GELU(), Softmax(), LogSoftmax()]
        for shape in [[0, 4], [4, 0], [0, 0]] {
            for layer in layers {
                let x = Tensor<Float>(zeros: shape).requiringGradient()
                let y = try layer(x, mode: .evaluation)
                #expect(y.shape == shape, "\(layer) on \(shape)")
                try y.sum().backward()
                #expect(x.gradient?.shape == shape, "\(layer) on \(shape)")
            }
        }
    }

    /// Reductions over an empty axis read nothing and write the reduction's identity: the sum is 0,
    /// the maximum −∞, the minimum +∞, log Σ exp −∞, the arg-max −1 ("no element"); the mean of no
    /// elements is NaN (0/0, as `torch.mean` of an empty tensor). The outputs are large enough to
    /// come from the poisoned pool, so an unwritten element would show as NaN.
    @Test(arguments: 0..<3)
    func reductionsOverAnEmptyAxisGiveTheirIdentity(round: Int) throws {
        let n = 16411 + round  // ≥ 64 KiB of Float outputs, an unusual size
        for (operation, identity) in [("sum", Float(0)), ("max", -.infinity), ("min", .infinity), ("logSumExp", -.infinity)] {
            poisonPool(Float.self, rows: n, columns: 1)
            let x = Tensor<Float>(zeros: [n, 0])
            let y: Tensor<Float>
            switch operation {
            case "sum": y = x.sum(alongAxis: 1)
            case "max": y = x.max(alongAxes: [1])
            case "min": y = x.min(alongAxes: [1])
            default: y = x.logSumExp(alongAxes: [1])
            }
            let isIdentity = y.scalars.allSatisfy { $0 == identity }
            #expect(y.shape == [n] && isIdentity, "\(operation): \(y.scalars.prefix(4))")
        }
        // Over the leading axis, with several columns (the `inner > 1` path of the kernel).
        let columns = Tensor<Float>(zeros: [0, 5])
        #expect(columns.sum(alongAxis: 0).scalars == [0, 0, 0, 0, 0])
        #expect(columns.max(alongAxes: [0]).scalars == Array(repeating: -.infinity, count: 5))
        #expect(Tensor<Float>(zeros: [3, 0]).argmax(alongAxis: 1) == [-1, -1, -1])
        #expect(Tensor<Float>(zeros: [0, 4]).argmax(alongAxis: 1) == [])
        #expect(Tensor<Float>(zeros: [0, 0]).sum().scalar == 0)
        #expect(Tensor<Float>(zeros: [0, 3]).mean().scalar.isNaN)
        #expect(Tensor<Double>(zeros: [0, 3]).mean(alongAxis: 0).scalars.allSatisfy { $0.isNaN })
    }

    /// Losses over zero rows: the mean of nothing is NaN, as PyTorch's (`nn.MSELoss()(torch.zeros(0, 1),
    /// torch.zeros(0, 1))` and `nn.CrossEntropyLoss()(torch.zeros(0, 3), torch.zeros(0).long())` are
    /// `nan`), the sum 0, and the gradient is empty. Zero classes with labels is an error.
    @Test func lossesOverEmptyBatches() throws {
        let pointwise: [any Loss] = [MeanSquaredErrorLoss(), L1Loss(), HuberLoss(), SmoothL1Loss(), BinaryCrossEntropyWithLogitsLoss()]
        for loss in pointwise {
            for shape in [[0, 1], [0, 0], [4, 0]] {
                let x = Tensor<Double>(zeros: shape).requiringGradient()
                let value = try loss(x, Tensor<Double>(zeros: shape))
                #expect(value.scalar.isNaN, "\(loss) on \(shape)")
                try value.backward()
                #expect(x.gradient?.shape == shape, "\(loss) on \(shape)")
            }
        }
        #expect(try MeanSquaredErrorLoss(reduction: .sum)(Tensor<Double>(zeros: [0, 1]), Tensor<Double>(zeros: [0])).scalar == 0)
        let crossEntropy = CrossEntropyLoss()
        let logits = Tensor<Float>(zeros: [0, 3]).requiringGradient()
        let value = try crossEntropy(logits, Tensor<Float>(zeros: [0]))
        #expect(value.scalar.isNaN)
        try value.backward()
        #expect(logits.gradient?.shape == [0, 3])
        #expect(try CrossEntropyLoss(reduction: .sum)(Tensor<Float>(zeros: [0, 3]), labels: []).scalar == 0)
        #expect(try CrossEntropyLoss(reduction: .none)(Tensor<Float>(zeros: [0, 3]), labels: []).shape == [0])
        // No classes: every label is out of range.
        #expect(throws: LossError.self) { try crossEntropy(Tensor<Float>(zeros: [2, 0]), labels: [0, 0]) }
        #expect(throws: LossError.self) { try crossEntropy(Tensor<Float>(zeros: [0, 0]), Tensor<Float>(zeros: [0, 0, 0])) }
    }

    /// Metrics over zero rows count nothing (the value stays 0, as before any update); scores with
    /// no class column are refused.
    @Test func metricsOverEmptyBatches() throws {
        var accuracy = Accuracy()
        try accuracy.update(predictions: Tensor<Double>(zeros: [0, 3]), targets: Tensor<Double>(zeros: [0]))
        try accuracy.update(predictions: Tensor<Double>(zeros: [0, 1]), targets: Tensor<Double>(zeros: [0]))
        #expect(accuracy.total == 0 && accuracy.value == 0)
        #expect(throws: MetricError.self) { try accuracy.update(predictions: Tensor<Double>(zeros: [3, 0]), targets: Tensor<Double>(zeros: [3])) }
        #expect(throws: MetricError.self) { try accuracy.update(predictions: Tensor<Double>(zeros: [0, 0]), targets: Tensor<Double>(zeros: [0])) }
        var topK = TopKAccuracy(k: 2)
        try topK.update(predictions: Tensor<Double>(zeros: [0, 3]), targets: Tensor<Double>(zeros: [0]))
        #expect(topK.total == 0)
        var matrix = ConfusionMatrix(classCount: 3)
        try matrix.update(predictions: Tensor<Double>(zeros: [0, 3]), targets: Tensor<Double>(zeros: [0]))
        #expect(matrix.value == [[0, 0, 0], [0, 0, 0], [0, 0, 0]] && matrix.summary["accuracy"] == 0)
        for shape in [[0, 1], [0, 0], [4, 0]] {
            var regression: [any Metric] = [MeanSquaredError(), RootMeanSquaredError(), MeanAbsoluteError(), RSquared()]
            for index in regression.indices {
                try regression[index].update(predictions: Tensor<Double>(zeros: shape), targets: Tensor<Double>(zeros: shape))
                let summary = regression[index].summary
                #expect(summary.count == 1 && summary.values.allSatisfy { $0 == 0 }, "\(summary.keys.sorted()) on \(shape)")
            }
        }
    }

    /// A model with 0 inputs (or 0 outputs) is refused by `validate`, with a message that says
    /// where to look; sizes of 1 and more pass.
    @Test func aModelWithNoInputsIsRefused() throws {
        for text in ["linear", "softmax", "mlp(8)"] {
            let spec = try ModelSpec(parsing: text)
            let error = try #require(throws: SpecError.self) { try spec.validate(inputs: 0, outputs: 3) }
            #expect(error.message.contains("at least 1 input feature") && error.message.contains("delimiter"))
            #expect(throws: SpecError.self) { try spec.validate(inputs: 4, outputs: 0) }
            try spec.validate(inputs: 1, outputs: 1)
        }
    }

    /// The whole model on zero-width input is defined: `mlp(8)` with 0 inputs outputs a function of
    /// its biases only, the same in every row and in every run (the CLI refuses such a model, but the
    /// library must not read unwritten memory if one is built).
    @Test(arguments: 0..<3)
    func aModelWithNoInputsGivesTheSameOutputInEveryRow(round: Int) throws {
        var generator = RandomGenerator(seed: 5)
        let model: Sequential<Float> = try ModelSpec(parsing: "mlp(8)").makeModel(inputs: 0, outputs: 3, generator: &generator)
        poisonPool(Float.self, rows: 4111, columns: 8)
        let y = try model(Tensor<Float>(zeros: [4111, 0]), mode: .evaluation)
        let first = Array(y.scalars.prefix(3))
        #expect(y.shape == [4111, 3] && first.allSatisfy(\.isFinite))
        let scalars = y.scalars
        let isSameInEveryRow = (0..<4111).allSatisfy { Array(scalars[($0 * 3)..<($0 * 3 + 3)]) == first }
        #expect(isSameInEveryRow, "the first rows: \(scalars.prefix(9))")
    }
}
