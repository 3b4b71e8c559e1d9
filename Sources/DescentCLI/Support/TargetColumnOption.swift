import ArgumentParser
import Descent
import Foundation

/// `--target`, the target column of a CSV file, for the commands that read data with targets
/// in it: the training options and the `descent data` subcommands.
struct TargetColumnOption: ParsableArguments {
    // `.unconditional`: the value may start with a dash, so `--target -1` (the help's own example)
    // reads the last column instead of failing as a missing value.
    @Option(parsing: .unconditional, help: "The target column of a CSV file: a name or a 0-based position (-1 = last). Default: the last column.")
    var target: String?

    /// `--target` as a column selector; `nil` (the last column) when it is not given.
    var column: ColumnSelector? { target.map(ColumnSelector.init(parsing:)) }
}
