import Foundation
import Testing
@testable import DescentPlot

@Suite struct LineChartTests {
    @Test func lineChartIsWellFormed() throws {
        var chart = LineChart(title: "Loss", xLabel: "step", yLabel: "loss")
        chart.add(Series(name: "SGD", y: [3, 2, 1.5, 1.2, 1.1]))
        let svg = chart.svg()
        #expect(svg.contains("<path"))
    }
}
