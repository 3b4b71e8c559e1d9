/// A component described in one line of text, as the CLI and config files write it:
/// `name` or `name(key: value, ...)`, for example `adam(lr: 0.001, amsgrad: true)`,
/// `multistep(milestones: [30, 60], gamma: 0.1)` or `mlp(64, 32, activation: relu)`.
///
/// Values are numbers, `true`/`false`, bare words (`relu`, `min`), lists in brackets or nested
/// components (`layers(conv2d(32, 3, padding: 1), relu, flatten, linear)`). Arguments
/// without a label are positional. Names and keys are case-sensitive; `-` and `_` in names are
/// kept as written (`one-cycle`).
public struct Spec: Equatable, Sendable, CustomStringConvertible {
    /// One value in a spec.
    public enum Value: Equatable, Sendable, CustomStringConvertible {
        case number(Double)
        case boolean(Bool)
        case word(String)
        case list([Value])
        /// A nested component with arguments, such as `conv2d(32, 3)` inside `layers(…)` (a bare
        /// word without parentheses stays a ``word(_:)``).
        case call(Spec)

        public var description: String {
            switch self {
            case .number(let x):
                return x == x.rounded() && Swift.abs(x) < 1e15 ? String(Int64(x)) : "\(x)"
            case .boolean(let b): return b ? "true" : "false"
            case .word(let w): return w
            case .list(let values): return "[" + values.map(\.description).joined(separator: ", ") + "]"
            case .call(let spec): return spec.description
            }
        }
    }

    /// One argument: an optional label and a value.
    public struct Argument: Equatable, Sendable {
        public var label: String?
        public var value: Value
        public init(label: String?, value: Value) { self.label = label; self.value = value }
    }

    /// The component's name (`adam`).
    public var name: String
    /// The arguments in the order written.
    public var arguments: [Argument]

    public init(name: String, arguments: [Argument] = []) {
        self.name = name
        self.arguments = arguments
    }

    /// Parses `text`. - Throws: ``SpecError`` with the position of the problem.
    public init(parsing text: String) throws {
        var parser = SpecParser(text: text)
        self = try parser.parseSpec()
    }

    /// The spec written back in canonical form (`adam(lr: 0.001)`).
    public var description: String {
        if arguments.isEmpty { return name }
        let inner = arguments.map { ($0.label.map { "\($0): " } ?? "") + $0.value.description }
        return "\(name)(" + inner.joined(separator: ", ") + ")"
    }
}

/// A spec that could not be parsed or does not fit the component it names.
public struct SpecError: Error, CustomStringConvertible, Equatable, Sendable {
    /// What was wrong and what to do about it.
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

struct SpecParser {
    let characters: [Character]
    let text: String
    var position = 0
    /// How many argument lists are open.
    var depth = 0
    /// The deepest nesting accepted (`layers(conv2d(…))` needs 2).
    static let maximumDepth = 16

    init(text: String) {
        self.text = text
        characters = Array(text)
    }

    func error(_ what: String) -> SpecError {
        SpecError("cannot read spec \"\(text)\" at character \(position + 1): \(what). "
                  + "Write `name` or `name(key: value, ...)`, for example `adam(lr: 0.001)`")
    }

    mutating func skipSpaces() { while position < characters.count, characters[position].isWhitespace { position += 1 } }

    mutating func word() -> String {
        let start = position
        while position < characters.count {
            let c = characters[position]
            if c.isLetter || c.isNumber || c == "_" || c == "-" || c == "." || c == "+" { position += 1 } else { break }
        }
        return String(characters[start..<position])
    }

    mutating func parseSpec() throws -> Spec {
        skipSpaces()
        let name = word()
        guard !name.isEmpty, name.first!.isLetter else { throw error("expected a name") }
        skipSpaces()
        let arguments = try parseArgumentList()
        skipSpaces()
        guard position == characters.count else { throw error("unexpected `\(characters[position])` after the spec") }
        return Spec(name: name, arguments: arguments)
    }

    /// `(argument, …)` if the next character opens one, otherwise no arguments.
    mutating func parseArgumentList() throws -> [Spec.Argument] {
        var arguments: [Spec.Argument] = []
        guard position < characters.count, characters[position] == "(" else { return arguments }
        depth += 1
        // Nesting is bounded so that a hostile spec cannot exhaust the stack.
        guard depth <= SpecParser.maximumDepth else { throw error("components nest more than \(SpecParser.maximumDepth) deep") }
        defer { depth -= 1 }
        position += 1
        skipSpaces()
        if position < characters.count, characters[position] == ")" { position += 1; return arguments }
        while true {
            arguments.append(try parseArgument())
            skipSpaces()
            guard position < characters.count else { throw error("missing `)`") }
            if characters[position] == "," { position += 1; continue }
            if characters[position] == ")" { position += 1; break }
            throw error("expected `,` or `)`, found `\(characters[position])`")
        }
        return arguments
    }

    mutating func parseArgument() throws -> Spec.Argument {
        skipSpaces()
        let save = position
        let first = word()
        skipSpaces()
        if !first.isEmpty, first.first!.isLetter, position < characters.count, characters[position] == ":" {
            position += 1
            return Spec.Argument(label: first, value: try parseValue())
        }
        position = save
        return Spec.Argument(label: nil, value: try parseValue())
    }

    mutating func parseValue() throws -> Spec.Value {
        skipSpaces()
        guard position < characters.count else { throw error("expected a value") }
        if characters[position] == "[" {
            position += 1
            var values: [Spec.Value] = []
            skipSpaces()
            if position < characters.count, characters[position] == "]" { position += 1; return .list([]) }
            while true {
                values.append(try parseValue())
                skipSpaces()
                guard position < characters.count else { throw error("missing `]`") }
                if characters[position] == "," { position += 1; continue }
                if characters[position] == "]" { position += 1; break }
                throw error("expected `,` or `]` in a list")
            }
            return .list(values)
        }
        let token = word()
        guard !token.isEmpty else { throw error("expected a value, found `\(characters[position])`") }
        if token == "true" { return .boolean(true) }
        if token == "false" { return .boolean(false) }
        if let x = Double(token) { return .number(x) }
        guard token.first!.isLetter else { throw error("`\(token)` is not a number") }
        skipSpaces()
        if position < characters.count, characters[position] == "(" {
            return .call(Spec(name: token, arguments: try parseArgumentList()))
        }
        return .word(token)
    }
}

/// Reads a spec's arguments by key, with defaults, aliases and clear errors; call ``finish(maximumPositional:)`` at
/// the end so that unknown or misspelt keys are reported with the list of valid ones.
///
///     var arguments = try SpecArguments(spec, component: "optimizer adam", validKeys: Adam.specKeys)
///     let learningRate = try arguments.double("learningRate", aliases: ["lr"], default: 1e-3)
///     try arguments.finish()
public struct SpecArguments {
    /// The spec being read.
    public let spec: Spec
    let component: String
    let validKeys: [String]
    var labelled: [String: Spec.Value] = [:]
    /// Positional (unlabelled) values, in order.
    public private(set) var positional: [Spec.Value] = []
    var used: Set<String> = []

    /// Starts reading `spec`; `validKeys` (with aliases) are listed in error messages.
    public init(_ spec: Spec, component: String, validKeys: [String]) throws {
        self.spec = spec
        self.component = component
        self.validKeys = validKeys
        for argument in spec.arguments {
            if let label = argument.label {
                guard labelled[label] == nil else { throw SpecError("\(component): `\(label)` is given twice in `\(spec)`") }
                labelled[label] = argument.value
            } else {
                positional.append(argument.value)
            }
        }
    }

    mutating func take(_ key: String, aliases: [String]) throws -> Spec.Value? {
        let names = [key] + aliases
        let present = names.filter { labelled[$0] != nil }
        guard present.count <= 1 else { throw SpecError("\(component): `\(present.joined(separator: "` and `"))` name the same setting; give one") }
        used.formUnion(names)
        return present.first.flatMap { labelled[$0] }
    }

    /// The value labelled `key` (or one of its aliases) as written, or `nil` when absent; for
    /// values a typed reader does not cover (a size that is a number or a pair).
    public mutating func value(_ key: String, aliases: [String] = []) throws -> Spec.Value? {
        try take(key, aliases: aliases)
    }

    func typeError(_ key: String, _ expected: String, _ value: Spec.Value) -> SpecError {
        SpecError("\(component): `\(key)` must be \(expected), not `\(value)`")
    }

    /// A number, or `defaultValue` when absent.
    public mutating func double(_ key: String, aliases: [String] = [], default defaultValue: Double) throws -> Double {
        try optionalDouble(key, aliases: aliases) ?? defaultValue
    }

    /// A number, or `nil` when absent.
    public mutating func optionalDouble(_ key: String, aliases: [String] = []) throws -> Double? {
        guard let value = try take(key, aliases: aliases) else { return nil }
        guard case .number(let x) = value else { throw typeError(key, "a number", value) }
        return x
    }

    /// A whole number, or `defaultValue` when absent.
    public mutating func int(_ key: String, aliases: [String] = [], default defaultValue: Int) throws -> Int {
        try optionalInt(key, aliases: aliases) ?? defaultValue
    }

    /// A whole number, or `nil` when absent.
    public mutating func optionalInt(_ key: String, aliases: [String] = []) throws -> Int? {
        guard let value = try take(key, aliases: aliases) else { return nil }
        guard case .number(let x) = value, x == x.rounded(), Swift.abs(x) < 1e15 else { throw typeError(key, "a whole number", value) }
        return Int(x)
    }

    /// `true` or `false`, or `defaultValue` when absent.
    public mutating func bool(_ key: String, aliases: [String] = [], default defaultValue: Bool) throws -> Bool {
        guard let value = try take(key, aliases: aliases) else { return defaultValue }
        guard case .boolean(let b) = value else { throw typeError(key, "true or false", value) }
        return b
    }

    /// A bare word from `allowed`, or `defaultValue` when absent.
    public mutating func word(_ key: String, aliases: [String] = [], allowed: [String], default defaultValue: String) throws -> String {
        guard let value = try take(key, aliases: aliases) else { return defaultValue }
        guard case .word(let w) = value, allowed.contains(w) else {
            throw typeError(key, "one of " + allowed.joined(separator: ", "), value)
        }
        return w
    }

    /// A list of numbers (a single number counts as a list of one), or `defaultValue` when absent.
    public mutating func doubles(_ key: String, aliases: [String] = [], default defaultValue: [Double]) throws -> [Double] {
        guard let value = try take(key, aliases: aliases) else { return defaultValue }
        switch value {
        case .number(let x): return [x]
        case .list(let items):
            return try items.map { item in
                guard case .number(let x) = item else { throw typeError(key, "a list of numbers", value) }
                return x
            }
        default: throw typeError(key, "a list of numbers such as [30, 60]", value)
        }
    }

    /// A list of whole numbers, or `defaultValue` when absent.
    public mutating func ints(_ key: String, aliases: [String] = [], default defaultValue: [Int]) throws -> [Int] {
        let values = try doubles(key, aliases: aliases, default: defaultValue.map(Double.init))
        guard values.allSatisfy({ $0 == $0.rounded() && Swift.abs($0) < 1e15 }) else {
            throw SpecError("\(component): `\(key)` must be a list of whole numbers")
        }
        return values.map { Int($0) }
    }

    /// Checks that every labelled argument was read and that there are at most `maximumPositional`
    /// positional ones. - Throws: ``SpecError`` naming the unknown keys and listing the valid ones.
    public func finish(maximumPositional: Int = 0) throws {
        let unknown = labelled.keys.filter { !used.contains($0) }.sorted()
        if !unknown.isEmpty { throw unknownKeysError(unknown) }
        if positional.count > maximumPositional {
            throw SpecError("\(component): \(positional.count) unlabelled value\(positional.count > 1 ? "s" : "") in `\(spec)`; "
                            + (maximumPositional == 0 ? "write every value as `key: value`" : "at most \(maximumPositional) allowed")
                            + " (valid keys: \(validKeys.joined(separator: ", ")))")
        }
    }

    /// The error for a required `key` that is absent. A misspelt key (one that no valid key
    /// matches) is the likelier cause, so it is named first, with the closest valid key: for
    /// `cosine(tmax: 100)` the message is about `tmax`, not a missing `tMax`.
    /// - Parameters:
    ///   - key: the required key.
    ///   - example: how the key is written, such as `cosine(tMax: 100)`; `nil` for none.
    public func missingKeyError(_ key: String, example: String? = nil) -> SpecError {
        let unknown = labelled.keys.filter { !used.contains($0) && !validKeys.contains($0) }.sorted()
        if !unknown.isEmpty { return unknownKeysError(unknown) }
        return SpecError("\(component): `\(key)` is required" + (example.map { ", for example `\($0)`" } ?? ""))
    }

    /// "unknown key `tmax` in `cosine(tmax: 100)` (did you mean `tMax`?); valid keys: …".
    func unknownKeysError(_ unknown: [String]) -> SpecError {
        let suggestions = unknown.compactMap { word in Suggestion.closest(to: word, among: validKeys).map { "`\($0)` for `\(word)`" } }
        let hint: String
        switch (unknown.count, suggestions.count) {
        case (_, 0): hint = ""
        case (1, _): hint = Suggestion.didYouMean(unknown[0], among: validKeys)
        default: hint = " (did you mean \(suggestions.joined(separator: ", "))?)"
        }
        return SpecError("\(component): unknown key\(unknown.count > 1 ? "s" : "") `\(unknown.joined(separator: "`, `"))` in `\(spec)`\(hint); "
                         + "valid keys: \(validKeys.joined(separator: ", "))")
    }
}
