import Testing
@testable import DescentNN
import DescentCore

@Suite struct LayerStructureTests {
    @Test func sequentialNamesMatchPyTorchStateDict() {
        // PyTorch: Sequential(Linear(4,5), ReLU(), Linear(5,3)).state_dict().keys()
        var generator = RandomGenerator(seed: 0)
        let model = Sequential<Double> {
            Linear(4, 5, generator: &generator)
            ReLU()
            Linear(5, 3, generator: &generator)
        }
        #expect(model.namedParameters().map(\.name) == ["0.weight", "0.bias", "2.weight", "2.bias"])
        #expect(model.namedParameters().map(\.parameter.shape) == [[5, 4], [5], [3, 5], [3]])
        #expect(model.parameterCount == 5 * 4 + 5 + 3 * 5 + 3)
    }

    @Test func batchNormStateUsesPyTorchNames() {
        // PyTorch: Sequential(Linear(4,5), BatchNorm1d(5), ReLU(), Linear(5,3)).state_dict().keys()
        var generator = RandomGenerator(seed: 0)
        let model = Sequential<Double>.mlp(inputs: 4, hiddenSizes: [5], outputs: 3, batchNorm: true, generator: &generator)
        #expect(model.stateEntries().map(\.name) == [
            "0.weight", "0.bias", "1.weight", "1.bias", "1.running_mean", "1.running_var", "1.num_batches_tracked",
            "3.weight", "3.bias",
        ])
        #expect(model.stateEntries().first { $0.name == "1.num_batches_tracked" }?.kind == .integerBuffer)
    }

    final class TwoLayer: Layer {
        let hidden: Linear<Double>
        let output: Linear<Double>
        let blocks: [any Layer<Double>]
        init(generator: inout RandomGenerator) {
            hidden = Linear(2, 3, generator: &generator)
            output = Linear(3, 1, bias: false, generator: &generator)
            blocks = [Linear<Double>(1, 1, generator: &generator)]
        }
        func forward(_ input: Tensor<Double>, context: ForwardContext) throws -> Tensor<Double> {
            try output.forward(hidden.forward(input, context: context).relu(), context: context)
        }
    }

    @Test func customLayerParametersAreDiscoveredByPropertyName() {
        var generator = RandomGenerator(seed: 1)
        let model = TwoLayer(generator: &generator)
        // As PyTorch names attributes and ModuleList entries (blocks.0.weight).
        #expect(model.namedParameters().map(\.name) == ["hidden.weight", "hidden.bias", "output.weight", "blocks.0.weight", "blocks.0.bias"])
        #expect(model.namedSublayers().map(\.name) == ["hidden", "output", "blocks.0"])
    }

    @Test func sameSeedGivesSameModelAndDifferentSeedDoesNot() {
        var a = RandomGenerator(seed: 7), b = RandomGenerator(seed: 7), c = RandomGenerator(seed: 8)
        let m1 = Sequential<Double>.mlp(inputs: 3, hiddenSizes: [4], outputs: 2, generator: &a)
        let m2 = Sequential<Double>.mlp(inputs: 3, hiddenSizes: [4], outputs: 2, generator: &b)
        let m3 = Sequential<Double>.mlp(inputs: 3, hiddenSizes: [4], outputs: 2, generator: &c)
        #expect(m1.flattenedParameters().isIdentical(to: m2.flattenedParameters()))
        #expect(!m1.flattenedParameters().isIdentical(to: m3.flattenedParameters()))
    }

    @Test func frozenParametersGetNoGradientAndLeaveTheFlatLayout() throws {
        var generator = RandomGenerator(seed: 2)
        let model = Sequential<Double>.mlp(inputs: 2, hiddenSizes: [3], outputs: 1, generator: &generator)
        (model[0] as! Linear<Double>).freeze()
        #expect(model.trainableParameters().map(\.name) == ["2.weight", "2.bias"])
        let x = try Tensor<Double>(rows: [[1, 2], [3, -4]])
        let loss = try MeanSquaredErrorLoss()(model(x, mode: .training), Tensor([0.5, -1]))
        try loss.backward()
        #expect((model[0] as! Linear<Double>).weight.gradient == nil)
        #expect(model.flattenedGradients().shape == [3 + 1])
    }

    @Test func flattenedGradientsRoundTrip() throws {
        var generator = RandomGenerator(seed: 3)
        let model = Sequential<Double>.mlp(inputs: 2, hiddenSizes: [3], outputs: 2, generator: &generator)
        let x = try Tensor<Double>(rows: [[1, 2], [3, -4]])
        try CrossEntropyLoss()(model(x, mode: .training), labels: [0, 1]).backward()
        let flat = model.flattenedGradients()
        #expect(flat.shape == [model.parameterCount])
        let weightGradient = model.parameters()[0].gradient!
        #expect(Array(flat.scalars.prefix(6)) == weightGradient.scalars)
        // Halve and write back (what an all-reduce average of two identical workers gives).
        try model.setFlattenedGradients(flat * 0.5)
        #expect(model.parameters()[0].gradient!.scalars == weightGradient.scalars.map { $0 * 0.5 })
        #expect(throws: LayerError.self) { try model.setFlattenedGradients(Tensor([1, 2])) }
    }

    @Test func linearRejectsInputWithWrongFeatureCount() throws {
        var generator = RandomGenerator(seed: 0)
        let model = Sequential<Double>.linearRegression(inputs: 3, generator: &generator)
        #expect(throws: LayerError.self) { try model(Tensor<Double>(zeros: [2, 4]), mode: .evaluation) }
    }

    @Test func resultBuilderSupportsConditionalsAndLoops() {
        var generator = RandomGenerator(seed: 0)
        let deep = true
        let model = Sequential<Float> {
            for _ in 0..<2 { Linear(2, 2, generator: &generator); Tanh() }
            if deep { Dropout(probability: 0.1, generator: &generator) } else { ReLU() }
            Linear(2, 1, generator: &generator)
        }
        #expect(model.count == 6)
        #expect(model.namedParameters().map(\.name) == ["0.weight", "0.bias", "2.weight", "2.bias", "5.weight", "5.bias"])
    }
}

/// Issue 20: `print(model)` shows the layers as PyTorch's `repr(module)` does, in Swift's names.
@Suite struct LayerDescriptionTests {
    final class TwoLayer: Layer {
        let hidden: Linear<Double>
        let output: Sequential<Double>
        init(generator: inout RandomGenerator) {
            hidden = Linear(4, 8, generator: &generator)
            output = Sequential { Tanh(); Linear(8, 3, bias: false, generator: &generator) }
        }
        func forward(_ input: Tensor<Double>, context: ForwardContext) throws -> Tensor<Double> {
            try output.forward(hidden.forward(input, context: context), context: context)
        }
    }

    /// Expected: PyTorch's `print(nn.Sequential(nn.Linear(4, 5), nn.ReLU(), nn.Dropout(0.1), nn.BatchNorm1d(5)))`
    /// layout, one `(index): layer` line each, with the Swift argument labels.
    @Test func sequentialListsItsLayers() {
        var generator = RandomGenerator(seed: 0)
        let model = Sequential<Float> {
            Linear(4, 5, generator: &generator)
            ReLU()
            Dropout(probability: 0.1, generator: &generator)
            BatchNorm1d(5)
            LeakyReLU(negativeSlope: 0.2)
            Flatten()
        }
        #expect("\(model)" == """
            Sequential<Float>(
              (0): Linear(inFeatures: 4, outFeatures: 5, bias: true)
              (1): ReLU()
              (2): Dropout(probability: 0.1)
              (3): BatchNorm1d(5, epsilon: 1e-05, momentum: 0.1, affine: true)
              (4): LeakyReLU(negativeSlope: 0.2)
              (5): Flatten(startAxis: 1)
            )
            """)
    }

    /// A custom layer has no description of its own: its type and its sublayers, nested.
    @Test func customLayersNestTheirSublayers() {
        var generator = RandomGenerator(seed: 0)
        let model = Sequential<Double> { TwoLayer(generator: &generator); Softmax() }
        #expect("\(model)" == """
            Sequential<Double>(
              (0): TwoLayer(
                (hidden): Linear(inFeatures: 4, outFeatures: 8, bias: true)
                (output): Sequential<Double>(
                  (0): Tanh()
                  (1): Linear(inFeatures: 8, outFeatures: 3, bias: false)
                )
              )
              (1): Softmax(axis: -1)
            )
            """)
    }

    /// `print(parameter)`: type, shape, trainable or frozen; the values while short.
    @Test func parameterShowsShapeAndState() throws {
        let small = Parameter(Tensor<Double>([-1.5]))
        #expect("\(small)" == "Parameter<Double>(shape: [1], trainable, value: [-1.5], gradient: none)")
        try (small.value * small.value).sum().backward()
        #expect("\(small)" == "Parameter<Double>(shape: [1], trainable, value: [-1.5], gradient: [-3.0])")
        let large = Parameter(Tensor<Float>(zeros: [16, 2]), isFrozen: true)
        #expect("\(large)" == "Parameter<Float>(shape: [16, 2], frozen)")
    }
}
