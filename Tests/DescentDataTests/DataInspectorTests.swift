@testable import DescentData
import Foundation
import Testing

/// `DataInspector` with the loader's rules: what would stop `train`, and no binary in text.
/// Expected counts and lines come from the small files written in each test.
@Suite struct DataInspectorTests {
    @Test func aCleanFileStopsNothingAndAMissingValueStopsTraining() throws {
        let folder = try TemporaryFolder()
        let clean = try DataInspector.inspect(try folder.write("c.csv", "a,b,y\n3,2,0\n1,1,1\n4,5,0\n2,3,1\n"))
        #expect(clean.problems.isEmpty)
        #expect(!clean.stopsTraining)
        let gap = try folder.write("g.csv", "a,b,y\n2,,0\n1,1,1\n3,5,0\n")
        let report = try DataInspector.inspect(gap)
        #expect(report.stopsTraining)
        #expect(report.severities == [.stopsTraining])
        #expect(report.text.contains("[stops training] column \"b\" has 1 missing value (first at line 2)"))
        // With rows with missing values dropped, as train would be told, nothing stops it.
        let dropped = try DataInspector.inspect(gap, options: CSVOptions(missingValues: .drop))
        #expect(!dropped.stopsTraining)
        #expect(dropped.problems == ["column \"b\" has 1 missing value (first at line 2): their rows will be dropped (missing values: drop)"])
    }

    @Test func semicolonFilesAreDetectedAndAWrongDelimiterStopsTraining() throws {
        let folder = try TemporaryFolder()
        let path = try folder.write("s.csv", "a;b;label\n1;2;x\n3;4;y\n5;6;x\n")
        let detected = try DataInspector.inspect(path)
        #expect(detected.delimiter == ";")
        #expect(detected.columns.map(\.name) == ["a", "b", "label"])
        #expect(detected.text.hasPrefix("\(path): CSV, 3 rows × 3 columns (semicolon-separated)"))
        #expect(!detected.stopsTraining)
        let forced = try DataInspector.inspect(path, options: CSVOptions(delimiter: ","))
        #expect(forced.stopsTraining)
        #expect(forced.problems.first == "every row has one field (the first line reads \"a;b;label\"), so there is no feature column; the file looks semicolon-separated: give the delimiter ';' (--delimiter ';')")
    }

    @Test func binaryFilesAreNamedNotPrinted() throws {
        let folder = try TemporaryFolder()
        var bytes: [UInt8] = Array("PK".utf8) + [3, 4, 0, 0, 0xFF, 0xFE]
        bytes += [UInt8](repeating: 0x41, count: 2000)
        let path = try folder.write("model.zip", bytes: bytes)
        let report = try DataInspector.inspect(path)
        #expect(report.format == "binary")
        #expect(report.stopsTraining)
        #expect(report.text.contains("not a text file"))
        #expect(!report.text.contains("PK"))
        // Invalid UTF-8 without NUL bytes is not text either; UTF-8 cut at the 1 KB mark is.
        let latin1 = try folder.write("l.csv", bytes: Array("a,b\n".utf8) + [0xE9, 0x2C, 0x31, 0x0A])
        #expect(try DataInspector.inspect(latin1).format == "binary")
        let accents = try folder.write("u.csv", "name,y\n" + String(repeating: "é,1\n", count: 400))
        #expect(try DataInspector.inspect(accents).format == "csv")
    }

    @Test func npyArraysAreReportedAndTruncatedIDXStopsTraining() throws {
        let folder = try TemporaryFolder()
        let data = [Float(1), 2, 3, 4].flatMap { withUnsafeBytes(of: $0.bitPattern.littleEndian, Array.init) }
        let npy = try folder.write("x.npy", bytes: npyBytes("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 2), }", data: data))
        let array = try DataInspector.inspect(npy)
        #expect(array.format == "npy")
        #expect(array.shape == [2, 2])
        #expect(array.columns.first?.mean == 2.5)
        #expect(!array.stopsTraining)
        // 3 images of 2 × 2 bytes announced, 5 bytes present.
        let idx = try folder.write("t-idx3-ubyte", bytes: idxBytes(type: 0x08, shape: [3, 2, 2], data: [1, 2, 3, 4, 5]))
        let truncated = try DataInspector.inspect(idx)
        #expect(truncated.stopsTraining)
        #expect(truncated.severities == [.stopsTraining])
        #expect(truncated.problems.first?.contains("truncated") == true)
    }

    @Test func warningsDoNotStopTraining() throws {
        let folder = try TemporaryFolder()
        let report = try DataInspector.inspect(try folder.write("w.csv", "id,x,c,y\n1,0.5,7,0\n2,0.1,7,1\n3,0.9,7,0\n"))
        #expect(!report.stopsTraining)
        #expect(report.severities.allSatisfy { $0 == .warning })
        #expect(report.problems.contains("column \"c\" is constant (every value is 7.0): it carries no information; drop it"))
        #expect(report.problems.contains(CSVColumnWarnings.idLike("id", byName: true)))
        let dropped = try DataInspector.inspect(try folder.write("d.csv", "id,x,y\n1,0.5,0\n2,0.1,1\n"), options: CSVOptions(drop: ["id"]))
        #expect(dropped.problems.isEmpty)
    }
}

