import ArgumentParser
import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import Testing
@testable import DescentCLI

/// The elements of an SVG document, parsed with Foundation's `XMLParser` (which also proves the
/// document is well-formed XML).
final class SVGElements: NSObject, XMLParserDelegate {
    struct Element {
        var name: String
        var attributes: [String: String]
        /// The `data-name` of the enclosing series group, if any.
        var seriesName: String?
        /// The `class` attributes of the enclosing elements.
        var ancestorClasses: [String]
        var text = ""
    }

    private(set) var elements: [Element] = []
    private var stack: [Int] = []

    /// Parses `document`; fails the test (returns `nil`) when it is not well-formed.
    static func parse(_ document: String) -> SVGElements? {
        let elements = SVGElements()
        let parser = XMLParser(data: Data(document.utf8))
        parser.delegate = elements
        return parser.parse() ? elements : nil
    }

    func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?,
                attributes: [String: String] = [:]) {
        let series = stack.reversed().lazy.compactMap { self.elements[$0].attributes["class"] == "series" ? self.elements[$0].attributes["data-name"] : nil }.first
        elements.append(Element(name: name, attributes: attributes, seriesName: series, ancestorClasses: stack.compactMap { elements[$0].attributes["class"] }))
        stack.append(elements.count - 1)
    }

    func parser(_ parser: XMLParser, didEndElement name: String, namespaceURI: String?, qualifiedName: String?) { stack.removeLast() }

    func parser(_ parser: XMLParser, foundCharacters string: String) {
        if let current = stack.last { elements[current].text += string }
    }

    func all(_ name: String) -> [Element] { elements.filter { $0.name == name } }
    /// The series groups' names, in drawing order (empty names for unnamed series).
    var seriesNames: [String] { elements.filter { $0.name == "g" && $0.attributes["class"] == "series" }.map { $0.attributes["data-name"] ?? "" } }
    /// The texts of the legend, top to bottom.
    var legendEntries: [String] { elements.filter { $0.attributes["class"] == "legend-entry" }.map(\.text) }
    /// The dots drawn for the series called `name` (start/end markers excluded): circles, or
    /// paths with a `data-marker` shape.
    func dots(of name: String) -> [Element] {
        elements.filter {
            ($0.name == "circle" || $0.attributes["data-marker"] != nil) && $0.seriesName == name && $0.attributes["class"] == nil
        }
    }
}

/// A temporary file path that is removed when the test ends.
struct TemporaryPlot: ~Copyable {
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("descent-plot-\(UUID().uuidString).svg").path
    func read() throws -> String { try String(contentsOfFile: path, encoding: .utf8) }
    deinit { try? FileManager.default.removeItem(atPath: path) }
}

@Suite struct OptimizePlotTests {
    /// Runs `descent optimize` with `--plot` and returns the text output and the parsed SVG.
    func plot(_ arguments: [String]) throws -> (text: String, svg: SVGElements, document: String) {
        let file = TemporaryPlot()
        let (text, _) = try OptimizeCommand.parse(arguments + ["--plot", file.path]).output()
        let document = try file.read()
        let svg = try #require(SVGElements.parse(document), "the --plot file is not well-formed XML")
        return (text, svg, document)
    }

    @Test func rosenbrockRaceHasOnePathPerOptimizerAndTheMinimumInTheLegend() throws {
        let specs = ["sgd(lr: 0.001)", "sgd(lr: 0.001, momentum: 0.9)", "adam(lr: 0.1)"]
        let (_, svg, _) = try plot(["--function", "rosenbrock", "--steps", "30"] + specs.flatMap { ["--optimizer", $0] })
        // One series per optimizer, named by its spec as typed, then the marker of the one minimum (1, 1).
        #expect(svg.seriesNames == specs + ["minimum"])
        #expect(svg.legendEntries == specs + ["minimum"])
        // 31 points per path (start + 30 steps), each drawn as a dot since the run is short.
        for spec in specs { #expect(svg.dots(of: spec).count == 31) }
        // Each path has a hollow start marker and a filled end marker.
        #expect(svg.all("circle").filter { $0.attributes["class"] == "start" }.count == 4)  // 3 paths + the minimum
        // The landscape: a filled colour map and log-spaced contour lines (18 levels, most of them visible).
        #expect(svg.all("image").count == 1)
        let levels = svg.all("path").filter { $0.attributes["class"] == "contour" }.compactMap { Double($0.attributes["data-level"] ?? "") }
        #expect(levels.count >= 12)
        // Log spacing: successive levels have a constant ratio (up to the 3-digit label rounding).
        let ratios = zip(levels.dropFirst(), levels).map { $0 / $1 }
        #expect(ratios.allSatisfy { Swift.abs($0 / ratios[0] - 1) < 0.05 })
        // Without --animate nothing moves.
        #expect(svg.all("animate").isEmpty && svg.all("animateMotion").isEmpty)
    }

    @Test func animateAddsSMILAnimationForEveryPath() throws {
        let (_, svg, _) = try plot(["--function", "himmelblau", "--optimizer", "sgd(lr: 0.01)", "--optimizer", "adam(lr: 0.1)",
                                    "--steps", "40", "--animate"])
        // Each path grows with a stroke-dashoffset animation of its mask (which reveals the path and its
        // white halo) and has a travelling dot.
        let growing = svg.all("animate").filter { $0.attributes["attributeName"] == "stroke-dashoffset" }
        #expect(growing.count == 2)
        #expect(svg.all("mask").count == 2)
        #expect(svg.all("animateMotion").count == 2)
        // Dots appear step by step: every dot after the start has an opacity animation.
        let appearing = svg.all("animate").filter { $0.attributes["attributeName"] == "opacity" }
        #expect(appearing.count >= 2 * 40)
        // Himmelblau has four minima, all in the window; one legend entry names them.
        #expect(svg.legendEntries == ["sgd(lr: 0.01)", "adam(lr: 0.1)", "minima"])
        #expect(svg.seriesNames.filter(\.isEmpty).count == 3)
    }

    /// Issue 20: Adam's path hid under SGD's line. Each optimizer now has its own colour, dash
    /// pattern and marker (OptimizerPathPlot.appearance(ofRun:)), and every path after the first
    /// is translucent.
    @Test func eachOptimizerHasItsOwnColourDashMarkerAndLaterOnesAreTranslucent() throws {
        let specs = ["sgd(lr: 0.001, momentum: 0.9)", "adam(lr: 0.1)", "rmsprop(lr: 0.01)"]
        let (_, svg, _) = try plot(["--function", "rosenbrock", "--start", "-1.5,2", "--steps", "30"] + specs.flatMap { ["--optimizer", $0] })
        let groups = svg.all("g").filter { $0.attributes["class"] == "series" && specs.contains($0.attributes["data-name"] ?? "") }
        #expect(groups.map { $0.attributes["opacity"] } == [nil, "0.7", "0.7"])
        // The drawn line of each path: the one with an id (the halo under it has none).
        let lines = specs.map { spec in svg.all("path").first { $0.seriesName == spec && $0.attributes["id"] != nil } }
        let colours = lines.map { $0?.attributes["stroke"] ?? "" }, dashes = lines.map { $0?.attributes["stroke-dasharray"] ?? "" }
        #expect(Set(colours).count == 3 && !colours.contains(""))
        #expect(dashes == ["", "9 4", "1 4"])
        // The iterates' markers: circles, squares, triangles (31 each), and the end marker in the same shape.
        let shapes = specs.map { spec in Set(svg.dots(of: spec).map { $0.attributes["data-marker"] ?? $0.name }) }
        #expect(shapes == [["circle"], ["square"], ["triangle"]])
        for spec in specs { #expect(svg.dots(of: spec).count == 31) }
        let ends = svg.elements.filter { $0.attributes["class"] == "end" && specs.contains($0.seriesName ?? "") }
        #expect(ends.map { $0.attributes["data-marker"] ?? $0.name } == ["circle", "square", "triangle"])
        // The legend draws each symbol as its path: the same dashes and marker shape.
        let legend = svg.elements.filter { $0.ancestorClasses.contains("legend") }
        #expect(legend.filter { $0.name == "line" }.prefix(3).map { $0.attributes["stroke-dasharray"] ?? "" } == dashes)
        #expect(legend.compactMap { $0.attributes["data-marker"] }.prefix(2) == ["square", "triangle"])
    }

    /// Issue 20: the animated race started from empty paths, so a screenshot or the first look
    /// showed no path. Now the drawn paths carry no animation (their own state is the whole path);
    /// the growth animates a mask, and every animation begins after the finished picture has
    /// shown for a while. (BrowserRenderingTests checks the screenshot at t = 0.)
    @Test func theAnimatedRaceShowsTheWholePathsBeforeItBegins() throws {
        let (_, svg, document) = try plot(["--function", "rosenbrock", "--start", "-1.5,2", "--steps", "99", "--animate",
                                           "--optimizer", "sgd(lr: 0.001, momentum: 0.9)", "--optimizer", "adam(lr: 0.1)"])
        let animations = svg.all("animate") + svg.all("set") + svg.all("animateMotion")
        #expect(!animations.isEmpty)
        // 100 points at 0.08 s a step: an 8 s race, which begins after 2 s (a quarter of it).
        #expect(Set(animations.map { $0.attributes["begin"] }) == ["2s"])
        // The stroke-dasharray growth is set on the masks' paths only, never on a drawn line.
        let dashed = svg.all("set").filter { $0.attributes["attributeName"] == "stroke-dasharray" }
        #expect(dashed.count == 2)
        #expect(svg.all("mask").count == 2 && document.contains("mask=\"url(#"))
        let drawnLines = svg.all("path").filter { $0.attributes["id"]?.contains("-series-") == true }
        #expect(drawnLines.count == 2 && drawnLines.allSatisfy { $0.attributes["pathLength"] == nil })
    }

    @Test func quarticPlotShowsTheIteratesAsPointsOnTheCurve() throws {
        let (_, svg, _) = try plot(["--function", "quartic", "--start", "6", "--optimizer", "sgd(lr: 0.01)", "--steps", "25"])
        #expect(svg.seriesNames == ["f(w)", "sgd(lr: 0.01)"])
        #expect(svg.all("image").isEmpty)  // a curve, not a contour plot
        let dots = svg.dots(of: "sgd(lr: 0.01)")
        #expect(dots.count == 26)
        // Every dot lies on the drawn curve: its pixel y matches the curve's, interpolated at its pixel x.
        let curveData = try #require(svg.all("path").first { $0.seriesName == "f(w)" }?.attributes["d"])
        let curve = curveData.split(whereSeparator: { $0 == "M" || $0 == "L" }).map { pair -> (Double, Double) in
            let numbers = pair.split(separator: " ").compactMap { Double($0) }
            return (numbers[0], numbers[1])
        }
        for dot in dots {
            let x = try #require(Double(dot.attributes["cx"] ?? "")), y = try #require(Double(dot.attributes["cy"] ?? ""))
            let segment = try #require(zip(curve, curve.dropFirst()).first { $0.0 <= x && x <= $1.0 }, "dot at x = \(x) beyond the curve")
            let t = segment.1.0 == segment.0.0 ? 0 : (x - segment.0.0) / (segment.1.0 - segment.0.0)
            #expect(Swift.abs(y - (segment.0.1 + t * (segment.1.1 - segment.0.1))) < 1.5, "dot (\(x), \(y)) is off the curve")
        }
        // The minimum w = 9/4 is marked.
        #expect(svg.all("text").contains { $0.text == "minimum w = 2.25" })
    }

    @Test func divergedPathIsDrawnToItsLastFinitePointAndLabelled() throws {
        // sgd(lr: 0.03) from 6: 6 → −10.2 → 145 → … overflows; the loss at step 6 is NaN (see OptimizeCommand's table).
        let (_, svg, _) = try plot(["--function", "quartic", "--start", "6", "--optimizer", "sgd(lr: 0.03)", "--optimizer", "sgd(lr: 0.01)", "--steps", "20"])
        #expect(svg.legendEntries == ["f(w)", "sgd(lr: 0.03) — diverged at step 6", "sgd(lr: 0.01)"])
        #expect(svg.dots(of: "sgd(lr: 0.03) — diverged at step 6").count == 6)  // points 0 … 5 are finite
        #expect(svg.dots(of: "sgd(lr: 0.01)").count == 21)
    }

    @Test func plottingKeepsTheTextOutput() throws {
        let arguments = ["--function", "booth", "--optimizer", "adam(lr: 0.5)", "--steps", "5"]
        let (plain, _) = try OptimizeCommand.parse(arguments).output()
        let (text, svg, _) = try plot(arguments)
        // The same text, and then the file written (issue 20: --plot said nothing).
        #expect(text.hasPrefix(plain) && text.dropFirst(plain.count).hasPrefix("wrote ") && text.hasSuffix(".svg\n"))
        #expect(svg.seriesNames == ["adam(lr: 0.5)", "minimum"])
    }

    @Test func animateWithoutPlotAndUnwritablePlotAreUserErrors() throws {
        #expect(throws: (any Error).self) { try OptimizeCommand.parse(["--animate"]) }
        let missing = "/nonexistent-descent-folder/paths.svg"
        #expect { try OptimizeCommand.parse(["--steps", "2", "--plot", missing]).output() } throws: { error in
            (error as? ValidationError)?.message.contains(missing) == true
        }
    }
}
