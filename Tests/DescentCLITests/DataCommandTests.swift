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
}
