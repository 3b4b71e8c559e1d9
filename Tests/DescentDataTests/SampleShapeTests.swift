import DescentCore
import DescentData
import Testing

/// `SampleShape` (the `--input-shape` text) and reshaping a dataset's samples (issue 17).
@Suite struct SampleShapeTests {
    @Test func parsesSizesJoinedByX() throws {
        #expect(try SampleShape(parsing: "1x28x28").sizes == [1, 28, 28])
        #expect(try SampleShape(parsing: "3 × 32 × 32").sizes == [3, 32, 32])
        #expect(try SampleShape(parsing: "784").sizes == [784])
        #expect(try SampleShape(parsing: "1x28x28").description == "1x28x28")
        #expect(try SampleShape(parsing: "2x3x4").elementCount == 24)
    }

    @Test func refusesWhatIsNotAShape() {
        for text in ["", "x", "1x", "0x28x28", "-1x4", "1.5x2", "1x2x3x4x5", "9223372036854775807x2", "ax3"] {
            #expect(throws: DataError.self, "\(text)") { try SampleShape(parsing: text) }
        }
    }

    @Test func reshapesRowsOfPixelsWithoutChangingThem() throws {
        let x = try Tensor<Float>(shape: [2, 12], scalars: (0..<24).map(Float.init))
        let data = try TensorDataset(features: x, targets: .classes([0, 1]))
        let images = try data.reshapingSamples(to: SampleShape([3, 2, 2]))
        #expect(images.features.shape == [2, 3, 2, 2])
        #expect(images.features.scalars == x.scalars)
        do {
            _ = try data.reshapingSamples(to: SampleShape([1, 4, 4]), source: "d.csv")
            Issue.record("16 values accepted for 12 features")
        } catch let error as DataError {
            #expect(error.description.hasPrefix("d.csv: ") && error.description.contains("16 values") && error.description.contains("12 features"))
        }
    }
}
