import Descent
import Foundation
import Testing



/// The article "Training from a CSV file with the command line" (Sources/Descent/Descent.docc/TrainingFromACSV.md): its code, verbatim.
@Suite struct TrainingFromACSVArticleTests {
    /// Expected lines: the loop writes 200 rows.
    @Test func theArticlesCodePrintsWhatItSays() throws {
        let lines = try printedLines {
            let folder = FileManager.default.temporaryDirectory.appendingPathComponent("descent-docs-csv-\(UInt64.random(in: 0...UInt64.max))")
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            var rows = ["size,rooms,price"]
            for i in 0..<200 { rows.append("\(50 + i),\(1 + i % 5),\(3 * (50 + i) + 10 * (1 + i % 5))") }
            try rows.joined(separator: "\n").write(to: folder.appendingPathComponent("houses.csv"), atomically: true, encoding: .utf8)
            print(rows.count - 1, "rows")                                      // 200 rows
        }
        let expected: [String] = [
            "200 rows"
        ]
        #expect(lines == expected)
    }
}
