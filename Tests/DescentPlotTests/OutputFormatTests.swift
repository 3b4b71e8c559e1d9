import Foundation
import Testing
@testable import DescentPlot

@Suite struct TerminalChartTests {
    @Test func brailleChartHasMinAndMaxLabelsAndFixedWidth() {
        let losses = Examples.decay(start: 2.31, floor: 0.05, rate: 0.08, count: 100)
        let text = TerminalChart(values: losses, label: "loss", width: 40, height: 4).render()
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        #expect(lines.count == 5)
        #expect(lines[0].hasPrefix("loss 2.31 ┤"))
        #expect(lines[3].contains("0.0508"))  // 0.05 + 2.26·e^(−7.92)
        #expect(lines[4].contains("step 0 … 99"))
        for line in lines.prefix(4) {
            let braille = line.unicodeScalars.filter { (0x2800...0x28FF).contains($0.value) }
            #expect(braille.count == 40)
        }
        // The curve starts at the top left and ends at the bottom right.
        #expect(lines[0].unicodeScalars.first { (0x2801...0x28FF).contains($0.value) } != nil)
        #expect(lines[3].unicodeScalars.last.map { $0.value != 0x2800 } == true)
    }

    @Test func gapsAndEmptyInputAreHandled() {
        let text = TerminalChart(values: [1, .nan, 3, .infinity, 2], width: 10, height: 2).render()
        #expect(!text.contains("nan") && text.contains("3"))
        #expect(TerminalChart(values: [.nan]).render().contains("no finite values"))
    }

    @Test func blocksVariantIsOneLine() {
        let text = TerminalChart(values: [3, 2, 1, 0.5], label: "loss", width: 8, characters: .blocks).render()
        #expect(!text.contains("\n"))
        #expect(text.contains("█") && text.contains("▁"))
        #expect(text.contains("min 0.5"))
    }
}

@Suite struct HTMLReportTests {
    @Test func reportIsWellFormedAndInlinesEverySVG() throws {
        var report = HTMLReport(title: "Run <1> & friends")
        report.addSection("Configuration")
        report.addKeyValueTable([("optimizer", "Adam"), ("learning rate", "1e-3"), ("note", "a < b & \"c\"")])
        report.addParagraph("Loss fell from 2.3 to 0.1 — see <below>.")
        report.addSection("Charts")
        report.addChart(Examples.lossCurves(), caption: "Loss per epoch")
        report.addChart(Examples.confusionMatrix())
        report.addChart(Examples.rosenbrockRace(animated: true))
        report.addSection("History")
        report.addTable(headers: ["epoch", "loss"], rows: [["1", "0.93"], ["2"]])
        let html = report.html()
        let document = try #require(XMLInspector.parse(html))
        #expect(document.all("svg").count == 3)
        #expect(document.all("section").count == 3)
        #expect(document.all("h2").map(\.text) == ["Configuration", "Charts", "History"])
        #expect(document.all("h1").first?.text == "Run <1> & friends")
        #expect(document.all("td").map(\.text).contains("a < b & \"c\""))
        #expect(document.all("tr").count == 3 + 3)
        #expect(document.all("figcaption").map(\.text) == ["Loss per epoch"])
        #expect(!html.contains("<script"))
        #expect(!html.contains("src=\"http") && !html.contains("href=\"http"))
    }

    @Test func reportIsWrittenToDisk() throws {
        var report = HTMLReport(title: "Written")
        report.addParagraph("hello")
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("descent-report-\(UUID().uuidString).html")
        defer { try? FileManager.default.removeItem(at: url) }
        try report.write(to: url)
        #expect(try String(contentsOf: url, encoding: .utf8).contains("<p>hello</p>"))
    }
}

@Suite struct SupportTests {
    @Test func escapingCoversSpecialCharactersAndDropsControlCharacters() {
        #expect(MarkupEscaping.escape("a<b & c>\"d\" 'e'") == "a&lt;b &amp; c&gt;&quot;d&quot; &#39;e&#39;")
        #expect(MarkupEscaping.escape("bell\u{7}tab\tnull\u{0}") == "belltab\tnull")
        #expect(MarkupEscaping.escape("w⁴ − 3w³") == "w⁴ − 3w³")
    }

    @Test func checksumsMatchPublishedValues() {
        // CRC-32 of the four bytes "IEND" is AE 42 60 82, the trailer of every PNG file.
        #expect(PNGEncoder.crc32(Array("IEND".utf8)) == 0xAE42_6082)
        // Adler-32 of "Wikipedia" is 0x11E60398 (the worked example on Wikipedia's Adler-32 page).
        #expect(PNGEncoder.adler32(Array("Wikipedia".utf8)) == 0x11E6_0398)
    }

    @Test func pngHasSignatureAndExpectedSize() {
        let png = PNGEncoder.encode(width: 3, height: 2, pixels: [Color](repeating: .white, count: 6))
        #expect(Array(png.prefix(8)) == [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A])
        // 8 signature + 25 IHDR + (12 + 2 + 5 + 2 × (1 + 9) + 4) IDAT + 12 IEND.
        #expect(png.count == 8 + 25 + 43 + 12)
    }

    @Test func viridisEndsMatchMatplotlib() {
        #expect(ColorMap.viridis.color(at: 0).hexString == "#440154")
        #expect(ColorMap.viridis.color(at: 1).hexString == "#fde725")
        // Matplotlib's entry 128 is (0.127568, 0.566949, 0.550556); the resampled map stays within 1.5/255.
        let middle = ColorMap.viridis.color(at: 128.0 / 255)
        #expect(abs(middle.red - 0.127568) < 1.5 / 255 && abs(middle.green - 0.566949) < 1.5 / 255)
        #expect(abs(middle.blue - 0.550556) < 1.5 / 255)
    }

    @Test func identifiersDifferBetweenChartsSoInlinedSVGsDoNotClash() {
        let first = Examples.lossCurves().svg()
        let second = Examples.quarticWithIterates(animated: false).svg()
        func clipIdentifier(_ svg: String) -> Substring? {
            svg.firstMatch(of: /clipPath id="([^"]+)"/)?.output.1
        }
        #expect(clipIdentifier(first) != nil)
        #expect(clipIdentifier(first) != clipIdentifier(second))
    }
}

/// Issue 20: markers on the last value (compare's final epochs, at the axis's end) were cut in
/// half by a clip path exactly the size of the plot.
@Suite struct ClipMarginTests {
    @Test func theClipPathHoldsTheMarkerOnTheLastValue() throws {
        var chart = LineChart(title: "t", xLabel: "x", yLabel: "y")
        chart.add(Series(name: "a", x: [0, 1, 2], y: [1, 2, 3], style: .lineAndPoints))
        let svg = chart.svg()
        let clip = try #require(svg.firstMatch(of: /<clipPath id="[^"]+">\s*<rect x="([-0-9.]+)" y="[-0-9.]+" width="([0-9.]+)"/), "\(svg.prefix(1200))")
        let clipRight = try #require(Double(clip.output.1)) + (try #require(Double(clip.output.2)))
        // Every marker, the one on x = 2 at the axis's right end included, lies inside the clip.
        let markers = svg.matches(of: /<circle[^>]*cx="([0-9.]+)"[^>]*r="([0-9.]+)"/).compactMap { match -> Double? in
            guard let cx = Double(match.output.1), let r = Double(match.output.2) else { return nil }
            return cx + r
        }
        let rightmost = try #require(markers.max(), "no markers in \(svg.prefix(1200))")
        #expect(rightmost <= clipRight, "a marker reaches \(rightmost) px; the clip ends at \(clipRight) px")
    }
}

/// Issue 20: compare's legend covered the batch-size-1 curve; outside the plot it covers nothing.
@Suite struct OutsideLegendTests {
    @Test func anOutsideLegendStandsRightOfThePlot() throws {
        var chart = LineChart(title: "t", xLabel: "x", yLabel: "y")
        chart.legendPosition = .outsideRight
        chart.add(Series(name: "batch size 1 (stochastic GD)", x: [0, 1, 2], y: [1, 3, 2]))
        chart.add(Series(name: "full batch", x: [0, 1, 2], y: [2, 2, 2]))
        let svg = chart.svg(width: 640, height: 400)
        let clip = try #require(svg.firstMatch(of: /<clipPath id="[^"]+">\s*<rect x="([-0-9.]+)" y="[-0-9.]+" width="([0-9.]+)"/))
        let clipRight = try #require(Double(clip.output.1)) + (try #require(Double(clip.output.2)))
        let legend = try #require(svg.firstMatch(of: /<g class="legend"[^>]*>\s*<rect x="([0-9.]+)" y="[0-9.]+" width="([0-9.]+)"/), "\(svg)")
        let left = try #require(Double(legend.output.1)), width = try #require(Double(legend.output.2))
        #expect(left > clipRight, "the legend starts at \(left) px, inside the plot that ends at \(clipRight) px")
        #expect(left + width <= 640, "the legend ends at \(left + width) px, past the chart's width")
    }
}
