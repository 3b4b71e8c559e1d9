import Testing
@testable import DescentNN
import DescentCore

/// Every loss's fused backward against central differences with the public `GradientChecker`,
/// in Double (h = 1e-6). Smooth losses must give < 1e-7. Inputs keep |x − y| away from the kinks
/// of L1/Huber/SmoothL1 (at 0, ±δ, ±β) by more than h, so they are smooth there too.
@Suite struct LossGradientCheckTests {
    static let predictions = try! Tensor<Double>(rows: [[0.3, -1.2, 2.5], [1.7, 0.05, -0.4], [-2.2, 0.9, 0.6], [0.1, -0.7, 1.3]])
    static let values = try! Tensor<Double>(rows: [[0.1, 0.4, 1.9], [-0.3, 0.75, -0.95], [-1.0, 0.2, 1.8], [0.45, -1.5, 0.35]])
    static let bits = try! Tensor<Double>(rows: [[1, 0, 1], [0, 0.3, 1], [1, 1, 0], [0, 1, 0]])
    static let probabilities = try! Tensor<Double>(rows: [[0.2, 0.5, 0.3], [0.1, 0.1, 0.8], [0.6, 0.25, 0.15], [0.3, 0.3, 0.4]])

    static let cases: [(String, any Loss, Tensor<Double>)] = [
        ("mse", MeanSquaredErrorLoss(), values),
        ("mse sum", MeanSquaredErrorLoss(reduction: .sum), values),
        ("l1", L1Loss(), values),
        ("huber 0.5", HuberLoss(delta: 0.5), values),
        ("huber 1", HuberLoss(), values),
        ("smooth-l1 0.5", SmoothL1Loss(beta: 0.5), values),
        ("smooth-l1 0", SmoothL1Loss(beta: 0), values),
        ("bce-with-logits", BinaryCrossEntropyWithLogitsLoss(), bits),
        ("bce-with-logits weights", BinaryCrossEntropyWithLogitsLoss(weight: [0.5, 2, 1], positiveWeight: [3, 0.5, 1.5]), bits),
        ("cross-entropy labels", CrossEntropyLoss(), Tensor([2, 0, 1, 1])),
        ("cross-entropy smoothing weights", CrossEntropyLoss(classWeights: [1, 2, 0.5], labelSmoothing: 0.2), Tensor([2, 0, 1, 1])),
        ("cross-entropy ignore", CrossEntropyLoss(classWeights: [1, 2, 0.5], ignoreIndex: 1), Tensor([2, 0, 1, 1])),
        ("cross-entropy probabilities", CrossEntropyLoss(classWeights: [1, 2, 0.5], labelSmoothing: 0.1), probabilities),
    ]

    @Test(arguments: 0..<cases.count)
    func lossGradientMatchesCentralDifferences(_ index: Int) throws {
        let (name, loss, targets) = Self.cases[index]
        let results = try GradientChecker.check([(name: "x", value: Self.predictions)]) { p in try loss(p[0], targets) }
        #expect(results[0].maxRelativeError < 1e-7, "\(name): \(results[0].maxRelativeError)")
    }

    @Test func noneReductionGradientMatchesCentralDifferences() throws {
        // Weighted sum of per-element losses, so every element's derivative is exercised separately.
        let weights = try Tensor<Double>(rows: [[1, 2, 3], [0.5, -1, 2], [1, 1, -0.5], [2, 0.3, 1]])
        for loss in [MeanSquaredErrorLoss(reduction: .none), HuberLoss(delta: 0.5, reduction: .none)] as [any Loss] {
            let results = try GradientChecker.check([(name: "x", value: Self.predictions)]) { p in (try loss(p[0], Self.values) * weights).sum() }
            #expect(results[0].maxRelativeError < 1e-7)
        }
        let perRow = Tensor<Double>([1, -2, 0.5, 3])
        let results = try GradientChecker.check([(name: "x", value: Self.predictions)]) { p in
            (try CrossEntropyLoss(labelSmoothing: 0.1, reduction: .none)(p[0], labels: [2, 0, 1, 1]) * perRow).sum()
        }
        #expect(results[0].maxRelativeError < 1e-7)
    }

    @Test func regressionLossesPassGradientToTargetsToo() throws {
        // PyTorch also differentiates MSE/L1/Huber/BCE with respect to the target.
        for loss in [MeanSquaredErrorLoss(), HuberLoss(delta: 0.5), BinaryCrossEntropyWithLogitsLoss(positiveWeight: [2])] as [any Loss] {
            let results = try GradientChecker.check([(name: "x", value: Self.predictions), (name: "y", value: Self.probabilities)]) { p in
                try loss(p[0], p[1])
            }
            #expect(results.allSatisfy { $0.maxRelativeError < 1e-7 }, "\(loss): \(results.map(\.maxRelativeError))")
        }
    }

    @Test func crossEntropyValueMatchesHandComputation() throws {
        // logits [0, ln 2, ln 3]: p = [1, 2, 3]/6; label 2 → −log(1/2) = ln 2.
        let logits = try Tensor<Double>(rows: [[0, Double.log(2), Double.log(3)]])
        #expect(abs(try CrossEntropyLoss()(logits, labels: [2]).scalar - Double.log(2)) < 1e-15)
        // Smoothing ε = 0.3 over C = 3: q = [0.1, 0.1, 0.8]; loss = −Σ q log p.
        let expected = -(0.1 * Double.log(1.0 / 6) + 0.1 * Double.log(2.0 / 6) + 0.8 * Double.log(3.0 / 6))
        #expect(abs(try CrossEntropyLoss(labelSmoothing: 0.3)(logits, labels: [2]).scalar - expected) < 1e-15)
    }

    @Test func lossesRejectMismatchedShapesAndBadLabels() {
        #expect(throws: LossError.self) { try MeanSquaredErrorLoss()(Tensor<Double>(zeros: [4, 2]), Tensor<Double>(zeros: [4])) }
        #expect(throws: LossError.self) { try CrossEntropyLoss()(Tensor<Double>(zeros: [2, 3]), labels: [0, 3]) }
        #expect(throws: LossError.self) { try CrossEntropyLoss()(Tensor<Double>(zeros: [2, 3]), Tensor<Double>([0, 1.5])) }
        #expect(throws: LossError.self) { try BinaryCrossEntropyWithLogitsLoss(positiveWeight: [1, 2])(Tensor<Double>(zeros: [2, 3]), Tensor<Double>(zeros: [2, 3])) }
        // [n, 1] predictions against [n] targets are accepted (one-output regression).
        #expect(throws: Never.self) { try MeanSquaredErrorLoss()(Tensor<Double>(zeros: [4, 1]), Tensor<Double>(zeros: [4])) }
    }

    @Test func lossSpecsParseAndListValidNames() throws {
        #expect("\(try LossSpec.makeLoss("huber(delta: 0.5, reduction: sum)"))" == "huber(delta: 0.5, reduction: sum)")
        let ce = try #require(try LossSpec.makeLoss("cross-entropy(labelSmoothing: 0.1, weights: [1, 2])") as? CrossEntropyLoss)
        #expect(ce.labelSmoothing == 0.1 && ce.classWeights == [1, 2])
        #expect(try LossSpec.makeLoss("mae") is L1Loss)
        #expect { try LossSpec.makeLoss("hinge") } throws: { "\($0)".contains("valid losses: mse, l1, huber, smooth-l1, bce-with-logits, cross-entropy") }
        #expect { try LossSpec.makeLoss("huber(beta: 1)") } throws: { "\($0)".contains("valid keys: delta, reduction") }
    }
}
