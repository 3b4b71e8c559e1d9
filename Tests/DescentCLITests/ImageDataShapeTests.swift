import ArgumentParser
import Descent
import Foundation
import Testing
@testable import DescentCLI

/// Image data keeps its shape for a model that takes images (issue 17): IDX `(n, h, w)` as
/// `[n, 1, h, w]`, `.npy` `(n, c, h, w)` as it is, CSV pixel columns as `--input-shape` says,
/// through loading, the validation split, standardisation (per pixel), batching and streaming.
/// The expected shapes and values come from the files the tests write (pixel `i` of image `r`).
@Suite struct ImageDataShapeTests {
    /// `rows` images of `channels`×3×4 pixels, pixel value `(r·7 + i) % 50`, labels `r % 3`, as IDX
    /// (with its label file), `.npy` and CSV (`p0…` columns and `label`).
    static func files(in folder: TrainTestFolder, rows: Int = 30, channels: Int = 1)
        throws -> (idx: String, idxLabels: String, npy: String, npyLabels: String, csv: String)
    {
        let pixels = channels * 12
        let values = (0..<(rows * pixels)).map { UInt8(($0 / pixels * 7 + $0 % pixels) % 50) }
        let labels = (0..<rows).map { UInt8($0 % 3) }
        func idx(_ shape: [Int], _ bytes: [UInt8]) -> Data {
            var data = Data([0, 0, 0x08, UInt8(shape.count)])
            for size in shape { data += withUnsafeBytes(of: UInt32(size).bigEndian, Array.init) }
            return data + Data(bytes)
        }
        let images = folder.path("images-idx"), idxLabels = folder.path("labels-idx")
        try idx(channels == 1 ? [rows, 3, 4] : [rows, channels, 3, 4], values).write(to: URL(fileURLWithPath: images))
        try idx([rows], labels).write(to: URL(fileURLWithPath: idxLabels))
        let npy = folder.path("X.npy"), npyLabels = folder.path("y.npy")
        try NPYWriter.write(Tensor<Float>(shape: [rows, channels, 3, 4], scalars: values.map { Float($0) / 255 }), to: npy)
        try NPYWriter.write(labels: labels.map(Int.init), to: npyLabels)
        var text = (0..<pixels).map { "p\($0)" }.joined(separator: ",") + ",label\n"
        for r in 0..<rows {
            text += values[(r * pixels)..<((r + 1) * pixels)].map { String(Double($0) / 255) }.joined(separator: ",") + ",\(labels[r])\n"
        }
        let csv = try folder.write("images.csv", text)
        return (images, idxLabels, npy, npyLabels, csv)
    }

    func configuration(_ arguments: [String]) throws -> TrainConfiguration {
        try TrainCommand.parse(arguments).options.configuration()
    }

    @Test func idxNpyAndCSVWithAnInputShapeLoadAsTheSameImages() throws {
        let folder = try TrainTestFolder()
        let files = try Self.files(in: folder)
        let fromIDX = try PreparedData<Float>.load(configuration(["--data", files.idx, "--labels", files.idxLabels, "--model", "lenet5", "--no-standardize"]))
        let fromNPY = try PreparedData<Float>.load(configuration(["--data", files.npy, "--labels", files.npyLabels, "--model", "lenet5", "--no-standardize"]))
        let fromCSV = try PreparedData<Float>.load(configuration(["--data", files.csv, "--target", "label", "--input-shape", "1x3x4",
                                                                  "--model", "lenet5", "--no-standardize"]))
        #expect(fromIDX.train.features.shape == [30, 1, 3, 4])
        #expect(fromNPY.train.features.shape == [30, 1, 3, 4])
        #expect(fromCSV.train.features.shape == [30, 1, 3, 4])
        // The same pixels: IDX bytes / 255, the .npy's and the CSV's written values.
        #expect(fromIDX.train.features.scalars == fromNPY.train.features.scalars)
        #expect(zip(fromIDX.train.features.scalars, fromCSV.train.features.scalars).allSatisfy { abs($0 - $1) < 1e-6 })
        #expect(fromIDX.train.features.scalars[13] == Float(8) / 255, "image 1, pixel 1: (1·7 + 1) % 50")
        // A dense model gets the same pixels as rows.
        let rows = try PreparedData<Float>.load(configuration(["--data", files.idx, "--labels", files.idxLabels, "--no-standardize"]))
        #expect(rows.train.features.shape == [30, 12])
    }

    @Test func aChannelAxisIsKeptAndTheSplitAndBatchesKeepTheSampleShape() throws {
        let folder = try TrainTestFolder()
        let files = try Self.files(in: folder, rows: 40, channels: 3)
        let data = try PreparedData<Float>.load(configuration(["--data", files.idx, "--labels", files.idxLabels, "--model", "cnn(4, 8)",
                                                               "--validation-split", "0.25"]))
        #expect(data.train.features.shape == [30, 3, 3, 4])
        #expect(data.validation?.features.shape == [10, 3, 3, 4])
        let loader = DataLoader(data.train, batchSize: .samples(8), shuffle: true, seed: 1)
        let batches = loader.batches(epoch: 0)
        var shapes: [[Int]] = []
        while let batch = try batches.next() { shapes.append(batch.features.shape) }
        #expect(shapes == [[8, 3, 3, 4], [8, 3, 3, 4], [8, 3, 3, 4], [6, 3, 3, 4]])
    }

    @Test func standardisationIsPerPixelAndKeptInTheImageShape() throws {
        let folder = try TrainTestFolder()
        let files = try Self.files(in: folder)
        let data = try PreparedData<Double>.load(configuration(["--data", files.npy, "--labels", files.npyLabels, "--model", "lenet5"]))
        let standardizer = try #require(data.standardizer)
        #expect(standardizer.featureShape == [1, 3, 4])
        #expect(standardizer.mean.count == 12, "one mean per pixel, as the dense path standardises")
        // Each pixel has mean 0 over the training images after standardisation.
        let x = data.train.features.scalars
        for pixel in 0..<12 {
            let mean = stride(from: pixel, to: x.count, by: 12).map { x[$0] }.reduce(0, +) / 30
            #expect(abs(mean) < 1e-9)
        }
    }

    @Test func anInputShapeThatDoesNotFitTheColumnsSaysBoth() throws {
        let folder = try TrainTestFolder()
        let files = try Self.files(in: folder)
        do {
            _ = try PreparedData<Float>.load(configuration(["--data", files.csv, "--target", "label", "--input-shape", "1x28x28", "--model", "lenet5"]))
            Issue.record("a 784-value shape was accepted for 12 columns")
        } catch {
            let message = "\(error)"
            #expect(message.contains("1x28x28") && message.contains("784") && message.contains("12 features"), "\(message)")
        }
        for bad in ["1x0x4", "axb", "1x3x", "-1x12", "1x2x3x4x5"] {
            #expect(throws: ValidationError.self, "\(bad)") { _ = try DataReading(labels: nil, delimiter: nil, hasHeader: true, drop: nil, categorical: nil,
                                                                                  missing: "error", inputShape: bad) }
        }
    }

    @Test func rowsWithoutAnInputShapeAreRefusedByAnImageModelWithTheShapeToGive() throws {
        let folder = try TrainTestFolder()
        var text = (0..<16).map { "p\($0)" }.joined(separator: ",") + ",label\n"
        for r in 0..<10 { text += (0..<16).map { String(($0 + r) % 5) }.joined(separator: ",") + ",\(r % 2)\n" }
        let csv = try folder.write("flat.csv", text)
        let data = try PreparedData<Float>.load(configuration(["--data", csv, "--target", "label", "--model", "lenet5"]))
        do {
            _ = try TrainingSetup<Float>.inputShape(of: data, model: "lenet5")
            Issue.record("rows were accepted as images")
        } catch {
            #expect("\(error)".contains("--input-shape 1x4x4"), "\(error)")
        }
        #expect(try TrainingSetup<Float>.inputShape(of: data, model: "mlp(4)") == nil)
    }

    @Test func streamedImagesKeepTheirShapeAndMatchTheInMemoryOnes() throws {
        let folder = try TrainTestFolder()
        let files = try Self.files(in: folder, rows: 40)
        for arguments in [["--data", files.idx, "--labels", files.idxLabels], ["--data", files.csv, "--target", "label", "--input-shape", "1x3x4"]] {
            let configuration = try configuration(arguments + ["--model", "lenet5", "--stream", "--no-standardize"])
            let streamed = try StreamedData<Float>.open(configuration)
            #expect(streamed.train.featureShape == [1, 3, 4])
            let loader = try StreamingLoader(streamed.train, batchSize: .samples(40), memoryBudget: 1 << 24, prefetch: false)
            let batch = try #require(try loader.batches(epoch: 0).next())
            #expect(batch.features.shape == [40, 1, 3, 4])
            let inMemory = try PreparedData<Float>.load(configuration)
            #expect(zip(batch.features.scalars, inMemory.train.features.scalars).allSatisfy { abs($0 - $1) < 1e-6 })
        }
        // Rows for a dense model, as before.
        let rows = try StreamedData<Float>.open(configuration(["--data", files.idx, "--labels", files.idxLabels, "--stream"]))
        #expect(rows.train.featureShape == [12])
    }

    @Test func augmentationIsOffByDefaultAndRefusedForRows() throws {
        let folder = try TrainTestFolder()
        let files = try Self.files(in: folder)
        let plain = try configuration(["--data", files.idx, "--labels", files.idxLabels])
        #expect(!plain.augmentation.isActive)
        let asked = try configuration(["--data", files.idx, "--labels", files.idxLabels, "--augment-shift", "2", "--augment-flip", "--seed", "5"])
        #expect(asked.augmentation == ImageAugmentation(maximumShift: 2, horizontalFlip: true, seed: 5))
        do {
            _ = try TrainingSetup<Float>(asked)
            Issue.record("a dense model's rows were augmented")
        } catch {
            #expect("\(error)".contains("channels x height x width"), "\(error)")
        }
        #expect(throws: ValidationError.self) { try configuration(["--data", files.idx, "--labels", files.idxLabels, "--augment-shift=-1"]) }
    }
}
