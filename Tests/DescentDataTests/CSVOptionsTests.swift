import DescentCore
@testable import DescentData
import Foundation
import Testing

/// Delimiter detection, dropped columns, missing values, warnings and bad-input errors. Expected
/// values are computed by hand from the small inputs written in each test.
@Suite struct CSVOptionsTests {
    @Test(arguments: [(";", "a;b;y\n1;2;3\n4;5;6\n"), ("\t", "a\tb\ty\n1\t2\t3\n4\t5\t6\n"), ("|", "a|b|y\n1|2|3\n4|5|6\n"),
                      (",", "a,b,y\n1,2,3\n4,5,6\n")])
    func delimiterIsDetectedWhenNotGiven(delimiter: Character, text: String) throws {
        let table: CSVTable<Double> = try CSVLoader.load(text: text)
        #expect(table.delimiter == delimiter)
        #expect(table.featureNames == ["a", "b"])
        #expect(table.features.scalars == [1, 2, 4, 5])
    }

    @Test func detectionRespectsQuotesAndDecimalCommas() throws {
        // Semicolons inside quotes do not count; decimal commas make the comma inconsistent.
        let quoted: CSVTable<Double> = try CSVLoader.load(text: "name,x,y\n\"a;b;c\",1,2\n\"d;e\",3,4\n", options: CSVOptions(features: ["x"]))
        #expect(quoted.delimiter == ",")
        let european: CSVTable<Double> = try CSVLoader.load(text: "x;y\n1,5;2\n3,25;4\n", options: CSVOptions(features: []))
        #expect(european.delimiter == ";")
        var text = "x;y\n1,5;2\n"
        let result = text.withUTF8 { CSVDelimiterDetection.detect(in: $0) }
        #expect(result == CSVDelimiterDetection.Result(delimiter: UInt8(ascii: ";"), fields: 2, isConsistent: true))
    }

    @Test func oneFieldPerRowIsAnErrorNamingTheLikelyDelimiter() {
        // The issue's case: a semicolon file read with commas used to train a zero-input model.
        let message = dataErrorMessage {
            let _: CSVTable<Float> = try CSVLoader.load(text: "a;b;label\n1;2;x\n3;4;y\n", file: "x.csv", options: CSVOptions(delimiter: ","))
        }
        #expect(message == "x.csv: every row has one field (the first line reads \"a;b;label\"), so there is no feature column; the file looks semicolon-separated: give the delimiter ';' (--delimiter ';')")
        let single = dataErrorMessage { let _: CSVTable<Float> = try CSVLoader.load(text: "value\n1\n2\n", file: "one.csv") }
        #expect(single.hasPrefix("one.csv: every row has one field (the first line reads \"value\"), so there is no feature column; no comma, semicolon, tab or pipe"))
    }

    @Test func zeroFeatureColumnsIsAnErrorUnlessAskedFor() throws {
        let message = dataErrorMessage {
            let _: CSVTable<Float> = try CSVLoader.load(text: "id,y\n1,2\n", file: "z.csv", options: CSVOptions(drop: ["id"]))
        }
        #expect(message == "z.csv: no feature column is left: the columns are id, y; the target is y and id is dropped")
        // Explicitly no features (a labels file), and features only (data to predict on).
        let labels: CSVTable<Float> = try CSVLoader.load(text: "y\n1\n0\n", options: CSVOptions(features: [], targetKind: .classification))
        #expect(labels.features.shape == [2, 0])
        #expect(labels.targets.classes == [1, 0])
        let inputs: CSVTable<Float> = try CSVLoader.load(text: "x\n1\n2\n", options: CSVOptions(targets: []))
        #expect(inputs.features.scalars == [1, 2])
        #expect(inputs.targets.values?.shape == [2, 0])
    }

    @Test func droppedColumnsByNameAndPositionAndTheDefaultTarget() throws {
        // The default target is the last column that is not dropped.
        let table: CSVTable<Double> = try CSVLoader.load(text: "id,a,b,y,note\n1,2,3,4,5\n", options: CSVOptions(drop: ["id", -1]))
        #expect(table.featureNames == ["a", "b"])
        #expect(table.targetNames == ["y"])
        #expect(table.features.scalars == [2, 3])
        let conflict = dataErrorMessage {
            let _: CSVTable<Double> = try CSVLoader.load(text: "a,y\n1,2\n", file: "c.csv", options: CSVOptions(targets: ["y"], drop: ["y"]))
        }
        #expect(conflict == "c.csv: column \"y\" is chosen both as a target and to be dropped")
    }

    @Test func missingValuesDropCountsRowsAndTreatsNaNAsMissing() throws {
        let text = "a,b,y\n1,,10\n3,4,\n,6,30\n5,NaN,40\n7,8,50\n"
        let table: CSVTable<Double> = try CSVLoader.load(text: text, options: CSVOptions(missingValues: .drop))
        #expect(table.droppedRows == 4)
        #expect(table.features.scalars == [7, 8])
        #expect(table.targets.values?.scalars == [50])
        let none = dataErrorMessage { let _: CSVTable<Double> = try CSVLoader.load(text: "a,y\n,1\n", file: "d.csv", options: CSVOptions(missingValues: .drop)) }
        #expect(none == "d.csv: every one of the 1 rows has a missing value and was dropped; nothing is left to load")
    }

    @Test func missingValuesMeanFillsFeaturesAndDropsRowsWithoutTarget() throws {
        let text = "a,b,y\n1,,10\n3,4,\n,6,30\n5,NaN,40\n7,8,50\n"
        let table: CSVTable<Double> = try CSVLoader.load(text: text, options: CSVOptions(missingValues: .mean))
        // Row 2 has no target: dropped. Column a's mean over 1, 5, 7 is 13/3; b's over 6, 8 is 7.
        #expect(table.droppedRows == 1)
        #expect(table.filledCells == 3)
        #expect(table.fillValues == ["a": 13.0 / 3, "b": 7])
        #expect(table.features.scalars == [1, 7, 13.0 / 3, 6, 5, 7, 7, 8])
        // Given fill values (the training file's means) win over this file's.
        let given: CSVTable<Double> = try CSVLoader.load(text: text, options: CSVOptions(missingValues: .mean, fillValues: ["b": 100]))
        #expect(given.features.scalars == [1, 100, 13.0 / 3, 6, 5, 100, 7, 8])
        #expect(given.fillValues == ["a": 13.0 / 3, "b": 100])
        let empty = dataErrorMessage { let _: CSVTable<Double> = try CSVLoader.load(text: "a,b,y\n,1,2\n,3,4\n", file: "e.csv", options: CSVOptions(missingValues: .mean)) }
        #expect(empty.hasPrefix("e.csv (column \"a\"): every value of this feature column is missing"))
    }

    @Test func idLikeColumnsAndANumericHeaderAreWarnedAbout() throws {
        // 20 rows (the least that counts by values): row_number rises 10, 11, 13, …; x does not.
        var text = "Unnamed: 0,row_number,user_id,x,y\n"
        for i in 0..<20 { text += "\(i),\(10 + i * (i + 1) / 2),\(i % 7),0.\(i % 3),\(i % 2)\n" }
        let table: CSVTable<Double> = try CSVLoader.load(text: text)
        #expect(table.warnings == [
            "feature column \"Unnamed: 0\" is named like a row identifier: a model can learn the row order instead of the data; drop it (--drop Unnamed: 0) unless it is a real feature",
            "feature column \"row_number\" holds distinct integers in increasing order, like a row identifier: a model can learn the row order instead of the data; drop it (--drop row_number) unless it is a real feature",
            "feature column \"user_id\" is named like a row identifier: a model can learn the row order instead of the data; drop it (--drop user_id) unless it is a real feature",
        ])
        let headerless: CSVTable<Double> = try CSVLoader.load(text: "1,2,3\n4,5,6\n7,8,9\n")
        #expect(headerless.count == 2)
        #expect(headerless.warnings.first?.hasPrefix("every field of the header line is a number (1, 2, 3): if the file has no header, read it without one (--no-header)") == true)
        let plain: CSVTable<Double> = try CSVLoader.load(text: "a,b\n3,1\n1,2\n")
        #expect(plain.warnings.isEmpty)
        // Increasing integers over fewer than 20 rows are not flagged.
        let short: CSVTable<Double> = try CSVLoader.load(text: "x,y\n1,10\n2,20\n3,30\n4,41\n")
        #expect(short.warnings.isEmpty)
    }

    @Test func optionsRoundTripThroughJSONAndOldFilesStillDecode() throws {
        let options = CSVOptions(hasHeader: false, delimiter: nil, targets: ["y"], drop: [0, "id"], missingValues: .mean, fillValues: ["a": 1.5])
        let decoded = try JSONDecoder().decode(CSVOptions.self, from: JSONEncoder().encode(options))
        #expect(decoded == options)
        // Options saved before detection existed name their delimiter.
        let old = try JSONDecoder().decode(CSVOptions.self, from: Data(#"{"hasHeader":true,"delimiter":";","categorical":[],"targetKind":"automatic"}"#.utf8))
        #expect(old.delimiter == ";")
        #expect(old.missingValues == .error)
        #expect(old.drop.isEmpty)
    }
}
