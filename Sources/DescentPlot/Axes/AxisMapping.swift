/// Maps data values on one axis to pixel positions, and holds that axis's ticks.
struct AxisMapping {
    /// Linear or logarithmic.
    var scale: AxisScale
    /// The data value at `pixelStart`.
    var lower: Double
    /// The data value at `pixelEnd`.
    var upper: Double
    /// Pixel position of `lower` (left edge for x, bottom edge for y).
    var pixelStart: Double = 0
    /// Pixel position of `upper`.
    var pixelEnd: Double = 1
    /// Ticks inside `lower...upper`.
    var ticks: [Tick]

    /// Builds the mapping for `values` under `scale` and `range`.
    ///
    /// - Parameters:
    ///   - values: the data values this axis must show (already filtered by the range policy).
    ///   - expands: whether an automatic range grows to the next ticks beyond the data.
    init(values: [Double], scale: AxisScale, range: AxisRange, expands: Bool = true) {
        self.scale = scale
        var low = Double.infinity
        var high = -Double.infinity
        if case .fixed(let fixedLower, let fixedUpper) = range {
            (low, high) = (min(fixedLower, fixedUpper), max(fixedLower, fixedUpper))
        } else {
            for value in values where scale.transform(value) != nil {
                low = min(low, value)
                high = max(high, value)
            }
        }
        let isFixed: Bool
        if case .fixed = range { isFixed = true } else { isFixed = false }
        switch scale {
        case .linear:
            if !low.isFinite || !high.isFinite { (low, high) = (0, 1) }
            let result = Ticks.linear(lower: low, upper: high, expands: expands && !isFixed)
            (self.lower, self.upper, self.ticks) = (result.lower, result.upper, result.ticks)
        case .log:
            if !(low > 0) || !high.isFinite { (low, high) = (1, 10) }
            let result = Ticks.logarithmic(lower: low, upper: high, expands: expands && !isFixed)
            (self.lower, self.upper, self.ticks) = (result.lower, result.upper, result.ticks)
        }
    }

    /// The pixel position of `value`, or `nil` when the scale cannot show it (NaN, infinity,
    /// or a non-positive value on a log scale).
    ///
    /// Positions far outside the plot are clamped to ±10⁵ pixels beyond it: the clip path hides
    /// them anyway, a segment towards 10³⁰⁰ keeps its near-vertical look, and renderers never see
    /// coordinates they would overflow on.
    func pixel(_ value: Double) -> Double? {
        guard let position = scale.transform(value),
              let start = scale.transform(lower), let end = scale.transform(upper), end != start
        else { return nil }
        let pixel = pixelStart + (position - start) / (end - start) * (pixelEnd - pixelStart)
        let limit = 1e5 + max(abs(pixelStart), abs(pixelEnd))
        return min(max(pixel, -limit), limit)
    }

    /// The fraction `0...1` of `value` along the axis in scale space (used by colour maps).
    func fraction(_ value: Double) -> Double? {
        guard let position = scale.transform(value),
              let start = scale.transform(lower), let end = scale.transform(upper), end != start
        else { return nil }
        return (position - start) / (end - start)
    }
}
