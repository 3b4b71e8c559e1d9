import Foundation

/// A fresh temporary folder for one test, removed when released.
final class TrainTestFolder {
    let url: URL
    init() throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("descent-cli-train-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }
    func path(_ name: String) -> String { url.appendingPathComponent(name).path }
    @discardableResult
    func write(_ name: String, _ text: String) throws -> String {
        try Data(text.utf8).write(to: url.appendingPathComponent(name))
        return path(name)
    }
    func read(_ name: String) throws -> String { try String(contentsOfFile: path(name), encoding: .utf8) }
    func exists(_ name: String) -> Bool { FileManager.default.fileExists(atPath: path(name)) }
    deinit { try? FileManager.default.removeItem(at: url) }
}

/// The JSON object in `text`.
func jsonObject(_ text: String) throws -> [String: Any] {
    guard let object = try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any] else {
        throw CocoaError(.coderReadCorrupt)
    }
    return object
}

/// The `descent` executable built next to the test bundle (`swift build` / `swift test` build both
/// into the same folder), or `nil` if it is not there.
func descentExecutable() -> URL? {
    var candidates: [URL] = []
    if let executable = Bundle.main.executableURL { candidates.append(executable.deletingLastPathComponent()) }
    candidates.append(Bundle.main.bundleURL.deletingLastPathComponent())
    candidates.append(URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent())
    for folder in candidates {
        // The test bundle may be a folder (macOS .xctest/Contents/MacOS): walk up a few levels.
        var directory = folder
        for _ in 0..<4 {
            let url = directory.appendingPathComponent("descent")
            if FileManager.default.isExecutableFile(atPath: url.path) { return url }
            directory = directory.deletingLastPathComponent()
        }
    }
    return nil
}

/// Runs `descent` with `arguments`; returns the exit status and standard error.
@discardableResult
func runDescent(_ executable: URL, _ arguments: [String]) throws -> (status: Int32, standardError: String) {
    let process = Process()
    process.executableURL = executable
    process.arguments = arguments
    process.standardOutput = FileHandle.nullDevice
    let errors = Pipe()
    process.standardError = errors
    try process.run()
    let data = errors.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return (process.terminationStatus, String(decoding: data, as: UTF8.self))
}
