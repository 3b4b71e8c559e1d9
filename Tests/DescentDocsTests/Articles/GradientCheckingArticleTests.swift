import Descent
import Foundation
import Testing



/// The article "Numerical versus analytic gradients" (Sources/Descent/Descent.docc/GradientChecking.md): its code, verbatim.
@Suite struct GradientCheckingArticleTests {
    /// Expected lines: L′(−1.5) = −33.75 by hand; central differences agree to O(h²).
    @Test func theArticlesCodePrintsWhatItSays() throws {
        let lines = try printedLines {
            let w = Tensor<Double>([-1.5])
            let results = try GradientChecker.check([("w", w)]) { parameters in
                (parameters[0].pow(4) - 3 * parameters[0].pow(3) + 2).sum()
            }
            print(results[0].analytic, results[0].maxRelativeError < 1e-8)   // [-33.75] true
        }
        let expected: [String] = [
            "[-33.75] true"
        ]
        #expect(lines == expected)
    }
}
