import ArgumentParser
import Descent
import DescentPlayground
import Foundation

/// `descent optimize`: run optimizers on the classic test functions and print their paths.
struct OptimizeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "optimize",
        abstract: "Run optimizers on a classic test function: a summary per optimizer, or every step.",
        usage: "descent optimize [<options>]",
        discussion: """
            Functions: quartic (w⁴ − 3w³ + 2, 1-D), rosenbrock, beale, booth, himmelblau, rastrigin, \
            quadratic (½(x² + 25y²), an ill-conditioned bowl).
            Optimizers: \(OptimizerFactory.names.joined(separator: ", ")), written as specs such as \
            "adam(lr: 0.001, amsgrad: true)". Give --optimizer several times to compare them side by side.
            Prints one summary line per optimizer (start, end, final loss, the first step within --tolerance of the minimum); \
            --format table prints every step, json and csv every step as data.

            Example:
              descent optimize --function rosenbrock --start -1.5,2.0 --steps 50 \\
                --optimizer "adam(lr: 0.1)" --optimizer "sgd(lr: 0.001, momentum: 0.9)" \\
                --format json --plot paths.svg
            """)

    /// The floating-point type the run uses.
    enum Precision: String, ExpressibleByArgument, CaseIterable { case double, float }
    /// How the result is printed.
    enum Format: String, OutputFormatChoice {
        case summary, table, json, csv
        static let standard = Format.summary
    }

    @Option(help: "The function: \(TestFunction.allCases.map(\.rawValue).joined(separator: ", ")).")
    var function: String = "rosenbrock"

    @Option(parsing: .unconditional, help: "The starting point, comma-separated (for example -1.5,2.0). Default: the function's customary start.")
    var start: String?

    @Option(help: "An optimizer spec, for example \"adam(lr: 0.001)\". Repeat to run several side by side.")
    var optimizer: [String] = ["sgd"]

    @Option(help: "How many optimizer steps to take.")
    var steps: Int = 100

    @Option(help: "A learning-rate schedule spec (rate per step), for example \"cosine(tMax: 100)\"; plateau is fed the loss.")
    var schedule: String?

    @Option(help: "The floating-point type of the run.")
    var precision: Precision = .double

    @Option(help: "The summary's tolerance: the first step whose loss is within this of the function's minimum.")
    var tolerance: Double = 1e-3

    @OptionGroup var formatOption: FormatOption<Format>

    @Option(help: ArgumentHelp("Also draw the paths to this SVG file: the function's contour plot (its curve for quartic) with each optimizer's path.", valueName: "file.svg"))
    var plot: String?

    @Flag(help: "With --plot: animate the paths growing step by step (the optimizer race), playable in any browser.")
    var animate = false

    func validate() throws {
        guard steps >= 0, steps <= ScheduleCommand.maximumSteps else {
            throw ValidationError("--steps must be from 0 to \(ScheduleCommand.maximumSteps) (every step is kept in the trajectory), got \(steps)")
        }
        guard !optimizer.isEmpty else { throw ValidationError("give at least one --optimizer") }
        guard tolerance.isFinite, tolerance > 0 else { throw ValidationError("--tolerance must be a positive number, got \(tolerance)") }
        guard !animate || plot != nil else { throw ValidationError("--animate needs --plot FILE.svg to write the animation to") }
    }

    func run() throws {
        let (text, divergences) = try output()
        print(text, terminator: text.hasSuffix("\n") ? "" : "\n")
        var notes = divergences
        // JSON and CSV on standard output stay data; the note goes to standard error.
        if let plot, [.json, .csv].contains(formatOption.format) { notes.append("wrote \(plot)") }
        for message in notes { FileHandle.standardError.write(Data((message + "\n").utf8)) }
    }

    /// The run these options describe (the same type `POST /api/optimize` runs, so both print
    /// the same JSON).
    func request() throws -> OptimizationRequest {
        do {
            return OptimizationRequest(function: function, start: try start.map(OptimizationRequest.start(parsing:)), optimizers: optimizer,
                                       steps: steps, schedule: schedule, precision: precision == .float ? .float : .double)
        } catch let error as RequestError { throw ValidationError(error.message) }
    }

    /// The function, resolved from its name.
    func testFunction() throws -> TestFunction {
        do { return try request().testFunction() } catch let error as RequestError { throw ValidationError(error.message) }
    }

    /// Runs every optimizer and returns the trajectories (the data behind the output and the plots).
    func trajectories() throws -> [Trajectory] {
        do { return try request().trajectories() } catch let error as RequestError { throw ValidationError(error.message) }
    }

    /// The text to print, and the divergence messages (for standard error).
    func output() throws -> (text: String, divergences: [String]) {
        let runs = try trajectories()
        let divergences = runs.compactMap(\.divergence)
        if let plot { try writePlot(pathPlot(runs).svg(), to: plot) }
        switch formatOption.format {
        case .json:
            return (try request().jsonText(runs), divergences)
        case .csv:
            return (csv(runs), divergences)
        case .table:
            return (table(runs) + wroteLine, divergences)
        case .summary:
            return (summary(runs) + wroteLine, divergences)
        }
    }

    /// "wrote FILE" after a text output that drew `--plot`.
    var wroteLine: String { plot.map { "wrote \($0)\n" } ?? "" }

    /// One line per optimizer: where it started and ended, the final loss, and the first step
    /// whose loss is within ``tolerance`` of the function's minimum (its value at the first of
    /// ``TestFunction/minima``, the global minimum of every function listed).
    func summary(_ runs: [Trajectory]) -> String {
        guard let function = runs.first?.function else { return "" }
        let minimum = function.value(function.minima[0])
        let header = ["optimizer", "start", "end", "final loss", "steps to within \(Self.short(tolerance)) of \(Self.short(minimum))"]
        let rows: [[String]] = runs.enumerated().map { index, run in
            func point(_ p: TrajectoryPoint?) -> String { p.map { "(" + $0.parameters.map(Self.short).joined(separator: ", ") + ")" } ?? "" }
            let reached = run.points.first { $0.loss - minimum <= tolerance }
            let status = run.divergence != nil ? "diverged" : reached.map { "\($0.step)" } ?? "not within \(run.points.last?.step ?? 0)"
            return [optimizer[index], point(run.points.first), point(run.points.last), run.points.last.map { Self.short($0.loss) } ?? "", status]
        }
        return "\(function.rawValue) (\(precision.rawValue)), \(steps) steps; --format table for every step\n" + Self.aligned(header, rows)
    }

    /// `rows` under `header`, each column padded to its widest cell.
    static func aligned(_ header: [String], _ rows: [[String]]) -> String {
        let widths = header.indices.map { column in ([header[column]] + rows.map { $0[column] }).map(\.count).max()! }
        func line(_ cells: [String]) -> String {
            cells.enumerated().map { $0.element.padding(toLength: widths[$0.offset], withPad: " ", startingAt: 0) }
                .joined(separator: "  ").trimmingCharacters(in: .whitespaces)
        }
        return ([line(header)] + rows.map(line)).joined(separator: "\n") + "\n"
    }

    /// The picture of `runs` that `--plot` writes.
    func pathPlot(_ runs: [Trajectory]) throws -> OptimizerPathPlot {
        OptimizerPathPlot(function: try testFunction(), runs: zip(optimizer, runs).map { OptimizerPathPlot.Run(label: $0, trajectory: $1) },
                          animated: animate)
    }

    func csv(_ runs: [Trajectory]) -> String {
        let dimension = runs.first?.function.dimension ?? 1
        var lines = [(["optimizer", "step"] + (0..<dimension).map { "p\($0)" } + ["loss"] + (0..<dimension).map { "g\($0)" } + ["learningRate"])
            .joined(separator: ",")]
        for (index, run) in runs.enumerated() {
            let label = "\"\(optimizer[index].replacingOccurrences(of: "\"", with: "\"\""))\""
            for point in run.points {
                lines.append(([label, "\(point.step)"] + point.parameters.map { "\($0)" } + ["\(point.loss)"] + point.gradient.map { "\($0)" }
                              + [point.learningRate.map { "\($0)" } ?? ""]).joined(separator: ","))
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    func table(_ runs: [Trajectory]) -> String {
        var text = ""
        for (index, run) in runs.enumerated() {
            if index > 0 { text += "\n" }
            text += "\(optimizer[index]) on \(run.function.rawValue) (\(precision.rawValue))\n"
            let header = ["step", "parameters", "loss", "gradient", "learning rate"]
            var rows: [[String]] = []
            for point in run.points {
                rows.append(["\(point.step)", point.parameters.map(Self.short).joined(separator: ", "), Self.short(point.loss),
                             point.gradient.map(Self.short).joined(separator: ", "), point.learningRate.map(Self.short) ?? ""])
            }
            text += Self.aligned(header, rows)
            if let divergence = run.divergence { text += "stopped: \(divergence)\n" }
        }
        return text
    }

    static func short(_ x: Double) -> String { String(format: "%.6g", x) }
}

/// The JSON writer of every `--format json` output, shared with the playground's API.
typealias JSONValue = DescentPlayground.JSONValue
