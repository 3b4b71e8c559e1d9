@testable import DescentData
import DescentCore
import Testing

/// `descent data inspect` for image data (issue 17): the image shape a convolutional model reads,
/// statistics per channel, the pixels that never change, and `--input-shape` checked against the
/// CSV columns. Expected values are counted from the files written here.
@Suite struct ImageInspectionTests {
    @Test func idxImagesReportTheirShapeAndConstantPixels() throws {
        let folder = try TemporaryFolder()
        // Three 2×2 images whose first pixel is always 5.
        let pixels: [UInt8] = [5, 1, 2, 3, 5, 4, 4, 4, 5, 0, 9, 1]
        let path = try folder.write("images-idx", bytes: [0, 0, 0x08, 3, 0, 0, 0, 3, 0, 0, 0, 2, 0, 0, 0, 2] + pixels)
        let report = try DataInspector.inspect(path)
        #expect(report.imageShape == [1, 2, 2] && report.constantPixels == 1)
        #expect(report.text.contains("images: 1x2x2 (channels x height x width)") && report.text.contains("1 pixel is the same in every image"))
        #expect(report.json.contains("\"imageShape\""))
    }

    @Test func npyImagesWithChannelsGetStatisticsPerChannel() throws {
        let folder = try TemporaryFolder()
        let path = folder.path("x.npy")
        try NPYWriter.write(Tensor<Float>(shape: [2, 3, 2, 2], scalars: (0..<24).map(Float.init)), to: path)
        let report = try DataInspector.inspect(path)
        #expect(report.imageShape == [3, 2, 2])
        #expect(report.columns.map(\.name) == ["channel 0", "channel 1", "channel 2"])
        // Channel 1 holds 4…7 of image 0 and 16…19 of image 1: mean 11.5.
        #expect(report.columns[1].mean == 11.5 && report.columns[1].minimum == 4 && report.columns[1].maximum == 19)
        #expect(report.constantPixels == 0)
    }

    @Test func anInputShapeIsCheckedAgainstTheCSVFeatureColumns() throws {
        let folder = try TemporaryFolder()
        let path = try folder.write("pixels.csv", "id,p0,p1,p2,p3,label\n1,0,1,2,3,0\n2,0,3,2,1,1\n3,0,2,2,2,0\n")
        let options = CSVOptions(drop: ["id"])
        let fits = try DataInspector.inspect(path, target: "label", options: options, inputShape: SampleShape([1, 2, 2]))
        #expect(fits.imageShape == [1, 2, 2] && fits.constantPixels == 2 && !fits.stopsTraining)
        let wrong = try DataInspector.inspect(path, target: "label", options: options, inputShape: SampleShape([1, 3, 3]))
        #expect(wrong.imageShape == nil && wrong.stopsTraining)
        #expect(wrong.problems.contains { $0.contains("1x3x3 holds 9 values") && $0.contains("4 feature columns") })
        #expect(try DataInspector.inspect(path, target: "label", options: options).imageShape == nil, "rows without a shape")
    }
}
