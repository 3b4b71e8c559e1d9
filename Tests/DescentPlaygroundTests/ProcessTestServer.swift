import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// `descent playground --port 0` in a child process, for the browser tests.
///
/// In process, the server's tasks share Swift concurrency's cooperative threads (two on a
/// two-core machine) with every other test of the suite; a browser test that polls the page
/// blocks one of them, and the CPU-bound tests running beside it the other, so the server
/// stopped answering until the page's wait timed out. A process of its own has its own threads,
/// and is also the server a user runs.
final class ProcessTestServer: @unchecked Sendable {
    private let process: Process
    /// `http://127.0.0.1:PORT`.
    let base: String

    /// Starts the built `descent` next to the test bundle and reads the address it prints.
    init() throws {
        guard let executable = Self.descentExecutable() else {
            throw TestFailure("the descent executable is not next to the test bundle; run `swift build` first")
        }
        process = Process()
        process.executableURL = executable
        process.arguments = ["playground", "--port", "0"]
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        // The first line: `Descent playground: http://127.0.0.1:PORT/  (Ctrl-C stops it)`.
        var line = Data()
        while !line.contains(UInt8(ascii: "\n")) {
            let chunk = output.fileHandleForReading.availableData
            guard !chunk.isEmpty else { break }
            line += chunk
        }
        let text = String(decoding: line, as: UTF8.self)
        guard let start = text.range(of: "http://"), let end = text[start.lowerBound...].firstIndex(where: { $0 == " " || $0 == "\n" }) else {
            process.terminate()
            throw TestFailure("descent playground printed no address: \(text)")
        }
        var address = String(text[start.lowerBound..<end])
        if address.hasSuffix("/") { address.removeLast() }
        base = address
    }

    /// Stops the server.
    func stop() async {
        process.terminate()
        process.waitUntilExit()
    }

    /// Sends a request to the server.
    func request(_ method: String, _ path: String, body: String? = nil, headers: [String: String] = [:]) async throws -> TestServer.Answer {
        try await TestServer.request(base: base, method, path, body: body, headers: headers)
    }

    /// The `descent` executable built next to the test bundle (as DescentCLITests finds it; test
    /// targets share no code).
    static func descentExecutable() -> URL? {
        let folders = [Bundle.main.bundleURL.deletingLastPathComponent(), URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()]
        for folder in folders {
            var directory = folder
            for _ in 0..<4 {
                let url = directory.appendingPathComponent("descent")
                if FileManager.default.isExecutableFile(atPath: url.path) { return url }
                directory = directory.deletingLastPathComponent()
            }
        }
        return nil
    }
}
