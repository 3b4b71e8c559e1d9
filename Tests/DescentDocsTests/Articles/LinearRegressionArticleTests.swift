import Descent
import Foundation
import Testing



/// The article "Linear regression and why squared loss" (Sources/Descent/Descent.docc/LinearRegression.md): its code, verbatim.
@Suite struct LinearRegressionArticleTests {
    /// Expected lines: the data lie exactly on y = 2x + 1, the unique least-squares line.
    @Test func theArticlesCodePrintsWhatItSays() throws {
        let lines = try printedLines {
            // y = 2x + 1 exactly, at x = 0, 1, 2, 3 (noise-free, so the answer is known).
            let x = try Tensor<Double>(shape: [4, 1], scalars: [0, 1, 2, 3])
            let y = try Tensor<Double>(shape: [4, 1], scalars: [1, 3, 5, 7])
            var generator = RandomGenerator(seed: 0)
            let line = Linear<Double>(1, 1, generator: &generator)
            let optimizer = try SGD<Double>(learningRate: 0.1)
            let mse = MeanSquaredErrorLoss()
            for _ in 0..<500 {
                line.zeroGradients()
                try mse(line(x, mode: .training), y).backward()
                try optimizer.step(line.trainableParameters())
            }
            print((line.weight.value.scalars[0] * 1000).rounded() / 1000, (line.bias!.value.scalars[0] * 1000).rounded() / 1000)  // 2.0 1.0
        }
        let expected: [String] = [
            "2.0 1.0"
        ]
        #expect(lines == expected)
    }
}
