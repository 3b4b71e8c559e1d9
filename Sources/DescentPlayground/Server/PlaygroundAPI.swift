import Descent
import FlyingFox
import Foundation

/// The playground's JSON API, which its page uses for everything (so a script can do whatever
/// the page does). Every handler checks every value it reads and answers a bad one with 400 and
/// the message `descent` gives on its command line; see the README's "Playground" section for
/// the endpoints.
final class PlaygroundAPI: Sendable {
    /// Steps of one `POST /api/optimize` path.
    static let maximumOptimizeSteps = 10_000
    /// Optimizers in one `POST /api/optimize` race.
    static let maximumOptimizers = 12
    /// Iterations of one learning-rate sweep.
    static let maximumSweepIterations = 1_000
    /// The largest JSON body.
    static let maximumBodyBytes = 64 << 10

    let runs: RunRegistry
    let uploads = UploadStore()

    /// An API whose runs are bounded by `runs`.
    init(runs: RunRegistry) { self.runs = runs }

    /// Every route of the page and the API.
    func routes() -> RoutedHTTPHandler {
        var routes = RoutedHTTPHandler()
        /// Adds a route whose handler may throw a ``RequestError``, answered with its status and message.
        func route(_ route: HTTPRoute, _ handler: @escaping @Sendable (HTTPRequest) async throws -> HTTPResponse) {
            routes.appendRoute(route) { request in
                do { return try await handler(request) } catch let error as RequestError { return .error(error) }
            }
        }
        route("GET /") { _ in
            HTTPResponse(statusCode: .ok, headers: [.contentType: "text/html; charset=utf-8", .cacheControl: "no-store"],
                         body: Data(PlaygroundPage.html.utf8))
        }
        route("GET /api/health") { [self] _ in
            .json(JSONValue.object([("status", .string("ok")), ("activeRuns", .number(Double(runs.activeCount)))]).text)
        }
        route("GET /api/catalog") { _ in .json(Catalog.json.text) }
        route("GET /api/landscape") { request in try Self.landscape(request) }
        route("POST /api/optimize") { request in try await Self.optimize(request.body(limit: Self.maximumBodyBytes)) }
        route("POST /api/upload") { [self] request in
            let data = try await request.body(limit: UploadStore.maximumBytes)
            guard let text = String(data: data, encoding: .utf8) else { throw RequestError("upload: the file must be UTF-8 text (CSV)") }
            return .json(try uploads.add(text: text, target: request.query("target")).text)
        }
        route("POST /api/train") { [self] request in
            let run = try runs.start(try TrainRequest(json: try await request.body(limit: Self.maximumBodyBytes)), uploads: uploads)
            return .json(JSONValue.object([("id", .string(run.id))]).text)
        }
        route("GET /api/train/:id/events") { [self] request in
            let run = try runs.run(request.routeParameters["id"] ?? "")
            // A reconnecting EventSource says which event it saw last.
            let start = request.headers[HTTPHeader("Last-Event-ID")].flatMap { Int($0) }.map { $0 + 1 } ?? 0
            return HTTPResponse(statusCode: .ok, headers: [.contentType: "text/event-stream", .cacheControl: "no-store"],
                                body: HTTPBodySequence(from: EventStreamBody(log: run.log, start: Swift.max(0, start))))
        }
        route("POST /api/train/:id/pause") { [self] request in try control(request) { $0.pause() } }
        route("POST /api/train/:id/resume") { [self] request in try control(request) { $0.resume() } }
        route("DELETE /api/train/:id") { [self] request in try control(request) { $0.stop() } }
        route("POST /api/lr-find") { [self] request in try await sweep(request.body(limit: Self.maximumBodyBytes)) }
        route("*") { request in throw RequestError("no such endpoint: \(request.method.rawValue) \(request.path); see GET /api/catalog and the README", status: 404) }
        return routes
    }

    /// Pauses, resumes or stops the run the path names; answers its id and state.
    private func control(_ request: HTTPRequest, _ action: (NetworkRun) -> Void) throws -> HTTPResponse {
        let run = try runs.run(request.routeParameters["id"] ?? "")
        action(run)
        return .json(JSONValue.object([("id", .string(run.id)), ("paused", .bool(run.paused)), ("stopped", .bool(run.stopRequested)),
                                       ("finished", .bool(run.log.snapshot.isFinished))]).text)
    }

    /// `GET /api/landscape?function=NAME&size=N`: the function's values over its window.
    static func landscape(_ request: HTTPRequest) throws -> HTTPResponse {
        let function = try OptimizationRequest(function: request.query("function") ?? "rosenbrock").testFunction()
        let sizeText = request.query("size") ?? "80"
        guard let size = Int(sizeText), (2...200).contains(size) else { throw RequestError("size must be a whole number from 2 to 200, not `\(sizeText)`") }
        return .json(Landscape.grid(of: function, size: size).text)
    }

    /// `POST /api/optimize`: exactly what `descent optimize --format json` prints for the same arguments.
    static func optimize(_ body: Data) throws -> HTTPResponse {
        let request = try optimizationRequest(body)
        return .json(request.jsonText(try request.trajectories()))
    }

    /// Reads the body of `POST /api/optimize`: `function`, `start` (a list of numbers, or the
    /// command line's `"-1.5,2"`), `optimizers` (or `optimizer`; a list of specs or one),
    /// `schedule`, `steps`, `precision`; the defaults are `descent optimize`'s.
    static func optimizationRequest(_ body: Data) throws -> OptimizationRequest {
        let object = try RequestObject(parsing: body, validKeys: ["function", "start", "optimizers", "optimizer", "schedule", "steps", "precision"])
        var request = OptimizationRequest()
        request.function = try object.string("function") ?? request.function
        if object.contains("start") {
            if let text = try? object.string("start") {
                request.start = try OptimizationRequest.start(parsing: text)
            } else {
                request.start = try object.numbers("start")
            }
        }
        request.optimizers = try object.strings("optimizers") ?? object.strings("optimizer") ?? request.optimizers
        request.schedule = try object.string("schedule")
        request.steps = try object.integer("steps") ?? request.steps
        if let precision = try object.string("precision") {
            guard let value = OptimizationRequest.Precision(rawValue: precision) else {
                throw RequestError("--precision must be double or float, not `\(precision)`")
            }
            request.precision = value
        }
        try request.validate()
        guard request.steps <= maximumOptimizeSteps else {
            throw RequestError("steps: the playground runs at most \(maximumOptimizeSteps) steps per path, not \(request.steps)")
        }
        guard request.optimizers.count <= maximumOptimizers else {
            throw RequestError("optimizers: the playground races at most \(maximumOptimizers) optimizers, not \(request.optimizers.count)")
        }
        return request
    }

    /// `POST /api/lr-find`: the learning-rate range test on the run the body describes (the
    /// weights are restored afterwards; the run is not kept), as `descent lr-find --format json`
    /// reports it, with the raw losses too.
    func sweep(_ body: Data) async throws -> HTTPResponse {
        let extra = ["startLearningRate", "endLearningRate", "iterations"]
        let object = try TrainRequest.object(json: body, extraKeys: extra)
        let request = try TrainRequest(object)
        let start = try object.number("startLearningRate") ?? 1e-7, end = try object.number("endLearningRate") ?? 10
        guard start > 0, end > start else { throw RequestError("need 0 < --start-lr < --end-lr, got \(start) and \(end)") }
        let iterations = try object.integer("iterations") ?? 100
        guard (6...Self.maximumSweepIterations).contains(iterations) else {
            throw RequestError("--iterations must be from 6 to \(Self.maximumSweepIterations) in the playground, not \(iterations)")
        }
        let finder = LearningRateFinder(startLearningRate: start, endLearningRate: end, iterations: iterations)
        let uploads = self.uploads
        // The sweep trains, so it runs on its own thread, off Swift concurrency's few threads.
        let result: Result<LearningRateSweep, any Error> = await withCheckedContinuation { continuation in
            Thread {
                continuation.resume(returning: Result(catching: {
                    if request.usesDouble {
                        let session = try NetworkSession<Double>(request, uploads: uploads)
                        return try finder.run(session.trainer, on: session.trainLoader)
                    }
                    let session = try NetworkSession<Float>(request, uploads: uploads)
                    return try finder.run(session.trainer, on: session.trainLoader)
                }))
            }.start()
        }
        let sweep = try result.get()
        func optional(_ x: Double?) -> JSONValue { x.map(JSONValue.number) ?? .null }
        return .json(JSONValue.object([
            ("valley", optional(sweep.valley)), ("steep", optional(sweep.steep)), ("minimum", optional(sweep.minimum)),
            ("stoppedEarly", .bool(sweep.stoppedEarly)), ("iterations", .number(Double(sweep.learningRates.count))),
            ("learningRates", .array(sweep.learningRates.map(JSONValue.number))), ("losses", .array(sweep.losses.map(JSONValue.number))),
            ("rawLosses", .array(sweep.rawLosses.map(JSONValue.number))),
        ]).text)
    }
}
