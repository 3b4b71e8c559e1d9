import Descent
import Foundation

/// The class a model predicts over a grid of points covering the data: the picture of its
/// decision regions.
///
/// Cell (r, c) of a `size × size` grid is centred at
/// `x = x₀ + (c + ½)·(x₁ − x₀)/size`, `y = y₁ − (r + ½)·(y₁ − y₀)/size` (row 0 at the top, as the
/// page draws it). For each cell: the predicted class (the largest logit, or logit ≥ 0 for a
/// single binary output) and the model's confidence in it, in whole percent (the largest softmax
/// probability, or max(σ(z), 1 − σ(z))). A non-finite output gives class 0 with confidence 0.
struct DecisionRegions {
    /// Cells along each side.
    var size: Int
    /// The predicted class of each cell, row by row from the top.
    var classes: [Int]
    /// The confidence of each cell, in percent.
    var confidence: [Int]

    /// Evaluates `model` (in evaluation mode, without gradients) over the grid on `bounds`;
    /// the points are standardised with `standardizer` first, as the training data was.
    init<Scalar: TensorScalar>(model: any Layer<Scalar>, bounds: (x: ClosedRange<Double>, y: ClosedRange<Double>), size: Int,
                               standardizer: Standardizer?) throws {
        self.size = size
        let width = bounds.x.upperBound - bounds.x.lowerBound, height = bounds.y.upperBound - bounds.y.lowerBound
        var scalars: [Scalar] = []
        scalars.reserveCapacity(2 * size * size)
        for row in 0..<size {
            for column in 0..<size {
                scalars.append(Scalar(bounds.x.lowerBound + (Double(column) + 0.5) * width / Double(size)))
                scalars.append(Scalar(bounds.y.upperBound - (Double(row) + 0.5) * height / Double(size)))
            }
        }
        var points = try Tensor<Scalar>(shape: [size * size, 2], scalars: scalars)
        if let standardizer { points = try standardizer.transform(points) }
        let outputs = try withoutGradients { try model.forward(points, context: .evaluation) }
        let values = outputs.scalars.map { Double($0) }
        let k = outputs.rank == 2 ? outputs.shape[1] : 1
        classes = []
        confidence = []
        for cell in 0..<(size * size) {
            let logits = values[(cell * k)..<((cell + 1) * k)]
            guard logits.allSatisfy(\.isFinite), let top = logits.max() else {
                classes.append(0); confidence.append(0); continue
            }
            if k == 1 {
                let p = 1 / (1 + exp(-top))
                classes.append(top >= 0 ? 1 : 0)
                confidence.append(Int((Swift.max(p, 1 - p) * 100).rounded()))
            } else {
                let best = (logits.firstIndex(of: top) ?? logits.startIndex) - logits.startIndex
                let sum = logits.reduce(0) { $0 + exp($1 - top) }
                classes.append(best)
                confidence.append(Int((100 / sum).rounded()))
            }
        }
    }

    /// The grid as the events carry it.
    var json: JSONValue {
        .object([("size", .number(Double(size))), ("classes", .array(classes.map { .number(Double($0)) })),
                 ("confidence", .array(confidence.map { .number(Double($0)) }))])
    }
}
