import DescentCore
@testable import DescentData
import Foundation
import Testing

/// The message of the DataError thrown by `body`, or a failure if it does not throw one.
func dataErrorMessage(_ body: () throws -> Void) -> String {
    do {
        try body()
        Issue.record("expected a DataError, nothing was thrown")
        return ""
    } catch let error as DataError {
        return error.description
    } catch {
        Issue.record("expected a DataError, got \(error)")
        return ""
    }
}

@Suite struct CSVLoaderTests {
    @Test func readsHeaderNumbersAndTextLabelsWithSortedMapping() throws {
        let folder = try TemporaryFolder()
        let path = try folder.write("iris.csv", """
            sepal_length,sepal_width,species
            5.1,3.5,setosa
            7.0,3.2,versicolor
            6.3,3.3,virginica
            4.9,3.0,setosa

            """)
        let table: CSVTable<Float> = try CSVLoader.load(path)
        #expect(table.featureNames == ["sepal_length", "sepal_width"])
        #expect(table.features.shape == [4, 2])
        #expect(table.features.scalars == [5.1, 3.5, 7.0, 3.2, 6.3, 3.3, 4.9, 3.0])
        // Labels sorted alphabetically: setosa 0, versicolor 1, virginica 2.
        #expect(table.classNames == ["setosa", "versicolor", "virginica"])
        #expect(table.targets.classes == [0, 1, 2, 0])
        let dataset = try table.dataset()
        #expect(dataset.classCount == 3)
    }

    @Test func numericLabelsSortNumericallyWhenClassificationIsAsked() throws {
        let table: CSVTable<Double> = try CSVLoader.load(
            text: "x,y\n1,10\n2,2\n3,10\n4,9\n", options: CSVOptions(targetKind: .classification))
        #expect(table.classNames == ["2", "9", "10"])  // numeric order, not "10" < "2"
        #expect(table.targets.classes == [2, 0, 2, 1])
    }

    @Test func regressionTargetsByNameAndSelectedFeatures() throws {
        let text = "a;b;c;price\n1;2;3;10.5\n4;5;6;-2e-1\n"
        let table: CSVTable<Double> = try CSVLoader.load(
            text: text, options: CSVOptions(delimiter: ";", targets: ["price"], features: [2, "a"]))
        #expect(table.featureNames == ["c", "a"])
        #expect(table.features.scalars == [3, 1, 6, 4])
        #expect(table.targets.values?.shape == [2, 1])
        #expect(table.targets.values?.scalars == [10.5, -0.2])
    }

    @Test func quotedFieldsFollowRFC4180() throws {
        // Quoted delimiter, escaped quote, newline inside quotes, CRLF line ends.
        let text = "\"x\",\"label\"\r\n1,\"a, b\"\r\n2,\"say \"\"hi\"\"\"\r\n3,\"two\nlines\"\r\n"
        let table: CSVTable<Float> = try CSVLoader.load(text: text)
        #expect(table.features.scalars == [1, 2, 3])
        #expect(table.classNames == ["a, b", "say \"hi\"", "two\nlines"])
    }

    @Test func headerlessFilesNameColumnsByPosition() throws {
        let table: CSVTable<Float> = try CSVLoader.load(text: "1,2,0\n3,4,1\n", options: CSVOptions(hasHeader: false, targetKind: .classification))
        #expect(table.featureNames == ["0", "1"])
        #expect(table.targets.classes == [0, 1])
    }

    @Test func raggedRowNamesLineAndCounts() {
        let message = dataErrorMessage {
            let _: CSVTable<Float> = try CSVLoader.load(text: "a,b,c\n1,2,3\n4,5\n", file: "ragged.csv")
        }
        #expect(message == "ragged.csv:3: expected 3 fields (as in the header), found 2")
    }

    @Test func nonNumericFeatureNamesLineColumnAndValue() {
        let message = dataErrorMessage {
            let _: CSVTable<Float> = try CSVLoader.load(text: "a,b,y\n1,2,3\n4,five,6\n", file: "bad.csv")
        }
        #expect(message.hasPrefix("bad.csv:3:2 (column \"b\"): expected a number, found \"five\""))
    }

    @Test func missingValueIsReportedNotGuessed() {
        let message = dataErrorMessage {
            let _: CSVTable<Float> = try CSVLoader.load(text: "a,b,y\n1,,3\n", file: "gap.csv")
        }
        #expect(message.hasPrefix("gap.csv:2:2 (column \"b\"): missing value in a feature column"))
        let marker = dataErrorMessage {
            let _: CSVTable<Float> = try CSVLoader.load(text: "a,b,y\n1,NA,3\n", file: "gap.csv")
        }
        #expect(marker.hasPrefix("gap.csv:2:2 (column \"b\"): missing value \"NA\""))
    }

    @Test func nanAndInfinityAreRejected() {
        let nan = dataErrorMessage {
            let _: CSVTable<Double> = try CSVLoader.load(text: "a,y\n1,2\nNaN,3\n", file: "nan.csv")
        }
        #expect(nan.hasPrefix("nan.csv:3:1 (column \"a\"): NaN in a feature column"))
        let infinity = dataErrorMessage {
            let _: CSVTable<Double> = try CSVLoader.load(text: "a,y\n1,inf\n", file: "inf.csv", options: CSVOptions(targetKind: .regression))
        }
        #expect(infinity.hasPrefix("inf.csv:2:2 (column \"y\"): infinite value \"inf\" in a target column"))
    }

    @Test func badQuotesAreReported() {
        let unclosed = dataErrorMessage {
            let _: CSVTable<Float> = try CSVLoader.load(text: "a,y\n1,2\n3,\"open\n4,5\n", file: "q.csv")
        }
        #expect(unclosed == "q.csv:3:2: the quoted field that starts here is never closed; add the closing quote (\")")
        let stray = dataErrorMessage {
            let _: CSVTable<Float> = try CSVLoader.load(text: "a,y\n1,ab\"c\n", file: "q.csv")
        }
        #expect(stray.hasPrefix("q.csv:2:2: a quote (\") inside an unquoted field"))
        let afterClose = dataErrorMessage {
            let _: CSVTable<Float> = try CSVLoader.load(text: "a,y\n1,\"ab\"c\n", file: "q.csv")
        }
        #expect(afterClose.hasPrefix("q.csv:2:2: expected a delimiter or the end of the line after the closing quote, found \"c\""))
    }

    @Test func unknownColumnListsTheColumns() {
        let message = dataErrorMessage {
            let _: CSVTable<Float> = try CSVLoader.load(text: "a,b\n1,2\n", file: "t.csv", options: CSVOptions(targets: ["price"]))
        }
        #expect(message == "t.csv: there is no column named \"price\"; the columns are: a, b")
    }

    @Test func regressionTargetWithTextIsAnError() {
        let message = dataErrorMessage {
            let _: CSVTable<Float> = try CSVLoader.load(text: "a,y\n1,cat\n", file: "r.csv", options: CSVOptions(targetKind: .regression))
        }
        #expect(message.hasPrefix("r.csv:2:2 (column \"y\"): expected a number, found \"cat\""))
    }

    @Test func gzipCompressedCSVLoads() throws {
        let folder = try TemporaryFolder()
        let path = try folder.write("small.csv", "x,y\n1,2\n3,4\n")
        let table: CSVTable<Float> = try CSVLoader.load(try gzipFile(path))
        #expect(table.features.scalars == [1, 3])
        #expect(table.targets.values?.scalars == [2, 4])
    }

    @Test func numberParserIsCorrectlyRoundedOnFastAndSlowPaths() {
        // Expected values are Swift's own correctly rounded Double(String) results.
        for text in ["0.1", "-2.5e-3", "123456789012345678", "1.7976931348623157e308", "4.9e-324", "0.30000000000000004", "  7 ", "+3.", ".5"] {
            var copy = text
            let parsed = copy.withUTF8 { NumberParser.parse($0.baseAddress!, $0.count) }
            #expect(parsed == .number(Double(text.trimmingCharacters(in: .whitespaces))!), "\(text)")
        }
        var bad = "1.2.3"
        #expect(bad.withUTF8 { NumberParser.parse($0.baseAddress!, $0.count) } == .invalid)
    }
}

@Suite struct CSVLineEndingTests {
    @Test func loneCarriageReturnsEndRecordsToo() throws {
        // Old Mac line ends: no LF to count, so the row buffer must grow while loading.
        let text = "x,y\r" + (0..<50).map { "\($0),\($0 * 2)" }.joined(separator: "\r") + "\r"
        let table: CSVTable<Double> = try CSVLoader.load(text: text)
        #expect(table.count == 50)
        #expect(table.features.scalars == (0..<50).map(Double.init))
        #expect(table.targets.values?.scalars == (0..<50).map { Double($0 * 2) })
    }
}
