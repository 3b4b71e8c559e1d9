import Foundation

// The documentation's snippets are pasted into these tests verbatim, `print` calls included.
// This module-level `print` shadows Swift's inside the test module, so a test can read what a
// snippet printed and compare it with the output the documentation shows beside it.

/// The lines printed inside ``printedLines(_:)`` on the current task.
final class PrintRecorder: @unchecked Sendable {
    private let lock = NSLock()
    private var storage: [String] = []
    var lines: [String] { lock.withLock { storage } }
    func append(_ line: String) { lock.withLock { storage.append(line) } }

    @TaskLocal static var current: PrintRecorder?
}

/// Records into the current ``PrintRecorder``, or prints as Swift's `print` does outside one.
func print(_ items: Any..., separator: String = " ", terminator: String = "\n") {
    let text = items.map { "\($0)" }.joined(separator: separator)
    if let recorder = PrintRecorder.current { recorder.append(text) } else { Swift.print(text, terminator: terminator) }
}

/// Runs `body` and returns every line it printed, in order.
func printedLines(_ body: () throws -> Void) rethrows -> [String] {
    let recorder = PrintRecorder()
    try PrintRecorder.$current.withValue(recorder) { try body() }
    return recorder.lines
}
