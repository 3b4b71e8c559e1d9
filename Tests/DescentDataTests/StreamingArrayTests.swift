import DescentCore
@testable import DescentData
import Foundation
import Testing

/// A `.npy` file of `rows` rows of `width` Float32 features where element (r, c) is `r + c/100`, and
/// labels `r mod 3` as `<i8`; returns the two paths.
func rowNumberedNPY(_ folder: TemporaryFolder, rows: Int, width: Int = 3) throws -> (features: String, labels: String) {
    let values = (0..<(rows * width)).map { Float($0 / width) + Float($0 % width) / 100 }
    try NPYWriter.write(try Tensor<Float>(shape: [rows, width], scalars: values), to: folder.path("X.npy"))
    try NPYWriter.write(labels: (0..<rows).map { $0 % 3 }, to: folder.path("y.npy"))
    return (folder.path("X.npy"), folder.path("y.npy"))
}

/// The features, targets and row numbers of every batch, for bit-exact comparisons.
func batchContents<Scalar: TensorScalar>(_ iterator: BatchIterator<Scalar>) throws -> [[String]] {
    var result: [[String]] = []
    try iterator.forEach { batch in
        result.append([batch.features.scalars.map { "\($0)" }.joined(separator: " "), "\(batch.targets.classes ?? [])",
                       (batch.targets.values?.scalars ?? []).map { "\($0)" }.joined(separator: " "), "\(batch.indices)"])
    }
    return result
}

@Suite struct StreamingNPYTests {
    @Test func npyStreamEqualsTheInMemoryLoad() throws {
        let folder = try TemporaryFolder()
        let (x, y) = try rowNumberedNPY(folder, rows: 29)
        let memory: TensorDataset<Float> = try ArrayDatasetLoader.load(features: x, labels: y)
        let stream = try StreamingDataset<Float>.npy(features: x, labels: y, chunkRows: 4)
        #expect(stream.count == 29)
        #expect(stream.chunkCount == 8)  // ⌈29/4⌉
        #expect(stream.featureShape == [3])
        #expect(stream.classCount == 3)
        // In file order, the batches are the in-memory loader's, bit for bit.
        #expect(try batchContents(StreamingLoader(stream, batchSize: 5, windowChunks: 3).batches(epoch: 0))
                == batchContents(DataLoader(memory, batchSize: 5).batches(epoch: 0)))
        // Shuffled, every row is served once and intact (features of row r start with r).
        var served: [Int] = []
        try StreamingLoader(stream, batchSize: 5, shuffle: true, seed: 4, windowChunks: 2).batches(epoch: 1).forEach { batch in
            let expected = try memory.batch(at: batch.indices)
            #expect(batch.features.scalars == expected.features.scalars)
            #expect(batch.targets.classes == expected.targets.classes)
            served += batch.indices
        }
        #expect(served.sorted() == Array(0..<29))
        #expect(served != Array(0..<29))
    }

    @Test func regressionTargetsAndByteImagesStream() throws {
        let folder = try TemporaryFolder()
        let pixels = try folder.write("p.npy", bytes: npyBytes("{'descr': '|u1', 'fortran_order': False, 'shape': (3, 2, 2), }", data: (0..<12).map { UInt8($0 * 20) }))
        let targets = try folder.write("t.npy", bytes: npyBytes("{'descr': '<f4', 'fortran_order': False, 'shape': (3,), }", data: float32Bytes([0.5, 1.5, 2.5])))
        let stream = try StreamingDataset<Float>.npy(features: pixels, labels: targets, flatten: false, chunkRows: 2)
        #expect(stream.featureShape == [1, 2, 2])
        #expect(stream.classCount == nil)
        let batch = try #require(try StreamingLoader(stream, batchSize: 3).batches(epoch: 0).next())
        #expect(batch.features.shape == [3, 1, 2, 2])
        // Bytes k·20 divided by 255, as the in-memory loader scales them.
        #expect(batch.features.scalars == (0..<12).map { Float($0 * 20) / 255 })
        #expect(batch.targets.values?.shape == [3, 1])
        #expect(batch.targets.values?.scalars == [0.5, 1.5, 2.5])
    }

    @Test func resumingMidEpochGivesTheSameBatchesBitForBit() throws {
        let folder = try TemporaryFolder()
        let (x, y) = try rowNumberedNPY(folder, rows: 53)
        let stream = try StreamingDataset<Float>.npy(features: x, labels: y, chunkRows: 5)
        let loader = StreamingLoader(stream, batchSize: 4, shuffle: true, seed: 9, windowChunks: 3)
        let full = try batchContents(loader.batches(epoch: 2))
        #expect(full.count == 14)  // ⌈53/4⌉
        // Windows of 15 rows: batch 3 (rows 12–15) straddles windows 1 and 2, batch 4 starts inside window 2,
        // batch 7 (rows 28–31) straddles windows 2 and 3, 13 is the last (row 52 alone), 14 is past the end.
        for start in [1, 3, 4, 7, 13, 14] {
            #expect(try batchContents(loader.batches(epoch: 2, startingAt: start)) == Array(full[start...]), "resumed at batch \(start)")
        }
        #expect(try batchContents(loader.batches(from: LoaderPosition(epoch: 2, batchIndex: 6))) == Array(full[6...]))
    }

    @Test func validationSplitIsDeterministicDisjointAndWholeChunks() throws {
        let folder = try TemporaryFolder()
        let (x, y) = try rowNumberedNPY(folder, rows: 100)
        let stream = try StreamingDataset<Float>.npy(features: x, labels: y, chunkRows: 10)
        let (training, validation) = try stream.splitting(validationFraction: 0.2, seed: 5)
        // ⌈0.2 · 10 chunks⌉ = 2 chunks of 10 rows held out.
        #expect(validation.count == 20)
        #expect(training.count == 80)
        func rows(_ data: StreamingDataset<Float>) throws -> [Int] {
            var rows: [Int] = []
            try StreamingLoader(data, batchSize: 7).batches(epoch: 0).forEach { rows += $0.indices }
            return rows
        }
        let held = try rows(validation), kept = try rows(training)
        #expect(Set(held).isDisjoint(with: kept))
        #expect((held + kept).sorted() == Array(0..<100))
        #expect(Set(held.map { $0 / 10 }).count == 2)
        #expect(held == held.sorted(), "each part keeps file order")
        let again = try stream.splitting(validationFraction: 0.2, seed: 5).validation
        #expect(try rows(again) == held)
        #expect(try rows(try stream.splitting(validationFraction: 0.2, seed: 6).validation) != held)
        #expect(dataErrorMessage { _ = try stream.splitting(validationFraction: 1) } == "validationFraction must be in (0, 1), got 1.0")
        let one = try StreamingDataset<Float>.npy(features: x, labels: y, chunkRows: 1000)
        #expect(dataErrorMessage { _ = try one.splitting(validationFraction: 0.1) }.hasPrefix("a validation share needs at least two chunks"))
    }

    @Test func streamingArrayErrors() throws {
        let folder = try TemporaryFolder()
        let (x, y) = try rowNumberedNPY(folder, rows: 4)
        #expect(dataErrorMessage { _ = try StreamingDataset<Float>.npy(features: try gzipFile(x), labels: y) }.contains("decompress it first"))
        let short = try folder.write("short.npy", bytes: npyBytes("{'descr': '<f4', 'fortran_order': False, 'shape': (4, 3), }", data: [0, 0, 0, 0]))
        #expect(dataErrorMessage { _ = try StreamingDataset<Float>.npy(features: short, labels: y) }
                == "\(short): byte 132: the file ends after 4 of 48 data bytes (shape [4, 3]); the file is truncated")
        let empty = try folder.write("e.npy", bytes: npyBytes("{'descr': '<f4', 'fortran_order': False, 'shape': (0, 3), }", data: []))
        #expect(dataErrorMessage { _ = try StreamingDataset<Float>.npy(features: empty, labels: y) } == "\(empty): the array has no rows (shape [0, 3])")
        let narrow = try folder.write("n.npy", bytes: npyBytes("{'descr': '<f4', 'fortran_order': False, 'shape': (4, 0), }", data: []))
        #expect(dataErrorMessage { _ = try StreamingDataset<Float>.npy(features: narrow, labels: y) }.hasPrefix("\(narrow): each row has no features"))
        let three = try folder.write("three.csv", "0\n1\n2\n")
        #expect(dataErrorMessage { _ = try StreamingDataset<Float>.npy(features: x, labels: three) } == "\(three): 3 labels for 4 rows in \(x); the files do not belong together")
        #expect(dataErrorMessage { _ = try StreamingDataset<Float>.npy(features: y.replacingOccurrences(of: "y.npy", with: "none"), labels: y) }.hasSuffix("no such file"))
        let semicolons = try folder.write("s.csv", "a;b;c\n1;2;3\n")
        // Read with an explicit comma, every row is one field (the in-memory loader's message).
        #expect(dataErrorMessage { _ = try StreamingDataset<Float>.csv(semicolons, options: CSVOptions(delimiter: ",", targets: [0])) }
                .hasPrefix("\(semicolons): every row has one field"))
        // Detected, the same file streams.
        #expect(try StreamingDataset<Float>.csv(semicolons, options: CSVOptions(targets: [0])).featuresPerRow == 2)
    }
}

@Suite struct MemoryBudgetTests {
    @Test func budgetedLoaderStaysWithinItsBudget() throws {
        let folder = try TemporaryFolder()
        let (x, y) = try rowNumberedNPY(folder, rows: 10_000, width: 20)
        let stream = try StreamingDataset<Float>.npy(features: x, labels: y, chunkRows: 100)
        // Per row held: (20 features + 1 target) · 4 + 2 · 8 = 100 bytes; a chunk 10,000; read buffer 100 · 80 = 8,000;
        // index 100 chunks · 32 + 10,000 labels · 8 = 83,200; three batches of 32: 9,600.
        #expect(stream.heldBytesPerRow == 100)
        let budget = 200_000
        let loader = try StreamingLoader(stream, batchSize: .samples(32), shuffle: true, memoryBudget: budget)
        // (200,000 − 8,000 − 83,200 − 9,600) / 10,000 = 9 chunks.
        #expect(loader.windowChunks == 9)
        #expect(loader.estimatedBytesHeld <= budget)
        #expect(try StreamingLoader(stream, memoryBudget: 1 << 30).windowChunks == 100, "capped at every chunk")
        let message = dataErrorMessage { _ = try StreamingLoader(stream, batchSize: .samples(32), memoryBudget: 100_000) }
        #expect(message.hasPrefix("a memory budget of 100 kB cannot hold one chunk of 100 rows with three batches of 32"))
        #expect(message.contains("use chunkRows ≤"))
        #expect(dataErrorMessage { _ = try StreamingLoader(stream, batchSize: .samples(0), memoryBudget: budget) } == "the batch size must be positive, got 0")
    }

    @Test func inMemoryEstimatesCountTheFeaturesAndTheFile() throws {
        let folder = try TemporaryFolder()
        let (x, y) = try rowNumberedNPY(folder, rows: 1000, width: 10)
        // 10,000 Float32 elements, mapped: 40,000 bytes; labels: the file (a 128-byte header + 8,000) and 8 bytes each.
        let labelFile = try Int(FileManager.default.attributesOfItem(atPath: y)[.size] as! UInt64)
        #expect(labelFile == 128 + 8_000)
        #expect(try StreamingDataset<Float>.estimatedInMemoryBytes(features: x, labels: y) == 40_000 + labelFile + 8_000)
        // As Double the file is converted: 80,000 bytes of storage plus the 40,000 read.
        #expect(try StreamingDataset<Double>.estimatedInMemoryBytes(features: x) == 120_000)
        let images = try folder.write("i-idx3-ubyte", bytes: idxBytes(type: 0x08, shape: [10, 2, 2], data: [UInt8](repeating: 1, count: 40)))
        #expect(try StreamingDataset<Float>.estimatedInMemoryBytes(features: images) == 40 * 4 + 40)
        // 100 lines of 4 fields ("1,2,3,4\n", 8 bytes each): 400 values · 4 bytes + the 800-byte file.
        let csv = try folder.write("t.csv", String(repeating: "1,2,3,4\n", count: 100))
        #expect(try StreamingDataset<Float>.estimatedInMemoryBytes(features: csv) == 1_600 + 800)
    }
}

@Suite struct MemorySizeTests {
    @Test func parsesDecimalAndBinaryUnitsExactly() throws {
        #expect(try MemorySize(parsing: "256MB").bytes == 256_000_000)
        #expect(try MemorySize(parsing: "256 MiB").bytes == 268_435_456)
        #expect(try MemorySize(parsing: "1.5GiB").bytes == 1_610_612_736)  // 1.5 · 2³⁰
        #expect(try MemorySize(parsing: "800k").bytes == 800_000)
        #expect(try MemorySize(parsing: "2g").bytes == 2_000_000_000)
        #expect(try MemorySize(parsing: " 1048576 ").bytes == 1_048_576)
        #expect(try MemorySize(parsing: "0.5KiB").bytes == 512)
        #expect(try MemorySize(parsing: ".25kB").bytes == 250)
        #expect(try MemorySize(parsing: "1.0000001kB").bytes == 1_000)  // rounds down to a whole byte
        #expect(MemorySize(bytes: 268_435_456).description == "256 MiB")
        #expect(MemorySize(bytes: 1_610_612_736).description == "1.5 GiB")
        #expect(MemorySize(bytes: 256_000_000).description == "256 MB")
        #expect(MemorySize(bytes: 1_000_001).description == "1,000,001 bytes")
    }

    @Test func badSizesSayWhatIsWrong() {
        let examples = "write a size such as 256MB, 1.5GiB or 800k (kB/MB/GB/TB are powers of 1000, KiB/MiB/GiB/TiB of 1024)"
        #expect(dataErrorMessage { _ = try MemorySize(parsing: "") } == "the memory size is empty; \(examples)")
        #expect(dataErrorMessage { _ = try MemorySize(parsing: "lots") } == "\"lots\" is not a memory size; \(examples)")
        #expect(dataErrorMessage { _ = try MemorySize(parsing: "12 parsecs") } == "unknown unit \"parsecs\" in the memory size \"12 parsecs\"; \(examples)")
        #expect(dataErrorMessage { _ = try MemorySize(parsing: "-1GB") } == "the memory size \"-1GB\" is negative; \(examples)")
        #expect(dataErrorMessage { _ = try MemorySize(parsing: "0MB") } == "the memory size \"0MB\" is zero bytes; \(examples)")
        #expect(dataErrorMessage { _ = try MemorySize(parsing: "0.1B") } == "the memory size \"0.1B\" is zero bytes; \(examples)")
        #expect(dataErrorMessage { _ = try MemorySize(parsing: "1.2.3MB") }.hasPrefix("\"1.2.3MB\" is not a memory size"))
        // 10 million TiB = 10⁷ · 2⁴⁰ ≈ 1.1 · 10¹⁹ > Int.max ≈ 9.2 · 10¹⁸.
        #expect(dataErrorMessage { _ = try MemorySize(parsing: "10000000TiB") } == "the memory size \"10000000TiB\" is too large; the largest is \(Int.max) bytes")
        #expect(dataErrorMessage { _ = try MemorySize(parsing: "99999999999999999999") }.contains("is too large"))
    }
}
