import ArgumentParser
import Descent
import Foundation
import Testing
@testable import DescentCLI

/// Every format through the main job (issue 15): IDX images with an IDX label file (plain or
/// gzip), `.npy` features with `.npy` or CSV labels, and files that are none of these.
@Suite struct DataFormatCommandTests {
    /// 120 "images" of 4×4 bytes in three classes whose brightness differs by class (so a model
    /// learns), the same rows as a `.npy` of pixels / 255, and the labels in three formats.
    static func files(in folder: TrainTestFolder) throws -> (idx: String, idxLabels: String, npy: String, npyLabels: String, csvLabels: String) {
        let rows = 120, pixels = 16
        let labels = (0..<rows).map { UInt8($0 % 3) }
        let image = (0..<(rows * pixels)).map { i in UInt8((i &* 37) % 60) + 80 * labels[i / pixels] }
        func idx(_ shape: [Int], code: UInt8, _ bytes: [UInt8]) -> Data {
            var data = Data([0, 0, code, UInt8(shape.count)])
            for size in shape { data += withUnsafeBytes(of: UInt32(size).bigEndian, Array.init) }
            return data + Data(bytes)
        }
        let images = folder.path("images-idx3-ubyte"), idxLabels = folder.path("labels-idx1-ubyte")
        try idx([rows, 4, 4], code: 0x08, image).write(to: URL(fileURLWithPath: images))
        try idx([rows], code: 0x08, labels).write(to: URL(fileURLWithPath: idxLabels))
        // gzip the labels with the system's gzip, as downloaded MNIST files are.
        let gzip = Process()
        gzip.executableURL = URL(fileURLWithPath: "/bin/gzip")
        gzip.arguments = ["-k", idxLabels]
        try gzip.run(); gzip.waitUntilExit()
        let npy = folder.path("X.npy"), npyLabels = folder.path("y.npy")
        try NPYWriter.write(Tensor<Float>(shape: [rows, pixels], scalars: image.map { Float($0) / 255 }), to: npy)
        try NPYWriter.write(labels: labels.map(Int.init), to: npyLabels)
        let csvLabels = try folder.write("y.csv", "label\n" + labels.map { "\($0)\n" }.joined())
        return (images, idxLabels + ".gz", npy, npyLabels, csvLabels)
    }

    func train(_ arguments: [String]) throws -> [String: Any] {
        try jsonObject(TrainCommand.parse(arguments + ["--epochs", "10", "--model", "mlp(8)", "--optimizer", "adam(lr: 0.05)", "--format", "json"]).output())
    }

    @Test func idxNpyAndTheirLabelFilesTrainTheSameModel() throws {
        let folder = try TrainTestFolder()
        let files = try Self.files(in: folder)
        // The IDX bytes are divided by 255 as the .npy pixels were, so the three runs see the same
        // numbers in the same order: the same results, to the bit.
        let fromIDX = try train(["--data", files.idx, "--labels", files.idxLabels])
        let fromNPY = try train(["--data", files.npy, "--labels", files.npyLabels])
        let fromCSVLabels = try train(["--data", files.npy, "--labels", files.csvLabels])
        let accuracy = try #require((fromIDX["train"] as? [String: Double])?["accuracy"])
        #expect(accuracy > 0.9, "three bright-separated classes are learnt")
        #expect(fromIDX["train"] as? [String: Double] == fromNPY["train"] as? [String: Double])
        #expect(fromNPY["train"] as? [String: Double] == fromCSVLabels["train"] as? [String: Double])
    }

    @Test func evaluateAndPredictReadTheSameFormats() throws {
        let folder = try TrainTestFolder()
        let files = try Self.files(in: folder)
        let run = folder.path("run")
        let trained = try jsonObject(TrainCommand.parse(["--data", files.npy, "--labels", files.npyLabels, "--epochs", "3", "--model", "mlp(8)",
                                                         "--format", "json", "--output", run]).output())
        let evaluated = try jsonObject(EvaluateCommand.parse(["--model", run, "--data", files.idx, "--labels", files.idxLabels,
                                                              "--format", "json"]).output())
        #expect(evaluated["accuracy"] as? Double == (trained["train"] as? [String: Double])?["accuracy"])
        let predictions = try PredictCommand.parse(["--model", run, "--data", files.idx]).output().split(separator: "\n")
        #expect(predictions.first == "prediction" && predictions.count == 121)
    }

    @Test func featuresWithoutLabelsAndUnsupportedFilesSayWhatIsNeeded() throws {
        let folder = try TrainTestFolder()
        let files = try Self.files(in: folder)
        #expect(throws: ValidationError.self) { try train(["--data", files.npy]) }
        do { _ = try train(["--data", files.npy]) } catch { #expect("\(error)".contains("--labels")) }
        let binary = folder.path("blob.bin")
        try Data([0x7F, 0x45, 0x4C, 0x46, 0, 1, 2, 3, 0xFF, 0xFE]).write(to: URL(fileURLWithPath: binary))
        do {
            _ = try train(["--data", binary])
            Issue.record("a binary file trained")
        } catch {
            // The message names what is supported and shows bytes in hex, not raw.
            #expect("\(error)".contains("supported") && "\(error)".contains("7f 45 4c 46"))
        }
        do {
            _ = try train(["--data", files.idx, "--labels", files.csvLabels + ".missing"])
            Issue.record("a missing label file trained")
        } catch {
            #expect("\(error)".contains(".missing"))
        }
    }
}

/// `descent data convert FILE --to npy` (issue 15): the arrays train the same model as the file.
@Suite struct DataConvertCommandTests {
    @Test func aConvertedCSVTrainsTheSameModelAsTheCSV() throws {
        let folder = try TrainTestFolder()
        let csv = try folder.write("t.csv", "a,b,y\n" + (0..<60).map { "\(Double($0) / 10),\(Double($0 % 7)),\($0 % 3)\n" }.joined())
        let text = try DataConvertCommand.parse([csv, "--to", "npy"]).output()
        #expect(text.contains("wrote \(folder.path("t.features.npy"))") && text.contains("wrote \(folder.path("t.labels.npy"))"))
        let options = ["--epochs", "3", "--model", "mlp(4)", "--format", "json"]
        let fromCSV = try jsonObject(TrainCommand.parse(["--data", csv] + options).output())
        let fromNPY = try jsonObject(TrainCommand.parse(["--data", folder.path("t.features.npy"), "--labels", folder.path("t.labels.npy")] + options).output())
        #expect(fromCSV["train"] as? [String: Double] == fromNPY["train"] as? [String: Double])
    }

    @Test func textClassesKeepTheirNames() throws {
        let folder = try TrainTestFolder()
        let csv = try folder.write("t.csv", "a,b,species\n1,2,setosa\n2,3,virginica\n3,1,setosa\n4,4,virginica\n")
        _ = try DataConvertCommand.parse([csv, "--to", "npy", "--output", folder.path("out")]).output()
        #expect(try folder.read("out.labels.csv") == "label\nsetosa\nvirginica\nsetosa\nvirginica\n")
        #expect(DataConvertCommand.prefix(of: "data/train.csv.gz") == "data/train" && DataConvertCommand.prefix(of: "x") == "x")
    }
}
