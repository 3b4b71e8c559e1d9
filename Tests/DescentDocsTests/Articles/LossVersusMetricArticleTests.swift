import Descent
import Foundation
import Testing



/// The article "Loss versus metric" (Sources/Descent/Descent.docc/LossVersusMetric.md): its code, verbatim.
@Suite struct LossVersusMetricArticleTests {
    /// Expected lines: softmax − one-hot is nonzero for every logit; both rows' largest score is the label.
    @Test func theArticlesCodePrintsWhatItSays() throws {
        let lines = try printedLines {
            let logits = try Tensor<Double>(shape: [2, 2], scalars: [2, 1, 0.5, 1.5]).requiringGradient()
            let labels = Tensor<Double>([0, 1])
            try CrossEntropyLoss()(logits, labels).backward()
            print(logits.gradient!.scalars.allSatisfy { $0 != 0 })   // true: every score gets a direction
            var accuracy = Accuracy()
            try accuracy.update(predictions: logits.detached(), targets: labels)
            print(accuracy.value)                                    // 1.0: both right, and a small change keeps it 1.0
        }
        let expected: [String] = [
            "true",
            "1.0"
        ]
        #expect(lines == expected)
    }
}
