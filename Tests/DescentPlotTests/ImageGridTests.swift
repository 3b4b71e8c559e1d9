import Foundation
import Testing
@testable import DescentPlot

/// `ImageGrid`, the report's pictures of filters and feature maps (issue 17). The expected colours
/// are the colour map's own ends and middle, by the scaling's definition.
@Suite struct ImageGridTests {
    @Test func perImageScalingRunsFromTheSmallestToTheLargestValue() {
        let grid = ImageGrid(rows: [])
        let colors = grid.colors(of: .init(width: 3, height: 1, values: [2, 4, 6]))
        #expect(colors == [ColorMap.grays.color(at: 0), ColorMap.grays.color(at: 0.5), ColorMap.grays.color(at: 1)])
        // A constant image is the middle colour, not a division by zero; a missing or NaN value the lowest.
        #expect(grid.colors(of: .init(width: 2, height: 1, values: [5, 5])) == [ColorMap.grays.color(at: 0.5), ColorMap.grays.color(at: 0.5)])
        #expect(grid.colors(of: .init(width: 3, height: 1, values: [0, .nan]))[1...] == [ColorMap.grays.color(at: 0), ColorMap.grays.color(at: 0)])
    }

    @Test func symmetricScalingPutsZeroInTheMiddle() {
        let grid = ImageGrid(rows: [], scaling: .symmetric)
        #expect(grid.colorMap == .redBlue)
        let colors = grid.colors(of: .init(width: 3, height: 1, values: [-1, 0, 0.5]))
        #expect(colors == [ColorMap.redBlue.color(at: 0), ColorMap.redBlue.color(at: 0.5), ColorMap.redBlue.color(at: 0.75)])
    }

    @Test func drawsOneSharpImageAndLabelPerTile() throws {
        let image = ImageGrid.Image(width: 4, height: 2, values: (0..<8).map(Double.init), label: "predicted 3 <&>")
        let grid = ImageGrid(rows: [.init(title: "sample 0", images: [image, image]), .init(title: "sample 1", images: [image])], imageSize: 40)
        let svg = grid.svg()
        let document = try #require(XMLInspector.parse(svg), "well-formed SVG")
        let images = document.all("image")
        #expect(images.count == 3)
        #expect(images.allSatisfy { $0.attributes["xlink:href"]?.hasPrefix("data:image/png;base64,") == true })
        #expect(images.allSatisfy { $0.attributes["style"]?.contains("pixelated") == true })
        // 4 × 2 pixels drawn 40 × 20: the longer side fills the square.
        #expect(images[0].attributes["width"] == "40" && images[0].attributes["height"] == "20")
        let texts = document.all("text").map(\.text)
        #expect(texts.filter { $0 == "predicted 3 <&>" }.count == 3, "labels are escaped and kept")
        #expect(texts.contains("sample 0") && texts.contains("sample 1"))
        #expect(grid.size.width == 96 + 2 * 48 + 8 && grid.size.height == 2 * (40 + 16 + 8) + 8)
    }
}
