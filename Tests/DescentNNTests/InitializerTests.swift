import Testing
@testable import DescentNN
import DescentCore

/// Initialisers against the formulas of training-semantics §5.
@Suite struct InitializerTests {
    func bound(_ t: Tensor<Double>) -> Double { t.scalars.map(abs).max()! }
    func standardDeviation(_ t: Tensor<Double>) -> Double {
        let x = t.scalars, mean = x.reduce(0, +) / Double(x.count)
        return (x.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(x.count)).squareRoot()
    }

    @Test func fansFollowPyTorch() {
        #expect(Initializer.fans(of: [5, 4]) == (4, 5))
        #expect(Initializer.fans(of: [8, 3, 2, 2]) == (12, 32))  // conv: in·k², out·k²
    }

    @Test func uniformSchemesStayWithinTheirBoundsAndNearlyReachThem() {
        var generator = RandomGenerator(seed: 0)
        let shape = [200, 50]  // fanIn 50, fanOut 200
        let cases: [(Initializer, Double)] = [
            (.linearDefault, 1 / 50.0.squareRoot()),
            (.kaimingUniform(), 2.0.squareRoot() * (3 / 50.0).squareRoot()),
            (.kaimingUniform(nonlinearity: .leakyReLU(negativeSlope: 5.0.squareRoot())), 1 / 50.0.squareRoot()),  // = Linear's default
            (.kaimingUniform(nonlinearity: .relu, mode: .fanOut), 2.0.squareRoot() * (3 / 200.0).squareRoot()),
            (.xavierUniform(), (6 / 250.0).squareRoot()),
            (.xavierUniform(gain: 5.0 / 3), 5.0 / 3 * (6 / 250.0).squareRoot()),
        ]
        for (initializer, expected) in cases {
            let t: Tensor<Double> = initializer.makeTensor(shape: shape, generator: &generator)
            #expect(bound(t) <= expected && bound(t) > 0.99 * expected, "\(initializer)")
        }
    }

    @Test func normalSchemesHaveTheirStandardDeviation() {
        var generator = RandomGenerator(seed: 1)
        let shape = [400, 100]  // 40 000 samples: sd of the estimate ≈ 0.35 %
        let cases: [(Initializer, Double)] = [
            (.kaimingNormal(), (2 / 100.0).squareRoot()),
            (.kaimingNormal(nonlinearity: .tanh, mode: .fanOut), 5.0 / 3 / 400.0.squareRoot()),
            (.xavierNormal(), (2 / 500.0).squareRoot()),
            (.normal(mean: 0, standardDeviation: 0.02), 0.02),
        ]
        for (initializer, expected) in cases {
            let t: Tensor<Double> = initializer.makeTensor(shape: shape, generator: &generator)
            #expect(abs(standardDeviation(t) / expected - 1) < 0.02, "\(initializer)")
        }
    }

    @Test func constantSchemesAndGains() {
        var generator = RandomGenerator(seed: 0)
        #expect((Initializer.zeros.makeTensor(shape: [2], generator: &generator) as Tensor<Double>).scalars == [0, 0])
        #expect((Initializer.constant(0.1).makeTensor(shape: [2], generator: &generator) as Tensor<Float>).scalars == [0.1, 0.1])
        #expect(Nonlinearity.tanh.gain == 5.0 / 3)
        #expect(Nonlinearity.leakyReLU(negativeSlope: 0.01).gain == (2 / 1.0001).squareRoot())
    }

    @Test func linearBiasUsesTheWeightsFanIn() {
        var generator = RandomGenerator(seed: 2)
        let layer = Linear<Double>(400, 300, generator: &generator)
        #expect(bound(layer.bias!.value) <= 1 / 20.0 && bound(layer.bias!.value) > 0.98 / 20.0)
    }

    @Test func specsParse() throws {
        #expect(try Initializer(spec: "kaiming-normal") == .kaimingNormal(nonlinearity: .relu, mode: .fanIn))
        #expect(try Initializer(spec: "he-uniform(mode: fan-out)") == .kaimingUniform(nonlinearity: .relu, mode: .fanOut))
        #expect(try Initializer(spec: "kaiming-uniform(nonlinearity: leaky-relu, slope: 0.2)") == .kaimingUniform(nonlinearity: .leakyReLU(negativeSlope: 0.2)))
        #expect(try Initializer(spec: "glorot-normal(gain: 2)") == .xavierNormal(gain: 2))
        #expect(try Initializer(spec: "constant(0.5)") == .constant(0.5))
        #expect(try Initializer(spec: "normal(std: 0.01)") == .normal(mean: 0, standardDeviation: 0.01))
        // The description is itself a valid spec.
        for initializer in [Initializer.kaimingUniform(nonlinearity: .leakyReLU(negativeSlope: 0.2), mode: .fanOut), .xavierNormal(gain: 1.5), .constant(2)] {
            #expect(try Initializer(spec: initializer.description) == initializer)
        }
        #expect { try Initializer(spec: "orthogonal") } throws: { "\($0)".contains("valid names: linear-default, kaiming-uniform") }
        #expect { try Initializer(spec: "xavier-uniform(mode: fan-in)") } throws: { "\($0)".contains("valid keys: gain") }
    }
}
