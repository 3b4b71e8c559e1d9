import ArgumentParser
import Descent
import Foundation
import Testing
@testable import DescentCLI

/// `descent train` with convolutional models (issue 17): `lenet5` on IDX images and on the same
/// pixels as CSV columns with `--input-shape`, a `layers(…)` spec, the model folder read back by
/// `evaluate` and `predict` (the input shape is saved with it), and the report's pictures.
@Suite struct ConvolutionalTrainingTests {
    /// `rows` images of `side`×`side` in three classes: class k has a bright 4×4 square in corner k
    /// (top left, top right, bottom left) over faint deterministic noise. As IDX bytes with an IDX
    /// label file, and as a CSV of pixel values / 255 with a `label` column.
    static func images(in folder: TrainTestFolder, rows: Int = 90, side: Int = 28) throws -> (idx: String, labels: String, csv: String) {
        var bytes: [UInt8] = []
        var labels: [UInt8] = []
        for r in 0..<rows {
            let k = r % 3
            labels.append(UInt8(k))
            let (top, left) = (k == 2 ? side - 6 : 2, k == 1 ? side - 6 : 2)
            for y in 0..<side {
                for x in 0..<side {
                    let bright = y >= top && y < top + 4 && x >= left && x < left + 4
                    bytes.append(bright ? 220 : UInt8((r &* 31 &+ y &* 7 &+ x &* 13) % 40))
                }
            }
        }
        func idx(_ shape: [Int], _ data: [UInt8]) -> Data {
            var file = Data([0, 0, 0x08, UInt8(shape.count)])
            for size in shape { file += withUnsafeBytes(of: UInt32(size).bigEndian, Array.init) }
            return file + Data(data)
        }
        let images = folder.path("images-idx3-ubyte"), labelFile = folder.path("labels-idx1-ubyte")
        try idx([rows, side, side], bytes).write(to: URL(fileURLWithPath: images))
        try idx([rows], labels).write(to: URL(fileURLWithPath: labelFile))
        let pixels = side * side
        var text = (0..<pixels).map { "p\($0)" }.joined(separator: ",") + ",label\n"
        for r in 0..<rows {
            // Float(byte)/255 printed in full, so the CSV run reads the very values the IDX run divides.
            text += bytes[(r * pixels)..<((r + 1) * pixels)].map { "\(Float($0) / 255)" }.joined(separator: ",") + ",\(labels[r])\n"
        }
        return (images, labelFile, try folder.write("images.csv", text))
    }

    func train(_ arguments: [String]) throws -> [String: Any] {
        try jsonObject(TrainCommand.parse(arguments + ["--format", "json"]).output())
    }

    @Test func lenet5TrainsOnIDXImagesAndOnTheSamePixelsAsCSVColumns() throws {
        let folder = try TrainTestFolder()
        let files = try Self.images(in: folder)
        let recipe = ["--model", "lenet5", "--epochs", "4", "--batch-size", "16", "--optimizer", "adam(lr: 0.003)", "--seed", "2"]
        let fromIDX = try train(["--data", files.idx, "--labels", files.labels] + recipe)
        let fromCSV = try train(["--data", files.csv, "--target", "label", "--input-shape", "1x28x28"] + recipe)
        let accuracy = try #require((fromIDX["train"] as? [String: Double])?["accuracy"])
        #expect(accuracy > 0.9, "three classes told apart by where the bright square is: \(accuracy)")
        // The same numbers in the same order and shape: the same run, to the bit.
        #expect(fromIDX["train"] as? [String: Double] == fromCSV["train"] as? [String: Double])
    }

    @Test func aLayersSpecTrainsOnCSVImagesAndTheFolderIsReadBackWithItsShape() throws {
        let folder = try TrainTestFolder()
        let files = try Self.images(in: folder, rows: 60, side: 12)
        let run = folder.path("run")
        let trained = try train(["--data", files.csv, "--target", "label", "--input-shape", "1x12x12", "--epochs", "6", "--batch-size", "8",
                                 "--model", "layers(conv2d(4, 3, padding: 1), relu, maxpool2d(2), flatten, linear(16), relu, linear)",
                                 "--optimizer", "adam(lr: 0.01)", "--output", run])
        let preprocessing = try ModelFolder.preprocessing(in: URL(fileURLWithPath: run))
        #expect(preprocessing.inputShape == [1, 12, 12] && preprocessing.inputs == 144)
        // evaluate and predict read new files into the saved shape: the CSV as given, and the IDX images.
        let fromCSV = try jsonObject(EvaluateCommand.parse(["--model", run, "--data", files.csv, "--target", "label", "--format", "json"]).output())
        let fromIDX = try jsonObject(EvaluateCommand.parse(["--model", run, "--data", files.idx, "--labels", files.labels, "--format", "json"]).output())
        let trainAccuracy = try #require((trained["train"] as? [String: Double])?["accuracy"])
        #expect(fromCSV["accuracy"] as? Double == trainAccuracy)
        #expect(try #require(fromIDX["accuracy"] as? Double) == trainAccuracy)
        let predictions = try PredictCommand.parse(["--model", run, "--data", files.idx]).output().split(separator: "\n")
        #expect(predictions.count == 61)
    }

    @Test func theReportShowsTheFiltersAndFeatureMaps() throws {
        let folder = try TrainTestFolder()
        let files = try Self.images(in: folder, rows: 30, side: 12)
        _ = try TrainCommand.parse(["--data", files.idx, "--labels", files.labels, "--epochs", "1", "--validation-split", "0.2",
                                    "--model", "layers(conv2d(3, 3), relu, flatten, linear)", "--output", folder.path("run")])
            .execute(progress: .quiet, handleInterrupts: false)
        let html = try folder.read("run/report.html")
        #expect(html.contains("<h2>Convolutions</h2>"))
        let page = try #require(SVGElements.parse(html), "well-formed")
        // 3 filters, and for 4 shown images the image and its 3 feature maps.
        #expect(page.all("image").count == 3 + 4 * 4)
        #expect(html.contains("predicted "))
    }

    @Test func augmentationTrainsAConvolutionalModelReproducibly() throws {
        let folder = try TrainTestFolder()
        let files = try Self.images(in: folder, rows: 30, side: 12)
        let arguments = ["--data", files.idx, "--labels", files.labels, "--epochs", "2", "--model", "layers(conv2d(3, 3), relu, flatten, linear)",
                         "--augment-shift", "1", "--augment-flip", "--seed", "4"]
        let first = try train(arguments), second = try train(arguments)
        #expect(first["train"] as? [String: Double] == second["train"] as? [String: Double])
        let plain = try train(Array(arguments.dropLast(5)) + ["--seed", "4"])
        #expect(plain["train"] as? [String: Double] != first["train"] as? [String: Double], "the augmented run saw other images")
    }
}
