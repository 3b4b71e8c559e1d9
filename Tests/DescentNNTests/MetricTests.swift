import Testing
@testable import DescentNN
import DescentCore
import Foundation

/// Metrics; expected values computed by hand (and with scikit-learn's definitions).
@Suite struct MetricTests {
    // Scores for 6 rows, 3 classes; arg-max: [0, 1, 2, 2, 1, 0]; labels: [0, 1, 1, 2, 0, 0].
    let scores = try! Tensor<Double>(rows: [[3, 1, 0], [0, 2, 1], [0, 1, 2], [1, 0, 3], [0.5, 0.9, 0.1], [2, 1, 1.5]])
    let labels = Tensor<Double>([0, 1, 1, 2, 0, 0])

    @Test func accuracyAccumulatesAcrossBatches() throws {
        var accuracy = Accuracy()
        try accuracy.update(predictions: scores.slice(alongAxis: 0, 0..<4), targets: labels.slice(alongAxis: 0, 0..<4))
        try accuracy.update(predictions: scores.slice(alongAxis: 0, 4..<6), targets: labels.slice(alongAxis: 0, 4..<6))
        #expect(accuracy.value == 4.0 / 6)  // rows 0, 1, 3, 5 are right
        accuracy.reset()
        #expect(accuracy.value == 0 && accuracy.total == 0)
        // Binary scores against a threshold (logits: threshold 0).
        var binary = Accuracy(threshold: 0)
        try binary.update(predictions: Tensor<Double>([-1, 2, 0.5, -0.2]), targets: Tensor([0, 1, 0, 0]))
        #expect(binary.value == 0.75)
    }

    @Test func topKAccuracyCountsTargetsAmongTheHighestScores() throws {
        var top2 = TopKAccuracy(k: 2)
        try top2.update(predictions: scores, targets: labels)
        // Target ranks: 0, 0, 1, 0, 1 (0.5 < 0.9), 0 ⇒ all within the top 2.
        #expect(top2.value == 1)
        var top1 = TopKAccuracy(k: 1)
        try top1.update(predictions: scores, targets: labels)
        #expect(top1.value == 4.0 / 6)  // top-1 is accuracy
    }

    @Test func confusionMatrixAndMacroScores() throws {
        var matrix = ConfusionMatrix(classCount: 3)
        try matrix.update(predictions: scores, targets: labels)
        // rows = truth, columns = prediction
        #expect(matrix.value == [[2, 1, 0], [0, 1, 1], [0, 0, 1]])
        var scores3 = PrecisionRecallF1(classCount: 3)
        try scores3.update(predictions: scores, targets: labels)
        let v = scores3.value
        // precision per class: 2/2, 1/2, 1/2; recall: 2/3, 1/2, 1/1; F1: 0.8, 0.5, 2/3.
        #expect(v.classPrecision == [1, 0.5, 0.5])
        #expect(v.classRecall == [2.0 / 3, 0.5, 1])
        #expect(abs(v.precision - 2.0 / 3) < 1e-15)
        #expect(abs(v.recall - (2.0 / 3 + 0.5 + 1) / 3) < 1e-15)
        #expect(abs(v.f1 - (0.8 + 0.5 + 2.0 / 3) / 3) < 1e-15)
        let encoded = try JSONEncoder().encode(v)
        #expect(try JSONDecoder().decode(PrecisionRecallF1Value.self, from: encoded) == v)
        #expect(throws: MetricError.self) { try matrix.update(predictions: scores, targets: Tensor([0, 1, 1, 2, 0, 7])) }
    }

    @Test func regressionMetricsOverBatchesEqualOneShot() throws {
        let prediction = Tensor<Double>([2.5, 0.0, 2, 8])
        let truth = Tensor<Double>([3, -0.5, 2, 7])
        // scikit-learn docs example: MSE 0.375, MAE 0.5, R² = 0.9486081370449679.
        var mse = MeanSquaredError(), rmse = RootMeanSquaredError(), mae = MeanAbsoluteError(), r2 = RSquared()
        for range in [0..<1, 1..<3, 3..<4] {
            let p = prediction.slice(alongAxis: 0, range), t = truth.slice(alongAxis: 0, range)
            try mse.update(predictions: p, targets: t); try rmse.update(predictions: p, targets: t)
            try mae.update(predictions: p, targets: t); try r2.update(predictions: p, targets: t)
        }
        #expect(mse.value == 0.375)
        #expect(rmse.value == 0.375.squareRoot())
        #expect(mae.value == 0.5)
        #expect(abs(r2.value - 0.9486081370449679) < 1e-14)
        #expect(r2.summary == ["r2": r2.value])
    }

    @Test func rSquaredAveragesColumns() throws {
        // scikit-learn: r2_score([[0.5, 1], [-1, 1], [7, -6]], [[0, 2], [-1, 2], [8, -5]]) = 0.9368005266622779
        var r2 = RSquared()
        try r2.update(predictions: Tensor(rows: [[0, 2], [-1, 2], [8, -5]]), targets: Tensor(rows: [[0.5, 1], [-1, 1], [7, -6]]))
        #expect(abs(r2.value - 0.9368005266622779) < 1e-14)
    }
}
