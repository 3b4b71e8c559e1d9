import ArgumentParser
import Descent
import Foundation
import Testing
@testable import DescentCLI

/// A seeded, structure-aware mutation fuzzer for the two JSON files the `descent` executable
/// decodes itself, `preprocessing.json` and a `--config` file (issue 18). The libFuzzer harnesses in
/// `Fuzz/` cannot link these types (they live in the executable target, and another package cannot
/// import an executable), so this test mutates real files here instead: each round replaces, deletes
/// or duplicates one to three JSON values with hostile ones (negative, zero, `Int.max`, `1e308`,
/// wrong types, long arrays, huge model specs) and runs what `descent predict` and `descent train`
/// run on them. Success or a thrown error both pass; a trap ends the test process, which fails the
/// suite. The expected behaviour is the project's rule, not a value from elsewhere: no input traps.
///
/// The suite runs 300 and 150 rounds; `DESCENT_MUTATION_ROUNDS=N` runs N of each for a longer search.
@Suite struct ModelFolderMutationTests {
    static func rounds(_ standard: Int) -> Int {
        ProcessInfo.processInfo.environment["DESCENT_MUTATION_ROUNDS"].flatMap { Int($0) }.map { Swift.max($0, standard) } ?? standard
    }

    /// Values a hostile or careless edit puts into a JSON file.
    static var hostileValues: [Any] { [
        -1, 0, 1, 2, Int.max, Int.min, 9_007_199_254_740_993, 1e308, -1e308, 0.5, -0.5, Double.leastNonzeroMagnitude,
        "", "x", "nan", "-1", "9223372036854775808", "mlp(100000, 100000)", "mlp(-1)", "mlp(0)", "linear",
        "builtin:spirals(count: -5)", String(repeating: "a", count: 10_000),
        [Any](), [String: Any](), [1e308], [-1], NSNull(), true, false,
        Array(repeating: 1.5, count: 10_000), Array(repeating: "a", count: 1000),
    ] }

    /// A JSON value with one to three mutations applied, drawn from `generator`.
    static func mutated(_ value: Any, protecting protected: Set<String>, generator: inout RandomGenerator) -> Any {
        var result = value
        for _ in 0..<(1 + generator.nextIndex(below: 3)) {
            let paths = Self.paths(in: result, protecting: protected)
            guard !paths.isEmpty else { break }
            let path = paths[generator.nextIndex(below: paths.count)]
            let operation = generator.nextIndex(below: 4)
            let replacement: Any? = switch operation {
            case 0: nil  // delete
            case 1: [Self.value(at: path, in: result) as Any]  // wrap in an array
            default: { let values = hostileValues; return values[generator.nextIndex(below: values.count)] }()
            }
            result = Self.replacing(path, in: result, with: replacement)
        }
        return result
    }

    /// Every path (object keys and array indices) below the top level, except under `protected` keys.
    static func paths(in value: Any, protecting protected: Set<String>, prefix: [AnyHashable] = []) -> [[AnyHashable]] {
        var found: [[AnyHashable]] = []
        if let object = value as? [String: Any] {
            for key in object.keys.sorted() where !(prefix.isEmpty && protected.contains(key)) {
                found.append(prefix + [key])
                found += paths(in: object[key]!, protecting: protected, prefix: prefix + [key])
            }
        } else if let array = value as? [Any] {
            for index in array.indices.prefix(8) {
                found.append(prefix + [index])
                found += paths(in: array[index], protecting: protected, prefix: prefix + [index])
            }
        }
        return found
    }

    static func value(at path: [AnyHashable], in value: Any) -> Any? {
        guard let first = path.first else { return value }
        if let key = first as? String, let object = value as? [String: Any], let child = object[key] { return Self.value(at: Array(path.dropFirst()), in: child) }
        if let index = first as? Int, let array = value as? [Any], array.indices.contains(index) { return Self.value(at: Array(path.dropFirst()), in: array[index]) }
        return nil
    }

    /// `value` with the element at `path` replaced, or removed when `replacement` is `nil`.
    static func replacing(_ path: [AnyHashable], in value: Any, with replacement: Any?) -> Any {
        guard let first = path.first else { return replacement ?? NSNull() }
        let rest = Array(path.dropFirst())
        if let key = first as? String, var object = value as? [String: Any], let child = object[key] {
            if rest.isEmpty && replacement == nil { object.removeValue(forKey: key) } else { object[key] = replacing(rest, in: child, with: replacement) }
            return object
        }
        if let index = first as? Int, var array = value as? [Any], array.indices.contains(index) {
            if rest.isEmpty && replacement == nil { array.remove(at: index) } else { array[index] = replacing(rest, in: array[index], with: replacement) }
            return array
        }
        return value
    }

    @Test func mutatedPreprocessingFilesNeverTrap() throws {
        let folder = try TrainTestFolder()
        let run = folder.path("run")
        _ = try TrainCommand.parse(["--data", "builtin:spirals(count: 60)", "--epochs", "1", "--model", "mlp(4)", "--output", run]).output()
        let data = try folder.write("new.csv", "x1,x2\n0.1,0.2\n-0.3,0.4\n")
        let original = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: folder.path("run/preprocessing.json"))))
        let file = URL(fileURLWithPath: folder.path("run/preprocessing.json"))
        var generator = RandomGenerator(seed: 18)
        var refused = 0, rounds = 0
        let planned = Self.rounds(300)
        for _ in 0..<planned {
            let edited = Self.mutated(original, protecting: [], generator: &generator)
            guard let bytes = try? JSONSerialization.data(withJSONObject: edited, options: .fragmentsAllowed) else { continue }
            try bytes.write(to: file)
            rounds += 1
            do { _ = try PredictCommand.parse(["--model", run, "--data", data]).output() } catch {
                refused += 1
                #expect(!PredictCommand.message(for: error).isEmpty)
            }
        }
        print("preprocessing.json: \(refused) of \(rounds) edited files refused")
        // Most edits must be refused; if none were, the mutations never reached the checks.
        #expect(rounds > planned * 5 / 6 && refused > rounds / 2, "\(refused) of \(rounds) edited files refused")
    }

    @Test func mutatedConfigFilesNeverTrap() throws {
        let folder = try TrainTestFolder()
        let original: [String: Any] = [
            "data": "builtin:spirals(count: 60)", "model": "mlp(8, 4)", "optimizer": "adam(lr: 0.01, beta1: 0.9, beta2: 0.999)",
            "schedule": "multistep(milestones: [3, 6], gamma: 0.5)", "epochs": 3, "batchSize": "16", "seed": 7,
            "validationSplit": 0.2, "earlyStopping": "early-stopping(monitor: validation.loss, patience: 5)", "clipGradNorm": 1.0,
            "keepCheckpoints": 2, "task": "classification", "loss": "cross-entropy",
        ]
        let path = folder.path("run.json")
        // The unedited file builds a run, so a refusal below comes from the edit.
        try JSONSerialization.data(withJSONObject: original).write(to: URL(fileURLWithPath: path))
        _ = try TrainingSetup<Float>(TrainCommand.parse(["--config", path, "--memory-limit", "64MB"]).options.configuration())
        var generator = RandomGenerator(seed: 1806)
        var refused = 0, rounds = 0
        let planned = Self.rounds(150)
        for _ in 0..<planned {
            let edited = Self.mutated(original, protecting: ["memoryLimit"], generator: &generator)
            guard let bytes = try? JSONSerialization.data(withJSONObject: edited, options: .fragmentsAllowed) else { continue }
            try bytes.write(to: URL(fileURLWithPath: path))
            rounds += 1
            // A small memory limit keeps a mutated model from allocating gigabytes before it is refused.
            do {
                let configuration = try TrainCommand.parse(["--config", path, "--memory-limit", "64MB"]).options.configuration()
                _ = try TrainingSetup<Float>(configuration)
            } catch {
                refused += 1
            }
        }
        print("config file: \(refused) of \(rounds) edited files refused")
        #expect(rounds > planned * 5 / 6 && refused > rounds / 4, "\(refused) of \(rounds) edited files refused")
    }
}
