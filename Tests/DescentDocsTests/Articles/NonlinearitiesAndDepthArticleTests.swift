import Descent
import Foundation
import Testing



/// The article "Nonlinearities and depth" (Sources/Descent/Descent.docc/NonlinearitiesAndDepth.md): its code, verbatim.
@Suite struct NonlinearitiesAndDepthArticleTests {
    /// Expected lines: the algebra above, evaluated in Double.
    @Test func theArticlesCodePrintsWhatItSays() throws {
        let lines = try printedLines {
            var generator = RandomGenerator(seed: 0)
            let first = Linear<Double>(2, 3, generator: &generator), second = Linear<Double>(3, 1, generator: &generator)
            let x = try Tensor<Double>(shape: [1, 2], scalars: [0.5, -1])
            let stacked = try second(first(x, mode: .evaluation), mode: .evaluation)
            let merged = try Linear<Double>(weight: second.weight.value.matmul(first.weight.value),
                                            bias: second.weight.value.matmul(first.bias!.value.reshaped(to: [3, 1])).reshaped(to: [1]) + second.bias!.value)
            let one = try merged(x, mode: .evaluation)
            print(abs(stacked.scalars[0] - one.scalars[0]) < 1e-12)   // true: two linear layers are one
        }
        let expected: [String] = [
            "true"
        ]
        #expect(lines == expected)
    }
}
