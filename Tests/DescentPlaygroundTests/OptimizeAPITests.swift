import Foundation
import Testing
@testable import DescentCLI
@testable import DescentPlayground

/// `POST /api/optimize` answers what `descent optimize --format json` prints, byte for byte.
///
/// The expected bytes are the CLI's own output for the same arguments (`OptimizeCommand`, the
/// code `descent optimize` runs), so these tests fail if the API and the command line ever part
/// ways: a key read differently, a default that differs, a number written another way.
@Suite(.serialized) struct OptimizeAPITests {
    /// What `descent optimize ARGUMENTS --format json` writes to standard output.
    static func cliOutput(_ arguments: [String]) throws -> String {
        let text = try OptimizeCommand.parse(arguments + ["--format", "json"]).output().text
        return text.hasSuffix("\n") ? text : text + "\n"
    }

    /// Pairs of (API body, the same run's command-line arguments), covering every optimizer,
    /// both precisions, schedules (a plateau one too), default and explicit starts, a divergence.
    static let cases: [(body: String, arguments: [String])] = [
        (#"{"function": "quartic", "start": [-1.5], "optimizers": ["sgd(lr: 0.001)"], "steps": 3}"#,
         ["--function", "quartic", "--start", "-1.5", "--optimizer", "sgd(lr: 0.001)", "--steps", "3"]),
        (#"{"function": "rosenbrock", "start": "-1.5,2.0", "optimizers": ["adam(lr: 0.1, amsgrad: true)", "sgd(lr: 0.001, momentum: 0.9, nesterov: true)"], "steps": 200, "schedule": "cosine(tMax: 200)"}"#,
         ["--function", "rosenbrock", "--start", "-1.5,2.0", "--optimizer", "adam(lr: 0.1, amsgrad: true)",
          "--optimizer", "sgd(lr: 0.001, momentum: 0.9, nesterov: true)", "--steps", "200", "--schedule", "cosine(tMax: 200)"]),
        (#"{"function": "quadratic", "optimizers": ["rmsprop(lr: 0.01, centered: true)", "lion(lr: 0.01)", "adadelta"], "steps": 50, "precision": "float", "schedule": "step(stepSize: 10, gamma: 0.5)"}"#,
         ["--function", "quadratic", "--optimizer", "rmsprop(lr: 0.01, centered: true)", "--optimizer", "lion(lr: 0.01)", "--optimizer", "adadelta",
          "--steps", "50", "--precision", "float", "--schedule", "step(stepSize: 10, gamma: 0.5)"]),
        (#"{"function": "beale", "optimizers": ["adamw(lr: 0.01)", "nadam", "radam(lr: 0.01)", "adamax", "adagrad(lr: 0.1)"], "steps": 80}"#,
         ["--function", "beale", "--optimizer", "adamw(lr: 0.01)", "--optimizer", "nadam", "--optimizer", "radam(lr: 0.01)",
          "--optimizer", "adamax", "--optimizer", "adagrad(lr: 0.1)", "--steps", "80"]),
        (#"{"function": "rastrigin", "start": [2.5, -2.2], "optimizer": "sgd(lr: 0.002)", "schedule": "plateau(patience: 2)", "steps": 40}"#,
         ["--function", "rastrigin", "--start", "2.5,-2.2", "--optimizer", "sgd(lr: 0.002)", "--schedule", "plateau(patience: 2)", "--steps", "40"]),
        (#"{"function": "quartic", "start": [6], "optimizers": ["sgd(lr: 1)"], "steps": 100}"#,
         ["--function", "quartic", "--start", "6", "--optimizer", "sgd(lr: 1)", "--steps", "100"]),
        (#"{"function": "himmelblau"}"#, ["--function", "himmelblau"]),
    ]

    @Test func answersWhatDescentOptimizePrintsByteForByte() async throws {
        let server = try await TestServer()
        for (body, arguments) in Self.cases {
            let answer = try await server.request("POST", "/api/optimize", body: body)
            #expect(answer.status == 200, "\(body): \(answer.text)")
            #expect(answer.text + "\n" == (try Self.cliOutput(arguments)), "\(body)")
        }
        // The divergence case really diverged (so the message is part of what was compared).
        let diverged = try await server.request("POST", "/api/optimize", body: Self.cases[5].body)
        #expect(diverged.text.contains("\"diverged\":\"sgd diverged at step"))
        await server.stop()
    }

    /// The seed's first step, from the seed material: L'(−1.5) = 4(−1.5)³ − 9(−1.5)² = −33.75, and
    /// one step of η = 0.001 goes to −1.5 + 0.03375 = −1.46625.
    @Test func theSeedsFirstGradientIsMinus33Point75() async throws {
        let server = try await TestServer()
        let answer = try await server.request("POST", "/api/optimize", body: Self.cases[0].body)
        let trajectory = try #require((answer.json as? [String: Any])?["trajectory"] as? [[String: Any]])
        #expect(trajectory[0]["gradient"] as? [Double] == [-33.75])
        #expect(trajectory[1]["parameters"] as? [Double] == [-1.46625])
        await server.stop()
    }

    /// A bad request gets 400 and the very message `descent optimize` prints for the same mistake.
    @Test func mistakesGetTheCommandLinesMessages() async throws {
        let server = try await TestServer()
        let mistakes: [(body: String, arguments: [String])] = [
            (#"{"function": "quartc"}"#, ["--function", "quartc"]),
            (#"{"optimizers": ["adamm"]}"#, ["--optimizer", "adamm"]),
            (#"{"optimizers": ["adam(lr: 0.1, momentum: 0.9)"]}"#, ["--optimizer", "adam(lr: 0.1, momentum: 0.9)"]),
            (#"{"optimizers": ["sgd(lr: -1)"]}"#, ["--optimizer", "sgd(lr: -1)"]),
            (#"{"schedule": "cosine"}"#, ["--schedule", "cosine"]),
            (#"{"function": "rosenbrock", "start": [1, 2, 3]}"#, ["--function", "rosenbrock", "--start", "1,2,3"]),
            (#"{"start": "1,x"}"#, ["--start", "1,x"]),
        ]
        for (body, arguments) in mistakes {
            let answer = try await server.request("POST", "/api/optimize", body: body)
            #expect(answer.status == 400, "\(body)")
            var cliMessage = ""
            do { _ = try Self.cliOutput(arguments) } catch { cliMessage = "\(error)" }
            #expect(!cliMessage.isEmpty && answer.error == cliMessage, "\(body): API \(answer.error ?? "nil"), CLI \(cliMessage)")
        }
        // What only the API can get wrong: not JSON, a wrong kind, an unknown key, over the limits.
        let apiOnly: [(String, String)] = [
            ("nonsense", "the body must be one JSON object"),
            (#"{"steps": 1e300}"#, "`steps` has the wrong kind of value"),
            (#"{"steps": "ten"}"#, "`steps` has the wrong kind of value"),
            (#"{"stepz": 10}"#, "unknown key `stepz`; valid keys:"),
            (#"{"steps": 1000000}"#, "at most \(PlaygroundAPI.maximumOptimizeSteps) steps"),
            (#"{"steps": -1}"#, "--steps must be 0 or more, got -1"),
            (#"{"optimizers": []}"#, "give at least one --optimizer"),
            (#"{"start": [true]}"#, "`start` has the wrong kind of value"),
        ]
        for (body, message) in apiOnly {
            let answer = try await server.request("POST", "/api/optimize", body: body)
            #expect(answer.status == 400 && answer.error?.contains(message) == true, "\(body): \(answer.text)")
        }
        await server.stop()
    }
}
