@testable import DescentData
import DescentCore
import Foundation
import Testing

/// A CSV whose row r is `r, r·0.5, "label"` with labels cycling a, b, c; quoted fields with a
/// newline inside appear every 7th row to exercise record boundaries.
func streamingCSV(rows: Int) -> String {
    var text = "id,half,note,label\n"
    for r in 0..<rows {
        let note = r % 7 == 0 ? "\"two\nlines, \"\"q\"\"\"" : "plain"
        text += "\(r),\(Double(r) * 0.5),\(note),\(["a", "b", "c"][r % 3])\n"
    }
    return text
}

@Suite struct StreamingTests {
    @Test func recordStreamMatchesTheInMemoryTokenizerAcrossTinyBlocks() throws {
        let folder = try TemporaryFolder()
        let text = streamingCSV(rows: 60)
        let path = try folder.write("s.csv", text)
        var expected: [[String]] = []
        var copy = text
        copy.withUTF8 { bytes in
            var tokenizer = CSVTokenizer(bytes: bytes, delimiter: 44, file: "s")
            var fields: [CSVField] = []
            while (try? tokenizer.nextRecord(into: &fields)) == true { expected.append(fields.map { tokenizer.string($0) }) }
        }
        // 64-byte blocks: most records straddle a refill, including quoted line breaks.
        let stream = try CSVRecordStream(path: path, delimiter: 44, blockSize: 64)
        var fields: [CSVField] = []
        var got: [[String]] = []
        var lines: [Int] = []
        while try stream.nextRecord(into: &fields) {
            got.append(fields.map { stream.tokenizer.string($0) })
            lines.append(stream.tokenizer.recordLine)
        }
        #expect(got == expected)
        #expect(got.count == 61)
        // Row r = 7 starts on line 2 + 7 + 1 (rows 0 has an extra line inside quotes).
        #expect(lines[8] == 10)
    }

    @Test func unshuffledCSVStreamEqualsTheInMemoryLoad() throws {
        let folder = try TemporaryFolder()
        let path = try folder.write("s.csv", streamingCSV(rows: 50))
        let options = CSVOptions(targets: ["label"], features: ["id", "half"])
        let memory = try CSVLoader.load(path, options: options, as: Float.self).dataset()
        let stream = try StreamingDataset<Float>.csv(path, options: options, chunkRows: 7)
        #expect(stream.count == 50)
        #expect(stream.chunkCount == 8)  // ⌈50/7⌉
        #expect(stream.classNames == ["a", "b", "c"])
        let loader = StreamingLoader(stream, batchSize: 6, windowChunks: 2)
        let reference = DataLoader(memory, batchSize: 6)
        #expect(loader.batchesPerEpoch == reference.batchesPerEpoch)
        let a = try loader.batches(epoch: 0), b = reference.batches(epoch: 0)
        while let x = try a.next() {
            let y = try #require(try b.next())
            #expect(x.features.scalars == y.features.scalars)
            #expect(x.targets.classes == y.targets.classes)
            #expect(x.indices == y.indices)
        }
    }

    @Test func shuffledStreamIsAPermutationMixedWithinWindows() throws {
        let folder = try TemporaryFolder()
        let path = try folder.write("s.csv", streamingCSV(rows: 105))
        let stream = try StreamingDataset<Double>.csv(path, options: CSVOptions(targets: ["half"], features: ["id"]), chunkRows: 5)
        let loader = StreamingLoader(stream, batchSize: 8, shuffle: true, seed: 3, windowChunks: 3)
        var served: [Int] = []
        try loader.batches(epoch: 2).forEach { batch in
            // Feature "id" is the row number and the target is half of it: rows stay intact.
            #expect(batch.features.scalars.map { Int($0) } == batch.indices)
            #expect(batch.targets.values!.scalars == batch.indices.map { Double($0) * 0.5 })
            served += batch.indices
        }
        #expect(served.sorted() == Array(0..<105))
        #expect(served == loader.rowOrder(forEpoch: 2))
        #expect(served != Array(0..<105))
        #expect(loader.rowOrder(forEpoch: 3) != served)
        // The first window holds 3 chunks of 5 rows: its 15 rows come from exactly 3 chunks.
        #expect(Set(served.prefix(15).map { $0 / 5 }).count == 3)
        // Resuming at batch 5 gives the rest of the epoch (40 rows in = 2 full windows and 10 rows).
        var resumed: [Int] = []
        try loader.batches(epoch: 2, startingAt: 5).forEach { resumed += $0.indices }
        #expect(resumed == Array(served[40...]))
    }

    @Test func idxStreamEqualsTheInMemoryLoad() throws {
        let folder = try TemporaryFolder()
        let pixels = (0..<(23 * 4)).map { UInt8(($0 * 37) % 256) }
        let images = try folder.write("i-idx3-ubyte", bytes: idxBytes(type: 0x08, shape: [23, 2, 2], data: pixels))
        let labels = try folder.write("l-idx1-ubyte", bytes: idxBytes(type: 0x08, shape: [23], data: (0..<23).map { UInt8($0 % 10) }))
        let memory: TensorDataset<Float> = try IDXLoader.loadMNIST(images: images, labels: labels)
        let stream = try StreamingDataset<Float>.idx(images: images, labels: labels, chunkRows: 4)
        let loader = StreamingLoader(stream, batchSize: 5, shuffle: true, seed: 1, windowChunks: 2)
        try loader.batches(epoch: 0).forEach { batch in
            let expected = try memory.batch(at: batch.indices)
            #expect(batch.features.scalars == expected.features.scalars)
            #expect(batch.targets.classes == expected.targets.classes)
        }
        #expect(StreamingLoader(stream, batchSize: 5, dropLast: true).batchesPerEpoch == 4)
    }

    @Test func streamingErrorsNameTheirPlace() throws {
        let folder = try TemporaryFolder()
        let ragged = try folder.write("r.csv", "a,b\n1,2\n3\n")
        #expect(dataErrorMessage { _ = try StreamingDataset<Float>.csv(ragged) } == "\(ragged):3: expected 2 fields (as in the header), found 1")
        let nan = try folder.write("n.csv", "a,b\n1,2\n3,4\nnan,5\n")
        let stream = try StreamingDataset<Float>.csv(nan)
        #expect(dataErrorMessage { try StreamingLoader(stream, batchSize: 2).batches(epoch: 0).forEach { _ in } }
                .hasPrefix("\(nan):4:1 (column \"a\"): NaN in a feature column"))
        let gz = try gzipFile(try folder.write("g.csv", "a,b\n1,2\n"))
        #expect(dataErrorMessage { _ = try StreamingDataset<Float>.csv(gz) }.contains("decompress it first"))
        let images = try folder.write("t-idx3-ubyte", bytes: idxBytes(type: 0x08, shape: [3, 2, 2], data: [1, 2, 3]))
        #expect(dataErrorMessage { _ = try StreamingDataset<Float>.idx(images: images, labels: images) }
                == "\(images): byte 19: the file ends after 3 of 12 data bytes (shape [3, 2, 2]); the file is truncated")
    }

    @Test func heldBytesAreBoundedByTheWindowNotTheFile() throws {
        let folder = try TemporaryFolder()
        let pixels = [UInt8](repeating: 7, count: 10_000 * 784)
        let images = try folder.write("big-idx3-ubyte", bytes: idxBytes(type: 0x08, shape: [10_000, 28, 28], data: pixels))
        let labels = try folder.write("big-idx1-ubyte", bytes: idxBytes(type: 0x08, shape: [10_000], data: [UInt8](repeating: 1, count: 10_000)))
        let stream = try StreamingDataset<Float>.idx(images: images, labels: labels, chunkRows: 256)
        let loader = StreamingLoader(stream, batchSize: 64, shuffle: true, windowChunks: 4)
        // Window 4·256 rows · (784 + 1) · 4 bytes + 16 B/row ≈ 3.2 MB, plus buffers; the data as Float would be 31 MB.
        #expect(loader.estimatedBytesHeld < 6_000_000)
        #expect(loader.estimatedBytesHeld < 10_000 * 784 * 4 / 5)
    }
}
