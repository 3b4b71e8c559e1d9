import Testing
@testable import DescentNN
import DescentCore

@Suite struct LayerBehaviourTests {
    @Test func dropoutScalesKeptElementsAndIsIdentityInEvaluation() throws {
        var generator = RandomGenerator(seed: 3)
        let dropout = Dropout<Double>(probability: 0.25, generator: &generator)
        let x = Tensor<Double>(ones: [100, 100])
        let y = try dropout(x, mode: .training)
        let values = Set(y.scalars)
        #expect(values == [0, 1 / 0.75])  // inverted dropout: kept elements are scaled by 1/(1 − p)
        let dropped = Double(y.scalars.filter { $0 == 0 }.count) / 10_000
        #expect(abs(dropped - 0.25) < 0.02)  // binomial sd ≈ 0.0043
        #expect(try dropout(x, mode: .evaluation).isIdentical(to: x))
        // p = 1 zeroes everything, as PyTorch.
        var g2 = RandomGenerator(seed: 0)
        #expect(try Dropout<Double>(probability: 1, generator: &g2)(x, mode: .training).scalars.allSatisfy { $0 == 0 })
    }

    @Test func dropoutMasksAreReproducibleFromTheSeed() throws {
        var a = RandomGenerator(seed: 9), b = RandomGenerator(seed: 9)
        let d1 = Dropout<Float>(probability: 0.5, generator: &a), d2 = Dropout<Float>(probability: 0.5, generator: &b)
        let x = Tensor<Float>(ones: [8, 8])
        #expect(try d1(x, mode: .training).isIdentical(to: d2(x, mode: .training)))
        // The generator advances: the next mask differs (equal 64-element masks have probability 2⁻⁶⁴).
        #expect(try !d1(x, mode: .training).isIdentical(to: d1(x, mode: .training)))
    }

    @Test func dropoutGradientUsesTheSameMask() throws {
        var generator = RandomGenerator(seed: 4)
        let dropout = Dropout<Double>(probability: 0.5, generator: &generator)
        let x = Tensor<Double>(ones: [4, 4]).requiringGradient()
        let y = try dropout(x, mode: .training)
        try y.sum().backward()
        #expect(x.gradient!.scalars == y.scalars)  // ∂(Σ x·m/(1−p))/∂x = m/(1−p) = y for x = 1
    }

    @Test func batchNormRejectsSingleRowInTrainingOnly() throws {
        let layer = BatchNorm1d<Double>(3)
        #expect(throws: LayerError.self) { try layer(Tensor<Double>(zeros: [1, 3]), mode: .training) }
        #expect(throws: Never.self) { try layer(Tensor<Double>(zeros: [1, 3]), mode: .evaluation) }
        #expect(throws: LayerError.self) { try layer(Tensor<Double>(zeros: [4, 2]), mode: .evaluation) }
    }

    @Test func batchNormCumulativeAverageWhenMomentumIsNil() throws {
        // momentum nil: running_mean is the plain average of the batch means (PyTorch's momentum=None).
        let layer = BatchNorm1d<Double>(1, momentum: nil)
        _ = try layer(Tensor(shape: [2, 1], scalars: [1, 3]), mode: .training)  // mean 2
        _ = try layer(Tensor(shape: [2, 1], scalars: [5, 7]), mode: .training)  // mean 6
        #expect(layer.runningMean.value.scalars == [4])
        #expect(layer.batchesTracked.value.scalar == 2)
    }

    @Test func modelGradientCheckPassesForEveryArchitectureInDouble() throws {
        var generator = RandomGenerator(seed: 12)
        let x = Tensor<Double>.normal(shape: [6, 3], generator: &generator)
        let labels = Tensor<Double>([0, 1, 2, 1, 0, 2])
        for spec in ["softmax", "mlp(4, activation: tanh)", "mlp(4, 3, activation: gelu, batchNorm: true)",
                     "mlp(5, activation: sigmoid, dropout: 0.3)", "mlp(4, activation: leaky-relu, slope: 0.1)"] {
            let model: Sequential<Double> = try ModelSpec(parsing: spec).makeModel(inputs: 3, outputs: 3, generator: &generator)
            let check = try model.checkGradients(input: x, targets: labels, loss: CrossEntropyLoss())
            #expect(check.parameters.count == model.trainableParameters().count)
            for result in check.parameters {
                #expect(result.maxRelativeError < 1e-6, "\(spec) \(result.name): \(result.maxRelativeError)")
            }
        }
    }

    @Test func modelGradientCheckRestoresParametersAndState() throws {
        var generator = RandomGenerator(seed: 1)
        let model = Sequential<Double>.mlp(inputs: 2, hiddenSizes: [3], outputs: 1, dropout: 0.5, batchNorm: true, generator: &generator)
        let before = model.stateArchive()
        let dropout = model.namedSublayers().compactMap { $0.layer as? Dropout<Double> }.first!
        let generatorBefore = dropout.generator
        _ = try model.checkGradients(input: Tensor.normal(shape: [4, 2], generator: &generator), targets: Tensor(zeros: [4, 1]),
                                     loss: MeanSquaredErrorLoss())
        #expect(model.stateArchive() == before)
        #expect(dropout.generator == generatorBefore)
    }
}
