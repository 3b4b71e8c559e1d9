import Descent
import Foundation
import Testing
@testable import DescentCLI

/// The report's pictures of a convolutional model (issue 17), on a model whose first layer is a
/// 1×1 convolution written here (output channel c = w[c] · input), so the expected feature maps
/// are the input times each weight, through the ReLU that follows.
@Suite struct ConvolutionPicturesTests {
    final class PointwiseConvolution: Layer {
        let weight: Parameter<Float>
        init(_ values: [Float]) throws { weight = Parameter(try Tensor(shape: [values.count, 1, 1, 1], scalars: values)) }
        func forward(_ input: Tensor<Float>, context: ForwardContext) throws -> Tensor<Float> {
            try input * weight.value.reshaped(to: [1, weight.value.shape[0], 1, 1])
        }
    }

    func model() throws -> Sequential<Float> {
        var generator = RandomGenerator(seed: 1)
        return Sequential(layers: [try PointwiseConvolution([2, -1]), ReLU<Float>(), Flatten<Float>(), Linear<Float>(2 * 3 * 3, 4, generator: &generator)])
    }

    @Test func filtersAreTheFirstRankFourWeight() throws {
        let pictures = ConvolutionPictures(model: try model())
        #expect(pictures.firstConvolution?.index == 0)
        let grid = try #require(pictures.filters())
        #expect(grid.rows.count == 1 && grid.rows[0].images.map(\.values) == [[2], [-1]])
        #expect(grid.scaling == .symmetric)
        #expect(ConvolutionPictures(model: Sequential<Float>(layers: [ReLU<Float>()])).filters() == nil, "a dense model has no pictures")
    }

    @Test func featureMapsAreTheFirstConvolutionAfterItsActivation() throws {
        let x = try Tensor<Float>(shape: [5, 1, 3, 3], scalars: (0..<45).map { Float($0 % 7) - 3 })
        let network = try model()
        let pictures = ConvolutionPictures(model: network)
        let grid = try #require(try pictures.featureMaps(x, labels: [0, 1, 2, 3, 0], classNames: ["a", "b", "c", "d"], standardizer: nil))
        #expect(grid.rows.count == ConvolutionPictures<Float>.shownImages)
        let predicted = try network.forward(x, context: .evaluation).argmax(alongAxis: 1)
        for (sample, row) in grid.rows.enumerated() {
            let pixels = Array(x.doubles[(sample * 9)..<(sample * 9 + 9)])
            #expect(row.images[0].values == pixels)
            #expect(row.images[0].label == "predicted \(["a", "b", "c", "d"][predicted[sample]]) (true \(["a", "b", "c", "d", "a"][sample]))")
            #expect(row.images[1].values == pixels.map { max(2 * $0, 0) })
            #expect(row.images[2].values == pixels.map { max(-$0, 0) })
        }
        // The input drawn in the data's units: the standardiser undone.
        let standardizer = Standardizer(featureShape: [1, 3, 3], mean: [Double](repeating: 10, count: 9), standardDeviation: [Double](repeating: 2, count: 9))
        let shown = try #require(try pictures.featureMaps(x, labels: nil, classNames: [], standardizer: standardizer))
        #expect(shown.rows[0].images[0].values == Array(x.doubles[0..<9]).map { $0 * 2 + 10 })
        #expect(shown.rows[0].images[0].label.hasPrefix("predicted ") && !shown.rows[0].images[0].label.contains("true"))
    }
}
