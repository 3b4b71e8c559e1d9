import Descent
import Foundation

/// The report's pictures of a convolutional model (issue 17): the first convolution's filters, and
/// for a few shown images the feature maps that convolution (with the activation after it) computes,
/// with the class the model predicts. Found from the model's structure alone: the first layer of
/// the `Sequential` whose weight has rank 4 (`[out, in/groups, kh, kw]`, as PyTorch's `Conv2d`).
struct ConvolutionPictures<Scalar: TensorScalar> {
    /// At most this many filters and feature maps per row, and images shown.
    static var maximumChannels: Int { 16 }
    static var shownImages: Int { 4 }

    var model: Sequential<Scalar>

    /// The index of the first layer with a rank-4 weight, and that weight; `nil` for a model without one.
    var firstConvolution: (index: Int, weight: Tensor<Scalar>)? {
        for (index, layer) in model.layers.enumerated() {
            if let weight = layer.namedParameters().first(where: { $0.name == "weight" && $0.parameter.value.rank == 4 }) {
                return (index, weight.parameter.value)
            }
        }
        return nil
    }

    /// The filters: one row per input channel (at most three), one image per output channel,
    /// drawn with 0 white, positive red and negative blue.
    func filters() -> ImageGrid? {
        guard let (index, weight) = firstConvolution else { return nil }
        let (outputs, inputs, height, width) = (weight.shape[0], weight.shape[1], weight.shape[2], weight.shape[3])
        let values = weight.doubles
        let rows = (0..<Swift.min(inputs, 3)).map { channel in
            ImageGrid.Row(title: inputs == 1 ? "layer \(index)" : "input channel \(channel)", images: (0..<Swift.min(outputs, Self.maximumChannels)).map { filter in
                let start = (filter * inputs + channel) * height * width
                return ImageGrid.Image(width: width, height: height, values: Array(values[start..<(start + height * width)]), label: "\(filter)")
            })
        }
        return ImageGrid(rows: rows, scaling: .symmetric, imageSize: 44)
    }

    /// For the first ``shownImages`` samples of `features` (`[n, c, h, w]`, as the model takes them):
    /// the image (channel 0, in the data's own units when `standardizer` is given) labelled with the
    /// predicted class, then the first convolution's feature maps after the activation that follows it.
    /// - Throws: what the model's forward pass throws.
    func featureMaps(_ features: Tensor<Scalar>, labels: [Int]?, classNames: [String], standardizer: Standardizer?) throws -> ImageGrid? {
        guard let (index, _) = firstConvolution, features.rank == 4, features.shape[0] > 0 else { return nil }
        let count = Swift.min(features.shape[0], Self.shownImages)
        let input = features.slice(alongAxis: 0, 0..<count)
        var maps = input, predicted: [Int] = []
        try withoutGradients {
            for layer in model.layers[0...index] { maps = try layer.forward(maps, context: .evaluation) }
            // The activation after the convolution, when there is one (a parameterless layer that keeps the shape).
            if index + 1 < model.layers.count, model.layers[index + 1].namedParameters().isEmpty {
                let activated = try model.layers[index + 1].forward(maps, context: .evaluation)
                if activated.shape == maps.shape { maps = activated }
            }
            predicted = try model.forward(input, context: .evaluation).argmax(alongAxis: 1)
        }
        guard maps.rank == 4 else { return nil }
        let shown = try standardizer.map { try $0.inverseTransform(input) } ?? input
        let (channels, height, width) = (shown.shape[1], shown.shape[2], shown.shape[3])
        let (mapChannels, mapHeight, mapWidth) = (maps.shape[1], maps.shape[2], maps.shape[3])
        let pixels = shown.doubles, activations = maps.doubles
        func name(_ k: Int) -> String { k < classNames.count ? classNames[k] : String(k) }
        let rows = (0..<count).map { sample -> ImageGrid.Row in
            let start = sample * channels * height * width
            let truth = labels.map { " (true \(name($0[sample])))" } ?? ""
            var images = [ImageGrid.Image(width: width, height: height, values: Array(pixels[start..<(start + height * width)]),
                                          label: "predicted \(name(predicted[sample]))\(truth)")]
            for channel in 0..<Swift.min(mapChannels, Self.maximumChannels) {
                let mapStart = (sample * mapChannels + channel) * mapHeight * mapWidth
                images.append(ImageGrid.Image(width: mapWidth, height: mapHeight, values: Array(activations[mapStart..<(mapStart + mapHeight * mapWidth)]),
                                              label: "map \(channel)"))
            }
            return ImageGrid.Row(title: "sample \(sample)", images: images)
        }
        return ImageGrid(rows: rows, scaling: .perImage, imageSize: 52)
    }
}
