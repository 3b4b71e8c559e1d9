import Descent
import Foundation
import Testing



/// The article "Initialisation and local minima" (Sources/Descent/Descent.docc/InitialisationAndLocalMinima.md): its code, verbatim.
@Suite struct InitialisationAndLocalMinimaArticleTests {
    /// Expected lines: identical units get identical gradients (symmetry); Himmelblau's minima (3, 2) and (−3.78, −3.28) are textbook values.
    @Test func theArticlesCodePrintsWhatItSays() throws {
        let lines = try printedLines {
            var generator = RandomGenerator(seed: 0)
            let layer = Linear<Double>(2, 3, weightInitializer: .zeros, biasInitializer: .zeros, generator: &generator)
            let head = Linear<Double>(3, 1, weightInitializer: .constant(0.5), generator: &generator)
            let x = try Tensor<Double>(shape: [1, 2], scalars: [1, -2])
            try head(layer(x, mode: .training).tanh(), mode: .training).sum().backward()
            let rows = layer.weight.gradient!.scalars
            print(rows[0..<2] == rows[2..<4] && rows[2..<4] == rows[4..<6])   // true: three identical units

            // Himmelblau's function has four minima; two starts find two of them.
            for start in [[0.0, 0.0], [-1.0, -1.0]] {
                let run = try TestFunction.himmelblau.trajectory(optimizer: SGD<Double>(learningRate: 0.01), start: start, steps: 1000)
                print(run.points.last!.parameters.map { ($0 * 100).rounded() / 100 })
            }
        }
        let expected: [String] = [
            "true",
            "[3.0, 2.0]",
            "[-3.78, -3.28]"
        ]
        #expect(lines == expected)
    }
}
