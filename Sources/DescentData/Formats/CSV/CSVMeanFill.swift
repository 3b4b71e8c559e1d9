import DescentCore
import DescentKernels

/// Fills missing numeric features with column means (``MissingValuePolicy/mean``).
///
/// The loader leaves a missing feature cell as NaN (a NaN from the file counts as missing under
/// this policy, so every NaN is a cell to fill). Each column's mean is the mean of its other
/// cells, summed in `Double` over fixed blocks of ``blockRows`` rows and the block sums added in
/// order, so the result is the same for any number of threads. A column named in `given` is
/// filled with that value instead (the training file's means, for evaluation and prediction).
///
/// - pandas: `df.fillna(df.mean())`; scikit-learn: `SimpleImputer(strategy="mean")`.
enum CSVMeanFill {
    /// Rows per block of the column sums.
    static let blockRows = 4096

    /// Fills the NaN cells of `features` (`rows × names.count`, row-major) in place and returns
    /// the value used for every column (filled or not), by column name.
    /// - Throws: ``DataError`` for a column with cells to fill but no value at all and none given.
    static func fill<T: TensorScalar>(_ features: UnsafeMutablePointer<T>, rows: Int, names: [String], given: [String: Double]?, file: String) throws -> [String: Double] {
        let width = names.count
        guard width > 0 else { return [:] }
        let blocks = (rows + blockRows - 1) / blockRows
        var sums = [Double](repeating: 0, count: blocks * width)
        var counts = [Int](repeating: 0, count: blocks * width)
        sums.withUnsafeMutableBufferPointer { sums in
            counts.withUnsafeMutableBufferPointer { counts in
                WorkerPool.run(parts: blocks) { block in
                    let lower = block * blockRows, upper = Swift.min(rows, lower + blockRows)
                    let sum = sums.baseAddress! + block * width, count = counts.baseAddress! + block * width
                    for row in lower..<upper {
                        let x = features + row * width
                        for j in 0..<width where !x[j].isNaN {
                            sum[j] += Double(x[j])
                            count[j] += 1
                        }
                    }
                }
            }
        }
        var values = [Double](repeating: 0, count: width)
        var result: [String: Double] = [:]
        for j in 0..<width {
            var sum = 0.0, count = 0
            for block in 0..<blocks {
                sum += sums[block * width + j]
                count += counts[block * width + j]
            }
            if let value = given?[names[j]] {
                values[j] = value
            } else if count > 0 {
                values[j] = sum / Double(count)
            } else {
                values[j] = .nan
            }
            if count < rows && values[j].isNaN {
                throw DataError(file: file, columnName: names[j], "every value of this feature column is missing, so there is no mean to fill it with; drop the column (--drop \(names[j])) or give its fill value")
            }
            if !values[j].isNaN { result[names[j]] = values[j] }
        }
        values.withUnsafeBufferPointer { values in
            for row in 0..<rows {
                let x = features + row * width
                for j in 0..<width where x[j].isNaN { x[j] = T(values[j]) }
            }
        }
        return result
    }
}
