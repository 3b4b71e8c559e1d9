@testable import DescentCLI
import Foundation
import Testing

/// A temporary folder removed when released.
private final class Folder {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("descent-cli-data-\(UUID().uuidString)")
    init() throws { try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true) }
    func path(_ name: String) -> String { url.appendingPathComponent(name).path }
    deinit { try? FileManager.default.removeItem(at: url) }
}

/// IDX bytes: 00 00 type rank, big-endian sizes, data.
private func idx(_ shape: [Int], _ data: [UInt8]) -> Data {
    var bytes: [UInt8] = [0, 0, 0x08, UInt8(shape.count)]
    for size in shape { bytes += withUnsafeBytes(of: UInt32(size).bigEndian, Array.init) }
    return Data(bytes + data)
}

@Suite struct DataCommandTests {
    @Test func inspectNamesEveryProblemInACSV() throws {
        let folder = try Folder()
        let path = folder.path("t.csv")
        // 12 rows: b has a gap (line 3), a NaN (line 4) and text (line 5); c is constant; label is 11 x to 1 y.
        var text = "a,b,c,label\n1,2,5,x\n2,,5,x\n3,NaN,5,x\n4,foo,5,y\n"
        for r in 5...12 { text += "\(r),\(r),5,x\n" }
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        let output = try DataInspectCommand.parse([path, "--target", "label"]).output()
        #expect(output.hasPrefix("\(path): CSV, 12 rows × 4 columns"))
        #expect(output.contains("column \"b\" has 1 NaN value (first at line 4): training would produce NaN losses"))
        #expect(output.contains("column \"b\" has 1 missing value (first at line 3)"))
        #expect(output.contains("column \"b\" is mostly numbers but has 1 non-numeric value (first at line 5: \"foo\")"))
        #expect(output.contains("column \"c\" is constant"))
        // 1 of 12 is 8.3 %, below a tenth of the 11 x rows.
        #expect(output.contains("the classes are heavily imbalanced: \"y\" has 1 rows (8.3%), \"x\" 11 (91.7%)"))
        #expect(output.contains("target: label (classes)"))
    }

    @Test func inspectReportsStatisticsAsJSON() throws {
        let folder = try Folder()
        let path = folder.path("r.csv")
        try "x,y\n1,10\n2,20\n3,30\n4,41\n".write(toFile: path, atomically: true, encoding: .utf8)
        let json = try DataInspectCommand.parse([path, "--format", "json"]).output()
        let object = try JSONSerialization.jsonObject(with: Data(json.utf8)) as! [String: Any]
        #expect(object["rows"] as? Int == 4)
        #expect(object["targetKind"] as? String == "classes" || object["targetKind"] as? String == "values")
        let columns = object["columns"] as! [[String: Any]]
        // Mean of 1…4 is 2.5; population σ = √1.25.
        #expect(columns[0]["mean"] as? Double == 2.5)
        #expect(abs((columns[0]["standardDeviation"] as! Double) - 1.25.squareRoot()) < 1e-12)
        #expect((object["problems"] as! [String]).isEmpty)
    }

    @Test func inspectReadsIDXImagesWithLabelsAndSingleClassIsAProblem() throws {
        let folder = try Folder()
        let images = folder.path("i-idx3-ubyte"), labels = folder.path("l-idx1-ubyte")
        try idx([3, 2, 2], [0, 255, 0, 255, 0, 0, 0, 0, 255, 255, 255, 255]).write(to: URL(fileURLWithPath: images))
        try idx([3], [4, 4, 4]).write(to: URL(fileURLWithPath: labels))
        let output = try DataInspectCommand.parse([images, "--labels", labels]).output()
        #expect(output.hasPrefix("\(images): IDX, 3 rows, shape [3, 2, 2] of unsigned bytes"))
        #expect(output.contains("pixels"))
        #expect(output.contains("has a single class (\"4\")"))
        let labelReport = try DataInspectCommand.parse([labels]).output()
        #expect(labelReport.contains("4   3"))
    }

    @Test func inspectBuiltinAndErrors() throws {
        let output = try DataInspectCommand.parse(["builtin:blobs(count: 30, centers: 3)"]).output()
        #expect(output.contains("30 rows × 2 columns"))
        #expect(output.contains("problems: none found"))
        #expect(throws: (any Error).self) { try DataInspectCommand.parse(["/nonexistent/file.csv"]).output() }
        do {
            _ = try DataInspectCommand.parse(["builtin:nothing"]).output()
            Issue.record("expected an error")
        } catch {
            #expect("\(error)".contains("unknown built-in dataset"))
        }
    }

    /// Streams a 128 MiB IDX file through `descent data stream-train` in a child process and checks
    /// that the child's peak resident memory (VmHWM) stays within 64 MB of its resident memory
    /// before the data was opened. A child process is used because the test runner's own peak
    /// includes everything other tests allocate in parallel.
    @Test(.timeLimit(.minutes(2))) func streamingTrainingStaysUnderTheMemoryBudget() throws {
        let binary = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("descent").path
        try #require(FileManager.default.isExecutableFile(atPath: binary), "the descent executable is built next to the test runner")
        let folder = try Folder()
        let images = folder.path("big-idx2-ubyte"), labels = folder.path("big-idx1-ubyte")
        // 32,768 rows × 4,096 bytes = 128 MiB, twice the budget (as Float it would be 512 MiB).
        // (Not larger: training runs in a debug build and the test should stay well under 20 s.)
        let rows = 32_768, width = 4_096
        _ = FileManager.default.createFile(atPath: images, contents: nil)
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: images))
        var header: [UInt8] = [0, 0, 0x08, 2]
        header += withUnsafeBytes(of: UInt32(rows).bigEndian, Array.init) + withUnsafeBytes(of: UInt32(width).bigEndian, Array.init)
        try handle.write(contentsOf: Data(header))
        // Class 1 rows are brighter, so there is something to learn.
        let block = Data((0..<(1_024 * width)).map { UInt8(truncatingIfNeeded: ($0 &* 2_654_435_761) >> 24) / 2 + UInt8(($0 / width) % 2 * 100) })
        for _ in 0..<(rows / 1_024) { try handle.write(contentsOf: block) }
        try handle.close()
        try idx([rows], (0..<rows).map { UInt8($0 % 2) }).write(to: URL(fileURLWithPath: labels))

        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = ["data", "stream-train", images, "--labels", labels, "--batch-size", "128", "--chunk-rows", "128",
                             "--window-chunks", "4", "--learning-rate", "0.0001"]
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
        var values: [String: String] = [:]
        for line in output.split(separator: "\n") {
            let parts = line.split(separator: ":", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            if parts.count == 2 { values[parts[0]] = parts[1] }
        }
        #expect(values["samples-seen"] == "32768")
        // The model learnt something: the loss fell below ln 2 ≈ 0.693 (a coin flip).
        #expect((Double(values["final-loss"] ?? "") ?? 1) < 0.69)
        let baseline = try #require(Int(values["baseline-rss-kb"] ?? ""))
        let peak = try #require(Int(values["peak-rss-kb"] ?? ""))
        let budgetKB = 64 * 1_024
        #expect(peak - baseline < budgetKB, "peak \(peak) kB − baseline \(baseline) kB must stay under \(budgetKB) kB; the file is 131,072 kB")
        // The loader's own accounting: window 4·128 rows · (4,096 + 1) · 4 B ≈ 8.4 MB, plus 3 batches of 2.1 MB.
        #expect(Int(values["estimated-bytes-held"] ?? "") ?? .max < budgetKB * 1_024)
    }
}
