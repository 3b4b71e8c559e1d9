/// A classifier's predicted class on a regular grid over a rectangle of the plane.
public struct DecisionRegions: Sendable, Hashable {
    /// The x span the grid covers.
    public var xRange: ClosedRange<Double>
    /// The y span the grid covers.
    public var yRange: ClosedRange<Double>
    /// `classes[row][column]`: the class predicted in that cell; row 0 is at `yRange.lowerBound`,
    /// column 0 at `xRange.lowerBound`. Negative values leave a cell blank.
    public var classes: [[Int]]
    /// Opacity of the painted regions, so the points stay visible. The default value is `0.25`.
    public var opacity: Double

    /// Creates decision regions.
    public init(x: ClosedRange<Double>, y: ClosedRange<Double>, classes: [[Int]], opacity: Double = 0.25) {
        (self.xRange, self.yRange, self.classes, self.opacity) = (x, y, classes, opacity)
    }

    /// Creates decision regions by evaluating `classify` at the centre of each cell of a
    /// `resolution` × `resolution` grid.
    ///
    /// - Parameters:
    ///   - resolution: cells per side. The default value is `100`.
    ///   - x: the x range covered.
    ///   - y: the y range covered.
    ///   - opacity: the opacity of the region colours. The default value is `0.25`.
    ///   - classify: the class at `(x, y)`.
    public init(x: ClosedRange<Double>, y: ClosedRange<Double>, resolution: Int = 100, opacity: Double = 0.25,
                classify: (Double, Double) -> Int) {
        let cells = max(resolution, 1)
        let width = (x.upperBound - x.lowerBound) / Double(cells)
        let height = (y.upperBound - y.lowerBound) / Double(cells)
        let classes = (0..<cells).map { row in
            (0..<cells).map { column in
                classify(x.lowerBound + (Double(column) + 0.5) * width, y.lowerBound + (Double(row) + 0.5) * height)
            }
        }
        self.init(x: x, y: y, classes: classes, opacity: opacity)
    }
}
