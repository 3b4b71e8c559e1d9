import Descent
import Foundation

/// One run of `descent optimize`: optimizers started from one point of a ``TestFunction``, each
/// for the same number of steps, and their paths as JSON.
///
/// Both `descent optimize --format json` and the playground's `POST /api/optimize` are this
/// type, so the two print the same bytes for the same arguments by construction. Every check
/// throws a ``RequestError`` with the message the command line prints (it names the options,
/// `--start`, `--optimizer`, which the API's keys mirror).
public struct OptimizationRequest: Sendable, Equatable {
    /// The floating-point type a run uses.
    public enum Precision: String, Sendable, CaseIterable {
        /// `Double`.
        case double
        /// `Float`.
        case float
    }

    /// The function's name, as given (checked by ``testFunction()``).
    public var function: String
    /// The starting point, or `nil` for the function's ``TestFunction/defaultStart``.
    public var start: [Double]?
    /// The optimizer specs, such as `"adam(lr: 0.1)"`, in the order their paths are listed.
    public var optimizers: [String]
    /// Optimizer steps per path. The default value is `100`.
    public var steps: Int
    /// A learning-rate schedule spec (the rate per step), or `nil` for a constant rate.
    public var schedule: String?
    /// The floating-point type of the run. The default value is `.double`.
    public var precision: Precision

    /// A request; see each property for its meaning and default.
    public init(function: String = "rosenbrock", start: [Double]? = nil, optimizers: [String] = ["sgd"], steps: Int = 100,
                schedule: String? = nil, precision: Precision = .double) {
        self.function = function
        self.start = start
        self.optimizers = optimizers
        self.steps = steps
        self.schedule = schedule
        self.precision = precision
    }

    /// The function, resolved from its name.
    /// - Throws: ``RequestError`` listing the valid functions.
    public func testFunction() throws -> TestFunction {
        guard let value = TestFunction(rawValue: function) else {
            throw RequestError("unknown function `\(function)`; valid functions: \(TestFunction.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        return value
    }

    /// Reads a starting point written as `--start` takes it: numbers separated by commas.
    /// - Throws: ``RequestError`` for anything else.
    public static func start(parsing text: String) throws -> [Double] {
        let parts = text.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
        let values = parts.compactMap { Double($0) }
        guard values.count == parts.count, values.allSatisfy(\.isFinite) else {
            throw RequestError("--start must be numbers separated by commas, such as -1.5,2.0; got `\(text)`")
        }
        return values
    }

    /// The starting point: ``start`` checked against the function's dimension, or its default.
    /// - Throws: ``RequestError`` for a wrong number of coordinates or a non-finite one.
    public func startPoint(for function: TestFunction) throws -> [Double] {
        guard let start else { return function.defaultStart }
        guard start.allSatisfy(\.isFinite) else {
            throw RequestError("--start must be numbers separated by commas, such as -1.5,2.0; got `\(start.map { "\($0)" }.joined(separator: ","))`")
        }
        guard start.count == function.dimension else {
            throw RequestError("--start: \(function.rawValue) takes \(function.dimension) coordinate\(function.dimension == 1 ? "" : "s"), got \(start.count)")
        }
        return start
    }

    /// Checks the settings that do not need a run: the step count and that there is an optimizer.
    /// - Throws: ``RequestError`` with the command line's message.
    public func validate() throws {
        guard steps >= 0 else { throw RequestError("--steps must be 0 or more, got \(steps)") }
        guard !optimizers.isEmpty else { throw RequestError("give at least one --optimizer") }
    }

    /// Runs every optimizer and returns the paths, in the order of ``optimizers``.
    /// - Throws: ``RequestError`` for an unknown function, optimizer or schedule, a bad start
    ///   point or hyperparameter, or a schedule that cannot drive an optimizer.
    public func trajectories() throws -> [Trajectory] {
        try validate()
        let function = try testFunction()
        let start = try startPoint(for: function)
        let scheduleKind: LearningRateScheduler.Kind?
        do { scheduleKind = try schedule.map { try makeSchedule(spec: $0) } } catch { throw RequestError("--schedule: \(error)") }
        return try optimizers.map { spec in
            do {
                switch precision {
                case .double:
                    return try function.trajectory(optimizer: makeOptimizer(spec: spec, as: Double.self), start: start, steps: steps, schedule: scheduleKind)
                case .float:
                    return try function.trajectory(optimizer: makeOptimizer(spec: spec, as: Float.self), start: start, steps: steps, schedule: scheduleKind)
                }
            } catch let error as SpecError {
                throw RequestError("--optimizer: \(error)")
            } catch let error as OptimizerError {
                throw RequestError("--optimizer \(spec): \(error)")
            }
        }
    }

    /// One path as `descent optimize --format json` writes it: the function, the optimizer with
    /// every hyperparameter as used, the precision, the schedule (if any), every point of the
    /// trajectory, and the divergence message (if the run diverged).
    public func json(for run: Trajectory) -> JSONValue {
        var optimizerObject: [(String, JSONValue)] = [("name", .string(run.optimizer))]
        for (key, value) in run.hyperparameters {
            switch value {
            case .number(let x): optimizerObject.append((key, .number(x)))
            case .boolean(let b): optimizerObject.append((key, .bool(b)))
            default: optimizerObject.append((key, .string(value.description)))
            }
        }
        var object: [(String, JSONValue)] = [
            ("function", .string(run.function.rawValue)),
            ("optimizer", .object(optimizerObject)),
            ("precision", .string(precision.rawValue)),
        ]
        if let schedule { object.append(("schedule", .string(schedule))) }
        object.append(("trajectory", .array(run.points.map { point in
            var fields: [(String, JSONValue)] = [("step", .number(Double(point.step))), ("parameters", .array(point.parameters.map(JSONValue.number))),
                                                 ("loss", .number(point.loss)), ("gradient", .array(point.gradient.map(JSONValue.number)))]
            if let rate = point.learningRate { fields.append(("learningRate", .number(rate))) }
            return .object(fields)
        })))
        if let divergence = run.divergence { object.append(("diverged", .string(divergence))) }
        return .object(object)
    }

    /// The JSON text of `runs`: one object for one optimizer, an array of them for several, as
    /// `descent optimize --format json` prints it (without the final line break).
    public func jsonText(_ runs: [Trajectory]) -> String {
        let objects = runs.map { json(for: $0) }
        return (objects.count == 1 ? objects[0] : .array(objects)).text
    }
}
