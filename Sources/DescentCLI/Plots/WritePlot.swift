import ArgumentParser
import Foundation

/// Writes an SVG document for a `--plot` option, replacing any file at `path`.
///
/// - Throws: `ValidationError` naming the file and the reason when it cannot be written.
func writePlot(_ svg: String, to path: String) throws {
    do {
        try Data(svg.utf8).write(to: URL(fileURLWithPath: path), options: .atomic)
    } catch {
        throw ValidationError("--plot: cannot write `\(path)`: \(error.localizedDescription); check that the folder exists and is writable")
    }
}
