import ArgumentParser

/// The `descent` command-line tool: one subcommand per file in this folder.
@main
struct DescentCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "descent",
        abstract: "Train models by gradient descent, and see how gradient descent works.",
        subcommands: [
            DataCommand.self,
            DemoCommand.self,
            EvaluateCommand.self,
            GradcheckCommand.self,
            LRFindCommand.self,
            OptimizeCommand.self,
            PredictCommand.self,
            ScheduleCommand.self,
            TrainCommand.self,
        ],
        defaultSubcommand: nil
    )
}
