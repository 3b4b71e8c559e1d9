import ArgumentParser
import Foundation

/// The `descent` command-line tool: one subcommand per file in this folder.
@main
struct DescentCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "descent",
        abstract: "Train models by gradient descent, and see how gradient descent works.",
        subcommands: [
            CompareCommand.self,
            DataCommand.self,
            DemoCommand.self,
            EvaluateCommand.self,
            GradcheckCommand.self,
            LRFindCommand.self,
            OptimizeCommand.self,
            PlaygroundCommand.self,
            PredictCommand.self,
            ScheduleCommand.self,
            TrainCommand.self,
        ],
        defaultSubcommand: nil
    )

    /// Parses and runs the subcommand. A `ValidationError` thrown while a command *runs* (a file that
    /// cannot be read, a spec with a typo) is printed as its message alone: argument-parser would
    /// add the root command's usage line, which says nothing about the problem. Errors found while
    /// parsing the command line keep argument-parser's usual output.
    static func main() async {
        do {
            var command = try parseAsRoot()
            if var asyncCommand = command as? AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch let error as ValidationError {
            FileHandle.standardError.write(Data("Error: \(error.message)\n".utf8))
            Foundation.exit(ExitCode.validationFailure.rawValue)
        } catch {
            exit(withError: error)
        }
    }
}
