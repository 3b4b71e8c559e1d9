import Descent
import Foundation
import Testing

/// y = x·s + t with one learned scale and shift per feature (a diagonal linear layer).
final class Scale: Layer {
    let scale: Parameter<Double>
    let shift: Parameter<Double>
    init(features: Int) {
        scale = Parameter(Tensor(repeating: 1, shape: [features]))
        shift = Parameter(Tensor(zeros: [features]))
    }
    func forward(_ input: Tensor<Double>, context: ForwardContext) throws -> Tensor<Double> {
        input * scale.value + shift.value
    }
}

/// The article "Adding a layer" (Sources/Descent/Descent.docc/AddingALayer.md): its code, verbatim.
@Suite struct AddingALayerArticleTests {
    /// Expected lines: ∂Σ(x·s + t)/∂s is the column sums of x (1 + 3, 2 + 4), ∂/∂t the row count (2).
    @Test func theArticlesCodePrintsWhatItSays() throws {
        let lines = try printedLines {
            let layer = Scale(features: 2)
            print(layer.namedParameters().map(\.name))                 // ["scale", "shift"]
            let x = try Tensor<Double>(shape: [2, 2], scalars: [1, 2, 3, 4])
            try layer(x, mode: .training).sum().backward()
            print(layer.scale.gradient!, layer.shift.gradient!)         // [4.0, 6.0] [2.0, 2.0]
            let check = try layer.checkGradients(input: x, targets: Tensor(zeros: [2, 2]), loss: MeanSquaredErrorLoss())
            print(check.parameters.allSatisfy { $0.maxRelativeError < 1e-7 })   // true: autodiff agrees with central differences
        }
        let expected: [String] = [
            "[\"scale\", \"shift\"]",
            "[4.0, 6.0] [2.0, 2.0]",
            "true"
        ]
        #expect(lines == expected)
    }
}
