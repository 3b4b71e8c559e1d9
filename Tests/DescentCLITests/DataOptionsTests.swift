import ArgumentParser
import Descent
import Foundation
import Testing
@testable import DescentCLI

/// The data-reading options of `descent train` (issue 15): target, delimiter, header, dropped and
/// categorical columns, missing values.
@Suite struct DataOptionsTests {
    /// `y = 2·a − b` with a text column and an id column; rows given by hand.
    static let table = """
        id,a,b,colour,y
        1,0.5,1.0,red,0.0
        2,1.0,0.5,blue,1.5
        3,1.5,0.0,red,3.0
        4,2.0,1.5,green,2.5
        5,2.5,1.0,blue,4.0
        6,3.0,0.5,red,5.5
        """ + "\n"

    @Test func targetMinusOneIsTheLastColumnAsTheHelpSays() throws {
        let folder = try TrainTestFolder()
        let file = try folder.write("t.csv", "a,b,y\n1,2,3\n2,3,5\n3,4,7\n4,5,9\n5,6,11\n6,7,13\n")
        let report = try jsonObject(TrainCommand.parse(["--data", file, "--target", "-1", "--task", "regression", "--epochs", "1",
                                                        "--format", "json"]).output())
        #expect(report["train"] as? [String: Double] != nil)
    }
}
