import Descent
import Foundation
import Testing
@testable import DescentPlayground

/// `POST /api/train`, its event stream, and the controls: what a run streams, that it is the
/// same run every time, and that a bad setting is refused before anything trains.
@Suite(.serialized) struct TrainAPITests {
    static let fullBatch = #"{"data": "builtin:moons(count: 200, noise: 0.1)", "model": "mlp(8, activation: tanh)", "optimizer": "sgd(lr: 0.5)", "batchSize": "full", "epochs": 12, "validationSplit": 0.25, "gridSize": 6}"#

    @Test func aRunStreamsEveryStepThenItsEnd() async throws {
        let server = try await TestServer()
        let events = try await server.events(of: try await server.train(Self.fullBatch))
        #expect(events.first?["type"] as? String == "start")
        #expect(events.last?["type"] as? String == "end" && events.last?["stopReason"] as? String == "completed")
        let start = try #require(events.first)
        // 200 moons, a quarter held out: 150 training and 50 validation points, drawn as they are.
        #expect((start["train"] as? [[Double]])?.count == 150 && (start["validation"] as? [[Double]])?.count == 50)
        #expect(start["totalSteps"] as? Int == 12 && start["batchesPerEpoch"] as? Int == 1)
        let steps = events.filter { $0["type"] as? String == "step" }
        #expect(steps.map { $0["step"] as? Int } == Array(0...12))
        for event in steps.dropFirst() {
            #expect(event["batchLoss"] is Double && event["learningRate"] as? Double == 0.5)
            // Every step of a one-batch epoch ends an epoch, so every one is measured.
            let regions = try #require(event["regions"] as? [String: Any])
            #expect((regions["classes"] as? [Int])?.count == 36 && (regions["confidence"] as? [Int])?.allSatisfy { (50...100).contains($0) } == true)
            #expect(event["validationAccuracy"] is Double)
        }
        // Full-batch gradient descent: step k + 1's batch is the whole training split with the
        // weights after step k, so its batch loss is the full loss measured after step k (up to
        // the order of the sum: the batch is shuffled, the evaluation is not).
        for (before, after) in zip(steps, steps.dropFirst()) {
            let full = try #require(before["fullLoss"] as? Double), batch = try #require(after["batchLoss"] as? Double)
            #expect(Swift.abs(full - batch) <= 1e-6 * full, "step \(after["step"] ?? "?")")
        }
        // And the descent descends: the full loss after 12 steps is below the start's.
        #expect((steps.last?["fullLoss"] as? Double ?? .infinity) < (steps.first?["fullLoss"] as? Double ?? 0))
        await server.stop()
    }

    /// The same settings train the same run: every event but the timing is identical.
    @Test func theSameSettingsStreamTheSameEvents() async throws {
        let server = try await TestServer()
        let body = #"{"data": "builtin:spirals(count: 150)", "model": "mlp(16, 16)", "optimizer": "adam(lr: 0.01)", "batchSize": 16, "epochs": 3, "seed": 7, "validationSplit": 0.2}"#
        let first = try await server.events(of: try await server.train(body))
        let second = try await server.events(of: try await server.train(body))
        func withoutTiming(_ events: [[String: Any]]) -> [NSDictionary] {
            events.map { event in
                var copy = event
                copy["seconds"] = nil
                copy["id"] = nil
                return copy as NSDictionary
            }
        }
        #expect(first.count == 3 * 8 + 3 && withoutTiming(first) == withoutTiming(second))
        await server.stop()
    }

    @Test func pauseHoldsTheRunAndDeleteStopsIt() async throws {
        let server = try await TestServer()
        let id = try await server.train(#"{"data": "builtin:xor(count: 100)", "batchSize": 1, "epochs": 50, "model": "mlp(4)", "stepsPerSecond": 200}"#)
        try await Task.sleep(for: .milliseconds(200))
        let paused = try await server.request("POST", "/api/train/\(id)/pause")
        #expect((paused.json as? [String: Any])?["paused"] as? Bool == true)
        try await Task.sleep(for: .milliseconds(100))  // the step in progress finishes
        let run = try server.server.runsForTesting.run(id)
        let held = run.log.snapshot.events.count
        try await Task.sleep(for: .milliseconds(300))
        #expect(run.log.snapshot.events.count == held, "a paused run went on")
        _ = try await server.request("POST", "/api/train/\(id)/resume")
        try await Task.sleep(for: .milliseconds(200))
        #expect(run.log.snapshot.events.count > held, "a resumed run did not go on")
        let stopped = try await server.request("DELETE", "/api/train/\(id)")
        #expect((stopped.json as? [String: Any])?["stopped"] as? Bool == true)
        let events = try await server.events(of: id)
        #expect(events.last?["stopReason"] as? String == "interrupted")
        #expect((events.last?["steps"] as? Int ?? 5000) < 5000)
        await server.stop()
    }

    /// At most `maximumActiveRuns` train at once: starting one more stops the oldest.
    @Test func aRunBeyondTheBoundStopsTheOldest() async throws {
        let server = try await TestServer(maximumActiveRuns: 2)
        let slow = #"{"data": "builtin:moons", "batchSize": 1, "epochs": 20, "stepsPerSecond": 100}"#
        let first = try await server.train(slow), second = try await server.train(slow), third = try await server.train(slow)
        #expect(try await server.events(of: first).last?["stopReason"] as? String == "interrupted")
        let runs = server.server.runsForTesting
        #expect(try !runs.run(second).stopRequested && !runs.run(third).stopRequested)
        await server.stop()
    }

    /// Every mistake is a 400 with `descent train`'s message (or, for what only a request can get
    /// wrong, one in the same style); none starts a run, none reads a file.
    @Test func badSettingsAreRefusedWithTheCommandLinesMessages() async throws {
        let server = try await TestServer()
        let mistakes: [(String, String)] = [
            (#"{"model": "mlp(8)"}"#, "give the training data as `data`"),
            (#"{"data": "/etc/passwd"}"#, "never reads a path from a request"),
            (#"{"data": "builtin:moons", "validation": "/etc/passwd"}"#, "`validation` names a file or folder"),
            (#"{"data": "builtin:moons", "output": "/tmp/run"}"#, "`output` names a file or folder"),
            (#"{"data": "builtin:mooons"}"#, "unknown built-in dataset"),
            (#"{"data": "builtin:linear"}"#, "is not a 2-D classification dataset"),
            (#"{"data": "builtin:moons(count: 1e9)"}"#, "`count` may be at most 5000"),
            (#"{"data": "builtin:moons(noise: -1)"}"#, "noise must be ≥ 0, got -1.0"),
            (#"{"data": "builtin:blobs(features: 3)"}"#, "draws two features"),
            (#"{"data": "builtin:moons", "batchSize": "0"}"#, "--batch-size must be a positive whole number or `full`, not `0`"),
            (#"{"data": "builtin:moons", "epochs": 0}"#, "--epochs must be at least 1"),
            (#"{"data": "builtin:moons", "epochs": 1e30}"#, "`epochs` has the wrong kind of value"),
            (#"{"data": "builtin:moons", "epochs": 100000, "batchSize": 1}"#, "more than the playground's 50000 steps"),
            (#"{"data": "builtin:moons", "optimizer": "adamm"}"#, "unknown optimizer `adamm` (did you mean `adam`?); valid optimizers: sgd, adam"),
            (#"{"data": "builtin:moons", "schedule": "cosine"}"#, "schedule cosine: `tMax` is required"),
            (#"{"data": "builtin:moons", "scheduleUnit": "hour"}"#, "--schedule-unit must be step or epoch, not `hour`"),
            (#"{"data": "builtin:moons", "precision": "half"}"#, "--precision must be float or double, not `half`"),
            (#"{"data": "builtin:moons", "model": "mlp(100000)"}"#, "at most 8 hidden layers of at most 256 units"),
            (#"{"data": "builtin:moons", "model": "transformer"}"#, "unknown model `transformer`"),
            (#"{"data": "builtin:moons", "loss": "mse"}"#, "mse is a regression loss but the task is classification"),
            (#"{"data": "builtin:spirals", "loss": "bce-with-logits"}"#, "is a binary loss but the target has 3 classes"),
            (#"{"data": "builtin:moons", "validationSplit": 1}"#, "--validation-split must be in [0, 1), not 1.0"),
            (#"{"data": "builtin:moons", "clipGradNorm": 0}"#, "--clip-grad-norm must be > 0"),
            (#"{"data": "builtin:moons", "seed": -3}"#, "--seed must be 0 or more"),
            (#"{"data": "upload:u99"}"#, "there is no upload `u99`"),
            (#"{"data": "builtin:moons", "colour": "red"}"#, "unknown key `colour`; valid keys:"),
        ]
        for (body, message) in mistakes {
            let answer = try await server.request("POST", "/api/train", body: body)
            #expect(answer.status == 400 && answer.error?.contains(message) == true, "\(body): \(answer.status) \(answer.text)")
        }
        #expect(server.server.runsForTesting.activeCount == 0)
        let huge = String(repeating: " ", count: PlaygroundAPI.maximumBodyBytes + 1)
        #expect(try await server.request("POST", "/api/train", body: "{\"data\": \"builtin:moons\"\(huge)}").status == 413)
        #expect(try await server.request("GET", "/api/train/r404/events").status == 404)
        await server.stop()
    }

    /// `activation: none` stacks linear layers: the same weights as with an activation, nothing between.
    @Test func activationNoneStacksPlainLinearLayers() async throws {
        var generator = RandomGenerator(seed: 1, stream: 1)
        let model: Sequential<Float> = try PlaygroundModel.make("mlp(8, 4, activation: none)", outputs: 2, generator: &generator)
        #expect(model.layers.count == 3 && model.layers.allSatisfy { $0 is Linear<Float> })
        var other = RandomGenerator(seed: 1, stream: 1)
        let withTanh: Sequential<Float> = try PlaygroundModel.make("mlp(8, 4, activation: tanh)", outputs: 2, generator: &other)
        #expect(withTanh.layers.count == 5)
        #expect((model.layers[2] as? Linear<Float>)?.weight.value.scalars == (withTanh.layers[4] as? Linear<Float>)?.weight.value.scalars)
    }

    @Test func anUploadedCSVTrainsAndAWrongOneIsRefused() async throws {
        let server = try await TestServer()
        var rows = ["a,b,label"]
        for i in 0..<40 { rows.append("\(Double(i) / 10),\(Double(i % 7) / 3),\(i < 20 ? "left" : "right")") }
        let upload = try await server.request("POST", "/api/upload", body: rows.joined(separator: "\n"))
        let object = try #require(upload.json as? [String: Any])
        #expect(object["rows"] as? Int == 40 && object["classes"] as? [String] == ["left", "right"])
        let id = try #require(object["id"] as? String)
        let events = try await server.events(of: try await server.train(#"{"data": "upload:\#(id)", "epochs": 2, "batchSize": 8}"#))
        #expect(events.first?["classes"] as? [String] == ["left", "right"] && events.last?["stopReason"] as? String == "completed")
        let threeFeatures = try await server.request("POST", "/api/upload", body: "a,b,c,label\n1,2,3,x\n4,5,6,y\n")
        #expect(threeFeatures.status == 400 && threeFeatures.error?.contains("has 3 besides the target") == true, "\(threeFeatures.text)")
        let broken = try await server.request("POST", "/api/upload", body: "a,b,label\n1,2,x\n3\n")
        #expect(broken.status == 400, "\(broken.text)")
        let large = String(repeating: "1,2,x\n", count: UploadStore.maximumBytes / 6 + 1)
        #expect(try await server.request("POST", "/api/upload", body: large).status == 413)
        await server.stop()
    }

    /// The learning-rate finder answers fastai's sweep: rates ηᵢ = start·(end/start)^(i/N).
    @Test func theLearningRateFinderSweepsAndSuggests() async throws {
        let server = try await TestServer()
        let answer = try await server.request("POST", "/api/lr-find", body: #"{"data": "builtin:moons", "model": "mlp(16)", "optimizer": "sgd", "iterations": 60, "startLearningRate": 1e-4, "endLearningRate": 10}"#)
        let sweep = try #require(answer.json as? [String: Any], "\(answer.text)")
        let rates = try #require(sweep["learningRates"] as? [Double])
        let finder = LearningRateFinder(startLearningRate: 1e-4, endLearningRate: 10, iterations: 60)
        #expect(!rates.isEmpty && rates.enumerated().allSatisfy { Swift.abs($0.element - finder.learningRate(at: $0.offset)) <= 1e-12 * $0.element })
        #expect(sweep["valley"] is Double && (sweep["losses"] as? [Double])?.count == rates.count)
        let bad = try await server.request("POST", "/api/lr-find", body: #"{"data": "builtin:moons", "startLearningRate": 1, "endLearningRate": 0.1}"#)
        #expect(bad.status == 400 && bad.error == "need 0 < --start-lr < --end-lr, got 1.0 and 0.1")
        await server.stop()
    }

    /// Requests a page elsewhere could send are refused: another host (DNS rebinding), another origin.
    @Test func requestsFromElsewhereAreRefused() async throws {
        let server = try await TestServer()
        #expect(try await server.request("GET", "/api/health").status == 200)
        #expect(try await server.request("GET", "/api/health", headers: ["Host": "attacker.example:80"]).status == 403)
        #expect(try await server.request("POST", "/api/train", body: Self.fullBatch, headers: ["Origin": "http://attacker.example"]).status == 403)
        #expect(try await server.request("POST", "/api/optimize", body: "{}", headers: ["Origin": server.base]).status == 200)
        await server.stop()
    }
}
