/// Whether operations record the autodiff graph (like `torch.is_grad_enabled()`).
public enum GradientMode {
    /// `true` unless inside ``withoutGradients(_:)``. Scoped to the current task and thread.
    @TaskLocal public static var isEnabled = true
}

/// Runs `body` without recording operations for autodiff (PyTorch's `torch.no_grad()`): results
/// of operations inside do not require gradients. Use it for evaluation and for updates.
public func withoutGradients<R>(_ body: () throws -> R) rethrows -> R {
    try GradientMode.$isEnabled.withValue(false) { try body() }
}
