import Foundation

/// Headless Chromium driven through its DevTools protocol: one browser for a test, one page in
/// it, JavaScript evaluated in the page (awaiting promises), and screenshots.
///
/// The browser tests need Debian's `chromium` (or `$DESCENT_CHROMIUM`). Without it they skip
/// with a message, except in CI (`CI` set), where a missing browser fails them.
final class Chromium {
    /// The executable: `$DESCENT_CHROMIUM`, or the first of the usual install paths.
    static let executable: String? = {
        let candidates = [ProcessInfo.processInfo.environment["DESCENT_CHROMIUM"]].compactMap { $0 }
            + ["/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"]
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0) }
    }()

    /// Whether the browser tests run: always in CI, elsewhere when Chromium is installed.
    static let shouldRun = executable != nil || ProcessInfo.processInfo.environment["CI"] != nil

    private let process = Process()
    private let profile: URL
    private let connection: WebSocketConnection
    private var sessionID = ""
    private var nextID = 0

    /// Starts a headless browser with a `width × height` window and attaches to a blank page.
    init(width: Int = 1300, height: Int = 1000) throws {
        guard let executable = Self.executable else {
            throw TestFailure("headless Chromium not found: install it with `apt-get install -y --no-install-recommends chromium` or set DESCENT_CHROMIUM")
        }
        profile = FileManager.default.temporaryDirectory.appendingPathComponent("descent-playground-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: profile, withIntermediateDirectories: true)
        let log = profile.appendingPathComponent("stderr.txt")
        _ = FileManager.default.createFile(atPath: log.path, contents: nil)
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--hide-scrollbars", "--no-first-run",
                             "--force-device-scale-factor=1", "--window-size=\(width),\(height)", "--remote-debugging-port=0",
                             "--user-data-dir=\(profile.path)/profile", "about:blank"]
        // A file, not a pipe: Chromium logs a lot, and a full pipe would block it.
        process.standardError = try FileHandle(forWritingTo: log)
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        // Chromium says where DevTools listens: `DevTools listening on ws://127.0.0.1:PORT/devtools/browser/ID`.
        let deadline = Date().addingTimeInterval(30)
        var endpoint: (port: UInt16, path: String)?
        while endpoint == nil {
            guard Date() < deadline, process.isRunning else {
                process.terminate()
                throw TestFailure("Chromium did not open DevTools: \((try? String(contentsOf: log, encoding: .utf8))?.suffix(2000) ?? "")")
            }
            Thread.sleep(forTimeInterval: 0.05)
            let text = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
            if let start = text.range(of: "ws://127.0.0.1:") {
                let rest = text[start.upperBound...].prefix { !$0.isWhitespace }
                if let slash = rest.firstIndex(of: "/"), let port = UInt16(rest[..<slash]) { endpoint = (port, String(rest[slash...])) }
            }
        }
        connection = try WebSocketConnection(port: endpoint!.port, path: endpoint!.path)
        let target = try command("Target.createTarget", ["url": "about:blank"], inPage: false)
        let attached = try command("Target.attachToTarget", ["targetId": target["targetId"] ?? "", "flatten": true], inPage: false)
        sessionID = attached["sessionId"] as? String ?? ""
    }

    /// Ends the browser and removes its profile.
    func close() {
        process.terminate()
        process.waitUntilExit()
        try? FileManager.default.removeItem(at: profile)
    }

    /// Sends a DevTools command and returns its result (events in between are skipped).
    @discardableResult
    func command(_ method: String, _ parameters: [String: Any] = [:], inPage: Bool = true, timeout: Double = 60) throws -> [String: Any] {
        nextID += 1
        var message: [String: Any] = ["id": nextID, "method": method, "params": parameters]
        if inPage { message["sessionId"] = sessionID }
        try connection.sendText(String(decoding: try JSONSerialization.data(withJSONObject: message), as: UTF8.self))
        while true {
            let text = try connection.receive(timeout: timeout)
            guard let answer = try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any], answer["id"] as? Int == nextID else { continue }
            if let error = answer["error"] { throw TestFailure("\(method) failed: \(error)") }
            return answer["result"] as? [String: Any] ?? [:]
        }
    }

    /// Opens `url` in the page.
    func navigate(_ url: String) throws {
        try command("Page.navigate", ["url": url])
    }

    /// Evaluates `expression` in the page (awaiting a promise) and returns its value as JSON would
    /// give it; a JavaScript exception is thrown as a failure with its text.
    func evaluate(_ expression: String) throws -> Any? {
        let result = try command("Runtime.evaluate", ["expression": expression, "awaitPromise": true, "returnByValue": true])
        if let exception = result["exceptionDetails"] as? [String: Any] {
            throw TestFailure("the page threw: \((exception["exception"] as? [String: Any])?["description"] ?? exception)")
        }
        return (result["result"] as? [String: Any])?["value"]
    }

    /// Waits until `condition` (a JavaScript expression) is true in the page, checking every 50 ms.
    func wait(until condition: String, timeout: Double = 30) throws {
        let deadline = Date().addingTimeInterval(timeout)
        while (try? evaluate("Boolean(\(condition))")) as? Bool != true {
            guard Date() < deadline else { throw TestFailure("the page never got to `\(condition)` within \(timeout) s") }
            Thread.sleep(forTimeInterval: 0.05)
        }
    }

    /// A PNG of the page as shown.
    func screenshot() throws -> Data {
        let result = try command("Page.captureScreenshot", ["format": "png"])
        guard let base64 = result["data"] as? String, let data = Data(base64Encoded: base64) else { throw TestFailure("no screenshot") }
        return data
    }
}
