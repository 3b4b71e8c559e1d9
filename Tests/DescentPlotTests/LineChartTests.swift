import Foundation
import Testing
@testable import DescentPlot

@Suite struct LineChartTests {
    @Test func lineChartIsWellFormedWithOnePathAndLegendEntryPerSeries() throws {
        let chart = Examples.lossCurves()
        let document = try #require(XMLInspector.parse(chart.svg()))
        #expect(document.all("g", className: "series").count == 4)
        #expect(document.all("path", inside: "series").count == 4)
        let legend = document.all("text", className: "legend-entry").map(\.text)
        #expect(legend == ["SGD", "SGD + momentum", "Adam", "Adam (validation)"])
        #expect(document.texts.contains("Training loss"))
        #expect(document.texts.contains("epoch"))
        #expect(document.texts.contains("early stopping"))
    }

    @Test func seriesWithoutNameStaysOutOfTheLegend() throws {
        var chart = LineChart()
        chart.add(Series(name: "", y: [1, 2, 3]))
        chart.add(Series(name: "kept", y: [3, 2, 1]))
        let document = try #require(XMLInspector.parse(chart.svg()))
        #expect(document.all("text", className: "legend-entry").map(\.text) == ["kept"])
    }

    @Test func nanAndInfinityBreakTheLineIntoSeparateRuns() throws {
        var chart = LineChart()
        chart.add(Series(name: "gappy", y: [1, 2, .nan, 3, 4, .infinity, 5, 6]))
        let svg = chart.svg()
        let document = try #require(XMLInspector.parse(svg))
        let path = try #require(document.all("path", inside: "series").first?.attributes["d"])
        // Three unbroken runs: [1, 2], [3, 4], [5, 6].
        #expect(path.filter { $0 == "M" }.count == 3)
        #expect(path.filter { $0 == "L" }.count == 3)
        #expect(!svg.contains("nan") && !svg.contains("NaN") && !svg.contains("inf"))
    }

    @Test func logScaleSkipsZeroAndNegativeValuesWithoutNaNInOutput() throws {
        var chart = LineChart(yLabel: "loss")
        chart.yScale = .log
        chart.xScale = .log
        chart.add(Series(name: "loss", x: [0, 1, 2, 3, 4, 5], y: [10, 0, -3, 0.1, 0.01, 0.001]))
        let svg = chart.svg()
        let document = try #require(XMLInspector.parse(svg))
        #expect(!svg.contains("NaN") && !svg.contains("nan") && !svg.contains("inf"))
        let path = try #require(document.all("path", inside: "series").first?.attributes["d"])
        // x = 0 is not positive either: the points (0, 10), (1, 0), (2, −3) are all gaps.
        #expect(path.hasPrefix("M"))
        #expect(path.filter { $0 == "L" }.count == 2)
        // y ticks at decades 10⁻³ … 10⁻¹ (from the positive values the visible points have).
        #expect(document.texts.contains(NumberFormatting.powerOfTen(-3)) || document.texts.contains("0.001"))
    }

    @Test func allValuesNonPositiveOnLogScaleStillRenders() throws {
        var chart = LineChart()
        chart.yScale = .log
        chart.add(Series(name: "zeros", y: [0, -1, 0]))
        let svg = chart.svg()
        #expect(XMLInspector.parse(svg) != nil)
        #expect(!svg.contains("NaN") && !svg.contains("nan"))
    }

    @Test func robustRangeIgnoresADivergingSeries() throws {
        var chart = LineChart()
        chart.add(Series(name: "stable", y: Examples.decay(start: 2.3, floor: 0.3, rate: 0.1, count: 40)))
        chart.add(Series(name: "diverging", y: [2.3, 2.0, 3, 50, 1e4, 1e9, 1e12, .infinity]))
        chart.yRange = .robust
        let document = try #require(XMLInspector.parse(chart.svg()))
        let robustTop = chart.yAxisForTesting().upper
        // Counted values: the stable series (≤ 2.3) and 2.3, 2.0, 3 of the diverging one (limit 10 × 2.3).
        #expect(robustTop == 3)
        chart.yRange = .automatic
        #expect(chart.yAxisForTesting().upper >= 1e12)
        #expect(document.all("path", inside: "series").count == 2)
    }

    @Test func fixedRangeIsUsedExactly() {
        var chart = LineChart()
        chart.add(Series(name: "a", y: [0, 100]))
        chart.yRange = .fixed(0...10)
        let axis = chart.yAxisForTesting()
        #expect(axis.lower == 0 && axis.upper == 10)
        #expect(axis.ticks.map(\.value) == [0, 2, 4, 6, 8, 10])
    }

    @Test func textIsEscapedInTitlesLabelsAndSeriesNames() throws {
        var chart = LineChart(title: "Loss <train> & \"val\"", xLabel: "x's", yLabel: "a<b")
        chart.add(Series(name: "<script>alert(1)</script>", y: [1, 2]))
        chart.add(.vertical(at: 1, label: "stop & go"))
        let svg = chart.svg()
        let document = try #require(XMLInspector.parse(svg))
        #expect(!svg.contains("<script>"))
        #expect(svg.contains("&lt;train&gt; &amp; &quot;val&quot;"))
        #expect(document.texts.contains("Loss <train> & \"val\""))
        #expect(document.texts.contains("<script>alert(1)</script>"))
        #expect(document.texts.contains("stop & go"))
    }

    @Test func pointSeriesDrawOneCirclePerFiniteValue() throws {
        let chart = Examples.quarticWithIterates(animated: false)
        let document = try #require(XMLInspector.parse(chart.svg()))
        // 31 iterates (start plus 30 steps), all finite.
        #expect(document.all("circle", inside: "series").count == 31)
    }

    @Test func animationAddsSMILElementsAndStaysWellFormed() throws {
        var chart = Examples.lossCurves()
        chart.animation = Animation(duration: 5)
        let svg = chart.svg()
        let document = try #require(XMLInspector.parse(svg))
        let growth = document.all("animate").filter { $0.attributes["attributeName"] == "stroke-dashoffset" }
        // Every curve grows, the dashed validation curve too: the growth animates a mask over the
        // drawn line (one per curve), so its own dashes stay.
        #expect(growth.count == 4)
        #expect(document.all("mask").count == 4)
        for animate in growth {
            let times = try #require(animate.attributes["keyTimes"]).split(separator: ";").compactMap { Double($0) }
            let values = try #require(animate.attributes["values"]).split(separator: ";").compactMap { Double($0) }
            #expect(times.first == 0 && times.last == 1)
            #expect(times.count == values.count)
            #expect(zip(times, times.dropFirst()).allSatisfy { $0 <= $1 })
            #expect(values.first == 1 && values.last == 0)
            #expect(animate.attributes["dur"] == "5s")
            // The finished chart shows for a quarter of the 5 s (at least a second), then it grows.
            #expect(animate.attributes["begin"] == "1.25s")
        }
        #expect(document.all("animateMotion").count == 4)
        #expect(!svg.contains("<script"))
    }
}

extension LineChart {
    /// The y axis as the chart lays it out at 640 × 400.
    func yAxisForTesting() -> AxisMapping {
        var canvas = CartesianCanvas(
            title: title, xLabel: xLabel, yLabel: yLabel, xScale: xScale, yScale: yScale, xRange: xRange,
            yRange: yRange, style: style)
        canvas.series = series
        return canvas.frame(width: 640, height: 400).y
    }
}
