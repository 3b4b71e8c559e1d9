import ArgumentParser
import Foundation
import Testing
@testable import DescentCLI

/// Every command's help as a person reads it on an 80-column terminal: `descent COMMAND --help`
/// and `descent help COMMAND` print this same text.
@Suite struct HelpTextTests {
    /// Every command under `root`, hidden ones included, with its path (`data inspect`).
    static func commands(under root: ParsableCommand.Type = DescentCommand.self, path: [String] = [])
        -> [(path: String, type: ParsableCommand.Type)] {
        root.configuration.subcommands.flatMap { command in
            let commandPath = path + [command.configuration.commandName ?? "\(command)"]
            return [(commandPath.joined(separator: " "), command)] + commands(under: command, path: commandPath)
        }
    }

    static func help(_ command: ParsableCommand.Type) -> String {
        DescentCommand.helpMessage(for: command, columns: 80)
    }

    /// The entries of the ARGUMENTS and OPTIONS sections, each an entry's lines joined by spaces.
    static func entries(_ help: String) -> [String] {
        var entries: [String] = [], inSection = false
        for line in help.split(separator: "\n", omittingEmptySubsequences: false) {
            if line == "ARGUMENTS:" || line == "OPTIONS:" { inSection = true; continue }
            guard inSection, !line.isEmpty else { inSection = false; continue }
            if line.hasPrefix("  ") && !line.hasPrefix("   ") {
                entries.append(String(line))
            } else if !entries.isEmpty {
                entries[entries.count - 1] += " " + line.trimmingCharacters(in: .whitespaces)
            }
        }
        return entries
    }

    /// The option names an entry of the OPTIONS section starts with (`--standardize/--no-standardize`
    /// gives both).
    static func optionNames(_ entry: String) -> [String] {
        let names = entry.dropFirst(2).prefix { $0 != "<" }.components(separatedBy: "  ")[0]
        return names.split(whereSeparator: { $0 == "/" || $0 == "," || $0 == " " }).map(String.init).filter { $0.hasPrefix("-") }
    }

    @Test func everyCommandIsListed() {
        #expect(Self.commands().map(\.path) == ["compare", "data", "data inspect", "data convert", "demo", "evaluate",
                                                "gradcheck", "lr-find", "optimize", "playground", "predict", "schedule", "train"])
    }

    @Test func noLineIsWiderThan80Columns() {
        for (path, command) in [("", DescentCommand.self as ParsableCommand.Type)] + Self.commands() {
            let help = Self.help(command)
            for line in help.split(separator: "\n") {
                #expect(line.count <= 80, "descent \(path) --help: \(line.count) columns: \(line)")
            }
        }
    }

    @Test func noOptionStatesItsDefaultTwice() {
        for (path, command) in Self.commands() {
            for entry in Self.entries(Self.help(command)) {
                let printed = entry.components(separatedBy: "(default:").count - 1
                let written = entry.components(separatedBy: "Default:").count - 1
                #expect(printed <= 1 && printed + written <= 1, "descent \(path) --help: \(entry)")
            }
        }
    }

    /// Help strings are single lines of prose that argument-parser wraps: an option's help has no
    /// line break, and each line of a discussion outside an indented example ends a paragraph.
    @Test func helpStringsAreUnwrappedProse() throws {
        func check(_ command: [String: Any], path: String) {
            let discussion = command["discussion"] as? String ?? ""
            for line in discussion.split(separator: "\n") where !line.hasPrefix(" ") {
                #expect(line.hasSuffix(".") || line.hasSuffix(":"), "descent \(path): a line that does not end a paragraph: \(line)")
            }
            for argument in command["arguments"] as? [[String: Any]] ?? [] {
                let text = argument["abstract"] as? String ?? ""
                #expect(!text.contains("\n"), "descent \(path): \(text)")
                if argument["defaultValue"] != nil { #expect(!text.contains("Default:"), "descent \(path): \(text)") }
                if argument["allValues"] != nil { #expect(!text.contains(" or "), "descent \(path) lists the values argument-parser lists: \(text)") }
            }
            for subcommand in command["subcommands"] as? [[String: Any]] ?? [] {
                check(subcommand, path: path + " " + (subcommand["commandName"] as? String ?? "?"))
            }
        }
        let tool = try #require(try JSONSerialization.jsonObject(with: Data(DescentCommand._dumpHelp().utf8)) as? [String: Any])
        check(try #require(tool["command"] as? [String: Any]), path: "")
    }

    /// The option names of every command: those before the shared options became option groups,
    /// and the data options of issue 15.
    @Test func optionNamesAreUnchanged() {
        let training = ["--data", "--target", "--task", "--validation-split", "--validation", "--test", "--model", "--loss", "--optimizer",
                        "--schedule", "--schedule-unit", "--batch-size", "--epochs", "--early-stopping", "--clip-grad-norm", "--seed",
                        "--precision", "--standardize", "--no-standardize", "--config", "--labels", "--delimiter", "--header",
                        "--no-header", "--drop", "--categorical", "--missing", "--validation-labels", "--test-labels",
                        "--standardize-target", "--no-standardize-target", "--stream", "--memory-limit", "--full-loss"]
        let expected: [String: [String]] = [
            "compare": training + ["--batch-sizes", "--learning-rates", "--optimizers", "--schedules", "--inits", "--models", "--output",
                                   "--plot", "--format", "--quiet"],
            "data": [],
            "data convert": ["--target", "--labels", "--delimiter", "--header", "--no-header", "--drop", "--categorical", "--missing", "--to",
                             "--output", "--precision"],
            "data inspect": ["--target", "--labels", "--delimiter", "--header", "--no-header", "--drop", "--categorical", "--missing", "--format"],
            "demo": ["--output", "--seed", "--epochs", "--quiet"],
            "evaluate": ["--model", "--data", "--labels", "--target", "--format"],
            "gradcheck": ["--model", "--inputs", "--input-shape", "--outputs", "--loss", "--seed", "--batch-size", "--weights", "--data", "--target",
                          "--step-size", "--format"],
            // lr-find sweeps short steps: no test file and no early stopping (issue 20).
            "lr-find": training.filter { !["--test", "--test-labels", "--early-stopping"].contains($0) }
                + ["--start-lr", "--end-lr", "--iterations", "--format", "--plot"],
            "optimize": ["--function", "--start", "--optimizer", "--steps", "--schedule", "--precision", "--tolerance", "--format", "--plot", "--animate"],
            "playground": ["--port", "--host", "--open"],
            "predict": ["--model", "--data", "--labels", "--output", "--probabilities"],
            "schedule": ["--schedule", "--lr", "--steps", "--momentum", "--metrics", "--format", "--plot"],
            "train": training + ["--output", "--resume", "--checkpoint-every", "--keep-checkpoints", "--max-time", "--format", "--quiet", "--verbose"],
        ]
        for (path, command) in Self.commands() {
            let names = Self.entries(Self.help(command)).filter { $0.hasPrefix("  -") }.flatMap(Self.optionNames)
            #expect(Set(names) == Set(expected[path, default: ["?"]] + ["-h", "--help"]), "descent \(path)")
            #expect(names.count == Set(names).count, "descent \(path) lists an option twice")
        }
    }

    /// A usage line written for a command (argument-parser's own would run past 80 columns)
    /// names every option it cannot run without.
    @Test func usageLinesNameTheRequiredOptions() throws {
        let required: [String: [String]] = ["evaluate": ["--model <model>", "--data <data>"], "predict": ["--model <model>", "--data <data>"],
                                            "gradcheck": ["--model <model>"], "schedule": ["--schedule <schedule>"],
                                            "data inspect": ["<file>"], "data convert": ["<file>", "--to npy"]]
        for (path, command) in Self.commands() where !path.isEmpty && path != "data" {
            let usage = try #require(Self.help(command).split(separator: "\n").first { $0.hasPrefix("USAGE: ") })
            #expect(usage.hasPrefix("USAGE: descent \(path) [<options>]"), "\(usage)")
            for argument in required[path, default: []] { #expect(usage.contains(argument), "\(usage)") }
        }
    }

    /// The help of `descent compare` states the defaults the comparison uses, which differ from
    /// `descent train`'s.
    @Test func compareHelpStatesCompareDefaults() throws {
        let help = Self.help(CompareCommand.self).replacingOccurrences(of: "\n                          ", with: " ")
        let plain = try CompareCommand.parse([]).baseConfiguration(learningRateAxis: false)
        let rates = try CompareCommand.parse([]).baseConfiguration(learningRateAxis: true)
        #expect(help.contains("Default: \(plain.data), or \(rates.data) with --learning-rates."))
        #expect(help.contains("Default: \(plain.model), or \(rates.model) with --learning-rates."))
        #expect(help.contains("Default: \(plain.optimizer), or \(rates.optimizer) with --learning-rates."))
        #expect(help.contains("Default: \(plain.epochs).") && help.contains("Default: \(plain.validationSplit!)."))
        let train = Self.help(TrainCommand.self).replacingOccurrences(of: "\n                          ", with: " ")
        #expect(train.contains("Default: \(TrainConfiguration.standard.model).") && train.contains("Default: \(TrainConfiguration.standard.epochs)."))
    }

    /// The shared option groups parse as the options did: `--format` takes the command's own
    /// forms, `--quiet` and `--target` read the same everywhere.
    @Test func sharedOptionGroupsParseTheSameEverywhere() throws {
        #expect(try TrainCommand.parse(["--format", "json", "--quiet"]).formatOption.format == .json)
        #expect(try TrainCommand.parse([]).formatOption.format == .text && !TrainCommand.parse([]).progressOption.quiet)
        #expect(try CompareCommand.parse(["--quiet"]).progressOption.quiet && DemoCommand.parse(["--quiet"]).progressOption.quiet)
        #expect(try GradcheckCommand.parse(["--model", "linear", "--inputs", "1", "--outputs", "1"]).formatOption.format == .table)
        #expect(try OptimizeCommand.parse(["--format", "csv"]).formatOption.format == .csv)
        #expect(throws: (any Error).self) { try ScheduleCommand.parse(["--schedule", "constant", "--format", "csv"]) }
        #expect(throws: (any Error).self) { try EvaluateCommand.parse(["--model", "m", "--data", "d", "--format", "table"]) }
        #expect(try DataInspectCommand.parse(["f.csv", "--target=-1"]).targetColumn.column == .index(-1))
        #expect(try DataInspectCommand.parse(["f.csv", "--target", "price"]).targetColumn.column == .name("price"))
        #expect(try DataInspectCommand.parse(["f.csv"]).targetColumn.column == nil)
        #expect(try TrainCommand.parse(["--data", "d.csv", "--target", "price"]).options.configuration().target == "price")
        let predict = try PredictCommand.parse(["--model", "run", "--data", "new.csv"])
        #expect(predict.inputs.model == "run" && predict.inputs.data == "new.csv")
    }
}
