import Descent
import Foundation
import Testing

/// θ ← θ − lr·sign(g): a step of the same size for every value, whatever the gradient's scale.
final class SignDescent<Scalar: TensorScalar>: Optimizer {
    var learningRate: Double
    private let initialRate: Double
    private var steps: [String: Int] = [:]   // per parameter name, saved in checkpoints
    init(learningRate: Double) { self.learningRate = learningRate; initialRate = learningRate }

    var name: String { "sign-descent" }
    var groupCount: Int { 1 }
    var initialLearningRates: [Double] { [initialRate] }
    var learningRates: [Double] { [learningRate] }
    func setLearningRates(_ rates: [Double]) { learningRate = rates.first ?? learningRate }
    var momenta: [Double]? { nil }
    func setMomenta(_ values: [Double]) {}
    func addGroup(names: [String], learningRate: Double?, weightDecay: Double?) throws -> Int {
        throw OptimizerError("sign-descent has one parameter group")
    }
    var hyperparameters: [(key: String, value: Spec.Value)] { [("learningRate", .number(learningRate))] }

    func update(name: String, value: UnsafeMutableBufferPointer<Scalar>, gradient: UnsafeBufferPointer<Scalar>) throws {
        guard value.count == gradient.count else { throw OptimizerError("`\(name)`: \(gradient.count) gradients for \(value.count) values") }
        let rate = Scalar(learningRate)
        for i in 0..<value.count where gradient[i] != 0 { value[i] -= gradient[i] > 0 ? rate : -rate }
        steps[name, default: 0] += 1
    }
    func stateSnapshot() -> OptimizerState<Scalar> {
        OptimizerState(optimizer: name, parameters: steps.mapValues { .init(step: $0, buffers: [:]) }, learningRates: learningRates)
    }
    func restore(_ snapshot: OptimizerState<Scalar>) throws {
        steps = snapshot.parameters.mapValues(\.step)
        setLearningRates(snapshot.learningRates)
    }
}

/// The article "Adding an optimizer" (Sources/Descent/Descent.docc/AddingAnOptimizer.md): its code, verbatim.
@Suite struct AddingAnOptimizerArticleTests {
    /// Expected lines: the gradient of w⁴ − 3w³ + 2 is negative at −1.5, −1.4 and −1.3 (−33.75,
    /// −28.6, −23.998), so each of the three steps adds the rate 0.1 (in Double, as printed); one
    /// step recorded per update.
    @Test func theArticlesCodePrintsWhatItSays() throws {
        let lines = try printedLines {
            // The seed example from w = −1.5: the gradient −33.75 is large, but each step moves by 0.1.
            let w = Parameter(Tensor<Double>([-1.5]))
            let optimizer = SignDescent<Double>(learningRate: 0.1)
            for _ in 0..<3 {
                w.zeroGradient()
                try (w.value.pow(4) - 3 * w.value.pow(3) + 2).sum().backward()
                try optimizer.step([("w", w)])
            }
            print(w.value)                                   // [-1.1999999999999997]: −1.5 + 3 × 0.1 in Double
            print(optimizer.stateSnapshot().parameters["w"]!.step)   // 3
        }
        #expect(lines == ["[-1.1999999999999997]", "3"], "\(lines)")
        let w = try #require(Double(lines[0].trimmingCharacters(in: CharacterSet(charactersIn: "[]"))))
        #expect(w == -1.5 + 0.1 + 0.1 + 0.1)
    }
}
