import DescentCore
@testable import DescentData
import DescentKernels
import Foundation
import Testing

/// Loads `text` with chunks of `chunkBytes` bytes (`Int.max`: one chunk, the sequential parse).
func loadChunked<T: TensorScalar>(_ text: String, file: String = "t.csv", options: CSVOptions = CSVOptions(), chunkBytes: Int, as _: T.Type = T.self) throws -> CSVTable<T> {
    var copy = text
    return try copy.withUTF8 { try CSVLoader.load(bytes: $0, file: file, options: options, chunkBytes: chunkBytes) }
}

/// A numeric CSV of `rows` rows: integers, decimals, exponents, signs, 17-digit values, and
/// (when `messy`) CRLF line ends, blank lines, spaces around numbers and quoted numbers, which
/// take the careful path inside a chunk.
func generatedCSV(rows: Int, seed: UInt64, messy: Bool) -> String {
    var random = RandomGenerator(seed: seed)
    var lines = ["id_a,b,c,d,e,label"]
    for _ in 0..<rows {
        var fields = [
            String(random.below(256)),
            String(format: "%.9f", Double(random.below(2_000_000)) / 1_000_000 - 1),
            String(Double(bitPattern: 0x3FF0_0000_0000_0000 | (random.next() >> 12)) * (random.below(2) == 0 ? -1 : 1)),
            "\(random.below(999))e\(random.below(40) - 20)",
            ["+", "-", ""][random.below(3)] + ".\(random.below(100))",
            String(random.below(3)),
        ]
        if messy {
            if random.below(10) == 0 { fields[1] = "  " + fields[1] + " " }
            if random.below(10) == 0 { fields[3] = "\"" + fields[3] + "\"" }
        }
        lines.append(fields.joined(separator: ","))
        if messy && random.below(20) == 0 { lines.append("") }
    }
    return lines.joined(separator: messy ? "\r\n" : "\n") + "\n"
}

/// Chunked loads against the one-chunk (sequential) load: same table bit for bit, same errors.
@Suite(.serialized) struct CSVParallelTests {
    /// How often a two-thread load is tried before concluding no pool worker could run a part
    /// (other tests may hold the pool: its job then runs on the calling thread).
    static let attempts = 8

    func expectSameTable<T: TensorScalar>(_ a: CSVTable<T>, _ b: CSVTable<T>) {
        #expect(a.features.shape == b.features.shape)
        #expect(a.features.scalars.map { Double($0).bitPattern } == b.features.scalars.map { Double($0).bitPattern })
        #expect(a.targets.classes == b.targets.classes)
        #expect(a.targets.values?.scalars == b.targets.values?.scalars)
        #expect(a.classNames == b.classNames)
        #expect(a.categoricalColumns == b.categoricalColumns)
        #expect(a.warnings == b.warnings)
    }

    @Test(arguments: [false, true])
    func chunksOnTwoThreadsGiveTheSequentialTable(messy: Bool) throws {
        let text = generatedCSV(rows: 3_000, seed: messy ? 2 : 1, messy: messy)
        let options = CSVOptions(targets: ["label"], targetKind: .classification)
        let sequential: CSVTable<Double> = try loadChunked(text, options: options, chunkBytes: .max)
        #expect(sequential.count == 3_000)
        // The values are the correctly rounded ones, whichever path read them.
        #expect(sequential.features.scalars[4] == Double(text.split(whereSeparator: \.isNewline)[1].split(separator: ",")[4].trimmingCharacters(in: .whitespaces)))
        var workerParts = 0
        for _ in 0..<Self.attempts where workerParts == 0 {
            let before = WorkerPool.partsRunByWorkers
            let parallel: CSVTable<Double> = try GEMM.withMaximumThreadCount(2) { try loadChunked(text, options: options, chunkBytes: 1_000) }
            workerParts = WorkerPool.partsRunByWorkers - before
            expectSameTable(parallel, sequential)
        }
        #expect(workerParts > 0, "no chunk ran on a pool worker in \(Self.attempts) attempts (threads: \(WorkerPool.threadCount))")
        let oneThread: CSVTable<Float> = try GEMM.withMaximumThreadCount(1) { try loadChunked(text, options: options, chunkBytes: 700) }
        let oneChunk: CSVTable<Float> = try loadChunked(text, options: options, chunkBytes: .max)
        expectSameTable(oneThread, oneChunk)
    }

    @Test func quotedLineBreaksAcrossChunkBoundariesKeepTheirRecords() throws {
        // Text labels with quoted line breaks, delimiters and escaped quotes; chunks of 16 bytes
        // put nominal boundaries inside the quotes, which the quote parity must move.
        var lines = ["x,label"]
        for i in 0..<400 { lines.append("\(i),\"line \(i % 7)\nsecond, \"\"part\"\"\n\(i % 3)\"") }
        let text = lines.joined(separator: "\n") + "\n"
        let sequential: CSVTable<Float> = try loadChunked(text, chunkBytes: .max)
        #expect(sequential.count == 400)
        #expect(sequential.classNames?.count == 21)
        for chunkBytes in [16, 37, 100] {
            let chunked: CSVTable<Float> = try GEMM.withMaximumThreadCount(2) { try loadChunked(text, chunkBytes: chunkBytes) }
            expectSameTable(chunked, sequential)
        }
        // Every planned range starts outside quotes: an even number of quotes before it.
        var copy = text
        copy.withUTF8 { bytes in
            let plan = CSVChunkPlan.make(bytes, from: 8, chunkBytes: 16)
            #expect(plan.ranges.count > 10)
            for range in plan.ranges {
                #expect(bytes[8..<range.lowerBound].filter { $0 == UInt8(ascii: "\"") }.count % 2 == 0)
                #expect(range.lowerBound == 8 || bytes[range.lowerBound - 1] == 10)
            }
            #expect(plan.ranges.last?.upperBound == bytes.count)
        }
    }

    @Test func theFirstErrorInTheFileIsReportedWithItsLineWhateverTheChunks() throws {
        // Line numbers count the header, blank lines and quoted line breaks before the error.
        var lines = ["a,b,y,note"]
        for i in 0..<600 { lines.append(i % 50 == 0 ? "" : "\(i),\"\(i)\",\(i % 2),n") }
        lines.append("1,2,0,\"two\nlines\"")
        let errorLine = lines.count + 2  // the quoted field spans one more line
        lines.append("4,five,6,n")
        lines.append("7,8")
        lines.append("9,nine,1,n")
        let text = lines.joined(separator: "\n") + "\n"
        let options = CSVOptions(targets: ["y"], drop: ["note"])
        let sequential = dataErrorMessage { let _: CSVTable<Float> = try loadChunked(text, file: "bad.csv", options: options, chunkBytes: .max) }
        #expect(sequential.hasPrefix("bad.csv:\(errorLine):2 (column \"b\"): expected a number, found \"five\""))
        for chunkBytes in [20, 64, 333, 4096] {
            let chunked = dataErrorMessage { let _: CSVTable<Float> = try GEMM.withMaximumThreadCount(2) { try loadChunked(text, file: "bad.csv", options: options, chunkBytes: chunkBytes) } }
            #expect(chunked == sequential, "chunks of \(chunkBytes) bytes")
        }
        // A ragged row and a missing value, each the first problem of its file.
        for (bad, expected) in [("4,5", "bad.csv:602: expected 3 fields (as in the header), found 2"),
                                ("4,,5", "bad.csv:602:2 (column \"b\"): missing value in a feature column")] {
            let file = (["a,b,y"] + (1...600).map { "\($0),\($0),1" } + [bad] + ["x,y,z"]).joined(separator: "\n")
            for chunkBytes in [.max, 50, 1000] {
                let message = dataErrorMessage { let _: CSVTable<Float> = try loadChunked(file, file: "bad.csv", chunkBytes: chunkBytes) }
                #expect(message.hasPrefix(expected), "chunks of \(chunkBytes) bytes: \(message)")
            }
        }
    }

    @Test func loneCarriageReturnsInAChunkWithLineFeedsStillFit() throws {
        // Row bounds come from line feeds; records ended by lone CRs overflow them, and the
        // loader parses again with room for them.
        var text = "x,y\n"
        for i in 0..<200 { text += "\(i),\(2 * i)" + (i % 3 == 0 ? "\n" : "\r") }
        let expected = (0..<200).map(Double.init)
        for chunkBytes in [.max, 40] {
            let table: CSVTable<Double> = try loadChunked(text, chunkBytes: chunkBytes)
            #expect(table.features.scalars == expected)
            #expect(table.targets.values?.scalars == expected.map { 2 * $0 })
        }
    }

    @Test func categoricalColumnsAndDroppedRowsSurviveChunking() throws {
        var lines = ["color,size,price"]
        for i in 0..<500 { lines.append("\(["red", "green", "\"blue, dark\""][i % 3]),\(i % 17 == 0 ? "" : String(i)),\(i)") }
        let text = lines.joined(separator: "\n")
        let options = CSVOptions(categorical: ["color"], missingValues: .drop)
        let sequential: CSVTable<Float> = try loadChunked(text, options: options, chunkBytes: .max)
        // Rows 0, 17, …, 493 have no size: 30 of them.
        #expect(sequential.droppedRows == 30)
        #expect(sequential.count == 470)
        #expect(sequential.categoricalColumns[0].values.prefix(3) == ["green", "blue, dark", "red"])
        for chunkBytes in [30, 500] {
            let chunked: CSVTable<Float> = try GEMM.withMaximumThreadCount(2) { try loadChunked(text, options: options, chunkBytes: chunkBytes) }
            expectSameTable(chunked, sequential)
            #expect(chunked.droppedRows == 30)
        }
    }
}
