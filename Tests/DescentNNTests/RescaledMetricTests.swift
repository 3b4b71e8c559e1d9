import DescentCore
import DescentNN
import Testing

@Suite struct RescaledMetricTests {
    /// Predictions and targets of a standardised target (σ = 10, μ = 100): the MSE in units is
    /// σ² times the MSE in standard deviations: (0.5² + 1² + 0²)/3 · 10² = 125/3, by hand.
    @Test func meanSquaredErrorInTheTargetsUnits() throws {
        var metric = RescaledMetric(MeanSquaredError(), scale: [10], shift: [100])
        let predictions = try Tensor<Double>(shape: [3, 1], scalars: [0.5, -1, 2])
        let targets = try Tensor<Double>(shape: [3, 1], scalars: [0, 0, 2])
        try metric.update(predictions: predictions, targets: targets)
        // In units: predictions 105, 90, 120 against 100, 100, 120: (25 + 100 + 0) / 3.
        #expect(metric.value == 125.0 / 3)
        #expect(metric.summary == ["mse": 125.0 / 3])
        metric.reset()
        #expect(metric.value == 0)
    }

    @Test func eachColumnHasItsOwnScaleAndOneAxisTargetsWork() throws {
        var metric = RescaledMetric(MeanSquaredError(), scale: [2, 3], shift: [1, -1])
        try metric.update(predictions: Tensor<Float>(shape: [1, 2], scalars: [1, 1]), targets: Tensor<Float>(shape: [1, 2], scalars: [0, 0]))
        #expect(metric.value == 6.5)  // differences 2 and 3 in units
        var single = RescaledMetric(MeanSquaredError(), scale: [2], shift: [0])
        try single.update(predictions: Tensor<Float>([1, 2]), targets: Tensor<Float>([0, 0]))
        #expect(single.value == 10)
    }

    @Test func aColumnCountThatDoesNotFitIsAnError() throws {
        var metric = RescaledMetric(MeanSquaredError(), scale: [1, 1], shift: [0, 0])
        #expect(throws: MetricError.self) {
            try metric.update(predictions: Tensor<Float>(shape: [2, 3], scalars: [0, 0, 0, 0, 0, 0]), targets: Tensor<Float>(shape: [2, 3], scalars: [0, 0, 0, 0, 0, 0]))
        }
    }
}
