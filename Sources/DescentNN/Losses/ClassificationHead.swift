import DescentCore

/// The model outputs and metrics a classification loss implies, shared by `descent train` and the
/// playground: one logit per class and accuracy for a class-index loss (cross-entropy), one logit
/// and accuracy at threshold 0 for a binary loss (BCE with logits: class 1 when the logit is ≥ 0).
///
/// - PyTorch: `nn.Linear(hidden, classes)` with `nn.CrossEntropyLoss`, or `nn.Linear(hidden, 1)` with
///   `nn.BCEWithLogitsLoss`.
public enum ClassificationHead {
    /// The outputs and metrics for `loss` (written `lossName` in messages) over `classCount` classes,
    /// or `nil` when the loss takes real-valued targets (not a classification loss).
    /// - Throws: `SpecError` when a binary loss meets more than two classes.
    public static func outputsAndMetrics(for loss: any Loss, named lossName: String, classCount: Int) throws
        -> (outputs: Int, metrics: [any Metric])?
    {
        switch loss.targetKind {
        case .classIndices:
            return (classCount, [Accuracy()])
        case .binary:
            guard classCount <= 2 else { throw SpecError("\(lossName) is a binary loss but the target has \(classCount) classes; use cross-entropy") }
            return (1, [Accuracy(threshold: 0)])
        case .values:
            return nil
        }
    }
}
