import Foundation
import Testing
@testable import DescentNN
import DescentCore

/// Losses against PyTorch (`scripts/fixtures/nn/generate.py`): values, and gradients with respect
/// to the input (of the loss itself for `mean`/`sum`, of `sum(loss · upstream)` for `none`).
@Suite struct PyTorchLossTests {
    static func makeLoss(_ options: LossOptions) throws -> any Loss {
        let reduction = try #require(Reduction(rawValue: options.reduction))
        switch options.loss {
        case "mse": return MeanSquaredErrorLoss(reduction: reduction)
        case "l1": return L1Loss(reduction: reduction)
        case "huber": return HuberLoss(delta: options.delta ?? 1, reduction: reduction)
        case "smooth-l1": return SmoothL1Loss(beta: options.beta ?? 1, reduction: reduction)
        case "bce-with-logits":
            return BinaryCrossEntropyWithLogitsLoss(weight: options.weight, positiveWeight: options.positiveWeight, reduction: reduction)
        case "cross-entropy":
            return CrossEntropyLoss(classWeights: options.classWeights, labelSmoothing: options.labelSmoothing ?? 0,
                                    ignoreIndex: options.ignoreIndex ?? -100, reduction: reduction)
        default: throw LossError("no Swift loss for \(options.loss)")
        }
    }

    func check<Scalar: TensorScalar>(_ file: String, _ type: Scalar.Type, tolerance: Double) throws {
        let fixtures = try Fixtures.load(file, as: PyTorchFixtures.self)
        #expect(fixtures.losses.count >= 25)
        for fixture in fixtures.losses {
            let loss = try Self.makeLoss(fixture.options)
            let x: Tensor<Scalar> = try fixture.input.tensor().requiringGradient()
            let value: Tensor<Scalar>
            if fixture.targetKind == "labels" {
                value = try (loss as! CrossEntropyLoss)(x, labels: fixture.target.values.map { Int($0) })
                // The same through the generic entry point with labels stored as a tensor.
                let viaTensor: Tensor<Scalar> = try loss(x.detached(), fixture.target.tensor())
                expectClose(viaTensor, fixture.value, tolerance: tolerance, "\(fixture.name) value (tensor labels)")
            } else {
                value = try loss(x, fixture.target.tensor())
            }
            expectClose(value, fixture.value, tolerance: tolerance, "\(fixture.name) value")
            if let upstream = fixture.upstream {
                try (value * upstream.tensor()).sum().backward()
            } else {
                try value.backward()
            }
            expectClose(x.gradient, fixture.inputGradient, tolerance: tolerance, "\(fixture.name) gradient")
        }
    }

    @Test func lossesMatchPyTorchInDouble() throws {
        try check("pytorch_float64.json", Double.self, tolerance: 1e-10)
    }

    @Test func lossesMatchPyTorchInFloat() throws {
        try check("pytorch_float32.json", Float.self, tolerance: 1e-5)
    }
}
