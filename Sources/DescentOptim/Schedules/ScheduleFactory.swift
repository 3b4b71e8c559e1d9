import DescentCore

/// Creates schedules from spec strings such as `"one-cycle(maxLearningRate: 0.1, totalSteps: 50)"`
/// or, for a sequence, `"linear(startFactor: 0.1, totalSteps: 5) then cosine(tMax: 45)"`
/// (`then(at: N)` gives the milestone explicitly; otherwise it is the previous schedule's length).
///
/// Keys: `stepSize`, `gamma`, `milestones`, `decayRate`, `decaySteps`, `totalSteps`, `power`, `tMax`,
/// `etaMin`, `t0`, `tMult`, `startFactor`, `endFactor`, `maxLearningRate`, `pctStart`, `divFactor`,
/// `finalDivFactor`, `threePhase`, `annealStrategy`, `cycleMomentum`, `baseMomentum`, `maxMomentum`,
/// `mode`, `factor`, `patience`, `threshold`, `thresholdMode`, `cooldown`, `minLearningRate`, `epsilon`.
public enum ScheduleFactory {
    /// The schedule names.
    public static let names = ["constant", "step", "multistep", "exponential", "inverse-time", "polynomial", "cosine",
                               "cosine-restarts", "linear", "one-cycle", "plateau"]

    /// The keys each schedule accepts.
    public static let keys: [String: [String]] = [
        "constant": ["factor", "totalSteps"],
        "step": ["stepSize", "gamma"],
        "multistep": ["milestones", "gamma"],
        "exponential": ["gamma"],
        "inverse-time": ["decayRate", "decaySteps"],
        "polynomial": ["totalSteps", "power"],
        "cosine": ["tMax", "etaMin"],
        "cosine-restarts": ["t0", "tMult", "etaMin"],
        "linear": ["startFactor", "endFactor", "totalSteps"],
        "one-cycle": ["maxLearningRate", "totalSteps", "pctStart", "annealStrategy", "cycleMomentum", "baseMomentum",
                      "maxMomentum", "divFactor", "finalDivFactor", "threePhase"],
        "plateau": ["mode", "factor", "patience", "threshold", "thresholdMode", "cooldown", "minLearningRate", "epsilon"],
    ]

    /// Parses `text` (one spec, or several joined by `then`) into a scheduler kind.
    /// - Throws: `SpecError` for unreadable text, unknown names or keys (listing the valid ones),
    ///   missing required keys and invalid values.
    public static func make(_ text: String) throws -> LearningRateScheduler.Kind {
        let parts = try splitSequence(text)
        if parts.count == 1 { return try make(Spec(parsing: parts[0].text)) }
        var schedules: [any LearningRateSchedule] = []
        var milestones: [Int] = []
        for (index, part) in parts.enumerated() {
            guard case .function(let schedule) = try make(Spec(parsing: part.text)) else {
                throw SpecError("schedule `\(text)`: plateau is driven by a metric and cannot be part of a `then` sequence")
            }
            if index > 0 {
                let previous = schedules[index - 1]
                // `then(at: N)` is absolute; a bare `then` starts after the previous schedule's length.
                guard let milestone = part.milestone ?? previous.naturalLength.map({ (milestones.last ?? 0) + $0 }) else {
                    throw SpecError("schedule `\(text)`: `\(previous.name)` has no natural length; write `then(at: STEP)` to say when the next schedule starts")
                }
                guard milestone > (milestones.last ?? 0) else { throw SpecError("schedule `\(text)`: milestones must increase") }
                milestones.append(milestone)
            }
            schedules.append(schedule)
        }
        return .function(SequentialSchedule(schedules, milestones: milestones))
    }

    /// Creates the single schedule `spec` names.
    public static func make(_ spec: Spec) throws -> LearningRateScheduler.Kind {
        guard let validKeys = keys[spec.name] else {
            throw SpecError("unknown schedule `\(spec.name)`\(Suggestion.didYouMean(spec.name, among: names)); valid schedules: \(names.joined(separator: ", ")) (and `A then B` for a sequence)")
        }
        let component = "schedule \(spec.name)"
        var a = try SpecArguments(spec, component: component, validKeys: validKeys)
        func required(_ key: String) throws -> Double {
            guard let value = try a.optionalDouble(key) else { throw a.missingKeyError(key, example: "\(spec.name)(\(key): …)") }
            return value
        }
        func positiveInt(_ key: String, _ value: Int?) throws -> Int {
            guard let value else { throw a.missingKeyError(key, example: "\(spec.name)(\(key): …)") }
            guard value > 0 else { throw SpecError("\(component): `\(key)` must be a positive whole number, got \(value)") }
            return value
        }
        // A decay factor ≤ 0 would make the learning rate negative or alternate its sign.
        func decayFactor(_ value: Double) throws -> Double {
            guard value.isFinite, value > 0 else {
                throw SpecError("\(component): `gamma` must be a number > 0 (the factor the rate is multiplied by, for example 0.1), got \(value)")
            }
            return value
        }
        let kind: LearningRateScheduler.Kind
        switch spec.name {
        case "constant":
            kind = .function(try ConstantSchedule(factor: a.double("factor", default: 1), totalSteps: a.int("totalSteps", default: 0)))
        case "step":
            kind = .function(try StepSchedule(stepSize: positiveInt("stepSize", a.optionalInt("stepSize")), gamma: decayFactor(a.double("gamma", default: 0.1))))
        case "multistep":
            let milestones = try a.ints("milestones", default: [])
            guard !milestones.isEmpty else { throw a.missingKeyError("milestones", example: "multistep(milestones: [30, 60])") }
            kind = .function(try MultiStepSchedule(milestones: milestones, gamma: decayFactor(a.double("gamma", default: 0.1))))
        case "exponential":
            kind = .function(try ExponentialSchedule(gamma: decayFactor(required("gamma"))))
        case "inverse-time":
            kind = .function(try InverseTimeSchedule(decayRate: required("decayRate"), decaySteps: a.double("decaySteps", default: 1)))
        case "polynomial":
            kind = .function(try PolynomialSchedule(totalSteps: positiveInt("totalSteps", a.int("totalSteps", default: 5)), power: a.double("power", default: 1)))
        case "cosine":
            kind = .function(try CosineSchedule(tMax: positiveInt("tMax", a.optionalInt("tMax")), etaMin: a.double("etaMin", default: 0)))
        case "cosine-restarts":
            kind = .function(try CosineRestartsSchedule(t0: positiveInt("t0", a.optionalInt("t0")), tMult: positiveInt("tMult", a.int("tMult", default: 1)),
                                                        etaMin: a.double("etaMin", default: 0)))
        case "linear":
            let start = try a.double("startFactor", default: 1.0 / 3)
            guard start > 0 && start <= 1 else { throw SpecError("\(component): `startFactor` must be in (0, 1], got \(start) (PyTorch's LinearLR cannot start at 0)") }
            kind = .function(try LinearSchedule(startFactor: start, endFactor: a.double("endFactor", default: 1),
                                                totalSteps: positiveInt("totalSteps", a.int("totalSteps", default: 5))))
        case "one-cycle":
            let strategy = try a.word("annealStrategy", allowed: ["cos", "linear"], default: "cos")
            let schedule = try OneCycleSchedule(
                maxLearningRate: a.optionalDouble("maxLearningRate"), totalSteps: positiveInt("totalSteps", a.optionalInt("totalSteps")),
                pctStart: a.double("pctStart", default: 0.3), annealStrategy: strategy == "cos" ? .cosine : .linear,
                cycleMomentum: a.bool("cycleMomentum", default: true), baseMomentum: a.double("baseMomentum", default: 0.85),
                maxMomentum: a.double("maxMomentum", default: 0.95), divFactor: a.double("divFactor", default: 25),
                finalDivFactor: a.double("finalDivFactor", default: 1e4), threePhase: a.bool("threePhase", default: false))
            guard schedule.pctStart > 0 && schedule.pctStart < 1 else { throw SpecError("\(component): `pctStart` must be in (0, 1), got \(schedule.pctStart)") }
            kind = .function(schedule)
        default:  // "plateau"
            let mode = try a.word("mode", allowed: ["min", "max"], default: "min")
            let thresholdMode = try a.word("thresholdMode", allowed: ["rel", "abs"], default: "rel")
            let factor = try a.double("factor", default: 0.1)
            guard factor < 1 else { throw SpecError("\(component): `factor` must be < 1, got \(factor)") }
            kind = .plateau(try ReduceLROnPlateau(
                mode: mode == "min" ? .min : .max, factor: factor, patience: a.int("patience", default: 10),
                threshold: a.double("threshold", default: 1e-4), thresholdMode: thresholdMode == "rel" ? .relative : .absolute,
                cooldown: a.int("cooldown", default: 0), minLearningRate: a.double("minLearningRate", default: 0),
                epsilon: a.double("epsilon", default: 1e-8)))
        }
        try a.finish()
        return kind
    }

    /// Splits `A then B then(at: 30) C` at the top-level word `then`.
    static func splitSequence(_ text: String) throws -> [(text: String, milestone: Int?)] {
        let characters = Array(text)
        var parts: [(text: String, milestone: Int?)] = []
        var depth = 0, start = 0, index = 0, pendingMilestone: Int? = nil
        func isWordCharacter(_ c: Character) -> Bool { c.isLetter || c.isNumber || c == "_" || c == "-" }
        while index < characters.count {
            let c = characters[index]
            if c == "(" || c == "[" { depth += 1 } else if c == ")" || c == "]" { depth -= 1 }
            if depth == 0, index + 4 <= characters.count, String(characters[index..<index + 4]) == "then",
               index == 0 || !isWordCharacter(characters[index - 1]),
               index + 4 == characters.count || !isWordCharacter(characters[index + 4]) {
                parts.append((String(characters[start..<index]).trimmingSpaces, pendingMilestone))
                var next = index + 4
                while next < characters.count, characters[next] == " " { next += 1 }
                pendingMilestone = nil
                if next < characters.count, characters[next] == "(" {
                    guard let close = characters[next...].firstIndex(of: ")") else { throw SpecError("schedule `\(text)`: missing `)` after `then(`") }
                    var arguments = try SpecArguments(Spec(parsing: "then" + String(characters[next...close])), component: "then", validKeys: ["at"])
                    pendingMilestone = try arguments.optionalInt("at")
                    try arguments.finish()
                    next = close + 1
                }
                start = next
                index = next
                continue
            }
            index += 1
        }
        parts.append((String(characters[start...]).trimmingSpaces, pendingMilestone))
        return parts
    }
}

extension String {
    var trimmingSpaces: String {
        var s = Substring(self)
        while s.first?.isWhitespace == true { s.removeFirst() }
        while s.last?.isWhitespace == true { s.removeLast() }
        return String(s)
    }
}

/// Creates the schedule a spec string names; see ``ScheduleFactory``.
public func makeSchedule(spec: String) throws -> LearningRateScheduler.Kind { try ScheduleFactory.make(spec) }
