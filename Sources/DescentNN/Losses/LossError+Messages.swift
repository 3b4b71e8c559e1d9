/// The messages of the losses' input errors, written once: the losses and DescentCompiled's
/// compiled step (which checks the same inputs without building tensors) both throw these, so a
/// user sees the same sentence whichever path ran.
extension LossError {
    /// Cross-entropy got a number of class labels that is not the logits' row count.
    package static func labelCount(_ count: Int, logits shape: [Int]) -> LossError {
        LossError("CrossEntropyLoss: logits must be [n, classes] with one label per row; got logits \(shape) and \(count) labels")
    }

    /// A class label outside `0..<classes` (and not the ignored index).
    package static func labelOutOfRange(_ label: Int, row: Int, classes: Int) -> LossError {
        LossError("CrossEntropyLoss: label \(label) at row \(row) is outside 0..<\(classes) (the logits have \(classes) classes)")
    }

    /// A class-index target that is not a whole number.
    package static func fractionalClassIndex(_ value: some CustomStringConvertible, row: Int) -> LossError {
        LossError("CrossEntropyLoss: target \(row) is \(value); class-index targets must be whole numbers (or give [n, C] probabilities)")
    }

    /// A pointwise loss (`name`) whose predictions and targets have different shapes.
    package static func shapeMismatch(_ name: String, predictions: [Int], targets: [Int]) -> LossError {
        LossError("\(name): predictions of shape \(predictions) and targets of shape \(targets) differ; they must have the same shape (or be [n, 1] and [n])")
    }
}
