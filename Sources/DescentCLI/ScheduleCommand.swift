import ArgumentParser
import Descent
import Foundation

/// `descent schedule`: print the learning rate (and momentum) a schedule gives each optimizer step.
struct ScheduleCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "schedule",
        abstract: "Print the learning rate each optimizer step uses under a schedule.",
        usage: "descent schedule [<options>] --schedule <schedule>",
        discussion: """
            Schedules: \(ScheduleFactory.names.joined(separator: ", ")); run two one after another with \
            `A then B` (or `A then(at: STEP) B`). η_t is the rate optimizer step t uses (PyTorch's convention: \
            known before the step).

            Example:
              descent schedule --lr 0.1 --steps 50 --plot schedule.svg \\
                --schedule "one-cycle(maxLearningRate: 0.1, totalSteps: 50)"
            """)

    @Option(help: "The schedule spec, for example \"cosine(tMax: 100)\" or \"linear(startFactor: 0.1, totalSteps: 5) then cosine(tMax: 95)\".")
    var schedule: String

    @Option(name: .customLong("lr"), help: "The optimizer's starting learning rate η₀.")
    var learningRate: Double = 0.1

    @Option(help: "How many optimizer steps to list.")
    var steps: Int = 100

    @Option(help: "The optimizer's momentum (or β₁); reported only when the schedule changes it.")
    var momentum: Double?

    @Option(parsing: .unconditional, help: "Metrics fed to plateau after each step, comma-separated (steps − 1 values).")
    var metrics: String?

    @OptionGroup var formatOption: FormatOption<TableFormat>

    @Option(help: ArgumentHelp("Also draw the learning rate per step (and the momentum, when the schedule sets it) to this SVG file.", valueName: "file.svg"))
    var plot: String?

    func validate() throws {
        guard steps > 0, steps <= Self.maximumSteps else {
            throw ValidationError("--steps must be from 1 to \(Self.maximumSteps) (every step is a line of output), got \(steps)")
        }
        guard learningRate.isFinite, learningRate >= 0 else { throw ValidationError("--lr must be a non-negative number") }
    }

    /// The most steps listed: each is a line of output, held in memory until printed.
    static let maximumSteps = 10_000_000

    func run() throws {
        print(try output(), terminator: "")
        if let plot { FileHandle.standardError.write(Data("wrote \(plot)\n".utf8)) }  // stdout stays the table or JSON
    }

    /// η_t for t = 0 … steps − 1, and the momentum when the schedule sets it.
    func values() throws -> (learningRates: [Double], momenta: [Double]?) {
        let kind: LearningRateScheduler.Kind
        do { kind = try makeSchedule(spec: schedule) } catch { throw ValidationError("--schedule: \(error)") }
        var scheduler = LearningRateScheduler(kind, initialLearningRate: learningRate)
        var metricValues: [Double] = []
        if scheduler.needsMetric {
            guard let metrics else { throw ValidationError("plateau is driven by a metric: give --metrics with \(steps - 1) comma-separated values (one after each step)") }
            let parts = metrics.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
            metricValues = parts.compactMap(Double.init)
            guard metricValues.count == parts.count else { throw ValidationError("--metrics must be numbers separated by commas; got `\(metrics)`") }
            guard metricValues.count >= steps - 1 else {
                throw ValidationError("--metrics has \(metricValues.count) values; \(steps) steps need \(steps - 1) (one after each step but the last)")
            }
        }
        var rates: [Double] = [], momenta: [Double] = []
        for t in 0..<steps {
            rates.append(scheduler.learningRate)
            if let m = scheduler.momentum { momenta.append(m) }
            if t < steps - 1 { try scheduler.advance(metric: metricValues.isEmpty ? nil : metricValues[t]) }
        }
        return (rates, momenta.isEmpty ? nil : momenta)
    }

    func output() throws -> String {
        let (rates, momenta) = try values()
        if let plot { try writePlot(SchedulePlot(schedule: schedule, learningRates: rates, momenta: momenta).svg(), to: plot) }
        switch formatOption.format {
        case .json:
            var fields: [(String, JSONValue)] = [("learningRate", .array(rates.map(JSONValue.number)))]
            if let momenta { fields.append(("momentum", .array(momenta.map(JSONValue.number)))) }
            return JSONValue.object(fields).text + "\n"
        case .table:
            var text = "\(schedule), η₀ = \(learningRate)\n" + (momenta == nil ? "step  learning rate\n" : "step  learning rate  momentum\n")
            for (t, rate) in rates.enumerated() {
                let step = String(t), rateText = OptimizeCommand.short(rate)
                var line = String(repeating: " ", count: Swift.max(0, 4 - step.count)) + step + "  " + rateText
                if let momenta {
                    line += String(repeating: " ", count: Swift.max(1, 15 - rateText.count)) + OptimizeCommand.short(momenta[t])
                }
                text += line + "\n"
            }
            return text
        }
    }
}
