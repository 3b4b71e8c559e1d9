import ArgumentParser
import Descent
import Foundation
import Testing
@testable import DescentCLI

/// Edited model folders (issue 18): `preprocessing.json` is untrusted input. A folder is trained
/// once, then each test edits one field of its preprocessing.json and runs `descent predict`
/// (or `evaluate`), expecting a message naming the file and the field where a trap used to follow.
@Suite struct HostileModelFolderTests {
    /// A trained folder (classification, 3 classes, 2 inputs) and a CSV to predict on.
    func trainedFolder() throws -> (TrainTestFolder, String, String) {
        let folder = try TrainTestFolder()
        let run = folder.path("run")
        _ = try TrainCommand.parse(["--data", "builtin:spirals(count: 60)", "--epochs", "1", "--model", "mlp(4)", "--output", run]).output()
        let data = try folder.write("new.csv", "x1,x2\n0.1,0.2\n-0.3,0.4\n")
        return (folder, run, data)
    }

    /// Rewrites `key` of the folder's preprocessing.json as `value` (JSON text) and returns predict's message.
    func predictAfterEditing(_ key: String, _ value: String) throws -> String {
        let (folder, run, data) = try trainedFolder()
        var object = try jsonObject(folder.read("run/preprocessing.json"))
        object[key] = try JSONSerialization.jsonObject(with: Data(value.utf8), options: .fragmentsAllowed)
        try JSONSerialization.data(withJSONObject: object).write(to: URL(fileURLWithPath: folder.path("run/preprocessing.json")))
        do { _ = try PredictCommand.parse(["--model", run, "--data", data]).output(); return "" } catch { return PredictCommand.message(for: error) }
    }

    @Test func theUneditedFolderPredicts() throws {
        let text = try predictAfterEditing("task", "\"classification\"")
        #expect(text.isEmpty, "\(text)")
    }

    @Test func negativeInputsAreRefused() throws {
        let text = try predictAfterEditing("inputs", "-1")
        #expect(text.contains("preprocessing.json: `inputs` is -1"), "\(text)")
    }

    @Test func inputsOfIntMaxAreRefusedBeforeAllocating() throws {
        let text = try predictAfterEditing("inputs", "9223372036854775807")
        // featureNames still lists 2 columns; the sizes are checked first either way.
        #expect(text.contains("preprocessing.json") && (text.contains("`featureNames` has 2 names for 9223372036854775807 inputs")
                                                         || text.contains("more parameters than a 64-bit count holds")), "\(text)")
    }

    @Test func hugeOutputsAreRefusedWithTheMemoryTheyWouldNeed() throws {
        let text = try predictAfterEditing("outputs", "100000000000")
        #expect(text.contains("`classNames` has 3 names, but the model's 100000000000 outputs need 100000000000"), "\(text)")
    }

    @Test func fewerClassNamesThanOutputsAreRefused() throws {
        let text = try predictAfterEditing("classNames", #"["0", "1"]"#)
        #expect(text.contains("`classNames` has 2 names, but the model's 3 outputs need 3"), "\(text)")
    }

    @Test func duplicateClassNamesAreRefused() throws {
        let text = try predictAfterEditing("classNames", #"["a", "b", "a"]"#)
        #expect(text.contains("`classNames` names the class `a` twice"), "\(text)")
    }

    @Test func aStandardizerLongerThanTheFeaturesIsRefused() throws {
        let text = try predictAfterEditing("standardizer", #"{"featureShape": [2], "mean": [0, 0, 0], "standardDeviation": [1, 1]}"#)
        #expect(text.contains("featureShape [2] has 2 features, but mean has 3 values and standardDeviation 2"), "\(text)")
    }

    @Test func aStandardizerWithANegativeShapeIsRefused() throws {
        let text = try predictAfterEditing("standardizer", #"{"featureShape": [-2], "mean": [], "standardDeviation": []}"#)
        #expect(text.contains("featureShape [-2] is not a shape"), "\(text)")
    }
}
