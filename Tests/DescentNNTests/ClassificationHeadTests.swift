import DescentCore
import DescentNN
import Testing

/// The outputs and metrics a classification loss implies (shared by the CLI and the playground).
@Suite struct ClassificationHeadTests {
    @Test func eachLossKindGetsItsHead() throws {
        let crossEntropy = try #require(try ClassificationHead.outputsAndMetrics(for: CrossEntropyLoss(), named: "cross-entropy", classCount: 3))
        #expect(crossEntropy.outputs == 3 && crossEntropy.metrics.count == 1)
        let binary = try #require(try ClassificationHead.outputsAndMetrics(for: BinaryCrossEntropyWithLogitsLoss(), named: "bce-with-logits", classCount: 2))
        #expect(binary.outputs == 1)
        #expect(try ClassificationHead.outputsAndMetrics(for: MeanSquaredErrorLoss(), named: "mse", classCount: 3) == nil)
        #expect(throws: SpecError.self) { try ClassificationHead.outputsAndMetrics(for: BinaryCrossEntropyWithLogitsLoss(), named: "bce-with-logits", classCount: 3) }
    }
}
