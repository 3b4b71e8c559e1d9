import Descent
import Foundation
import Testing



/// The article "Gradient descent from scratch" (Sources/Descent/Descent.docc/GradientDescentFromScratch.md): its code, verbatim.
@Suite struct GradientDescentFromScratchArticleTests {
    /// Expected lines: the first two by hand above (the seed material's −33.75 and −1.46625); 2.25 solves 4w − 9 = 0; the stall at 0 was measured and is what −9w² predicts (steps of 0.09·w²).
    @Test func theArticlesCodePrintsWhatItSays() throws {
        let lines = try printedLines {
            var w = Tensor<Double>([-1.5]).requiringGradient()
            try (w.pow(4) - 3 * w.pow(3) + 2).sum().backward()
            print(w.gradient!)                                          // [-33.75]
            w = withoutGradients { w - 0.001 * w.gradient! }
            print(w)                                                    // [-1.46625]

            // The loop: a Parameter starts a fresh leaf on every assignment, so each step has its own gradient.
            for start in [-1.5, 1.0] {
                let parameter = Parameter(Tensor<Double>([start]))
                for _ in 0..<2000 {
                    try (parameter.value.pow(4) - 3 * parameter.value.pow(3) + 2).sum().backward()
                    parameter.value = withoutGradients { parameter.value - 0.01 * parameter.gradient! }
                }
                print(start, "→", (parameter.value.scalars[0] * 100).rounded() / 100)
            }
            // -1.5 → -0.01: it stalls at the flat point w = 0, where L′(w) = w²(4w − 9) vanishes
            // 1.0 → 2.25: the minimum
        }
        let expected: [String] = [
            "[-33.75]",
            "[-1.46625]",
            "-1.5 → -0.01",
            "1.0 → 2.25"
        ]
        #expect(lines == expected)
    }
}
