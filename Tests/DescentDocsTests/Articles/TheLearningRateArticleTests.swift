import Descent
import Foundation
import Testing



/// The article "The learning rate" (Sources/Descent/Descent.docc/TheLearningRate.md): its code, verbatim.
@Suite struct TheLearningRateArticleTests {
    /// Expected lines: the three runs measured (L′(3) = 27, so η = 0.2 jumps to −2.4, where the slope is −107, and on to 19); 0.1·0.5^(t/10), 0.1·0.9ᵗ and 0.1/(1 + 0.5t) by hand.
    @Test func theArticlesCodePrintsWhatItSays() throws {
        let lines = try printedLines {
            for rate in [0.001, 0.01, 0.2] {
                let run = try TestFunction.quartic.trajectory(optimizer: SGD<Double>(learningRate: rate), start: [3], steps: 100)
                let end = run.points.last!
                print(rate, run.divergence == nil ? "w = \((end.parameters[0] * 100).rounded() / 100)" : "diverged")
            }
            let halving = StepSchedule(stepSize: 10, gamma: 0.5)
            let exponential = ExponentialSchedule(gamma: 0.9)
            let inverseTime = InverseTimeSchedule(decayRate: 0.5)
            for step in [0, 10, 20] {
                print(step, halving.learningRate(at: step, initialLearningRate: 0.1),
                      (exponential.learningRate(at: step, initialLearningRate: 0.1) * 10000).rounded() / 10000,
                      (inverseTime.learningRate(at: step, initialLearningRate: 0.1) * 10000).rounded() / 10000)
            }
        }
        let expected: [String] = [
            "0.001 w = 2.31",
            "0.01 w = 2.25",
            "0.2 diverged",
            "0 0.1 0.1 0.1",
            "10 0.05 0.0349 0.0167",
            "20 0.025 0.0122 0.0091"
        ]
        #expect(lines == expected)
    }
}
