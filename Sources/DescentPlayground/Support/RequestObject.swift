import Foundation

/// The JSON object of a request body, read with the checks `descent train --config` applies to a
/// configuration file: every key known, every value of the kind its key takes.
///
/// Keys may be written in camelCase or kebab-case (`batchSize`, `batch-size`), as in config files.
/// Numbers that must be whole are converted without trapping: `1e300` for a step count is an
/// error, not an overflow.
struct RequestObject {
    /// The values by camelCase key.
    private var values: [String: Any]
    /// Where the object came from, for messages (`request`).
    let source: String

    /// Parses `data` as one JSON object whose keys are all in `validKeys`.
    /// - Throws: ``RequestError`` for text that is not JSON, JSON that is not an object, or an
    ///   unknown key (listing the valid ones).
    init(parsing data: Data, validKeys: [String], source: String = "request") throws {
        self.source = source
        guard let object = try? JSONSerialization.jsonObject(with: data), let values = object as? [String: Any] else {
            throw RequestError("\(source): the body must be one JSON object, such as {\"function\": \"rosenbrock\", \"optimizers\": [\"adam(lr: 0.1)\"]}")
        }
        var converted: [String: Any] = [:]
        for (rawKey, value) in values {
            let key = Self.camelCase(rawKey)
            guard validKeys.contains(key) else {
                throw RequestError("\(source): unknown key `\(rawKey)`; valid keys: \(validKeys.sorted().joined(separator: ", "))")
            }
            if value is NSNull { continue }
            converted[key] = value
        }
        self.values = converted
    }

    /// `batch-size` → `batchSize` (the config files' rule).
    static func camelCase(_ key: String) -> String {
        let parts = key.split(whereSeparator: { $0 == "-" || $0 == "_" })
        guard let first = parts.first else { return key }
        return String(first) + parts.dropFirst().map { $0.prefix(1).uppercased() + $0.dropFirst() }.joined()
    }

    /// Whether the request gives `key` (a JSON `null` counts as absent).
    func contains(_ key: String) -> Bool { values[key] != nil }

    private func wrongKind(_ key: String, _ value: Any, expected: String) -> RequestError {
        RequestError("\(source): `\(key)` has the wrong kind of value `\(value)` (expected \(expected))")
    }

    /// A string; a number is accepted in its written form (`"batchSize": 32`).
    func string(_ key: String) throws -> String? {
        guard let value = values[key] else { return nil }
        if let text = value as? String { return text }
        if let number = value as? NSNumber, !Self.isBoolean(number) { return number.stringValue }
        throw wrongKind(key, value, expected: "string")
    }

    /// A finite number.
    func number(_ key: String) throws -> Double? {
        guard let value = values[key] else { return nil }
        if let number = value as? NSNumber, !Self.isBoolean(number), number.doubleValue.isFinite { return number.doubleValue }
        if let text = value as? String, let x = Double(text), x.isFinite { return x }
        throw wrongKind(key, value, expected: "number")
    }

    /// A whole number that fits an `Int`.
    func integer(_ key: String) throws -> Int? {
        guard let x = try number(key) else { return nil }
        guard let n = Int(exactly: x) else { throw wrongKind(key, values[key] ?? x, expected: "integer") }
        return n
    }

    /// `true` or `false` (or the strings `"true"`, `"false"`).
    func boolean(_ key: String) throws -> Bool? {
        guard let value = values[key] else { return nil }
        if let number = value as? NSNumber, Self.isBoolean(number) { return number.boolValue }
        if let text = value as? String, ["true", "false"].contains(text.lowercased()) { return text.lowercased() == "true" }
        throw wrongKind(key, value, expected: "boolean")
    }

    /// A list of strings; a single string counts as a list of one.
    func strings(_ key: String) throws -> [String]? {
        guard let value = values[key] else { return nil }
        if let text = value as? String { return [text] }
        if let list = value as? [Any], let texts = list as? [String], texts.count == list.count { return texts }
        throw wrongKind(key, value, expected: "list of strings")
    }

    /// A list of finite numbers.
    func numbers(_ key: String) throws -> [Double]? {
        guard let value = values[key] else { return nil }
        if let list = value as? [Any] {
            let numbers = list.compactMap { $0 as? NSNumber }.filter { !Self.isBoolean($0) }.map(\.doubleValue)
            if numbers.count == list.count, numbers.allSatisfy(\.isFinite) { return numbers }
        }
        throw wrongKind(key, value, expected: "list of numbers")
    }

    /// Whether `number` came from JSON `true`/`false`: Foundation keeps booleans as `NSNumber`s
    /// of type `c` (`char`), which JSON numbers never are (they are `i`, `q` or `d`).
    private static func isBoolean(_ number: NSNumber) -> Bool {
        String(cString: number.objCType) == "c"
    }
}
