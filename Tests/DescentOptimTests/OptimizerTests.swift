import Foundation
import Testing
@testable import DescentOptim
import DescentCore

@Suite struct OptimizerDefaultsTests {
    /// The documented defaults (doc comments; PyTorch's constructors; lucidrains' Lion) by spec key.
    func expectDefaults(_ name: String, _ expected: [String: Spec.Value], made direct: any Optimizer<Double>) throws {
        let fromSpec = try makeOptimizer(spec: name, as: Double.self)
        for optimizer in [fromSpec, direct] {
            let used = Dictionary(uniqueKeysWithValues: optimizer.hyperparameters.map { ($0.key, $0.value) })
            #expect(used == expected, "\(name): \(used) vs documented \(expected)")
            #expect(optimizer.name == name)
        }
        // `adam(decoupledWeightDecay: true)` makes an AdamW (as PyTorch's Adam does), so an Adam's
        // hyperparameters never list the key.
        let specKeys = Set(OptimizerFactory.keys[name]!).subtracting(name == "adam" ? ["decoupledWeightDecay"] : [])
        #expect(Set(expected.keys) == specKeys, "\(name): spec keys and hyperparameters differ")
    }

    @Test func sgdDefaults() throws {
        try expectDefaults("sgd", ["learningRate": .number(1e-3), "momentum": .number(0), "dampening": .number(0), "weightDecay": .number(0),
                                   "nesterov": .boolean(false), "maximize": .boolean(false)], made: SGD<Double>())
    }
    @Test func adamDefaults() throws {
        try expectDefaults("adam", ["learningRate": .number(1e-3), "beta1": .number(0.9), "beta2": .number(0.999), "epsilon": .number(1e-8),
                                    "weightDecay": .number(0), "amsgrad": .boolean(false), "maximize": .boolean(false)], made: Adam<Double>())
    }
    @Test func adamWDefaults() throws {
        try expectDefaults("adamw", ["learningRate": .number(1e-3), "beta1": .number(0.9), "beta2": .number(0.999), "epsilon": .number(1e-8),
                                     "weightDecay": .number(1e-2), "amsgrad": .boolean(false), "maximize": .boolean(false)], made: AdamW<Double>())
    }
    @Test func rmspropDefaults() throws {
        try expectDefaults("rmsprop", ["learningRate": .number(1e-2), "alpha": .number(0.99), "epsilon": .number(1e-8), "weightDecay": .number(0),
                                       "momentum": .number(0), "centered": .boolean(false), "maximize": .boolean(false)], made: RMSprop<Double>())
    }
    @Test func adagradDefaults() throws {
        try expectDefaults("adagrad", ["learningRate": .number(1e-2), "lrDecay": .number(0), "weightDecay": .number(0),
                                       "initialAccumulatorValue": .number(0), "epsilon": .number(1e-10), "maximize": .boolean(false)],
                           made: Adagrad<Double>())
    }
    @Test func adadeltaDefaults() throws {
        try expectDefaults("adadelta", ["learningRate": .number(1.0), "rho": .number(0.9), "epsilon": .number(1e-6), "weightDecay": .number(0),
                                        "maximize": .boolean(false)], made: Adadelta<Double>())
    }
    @Test func adamaxDefaults() throws {
        try expectDefaults("adamax", ["learningRate": .number(2e-3), "beta1": .number(0.9), "beta2": .number(0.999), "epsilon": .number(1e-8),
                                      "weightDecay": .number(0), "maximize": .boolean(false)], made: Adamax<Double>())
    }
    @Test func nadamDefaults() throws {
        try expectDefaults("nadam", ["learningRate": .number(2e-3), "beta1": .number(0.9), "beta2": .number(0.999), "epsilon": .number(1e-8),
                                     "weightDecay": .number(0), "momentumDecay": .number(4e-3), "decoupledWeightDecay": .boolean(false),
                                     "maximize": .boolean(false)], made: NAdam<Double>())
    }
    @Test func radamDefaults() throws {
        try expectDefaults("radam", ["learningRate": .number(1e-3), "beta1": .number(0.9), "beta2": .number(0.999), "epsilon": .number(1e-8),
                                     "weightDecay": .number(0), "decoupledWeightDecay": .boolean(false), "maximize": .boolean(false)],
                           made: RAdam<Double>())
    }
    @Test func lionDefaults() throws {
        try expectDefaults("lion", ["learningRate": .number(1e-4), "beta1": .number(0.9), "beta2": .number(0.99), "weightDecay": .number(0),
                                    "maximize": .boolean(false)], made: Lion<Double>())
    }
}

@Suite struct OptimizerBehaviourTests {
    @Test func seedExampleOnePlainStepFromMinusOnePointFive() throws {
        // L(w) = w⁴ − 3w³ + 2, L'(−1.5) = −33.75; w ← −1.5 − 0.001·(−33.75) = −1.46625 (the seed's example).
        let trajectory = try TestFunction.quartic.trajectory(optimizer: SGD<Double>(learningRate: 0.001), start: [-1.5], steps: 1)
        #expect(trajectory.points[0].gradient == [-33.75])
        #expect(Swift.abs(trajectory.points[1].parameters[0] - -1.46625) < 1e-15)
    }

    @Test func classicGradientDescentExampleStopsAfterSeventyUpdates() throws {
        // training-semantics.md §1.13 (Wikipedia's example): start 6, step 0.01, stop when |Δx| ≤ 1e-5:
        // 70 updates, x = 2.2499646074278457 in float64 (2.2499645 in float32); first iterates 6 → 0.6 → 0.62376.
        func run<S: TensorScalar>(_ type: S.Type) throws -> (updates: Int, x: Double, first: [Double]) {
            let optimizer = try SGD<S>(learningRate: 0.01)
            var x: [S] = [6], updates = 0, first: [Double] = [6]
            while true {
                let previous = x[0]
                let g = TestFunction.quartic.gradient(x)
                try x.withUnsafeMutableBufferPointer { p in try g.withUnsafeBufferPointer { try optimizer.update(name: "x", value: p, gradient: $0) } }
                updates += 1
                if first.count < 3 { first.append(Double(x[0])) }
                if Swift.abs(x[0] - previous) <= 1e-5 { break }
            }
            return (updates, Double(x[0]), first)
        }
        let double = try run(Double.self)
        #expect(double.updates == 70)
        #expect(double.x == 2.2499646074278457)
        #expect(Swift.abs(double.first[1] - 0.6) < 1e-14 && Swift.abs(double.first[2] - 0.62376) < 1e-14)
        let float = try run(Float.self)
        #expect(Swift.abs(float.x - 2.2499645) < 1e-6)
    }

    @Test func stateSnapshotRestoresExactly() throws {
        for spec in ["adam(lr: 0.1, amsgrad: true)", "sgd(lr: 0.001, momentum: 0.9)", "nadam(lr: 0.05)", "adagrad(lr: 0.1)", "rmsprop(centered: true, momentum: 0.5)", "sgd"] {
            let straight = try makeOptimizer(spec: spec, as: Double.self)
            let full = try TestFunction.rosenbrock.trajectory(optimizer: straight, start: [-1.5, 2], steps: 10)
            let first = try makeOptimizer(spec: spec, as: Double.self)
            let half = try TestFunction.rosenbrock.trajectory(optimizer: first, start: [-1.5, 2], steps: 5)
            let json = try JSONEncoder().encode(first.stateSnapshot())
            let resumed = try makeOptimizer(spec: spec, as: Double.self)
            try resumed.restore(JSONDecoder().decode(OptimizerState<Double>.self, from: json))
            let rest = try TestFunction.rosenbrock.trajectory(optimizer: resumed, start: half.points[5].parameters, steps: 5)
            #expect(rest.points.last!.parameters == full.points.last!.parameters, "\(spec): resumed run differs")
            #expect(resumed.stateSnapshot() == straight.stateSnapshot())
        }
        #expect(throws: OptimizerError.self) { try Adam<Double>().restore(SGD<Double>().stateSnapshot()) }
    }

    /// The optimizer remembers the order parameters are updated in to find their state without
    /// hashing names. Whatever the order (repeated, changed, a name skipped, a restore or a new
    /// parameter in between), every update must land on its own parameter's state: the result is
    /// compared with one fresh optimizer per parameter, which cannot mix states up.
    @Test func stateIsFoundByNameWhateverTheOrder() throws {
        let names = ["0.weight", "0.bias", "layer.with.a.long.name.weight", "2.bias"]
        let shared = try Adam<Double>(learningRate: 0.1)
        let separate = try names.map { _ in try Adam<Double>(learningRate: 0.1) }
        var sharedValues = names.indices.map { [Double($0) + 1, -Double($0)] }
        var separateValues = sharedValues
        let orders = [[0, 1, 2, 3], [0, 1, 2, 3], [3, 2, 1, 0], [0, 2], [1, 1, 3], [0, 1, 2, 3], [2, 0, 3, 1]]
        for (round, order) in orders.enumerated() {
            if round == 4 {  // a restore in between replaces every state object
                let snapshot = shared.stateSnapshot()
                try shared.restore(snapshot)
            }
            for index in order {
                let gradient = [0.25 * Double(round + 1), -0.5 + Double(index)]
                try sharedValues[index].withUnsafeMutableBufferPointer { value in
                    try gradient.withUnsafeBufferPointer { try shared.update(name: names[index], value: value, gradient: $0) }
                }
                try separateValues[index].withUnsafeMutableBufferPointer { value in
                    try gradient.withUnsafeBufferPointer { try separate[index].update(name: names[index], value: value, gradient: $0) }
                }
            }
        }
        #expect(sharedValues == separateValues)
        let steps = shared.stateSnapshot().parameters.mapValues(\.step)
        for (index, name) in names.enumerated() {
            #expect(steps[name] == separate[index].stateSnapshot().parameters[name]?.step, "\(name)")
        }
        // A parameter of another size under a known name is still an error, not a silent reuse.
        var wrong = [1.0, 2.0, 3.0]
        #expect(throws: OptimizerError.self) {
            try wrong.withUnsafeMutableBufferPointer { value in
                try [0.1, 0.2, 0.3].withUnsafeBufferPointer { try shared.update(name: names[0], value: value, gradient: $0) }
            }
        }
    }

    @Test func parametersWithoutGradientAreSkipped() throws {
        let optimizer = try Adam<Double>(learningRate: 0.1)
        let used = Parameter(Tensor<Double>([1, 2]))
        let unused = Parameter(Tensor<Double>([3, 4]))
        let frozen = Parameter(Tensor<Double>([5]), isFrozen: true)
        used.gradient = Tensor([0.5, -0.5])
        try optimizer.step([("used", used), ("unused", unused), ("frozen", frozen)])
        #expect(unused.value.scalars == [3, 4] && frozen.value.scalars == [5])
        #expect(optimizer.stateSnapshot().parameters.keys.sorted() == ["used"])
        // Adam's first step moves each coordinate by about lr·sign(g).
        #expect(used.value.scalars.map { ($0 * 1e6).rounded() / 1e6 } == [0.9, 2.1])
        // A zero gradient is not skipped: the step count advances.
        used.gradient = Tensor([0, 0])
        try optimizer.step([("used", used)])
        #expect(optimizer.stateSnapshot().parameters["used"]?.step == 2)
    }

    @Test func sizeMismatchesAreErrorsNotCrashes() throws {
        let optimizer = try SGD<Double>(learningRate: 0.1, momentum: 0.9)
        var value: [Double] = [1, 2], gradient: [Double] = [1]
        #expect(throws: OptimizerError.self) {
            try value.withUnsafeMutableBufferPointer { p in try gradient.withUnsafeBufferPointer { try optimizer.update(name: "w", value: p, gradient: $0) } }
        }
        gradient = [1, 1]
        try value.withUnsafeMutableBufferPointer { p in try gradient.withUnsafeBufferPointer { try optimizer.update(name: "w", value: p, gradient: $0) } }
        var bigger: [Double] = [1, 2, 3], biggerGradient: [Double] = [1, 1, 1]
        #expect(throws: OptimizerError.self) {
            try bigger.withUnsafeMutableBufferPointer { p in try biggerGradient.withUnsafeBufferPointer { try optimizer.update(name: "w", value: p, gradient: $0) } }
        }
    }

    @Test func invalidHyperparametersAreRejectedAsPyTorchDoes() {
        #expect(throws: OptimizerError.self) { try SGD<Double>(nesterov: true) }               // needs momentum
        #expect(throws: OptimizerError.self) { try SGD<Double>(momentum: 0.9, dampening: 0.1, nesterov: true) }
        #expect(throws: OptimizerError.self) { try Adam<Double>(learningRate: -1) }
        #expect(throws: OptimizerError.self) { try Adam<Double>(beta1: 1) }
    }

    @Test func specErrorsListTheValidNamesAndKeys() {
        do { _ = try makeOptimizer(spec: "adamm", as: Double.self); Issue.record("no error") } catch {
            #expect("\(error)" == "unknown optimizer `adamm` (did you mean `adam`?); valid optimizers: sgd, adam, adamw, rmsprop, adagrad, adadelta, adamax, nadam, radam, lion")
        }
        do { _ = try makeOptimizer(spec: "adam(lr: 0.1, momentum: 0.9)", as: Double.self); Issue.record("no error") } catch {
            #expect("\(error)".contains("unknown key `momentum`"))
            #expect("\(error)".contains("valid keys: learningRate, beta1, beta2, epsilon, weightDecay, amsgrad, maximize, decoupledWeightDecay, lr"))
        }
        #expect(throws: SpecError.self) { try makeOptimizer(spec: "adam(lr: 0.1, learningRate: 0.2)", as: Double.self) }
        #expect((try? makeOptimizer(spec: "sgd(lr: 0.5)", as: Float.self))?.learningRate == 0.5)
    }

    @Test func parameterGroupsOverrideRateAndWeightDecay() throws {
        let optimizer = try SGD<Double>(learningRate: 0.1, weightDecay: 0.5)
        try optimizer.addGroup(names: ["bias"], learningRate: 1, weightDecay: 0)
        #expect(optimizer.initialLearningRates == [0.1, 1])
        #expect(throws: OptimizerError.self) { try optimizer.addGroup(names: ["bias"], learningRate: 2, weightDecay: nil) }
        let weight = Parameter(Tensor<Double>([2])), bias = Parameter(Tensor<Double>([2]))
        weight.gradient = Tensor([1]); bias.gradient = Tensor([1])
        try optimizer.step([("weight", weight), ("bias", bias)])
        #expect(weight.value.scalars == [2 - 0.1 * (1 + 0.5 * 2)])  // 1.8
        #expect(bias.value.scalars == [1])                          // 2 − 1·1
    }

    @Test func oneCycleCyclesSGDMomentumAndAdamBeta1() throws {
        let schedule = try makeSchedule(spec: "one-cycle(maxLearningRate: 1, totalSteps: 10)")
        let sgd = try SGD<Double>(learningRate: 0.1)
        try LearningRateScheduler(schedule, initialLearningRates: sgd.initialLearningRates).apply(to: sgd)
        #expect(isClose(sgd.learningRate, 0.04, relative: 1e-14) && sgd.options.momentum == 0.95)  // turns momentum on, as PyTorch does
        let adam = try Adam<Double>()
        try LearningRateScheduler(schedule, initialLearningRates: adam.initialLearningRates).apply(to: adam)
        #expect(adam.options.beta1 == 0.95)
        let adagrad = try Adagrad<Double>()
        #expect(throws: OptimizerError.self) { try LearningRateScheduler(schedule, initialLearningRates: [0.01]).apply(to: adagrad) }
    }
}

@Suite struct GradientClippingTests {
    @Test func globalNormIsTheNormOfNormsAndScalesAllGradients() {
        // Norms 5 ([3, 4]) and 12 ([12]) → 13; max 1 → coefficient 1/(13 + 1e-6) (torch.nn.utils.clip_grad_norm_).
        let a = Parameter(Tensor<Double>([0, 0])), b = Parameter(Tensor<Double>([0])), c = Parameter(Tensor<Double>([0]))
        a.gradient = Tensor([3, 4]); b.gradient = Tensor([12])
        let norm = GradientClipping.clipByGlobalNorm([a, b, c], maxNorm: 1)
        #expect(norm == 13)
        let coefficient = 1 / (13 + 1e-6)
        #expect(a.gradient!.scalars == [3 * coefficient, 4 * coefficient] && b.gradient!.scalars == [12 * coefficient])
        #expect(c.gradient == nil)
        // Below the limit nothing changes (the coefficient is clamped to 1).
        _ = GradientClipping.clipByGlobalNorm([a, b], maxNorm: 10)
        #expect(a.gradient!.scalars == [3 * coefficient, 4 * coefficient])
    }

    @Test func valueClippingClampsEachElement() {
        let a = Parameter(Tensor<Float>([0, 0, 0]))
        a.gradient = Tensor([-3, 0.5, 2])
        GradientClipping.clipByValue([a], limit: 1)
        #expect(a.gradient!.scalars == [-1, 0.5, 1])
    }
}
