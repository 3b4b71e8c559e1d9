import ArgumentParser
import Descent
import Foundation

/// What a model spec takes as one sample: rows of features (dense models) or samples in their
/// shape, `[c, h, w]` images (convolutional models).
enum ModelInput {
    /// Whether the model `spec` takes samples in their shape, so the data keeps it (IDX images as
    /// `[n, 1, h, w]`, CSV pixel columns as `--input-shape` says) instead of being flattened to rows.
    static func keepsSampleShape(_ spec: String) -> Bool {
        (try? ModelSpec(parsing: spec))?.needsImageInput ?? false
    }
}
