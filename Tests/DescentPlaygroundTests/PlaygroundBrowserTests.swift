import Foundation
import Testing
@testable import DescentPlayground

/// The page in a real browser: headless Chromium, driven through its DevTools protocol, against a
/// server on a free port (`descent playground` in a child process: see ``ProcessTestServer``). Each test reads what the page drew (the SVG marks' `data-*` values, the
/// charts' last points, the canvas) and checks it against what the API answers for the same
/// settings, so the expected values come from the server, never from the page itself.
@Suite(.serialized, .enabled(if: Chromium.shouldRun, "headless Chromium not found: install it with `apt-get install -y --no-install-recommends chromium` (.ci/run does) or set DESCENT_CHROMIUM; in CI these tests run and fail without it"))
struct PlaygroundBrowserTests {
    /// One path point as the API writes it, decoded exactly (JSONDecoder reads doubles correctly rounded).
    struct Point: Decodable { var step: Int; var parameters: [Double]; var loss: Double }
    struct Path: Decodable { var trajectory: [Point] }
    /// One event of a run's stream.
    struct Event: Decodable { var type: String; var step: Int?; var batchLoss: Double?; var fullLoss: Double?; var regions: Regions? }
    struct Regions: Decodable { var size: Int }

    /// Runs `body` with a fresh server and browser, closing both afterwards.
    func withPage(_ body: (ProcessTestServer, Chromium) async throws -> Void) async throws {
        let server = try ProcessTestServer()
        let browser = try Chromium()
        defer { browser.close() }
        do { try await body(server, browser) } catch {
            await server.stop()
            throw error
        }
        await server.stop()
    }

    /// The page's URL for `hash` (spaces and the like encoded as a browser would).
    func url(_ server: ProcessTestServer, _ hash: String) -> String {
        server.base + "/#" + (hash.addingPercentEncoding(withAllowedCharacters: .urlFragmentAllowed) ?? hash)
    }

    @Test func theRaceDrawsTheAPIsPathsAndAdvances() async throws {
        try await withPage { server, browser in
            let optimizers = ["sgd(lr: 0.001, momentum: 0.9)", "adam(lr: 0.1)"]
            try browser.navigate(url(server, "view=landscape&fn=rosenbrock&start=-1.5,2&steps=120&" + optimizers.map { "opt=\($0)" }.joined(separator: "&")))
            try browser.wait(until: "window.playground && playground.landscape.result.length === 2")
            _ = try browser.evaluate("playground.ready")
            // It plays by itself: the step shown grows.
            let first = try #require(try browser.evaluate("playground.landscape.frame") as? Int)
            try browser.wait(until: "playground.landscape.frame > \(first)", timeout: 10)
            // The paths the server computes for the same settings.
            let body = #"{"function": "rosenbrock", "start": [-1.5, 2], "steps": 120, "optimizers": ["sgd(lr: 0.001, momentum: 0.9)", "adam(lr: 0.1)"]}"#
            let answer = try await server.request("POST", "/api/optimize", body: body)
            let paths = try JSONDecoder().decode([Path].self, from: Data(answer.text.utf8))
            for frame in [40, 41, 120] {
                // Pause, and move the slider to `frame` as a user would.
                _ = try browser.evaluate("""
                    (() => { playground.landscape.playing && byId('l-play').click(); const s = byId('l-slider');
                             s.value = \(frame); s.dispatchEvent(new Event('input')); return true; })()
                    """)
                let heads = try #require(try browser.evaluate("""
                    Array.from(document.querySelectorAll('#l-svg .head')).map(c => [c.dataset.step, c.dataset.loss, c.dataset.parameters])
                    """) as? [[String]])
                #expect(heads.count == 2)
                for (head, path) in zip(heads, paths) {
                    let point = path.trajectory[frame]
                    #expect(Int(head[0]) == frame && Double(head[1]) == point.loss, "step \(frame): the page shows loss \(head[1]), the API \(point.loss)")
                    let drawn = try JSONDecoder().decode([Double].self, from: Data(head[2].utf8))
                    #expect(drawn == point.parameters, "step \(frame): \(drawn) against \(point.parameters)")
                }
                let legend = try #require(try browser.evaluate("Array.from(document.querySelectorAll('#l-legend td.loss')).map(td => td.dataset.loss)") as? [String])
                #expect(legend.compactMap(Double.init) == paths.map { $0.trajectory[frame].loss })
            }
            // Issue 20: each optimizer has its own dashes and marker, the second is translucent, and
            // the whole path is drawn (faintly) at every frame, so neither hides the other.
            let styles = try #require(try browser.evaluate("""
                Array.from(document.querySelectorAll('#l-svg g.series')).map(g => [g.dataset.marker, g.getAttribute('opacity'),
                  g.querySelector('polyline.travelled').getAttribute('stroke-dasharray'), String(g.querySelector('polyline.whole').points.length)])
                """) as? [[String]])
            #expect(styles == [["circle", "1", "", "121"], ["square", "0.7", "9 4", "121"]])
        }
    }

    /// The seed's quartic from −1.5: the page shows the first gradient the API computed, −33.75.
    @Test func theQuarticShowsItsFirstGradient() async throws {
        try await withPage { server, browser in
            try browser.navigate(url(server, "view=landscape&fn=quartic&start=-1.5&steps=50&opt=sgd(lr: 0.001)"))
            try browser.wait(until: "window.playground && playground.landscape.result.length === 1")
            #expect(try browser.evaluate("byId('l-gradient').dataset.gradient") as? String == "[-33.75]")
            #expect((try browser.evaluate("byId('l-gradient').textContent") as? String)?.contains("f′(-1.5) = -33.75") == true)
            #expect(try browser.evaluate("document.querySelectorAll('#l-svg line.tangent').length") as? Int == 1)
        }
    }

    @Test func aNetworkRunIsDrawnLiveWithTheStreamsValues() async throws {
        try await withPage { server, browser in
            try browser.navigate(url(server, "view=network&data=moons&count=200&noise=0.2&split=0.25&layers=1&width=8&activation=tanh"
                                     + "&optimizer=sgd&lr=0.3&batch=full&epochs=60&seed=0&speed=40&axis=steps&run=1"))
            // Live: the drawn step grows while the run trains (40 steps a second).
            try browser.wait(until: "Number(byId('n-loss').dataset.lastStep) >= 3")
            let early = try #require(Int(try browser.evaluate("byId('n-loss').dataset.lastStep") as? String ?? ""))
            try browser.wait(until: "Number(byId('n-loss').dataset.lastStep) > \(early)", timeout: 10)
            #expect(try browser.evaluate("playground.network.runs[0].end === null") as? Bool == true, "the run ended before the page saw it train")
            try browser.wait(until: "playground.network.runs[0].end !== null")
            let id = try #require(try browser.evaluate("playground.network.runs[0].id") as? String)
            let stream = try await server.request("GET", "/api/train/\(id)/events")
            let events = try stream.text.components(separatedBy: "\n\n").compactMap { message -> Event? in
                guard let line = message.split(separator: "\n").first(where: { $0.hasPrefix("data: ") }) else { return nil }
                return try JSONDecoder().decode(Event.self, from: Data(line.dropFirst(6).utf8))
            }
            let steps = events.filter { $0.type == "step" && $0.batchLoss != nil }
            #expect(steps.count == 60)
            let drawn = try #require(try browser.evaluate("""
                (() => { const d = byId('n-loss').dataset, run = playground.network.runs[0];
                         return [d.lastStep, d.lastBatchLoss, d.lastFullStep, d.lastFullLoss, String(run.batch.length), String(run.full.length), byId('n-regions').dataset.step]; })()
                """) as? [String])
            let lastFull = try #require(events.last { $0.fullLoss != nil })
            #expect(Int(drawn[0]) == 60 && Double(drawn[1]) == steps.last?.batchLoss)
            #expect(Int(drawn[2]) == lastFull.step && Double(drawn[3]) == lastFull.fullLoss)
            #expect(Int(drawn[4]) == steps.count && Int(drawn[5]) == events.filter { $0.fullLoss != nil }.count)
            #expect(Int(drawn[6]) == events.last { $0.regions != nil }?.step)
            // The regions are drawn: the canvas holds several colours (two class tints, the points).
            let colours = try #require(try browser.evaluate("""
                (() => { const c = byId('n-regions'), d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data, seen = new Set();
                         for (let i = 0; i < d.length; i += 4 * 7) seen.add((d[i] >> 4) << 8 | (d[i + 1] >> 4) << 4 | (d[i + 2] >> 4)); return seen.size; })()
                """) as? Int)
            #expect(colours >= 4)
            #expect((try browser.evaluate("byId('n-status').textContent") as? String)?.contains("step 60 of 60, completed") == true)
        }
    }

    /// The whole configuration lives in the URL: change settings, reopen the link, get them back.
    @Test func theURLRoundTripsTheConfiguration() async throws {
        try await withPage { server, browser in
            try browser.navigate(url(server, "view=network&fn=beale&start=1,1.5&steps=30&opt=adam(lr: 0.01)&data=circles&layers=3"))
            try browser.wait(until: "window.playground && playground.landscape.result.length === 1")
            let settings = """
                (() => { const set = (id, v) => { const e = byId(id); e.value = v; e.dispatchEvent(new Event('change')); };
                         set('l-steps', '77'); set('n-width', '5'); set('n-activation', 'none'); set('n-batch', 'full');
                         set('n-compare', 'batch=1 | lr=0.3'); set('n-schedule', 'cosine(tMax: 50)'); return location.href; })()
                """
            let link = try #require(try browser.evaluate(settings) as? String)
            let read = "JSON.stringify({ l: landscapeSettings(), n: networkSettings(), view: document.querySelector('.view.active').id })"
            let before = try #require(try browser.evaluate(read) as? String)
            try browser.navigate("about:blank")
            try browser.navigate(link)
            try browser.wait(until: "window.playground && playground.landscape.result.length === 1")
            _ = try browser.evaluate("playground.ready")
            let after = try browser.evaluate(read) as? String
            #expect(after == before, "reopened \(link):\n\(after ?? "nil")\nagainst\n\(before)")
            #expect(before.contains("\"steps\":\"77\"") && before.contains("\"compare\":\"batch=1 | lr=0.3\"") && before.contains("network-view"))
        }
    }

    /// The finder button shows the sweep the API answers for the page's settings.
    @Test func theLearningRateFinderButtonShowsTheSweep() async throws {
        try await withPage { server, browser in
            try browser.navigate(url(server, "view=network&data=spirals&count=300&layers=2&width=16&optimizer=sgd&batch=32"))
            try browser.wait(until: "window.playground")
            _ = try browser.evaluate("playground.ready")
            _ = try browser.evaluate("byId('n-lrfind').click()")
            try browser.wait(until: "byId('n-finder').dataset.valley")
            let body = try #require(try browser.evaluate("""
                (() => { const b = Object.assign(trainBody(networkSettings()), { iterations: 100 }); delete b.stepsPerSecond; delete b.gridSize; return JSON.stringify(b); })()
                """) as? String)
            let sweep = try #require(try await server.request("POST", "/api/lr-find", body: body).json as? [String: Any])
            let valley = try #require(sweep["valley"] as? Double)
            let shown = try #require(Double(try browser.evaluate("byId('n-finder').dataset.valley") as? String ?? ""))
            #expect(Swift.abs(shown - valley) <= 1e-12 * valley)
            #expect((try browser.evaluate("byId('n-finder-text').textContent") as? String)?.contains("Suggested learning rate") == true)
        }
    }

    /// Every lesson opens its experiment and says what to look for, without an error.
    @Test func everyLessonOpens() async throws {
        try await withPage { server, browser in
            try browser.navigate(url(server, ""))
            try browser.wait(until: "window.playground")
            _ = try browser.evaluate("playground.ready")
            let lessons = try #require(try browser.evaluate("Object.keys(LESSONS)") as? [String])
            #expect(lessons.count >= 6)
            for lesson in lessons {
                _ = try browser.evaluate("(() => { const p = byId('preset'); p.value = '\(lesson)'; p.dispatchEvent(new Event('change')); return true; })()")
                try browser.wait(until: "byId('lesson').className === 'shown' && byId('lesson').textContent.startsWith(LESSONS['\(lesson)'].title)")
                try browser.wait(until: "playground.landscape.result.length > 0 || byId('l-error').textContent")
                #expect(try browser.evaluate("byId('l-error').textContent + byId('n-error').textContent") as? String == "", "lesson \(lesson)")
                _ = try browser.evaluate("playground.stopRuns()")
            }
        }
    }
}
