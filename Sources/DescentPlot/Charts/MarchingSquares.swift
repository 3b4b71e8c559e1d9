/// Finds the lines where a function sampled on a grid crosses a level (its contour lines).
///
/// Each grid cell is classified by which of its four corners lie above the level (16 cases);
/// a crossing point is placed on each edge whose corners straddle the level, by linear
/// interpolation, and the points are joined by one or two segments. The two ambiguous "saddle"
/// cases are resolved with the cell-centre average. Cells with a NaN corner are skipped.
///
/// Reference: Lorensen & Cline, "Marching cubes", 1987 (the 2-D case).
enum MarchingSquares {
    /// A point in data coordinates.
    typealias Point = (x: Double, y: Double)

    /// The segments of the contour at `level`.
    ///
    /// - Parameters:
    ///   - values: `values[row][column]` at the grid nodes; row `r` is at `ys[r]`, column `c` at `xs[c]`.
    ///   - xs: node x coordinates, increasing.
    ///   - ys: node y coordinates, increasing.
    static func segments(values: [[Double]], xs: [Double], ys: [Double], level: Double) -> [(Point, Point)] {
        var result: [(Point, Point)] = []
        let rowCount = min(values.count, ys.count)
        guard rowCount >= 2 else { return result }
        for row in 0..<(rowCount - 1) {
            let columnCount = min(values[row].count, values[row + 1].count, xs.count)
            guard columnCount >= 2 else { continue }
            for column in 0..<(columnCount - 1) {
                let bottomLeft = values[row][column], bottomRight = values[row][column + 1]
                let topLeft = values[row + 1][column], topRight = values[row + 1][column + 1]
                guard bottomLeft.isFinite, bottomRight.isFinite, topLeft.isFinite, topRight.isFinite else { continue }
                var index = 0
                if bottomLeft > level { index |= 1 }
                if bottomRight > level { index |= 2 }
                if topRight > level { index |= 4 }
                if topLeft > level { index |= 8 }
                if index == 0 || index == 15 { continue }

                let (x0, x1, y0, y1) = (xs[column], xs[column + 1], ys[row], ys[row + 1])
                func crossing(_ a: Double, _ b: Double) -> Double { b == a ? 0.5 : (level - a) / (b - a) }
                let bottom: Point = (x0 + (x1 - x0) * crossing(bottomLeft, bottomRight), y0)
                let top: Point = (x0 + (x1 - x0) * crossing(topLeft, topRight), y1)
                let left: Point = (x0, y0 + (y1 - y0) * crossing(bottomLeft, topLeft))
                let right: Point = (x1, y0 + (y1 - y0) * crossing(bottomRight, topRight))
                let centerAbove = (bottomLeft + bottomRight + topLeft + topRight) / 4 > level

                switch index {
                case 1, 14: result.append((left, bottom))
                case 2, 13: result.append((bottom, right))
                case 3, 12: result.append((left, right))
                case 4, 11: result.append((right, top))
                case 6, 9: result.append((bottom, top))
                case 7, 8: result.append((left, top))
                case 5:  // bottom-left and top-right above
                    if centerAbove {
                        result.append((bottom, right)); result.append((left, top))
                    } else {
                        result.append((left, bottom)); result.append((right, top))
                    }
                case 10:  // bottom-right and top-left above
                    if centerAbove {
                        result.append((left, bottom)); result.append((right, top))
                    } else {
                        result.append((bottom, right)); result.append((left, top))
                    }
                default: break
                }
            }
        }
        return result
    }
}
