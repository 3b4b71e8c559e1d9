import ArgumentParser
import Descent
import Foundation

/// The resolved settings of a training run: what `descent train` options, a `--config` file and
/// (when resuming) the run's saved `config.json` say, in that order of precedence, over the
/// defaults. Saved as `config.json` in the output folder and inside every checkpoint.
struct TrainConfiguration: Codable, Equatable {
    var data: String
    var target: String?
    var task: String?
    /// `nil`: 0.2 when early stopping watches a validation value and there is no validation file, else 0.
    var validationSplit: Double?
    var validation: String?
    var test: String?
    var model: String = "mlp(64)"
    var loss: String?
    var optimizer: String = "adam"
    var schedule: String?
    var scheduleUnit: String = "step"
    var batchSize: String = "32"
    var epochs: Int = 20
    var earlyStopping: String?
    var clipGradNorm: Double?
    var seed: UInt64 = 0
    var checkpointEvery: String?
    var keepCheckpoints: Int = 3
    var maxTime: String?
    var precision: String = "float"
    var standardize: Bool = true
    /// Standardise a regression target (fitted on the training split, undone for predictions
    /// and metrics).
    var standardizeTarget: Bool = true
    /// How data files are read: the label file of IDX images or `.npy` features, and for CSV
    /// the delimiter (`nil`: detected), header, dropped and categorical columns, missing values.
    var labels: String?
    var validationLabels: String?
    var testLabels: String?
    var delimiter: String?
    var header: Bool = true
    /// Comma-separated column names or positions.
    var drop: String?
    var categorical: String?
    /// `error`, `drop` (the rows) or `mean` (fill with the training file's column mean).
    var missing: String = "error"
    /// `--input-shape`: one sample's shape, such as `1x28x28`; `nil`: the file's own.
    var inputShape: String?
    /// Training-image augmentation (``ImageAugmentation``, seeded by `seed`): the largest shift in
    /// pixels (0: none) and a random horizontal flip.
    var augmentShift: Int = 0
    var augmentFlip: Bool = false
    /// `sample` (the default: every row up to 1,000, then a fixed, seeded fifth) or `exact`: the
    /// rows the per-epoch training loss is measured on.
    var fullLoss: String = "sample"
    /// Read the data from disk a chunk at a time instead of loading it.
    var stream: Bool = false
    /// The memory the process may use (`256MB`, `2GiB`); `nil`: half the machine's (or container's).
    var memoryLimit: String?
    /// `linear`: multiply the learning rate by the number of processes (Goyal et al., 2017); `nil`: keep it.
    var scaleLr: String?
    /// Epochs over which the scaled rate is reached by a per-step linear ramp from the unscaled one
    /// (with `scaleLr`); `nil`: none.
    var warmupEpochs: Int?
    /// The number of processes of a data-parallel run (set from the launch, not an option); `nil`: one.
    var processes: Int?

    /// The defaults: every setting as the property initial values give it (`data` is empty, as
    /// there is no default training data).
    static let standard = TrainConfiguration(data: "")

    /// The keys a config file may use, with their kinds (kebab-case spellings are accepted too).
    static let keys: [String: Kind] = [
        "data": .string, "target": .string, "task": .string, "validationSplit": .number, "validation": .string,
        "test": .string, "model": .string, "loss": .string, "optimizer": .string, "schedule": .string,
        "scheduleUnit": .string, "batchSize": .string, "epochs": .integer, "earlyStopping": .string,
        "clipGradNorm": .number, "seed": .seed, "checkpointEvery": .string, "keepCheckpoints": .integer,
        "maxTime": .string, "precision": .string, "standardize": .boolean, "standardizeTarget": .boolean,
        "labels": .string, "validationLabels": .string, "testLabels": .string, "delimiter": .string, "header": .boolean, "drop": .string, "categorical": .string,
        "missing": .string, "inputShape": .string, "augmentShift": .integer, "augmentFlip": .boolean, "stream": .boolean, "memoryLimit": .string, "fullLoss": .string,
        "scaleLr": .string, "warmupEpochs": .integer, "processes": .integer,
    ]
    /// `seed` is a whole number from 0 to `UInt64.max`; `integer`s fit an `Int64`; `number`s are finite.
    enum Kind { case string, number, integer, seed, boolean }

    /// Keys whose change makes a checkpoint unusable (the run would not be the same run).
    static let runDefiningKeys = ["data", "target", "task", "validationSplit", "validation", "model", "loss", "optimizer",
                                  "schedule", "scheduleUnit", "batchSize", "earlyStopping", "clipGradNorm", "seed",
                                  "precision", "standardize", "standardizeTarget", "labels", "validationLabels", "delimiter", "header", "drop",
                                  "categorical", "missing", "inputShape", "augmentShift", "augmentFlip", "stream", "memoryLimit", "fullLoss", "scaleLr",
                                  "warmupEpochs", "processes"]

    /// The validation share actually used (see `validationSplit`).
    var resolvedValidationSplit: Double {
        if let validationSplit { return validationSplit }
        guard validation == nil, let text = earlyStopping, let rule = try? EarlyStopping(spec: text) else { return 0 }
        return rule.monitor.hasPrefix("validation") || rule.monitor.hasPrefix("val.") ? 0.2 : 0
    }

    /// `batchSize` as a ``BatchSize``.
    var resolvedBatchSize: BatchSize {
        get throws {
            if batchSize.lowercased() == "full" { return .fullBatch }
            guard let n = Int(batchSize), n > 0 else { throw ValidationError("--batch-size must be a positive whole number or `full`, not `\(batchSize)`") }
            return .samples(n)
        }
    }

    /// `memoryLimit` in bytes, or the default (``defaultMemoryLimit()``).
    var memoryLimitBytes: Int {
        get throws {
            guard let text = memoryLimit else { return defaultMemoryLimit() }
            do { return try MemorySize(parsing: text).bytes } catch {
                throw ValidationError("--memory-limit: \(error)")
            }
        }
    }

    /// Checks the values that no single option's parser can: ranges, and settings that need one
    /// another. Every message names the option, the value and what is allowed.
    func validateValues() throws {
        if let split = validationSplit {
            guard split >= 0, split < 1 else {
                throw ValidationError("--validation-split must be at least 0 and less than 1 (the share of the training rows held out), not \(split); for example 0.2")
            }
        }
        guard (0...1000).contains(augmentShift) else {
            throw ValidationError("--augment-shift must be a number of pixels from 0 to 1000, not \(augmentShift)")
        }
        if let norm = clipGradNorm, !(norm > 0) { throw ValidationError("--clip-grad-norm must be > 0, not \(norm)") }
        guard keepCheckpoints >= 1 else {
            throw ValidationError("--keep-checkpoints must be at least 1 (the newest checkpoint is always kept), not \(keepCheckpoints)")
        }
        guard epochs <= Self.maximumEpochs else {
            throw ValidationError("--epochs must be at most \(Self.maximumEpochs), not \(epochs); to train until a time limit, give a large --epochs with --max-time")
        }
        if let scaleLr, scaleLr != "linear" {
            throw ValidationError("--scale-lr must be linear (multiply the learning rate by the number of processes), not `\(scaleLr)`")
        }
        if let warmupEpochs {
            guard scaleLr != nil else { throw ValidationError("--warmup-epochs needs --scale-lr linear: it ramps the rate up to the scaled one") }
            guard (0...Self.maximumEpochs).contains(warmupEpochs) else {
                throw ValidationError("--warmup-epochs must be from 0 to \(Self.maximumEpochs), not \(warmupEpochs); Goyal et al. use 5")
            }
        }
        _ = try resolvedBatchSize
        _ = try maxTimeSeconds
        _ = try checkpointSchedule
        _ = try memoryLimitBytes
    }

    /// The training-image augmentation the configuration asks for (inactive by default).
    var augmentation: ImageAugmentation {
        ImageAugmentation(maximumShift: augmentShift, horizontalFlip: augmentFlip, seed: seed)
    }

    /// The most epochs a run may ask for (so that step counts stay far below
    /// ``maximumStepCount``, however few batches an epoch has).
    static let maximumEpochs = 1_000_000_000

    /// `maxTime` in seconds.
    var maxTimeSeconds: Double? {
        get throws { try maxTime.map(parseDuration) }
    }

    /// `checkpointEvery` as a schedule: `60s`, `5m` or `1h` → every so many seconds of training;
    /// `2` or `2 epochs` → every 2 epochs; `50 steps` → every 50 steps. Default: every 60 seconds
    /// (and always at the end of the run).
    var checkpointSchedule: (seconds: Double?, epochs: Int?, steps: Int?) {
        get throws {
            guard let text = checkpointEvery?.trimmingCharacters(in: .whitespaces).lowercased() else { return (60, nil, nil) }
            let digits = text.prefix { $0.isNumber }
            let unit = text.dropFirst(digits.count).trimmingCharacters(in: .whitespaces)
            guard let n = Int(digits), n > 0 else {
                throw ValidationError("--checkpoint-every must look like `60s`, `5m`, `2 epochs` or `50 steps`, not `\(text)`")
            }
            switch unit {
            case "", "e", "epoch", "epochs": return (nil, n, nil)
            case "step", "steps": return (nil, nil, n)
            case "s", "sec", "second", "seconds": return (Double(n), nil, nil)
            case "m", "min", "minute", "minutes": return (Double(n) * 60, nil, nil)
            case "h", "hour", "hours": return (Double(n) * 3600, nil, nil)
            default: throw ValidationError("--checkpoint-every: unknown unit `\(unit)`; use seconds (s), minutes (m), hours (h), epochs or steps (for example `50 steps`)")
            }
        }
    }

    /// How the per-epoch training loss is measured: `.exact` over every training row, or by
    /// default over a fixed sample seeded by the run's seed (``TrainingEvaluation/automatic(seed:)``).
    var trainingEvaluation: TrainingEvaluation {
        get throws {
            switch fullLoss.lowercased() {
            case "exact": return .exact
            case "sample": return .automatic(seed: seed)
            default: throw ValidationError("--full-loss must be sample or exact, not `\(fullLoss)`")
            }
        }
    }

    /// The configuration as a JSON object (sorted keys), as written to `config.json`.
    func jsonText() -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        return String(decoding: (try? encoder.encode(self)) ?? Data(), as: UTF8.self)
    }

    /// The keys whose values differ between two configurations, among `runDefiningKeys`.
    func differences(from other: TrainConfiguration) -> [String] {
        let a = (try? JSONSerialization.jsonObject(with: Data(jsonText().utf8))) as? [String: Any] ?? [:]
        let b = (try? JSONSerialization.jsonObject(with: Data(other.jsonText().utf8))) as? [String: Any] ?? [:]
        return TrainConfiguration.runDefiningKeys.filter { key in
            "\(a[key] ?? "none")" != "\(b[key] ?? "none")"
        }
    }

    /// Merges layers of settings (later layers win) over the defaults.
    /// - Throws: `ValidationError` for an unknown key or a value of the wrong kind.
    static func resolve(layers: [(source: String, values: [String: Any])]) throws -> TrainConfiguration {
        // The defaults are the property initial values (the decoder does not use them by itself).
        var merged = (try? JSONSerialization.jsonObject(with: JSONEncoder().encode(standard))) as? [String: Any] ?? [:]
        merged.removeValue(forKey: "data")
        for layer in layers {
            for (rawKey, value) in layer.values {
                let key = camelCase(rawKey)
                guard let kind = keys[key] else {
                    throw ValidationError("\(layer.source): unknown key `\(rawKey)`; valid keys: \(keys.keys.sorted().joined(separator: ", "))")
                }
                if value is NSNull { merged.removeValue(forKey: key); continue }
                merged[key] = try normalize(value, kind: kind, key: rawKey, source: layer.source)
            }
        }
        guard merged["data"] != nil else { throw ValidationError("give the training data with --data FILE or --data builtin:NAME (for example builtin:spirals)") }
        let data = try JSONSerialization.data(withJSONObject: merged)
        do { return try JSONDecoder().decode(TrainConfiguration.self, from: data) } catch {
            throw ValidationError("cannot read the configuration: \(error)")
        }
    }

    /// Reads a JSON config file into key-value pairs.
    static func readFile(_ path: String) throws -> [String: Any] {
        guard FileManager.default.fileExists(atPath: path) else {
            throw ValidationError("--config: there is no file `\(path)`\(missingPathSuggestion(path)); write the settings as JSON (see descent train --help) or drop --config")
        }
        guard let data = FileManager.default.contents(atPath: path) else { throw ValidationError("cannot read the config file \(path) (check its permissions)") }
        guard let object = try? JSONSerialization.jsonObject(with: data), let values = object as? [String: Any] else {
            throw ValidationError("the config file \(path) must hold one JSON object, such as {\"data\": \"train.csv\", \"epochs\": 30}")
        }
        return values
    }

    static func camelCase(_ key: String) -> String {
        let parts = key.split(whereSeparator: { $0 == "-" || $0 == "_" })
        guard let first = parts.first else { return key }
        return String(first) + parts.dropFirst().map { $0.prefix(1).uppercased() + $0.dropFirst() }.joined()
    }

    /// `--validation-split` on the command line, `run.json: `validationSplit`` in a file.
    static func describe(_ key: String, _ source: String) -> String {
        guard source == "the command line" else { return "\(source): `\(key)`" }
        return "--" + camelCase(key).map { $0.isUppercase ? "-" + $0.lowercased() : String($0) }.joined()
    }

    static func normalize(_ value: Any, kind: Kind, key: String, source: String) throws -> Any {
        switch (kind, value) {
        case (.string, let text as String): return text
        case (.string, let number as NSNumber): return number.stringValue
        // JSON has no NaN or infinity (and a run's configuration is saved as JSON), so neither is a value.
        case (.number, let number as NSNumber):
            if number.doubleValue.isFinite { return number.doubleValue }
            throw ValidationError("\(describe(key, source)) must be a finite number, not \(number.doubleValue)")
        case (.number, let text as String):
            if let x = Double(text) {
                guard x.isFinite else { throw ValidationError("\(describe(key, source)) must be a finite number, not `\(text)`") }
                return x
            }
        case (.integer, let number as NSNumber):
            // Checked conversions: a huge or fractional JSON number is refused, not truncated.
            if let n = Int64(number.stringValue) ?? Int64(exactly: number.doubleValue) { return n }
        case (.integer, let text as String):
            if let n = Int64(text) { return n }
        case (.seed, let number as NSNumber):
            if let n = UInt64(number.stringValue) ?? UInt64(exactly: number.doubleValue) { return NSNumber(value: n) }
            throw ValidationError("\(describe(key, source)) must be a whole number from 0 to \(UInt64.max), not \(number)")
        case (.seed, let text as String):
            if let n = UInt64(text) { return NSNumber(value: n) }
            throw ValidationError("\(describe(key, source)) must be a whole number from 0 to \(UInt64.max), not `\(text)`")
        case (.boolean, let number as NSNumber): return number.boolValue
        case (.boolean, let text as String):
            if ["true", "false"].contains(text.lowercased()) { return text.lowercased() == "true" }
        default: break
        }
        throw ValidationError("\(source): `\(key)` has the wrong kind of value `\(value)` (expected \(kind))")
    }
}

/// Seconds from `90`, `90s`, `5m`, `1h30m`, `2h`.
func parseDuration(_ text: String) throws -> Double {
    let trimmed = text.trimmingCharacters(in: .whitespaces).lowercased()
    if let seconds = Double(trimmed) {
        guard seconds > 0, seconds.isFinite else { throw ValidationError("--max-time must be a time greater than 0, not `\(text)`; write for example 90s, 5m or 1h30m") }
        return seconds
    }
    var total = 0.0, number = ""
    for character in trimmed {
        if character.isNumber || character == "." { number.append(character); continue }
        guard let value = Double(number) else { throw ValidationError("--max-time: cannot read `\(text)`; write for example 90s, 5m or 1h30m") }
        switch character {
        case "s": total += value
        case "m": total += value * 60
        case "h": total += value * 3600
        default: throw ValidationError("--max-time: unknown unit `\(character)` in `\(text)`; use s, m or h")
        }
        number = ""
    }
    guard number.isEmpty, total > 0 else { throw ValidationError("--max-time: cannot read `\(text)`; write for example 90s, 5m or 1h30m") }
    return total
}
