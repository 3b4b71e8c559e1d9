extension GradientCheckResult {
    /// A result from the two gradients, with ``maxRelativeError`` computed here (for checkers
    /// outside this module, such as a model's in-place check in DescentNN).
    ///
    /// `maxRelativeError = max |aᵢ − nᵢ| / max(|aᵢ|, |nᵢ|, denominatorFloor)` (0 where both are
    /// 0). A floor keeps elements whose gradient is truly 0 (a bias before batch normalisation:
    /// `1e-17` against `0`) from showing a relative error of 1, while real relative errors of
    /// larger elements are unchanged. With the default `0` this equals
    /// ``GradientChecker/maxRelativeError(_:_:denominatorFloor:)``.
    /// - Parameters:
    ///   - name: the parameter's name.
    ///   - shape: its shape.
    ///   - analytic: the backward pass's gradient, row-major.
    ///   - numeric: the central-difference gradient, row-major.
    ///   - denominatorFloor: the smallest denominator. The default value is `0`.
    public init(name: String, shape: [Int], analytic: [Double], numeric: [Double], denominatorFloor: Double = 0) {
        self.name = name
        self.shape = shape
        self.analytic = analytic
        self.numeric = numeric
        self.maxRelativeError = GradientChecker.maxRelativeError(analytic, numeric, denominatorFloor: denominatorFloor)
    }
}
