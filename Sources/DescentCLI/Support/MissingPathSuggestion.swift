import Descent
import Foundation

/// `" (did you mean `run1`?)"` when the folder that should hold the missing `path` has an entry
/// close to its name, else `""`: the "did you mean" of a mistyped file or folder name.
func missingPathSuggestion(_ path: String) -> String {
    let url = URL(fileURLWithPath: path)
    let folder = url.deletingLastPathComponent()
    guard let names = try? FileManager.default.contentsOfDirectory(atPath: folder.path),
          let close = Suggestion.closest(to: url.lastPathComponent, among: names.sorted()) else { return "" }
    // Shown as the user would type it: in the same folder they named.
    let shown = path.contains("/") ? folder.appendingPathComponent(close).relativePath(from: path) : close
    return " (did you mean `\(shown)`?)"
}

extension URL {
    /// This URL written relative to how `typed` was written: `typed`'s folder part, then the name.
    fileprivate func relativePath(from typed: String) -> String {
        let prefix = typed.split(separator: "/", omittingEmptySubsequences: false).dropLast().joined(separator: "/")
        return prefix + "/" + lastPathComponent
    }
}
