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
            GradcheckCommand.self,
            OptimizeCommand.self,
            ScheduleCommand.self,
        ],
        defaultSubcommand: nil
    )
}
