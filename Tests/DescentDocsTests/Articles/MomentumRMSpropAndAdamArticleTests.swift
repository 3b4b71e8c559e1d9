import Descent
import Foundation
import Testing



/// The article "Momentum, RMSprop and Adam" (Sources/Descent/Descent.docc/MomentumRMSpropAndAdam.md): its code, verbatim.
@Suite struct MomentumRMSpropAndAdamArticleTests {
    /// Expected lines: the four runs measured (each optimizer matches torch.optim number for number: DescentOptimTests' fixtures).
    @Test func theArticlesCodePrintsWhatItSays() throws {
        let lines = try printedLines {
            for spec in ["sgd(lr: 0.001)", "sgd(lr: 0.001, momentum: 0.9)", "rmsprop(lr: 0.01)", "adam(lr: 0.1)"] {
                let run = try TestFunction.rosenbrock.trajectory(optimizer: makeOptimizer(spec: spec, as: Double.self),
                                                                 start: [-1.5, 2], steps: 500)
                print(spec, run.points.last!.loss < 0.1 ? "near the minimum" : "still in the valley")
            }
        }
        let expected: [String] = [
            "sgd(lr: 0.001) still in the valley",
            "sgd(lr: 0.001, momentum: 0.9) near the minimum",
            "rmsprop(lr: 0.01) still in the valley",
            "adam(lr: 0.1) near the minimum"
        ]
        #expect(lines == expected)
    }
}
