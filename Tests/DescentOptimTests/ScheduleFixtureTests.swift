import Foundation
import Testing
@testable import DescentOptim
import DescentCore

/// Every schedule against PyTorch's per-step learning rates (and one-cycle's momentum/β₁), from
/// scripts/fixtures/optimizers/generate.py: η_t is the rate optimizer step t used in PyTorch.
@Suite struct ScheduleFixtureTests {
    let cases: [ScheduleFixtures.Case]
    init() throws { cases = try loadFixture("schedules", as: ScheduleFixtures.self).cases }

    @Test func fixturesCoverEverySchedule() {
        let names = Set(cases.map { $0.spec.split(separator: "(")[0].split(separator: " ")[0] }.map(String.init))
        for name in ScheduleFactory.names { #expect(names.contains(name), "no fixture for \(name)") }
        #expect(cases.contains { $0.spec.contains(" then") })
    }

    @Test func schedulerMatchesPyTorchStepByStep() throws {
        for fixture in cases {
            let (spec, initial, expected, expectedMomentum, metrics) = (fixture.spec, fixture.initialLearningRate, fixture.learningRate,
                                                                       fixture.momentum, fixture.metrics)
            var scheduler = LearningRateScheduler(try makeSchedule(spec: spec), initialLearningRate: initial)
            for t in 0..<fixture.steps {
                #expect(isClose(scheduler.learningRate, expected[t], relative: 1e-12, absolute: 1e-17),
                        "\(spec), step \(t): \(scheduler.learningRate) vs PyTorch \(expected[t])")
                if let expectedMomentum {
                    let momentum = try #require(scheduler.momentum, "\(spec) sets no momentum")
                    #expect(isClose(momentum, expectedMomentum[t], relative: 1e-12), "\(spec), step \(t): momentum \(momentum) vs \(expectedMomentum[t])")
                } else {
                    #expect(scheduler.momentum == nil, "\(spec) should not set momentum")
                }
                try scheduler.advance(metric: metrics?[t])
            }
        }
    }

    @Test func closedFormsAgreeWithPyTorchWithinRounding() throws {
        for fixture in cases where fixture.metrics == nil {
            let spec = fixture.spec
            guard case .function(let schedule) = try makeSchedule(spec: spec) else { Issue.record("\(spec) is not a function of the step"); continue }
            let initial = fixture.initialLearningRate
            for (t, want) in fixture.learningRate.enumerated() {
                let got = schedule.learningRate(at: t, initialLearningRate: initial)
                #expect(isClose(got, want, relative: 1e-10, absolute: 1e-15), "\(spec) closed form at \(t): \(got) vs PyTorch \(want)")
            }
        }
    }

    @Test func cosineSampleValuesFromTheReference() {
        // training-semantics.md §2.1: CosineAnnealingLR(η₀ = 1, T_max = 4), t = 0…8.
        let expected = [1, 0.853553, 0.5, 0.146447, 0, 0.146447, 0.5, 0.853553, 1]
        var scheduler = LearningRateScheduler(.function(CosineSchedule(tMax: 4)), initialLearningRate: 1)
        for value in expected {
            #expect(Swift.abs(scheduler.learningRate - value) < 1e-6)
            try? scheduler.advance()
        }
    }

    @Test func oneCycleWorkedExampleFromTheReference() {
        // training-semantics.md §2.3, T = 10, peak 1.0: 0.04, 0.52, 1, 0.950485, …, 4e-06.
        let expected = [0.04, 0.52, 1, 0.950485, 0.811746, 0.611262, 0.388742, 0.188258, 0.0495194, 4e-06]
        let schedule = OneCycleSchedule(maxLearningRate: 1, totalSteps: 10)
        for (t, value) in expected.enumerated() {
            #expect(isClose(schedule.learningRate(at: t, initialLearningRate: 0.1), value, relative: 1e-5))
        }
    }

    @Test func plateauDropsOnThePatiencePlusFirstBadMetricAndSavesItsState() throws {
        var scheduler = LearningRateScheduler(try makeSchedule(spec: "plateau(patience: 2, factor: 0.5)"), initialLearningRate: 1)
        for metric in [1.0, 1.0, 1.0] { try scheduler.advance(metric: metric) }
        #expect(scheduler.learningRate == 1)  // two bad metrics: still within patience
        let saved = scheduler.state
        try scheduler.advance(metric: 1.0)
        #expect(scheduler.learningRate == 0.5)  // the third bad one drops the rate
        let encoded = try JSONEncoder().encode(saved)
        var restored = LearningRateScheduler(try makeSchedule(spec: "plateau(patience: 2, factor: 0.5)"), initialLearningRate: 1)
        try restored.restore(JSONDecoder().decode(LearningRateScheduler.State.self, from: encoded))
        try restored.advance(metric: 1.0)
        #expect(restored.learningRate == 0.5)
        #expect(throws: OptimizerError.self) { try restored.advance() }
    }

    @Test func linearScalingRuleWithGradualWarmUp() {
        // Goyal et al. 2017: 0.1 at batch 256 → 3.2 at batch 8192; warm up from 0.1 to 3.2 linearly.
        let rule = LinearScalingRule(referenceBatchSize: 256, referenceLearningRate: 0.1)
        #expect(isClose(rule.learningRate(forBatchSize: 8192), 3.2, relative: 1e-15))
        let schedule = rule.warmUpSchedule(batchSize: 8192, warmUpSteps: 5, then: MultiStepSchedule(milestones: [10], gamma: 0.1))
        let rates = (0..<17).map { schedule.learningRate(at: $0, initialLearningRate: 3.2) }
        let expected = [0.1, 0.72, 1.34, 1.96, 2.58] + Array(repeating: 3.2, count: 10) + [0.32, 0.32]
        for (got, want) in zip(rates, expected) { #expect(isClose(got, want, relative: 1e-12)) }
    }

    @Test func scheduleSpecErrorsNameTheProblem() {
        #expect(throws: SpecError.self) { try makeSchedule(spec: "cosinus(tMax: 3)") }
        do { _ = try makeSchedule(spec: "cosinus") } catch { #expect("\(error)".contains("valid schedules: constant, step")) }
        do { _ = try makeSchedule(spec: "cosine(tMax: 3, gama: 2)") } catch { #expect("\(error)".contains("valid keys: tMax, etaMin")) }
        do { _ = try makeSchedule(spec: "step(gamma: 0.5)") } catch { #expect("\(error)".contains("`stepSize` is required")) }
        do { _ = try makeSchedule(spec: "exponential(gamma: 0.9) then cosine(tMax: 3)") } catch { #expect("\(error)".contains("then(at:")) }
        #expect(throws: SpecError.self) { try makeSchedule(spec: "linear(startFactor: 0)") }
    }

    /// Issue 20: `cosine(tmax: 100)` blamed a missing `tMax`; the misspelt key is the cause.
    /// Expected messages: the unknown key, the closest valid key, then the list.
    @Test func misspeltKeysAndNamesGetTheClosestValidOne() {
        #expect(throws: SpecError("schedule cosine: unknown key `tmax` in `cosine(tmax: 100)` (did you mean `tMax`?); valid keys: tMax, etaMin")) {
            try makeSchedule(spec: "cosine(tmax: 100)")
        }
        #expect(throws: SpecError("schedule step: `stepSize` is required, for example `step(stepSize: …)`")) { try makeSchedule(spec: "step") }
        do { _ = try makeSchedule(spec: "cosin(tMax: 3)") } catch { #expect("\(error)".hasPrefix("unknown schedule `cosin` (did you mean `cosine`?)")) }
        do { _ = try makeOptimizer(spec: "adma", as: Double.self) } catch { #expect("\(error)".hasPrefix("unknown optimizer `adma` (did you mean `adam`?)")) }
        do { _ = try makeOptimizer(spec: "sgd(momentun: 0.9)", as: Double.self) } catch {
            #expect("\(error)".contains("unknown key `momentun` in `sgd(momentun: 0.9)` (did you mean `momentum`?)"))
        }
        // Nothing close: no suggestion, only the list.
        do { _ = try makeOptimizer(spec: "sgd(colour: 1)", as: Double.self) } catch { #expect(!"\(error)".contains("did you mean")) }
    }

    /// Issue 20: `torch.optim.Adam` takes `decoupled_weight_decay` (PyTorch 2.6+), and with
    /// `True` it is AdamW. Expected: the same parameters after 5 steps as `adamw` with the same
    /// decay (PyTorch's definition), and plain Adam's without the key.
    @Test func adamAcceptsDecoupledWeightDecay() throws {
        func run(_ spec: String) throws -> [Double] {
            var x = [1.0, -2.0]
            let optimizer = try makeOptimizer(spec: spec, as: Double.self)
            for _ in 0..<5 {
                let gradient = x.map { 2 * $0 }
                try x.withUnsafeMutableBufferPointer { p in
                    try gradient.withUnsafeBufferPointer { g in try optimizer.update(name: "x", value: p, gradient: g) }
                }
            }
            return x
        }
        #expect(try run("adam(lr: 0.1, weightDecay: 0.1, decoupledWeightDecay: true)") == run("adamw(lr: 0.1, weightDecay: 0.1)"))
        #expect(try run("adam(lr: 0.1, weightDecay: 0.1, decoupledWeightDecay: false)") == run("adam(lr: 0.1, weightDecay: 0.1)"))
        #expect(try run("adam(lr: 0.1, weightDecay: 0.1, decoupledWeightDecay: true)") != run("adam(lr: 0.1, weightDecay: 0.1)"))
        #expect(throws: SpecError.self) { try makeOptimizer(spec: "adamw(decoupledWeightDecay: true)", as: Double.self) }
    }
}
