import Foundation
import Testing
@testable import DescentPlot

@Suite struct ScatterPlotTests {
    @Test func onePointPerSampleAndOneLegendEntryPerClass() throws {
        let plot = Examples.scatterWithRegions()
        let document = try #require(XMLInspector.parse(plot.svg()))
        #expect(document.all("circle", inside: "series").count == 200)
        #expect(document.all("g", className: "series").count == 2)
        #expect(document.all("text", className: "legend-entry").map(\.text) == ["upper moon", "lower moon"])
        // The regions are painted: merged runs of equal class, far fewer than 80 × 80 cells.
        let cells = document.all("rect").filter { $0.ancestors.contains("g") && $0.attributes["fill"] != nil }
        #expect(cells.count > 80 && cells.count < 1000)
    }

    @Test func classColoursFollowThePalette() throws {
        var plot = ScatterPlot()
        plot.add(x: [0, 1, 2], y: [0, 1, 2], classes: [2, 0, 2])
        let document = try #require(XMLInspector.parse(plot.svg()))
        let fills = document.all("circle", inside: "series").compactMap { $0.attributes["fill"] }
        #expect(Set(fills) == [Palette.okabeIto.color(at: 0).hexString, Palette.okabeIto.color(at: 2).hexString])
        #expect(document.all("text", className: "legend-entry").map(\.text) == ["class 0", "class 2"])
    }
}

@Suite struct HeatMapTests {
    @Test func confusionMatrixHasOneCellAndOneValueLabelPerEntry() throws {
        let matrix = Examples.confusionMatrix()
        let document = try #require(XMLInspector.parse(matrix.svg(width: 520, height: 440)))
        #expect(document.all("text", inside: "cell-values").map(\.text) == ["50", "2", "0", "3", "45", "7", "0", "5", "38"])
        #expect(document.all("rect", className: "color-bar").count == 1)
        #expect(document.texts.contains("versicolor"))
        #expect(document.texts.contains("Confusion matrix <test set>"))
        // The largest count gets the darkest colour, so its label is white.
        let fifty = try #require(document.all("text", inside: "cell-values").first { $0.text == "50" })
        #expect(fifty.attributes["fill"] == "#ffffff")
    }

    /// Issue 20: the colour-bar label stood above the bar and crowded the chart's title; it reads
    /// bottom to top beside the bar, inside the chart, below the title's line.
    @Test func theColorBarLabelStandsBesideTheBar() throws {
        var matrix = Examples.confusionMatrix()
        matrix.colorBarLabel = "samples"
        let document = try #require(XMLInspector.parse(matrix.svg(width: 520, height: 440)))
        let label = try #require(document.all("text", className: "color-bar-label").first)
        let bar = try #require(document.all("rect", className: "color-bar").first)
        let x = try #require(Double(label.attributes["x"] ?? "")), y = try #require(Double(label.attributes["y"] ?? ""))
        let barRight = try #require(Double(bar.attributes["x"] ?? "")) + (try #require(Double(bar.attributes["width"] ?? "")))
        let barTop = try #require(Double(bar.attributes["y"] ?? ""))
        #expect(label.attributes["transform"]?.hasPrefix("rotate(-90") == true)
        #expect(x > barRight && x < 520 && y > barTop, "label at (\(x), \(y)); bar right \(barRight), top \(barTop)")
    }

    @Test func nanCellsStayBlankAndLogColoursHandleZero() throws {
        var map = HeatMap(values: [[1, .nan], [0, 1000]])
        map.colorScale = .log
        let svg = map.svg()
        let document = try #require(XMLInspector.parse(svg))
        #expect(!svg.contains("NaN\"") && !svg.contains("nan"))
        #expect(document.all("text", inside: "cell-values").count == 3)
    }
}

@Suite struct ContourPlotTests {
    @Test func marchingSquaresTracesACircleOnAParaboloid() {
        // f = x² + y² on a 41 × 41 grid over [−2, 2]²; the level 1 contour is the unit circle.
        let nodes = (0...40).map { -2 + 4 * Double($0) / 40 }
        let values = nodes.map { y in nodes.map { x in x * x + y * y } }
        let segments = MarchingSquares.segments(values: values, xs: nodes, ys: nodes, level: 1)
        #expect(segments.count > 40)
        for (start, end) in segments {
            // Linear interpolation along cell edges of width 0.1 errs by well under 0.01 in radius.
            #expect(abs((start.x * start.x + start.y * start.y).squareRoot() - 1) < 0.01)
            #expect(abs((end.x * end.x + end.y * end.y).squareRoot() - 1) < 0.01)
        }
    }

    @Test func marchingSquaresSkipsCellsWithNaN() {
        let values: [[Double]] = [[0, 2], [.nan, 2]]
        #expect(MarchingSquares.segments(values: values, xs: [0, 1], ys: [0, 1], level: 1).isEmpty)
        let clean: [[Double]] = [[0, 2], [0, 2]]
        #expect(MarchingSquares.segments(values: clean, xs: [0, 1], ys: [0, 1], level: 1).count == 1)
    }

    @Test func logarithmicLevelsSpanRosenbrocksDecadesEvenly() {
        let plot = Examples.rosenbrockRace(animated: false)
        let levels = plot.resolvedLevels
        #expect(levels.count == 14)
        let ratios = zip(levels, levels.dropFirst()).map { $1 / $0 }
        #expect(ratios.allSatisfy { abs($0 - ratios[0]) < 1e-6 * ratios[0] })
        #expect(levels.last! / levels.first! > 1e4)
    }

    @Test func contourPlotDrawsLevelsPathsAndEndMarkers() throws {
        let plot = Examples.rosenbrockRace(animated: false)
        let svg = plot.svg()
        let document = try #require(XMLInspector.parse(svg))
        let contours = document.all("path", className: "contour")
        #expect(contours.count >= 10 && contours.count <= 14)
        #expect(document.all("g", className: "series").count == 2)
        #expect(document.all("circle", className: "start").count == 2)
        #expect(document.all("circle", className: "end").count == 2)
        #expect(document.all("image").count == 1)
        #expect(document.all("text", className: "legend-entry").count == 2)
        #expect(!svg.contains("NaN") && !svg.contains("nan"))
    }

    @Test func animatedRaceIsWellFormedAndRevealsEndMarkersLast() throws {
        let plot = Examples.rosenbrockRace(animated: true)
        let document = try #require(XMLInspector.parse(plot.svg()))
        #expect(document.all("animateMotion").count == 2)
        let ends = document.all("animate").filter { $0.ancestors.last == "circle" && $0.attributes["calcMode"] == "discrete" }
        #expect(ends.count >= 2)
        #expect(document.all("animate").allSatisfy { $0.attributes["repeatCount"] == "indefinite" })
    }

    @Test func unfilledContourLinesTakeColourMapColours() throws {
        let plot = Examples.contourLinesOnly()
        let document = try #require(XMLInspector.parse(plot.svg()))
        let strokes = Set(document.all("path", className: "contour").compactMap { $0.attributes["stroke"] })
        #expect(strokes.count == 8)
        #expect(document.all("image").isEmpty)
    }
}
