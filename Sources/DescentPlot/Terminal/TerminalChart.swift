import Foundation

/// A compact text chart of one series for the terminal, such as the loss curve printed at the
/// end of a training run:
///
///     loss 2.31 ┤⠑⠢⣀
///               │  ⠈⠉⠒⠤⢄⣀
///          0.05 ┤        ⠈⠉⠉⠉⠒⠒⠒⠒⠤⠤⠤⠤⠤⠤⣀⣀⣀⣀⣀
///               step 0 … 99
///
/// Braille characters give each text cell 2 × 4 dots; `.blocks` draws a one-line sparkline with
/// `▁▂▃▄▅▆▇█` for terminals whose font lacks braille.
public struct TerminalChart: Sendable, Hashable {
    /// Which characters draw the curve.
    public enum Characters: Sendable, Hashable {
        /// Unicode braille patterns (U+2800–U+28FF), 2 × 4 dots per character.
        case braille
        /// Block elements, one line high.
        case blocks
    }

    /// The values, drawn left to right; NaN and infinite values leave gaps.
    public var values: [Double]
    /// Text before the maximum label, such as "loss"; empty for none.
    public var label: String
    /// Width of the plot in characters (labels excluded). The default value is `60`.
    public var width: Int
    /// Height of the plot in lines (braille only). The default value is `4`.
    public var height: Int
    /// Linear or logarithmic vertical scale. The default value is `.linear`.
    public var scale: AxisScale
    /// Braille or blocks. The default value is `.braille`.
    public var characters: Characters

    /// Creates a terminal chart.
    ///
    /// - Parameters:
    ///   - values: the series, such as the loss per epoch.
    ///   - label: text before the maximum label. The default value is `""`.
    ///   - width: plot width in characters. The default value is `60`.
    ///   - height: plot height in lines. The default value is `4`.
    ///   - scale: `.linear` or `.log`. The default value is `.linear`.
    ///   - characters: `.braille` or `.blocks`. The default value is `.braille`.
    public init(values: [Double], label: String = "", width: Int = 60, height: Int = 4, scale: AxisScale = .linear,
                characters: Characters = .braille) {
        (self.values, self.label, self.width, self.height) = (values, label, max(width, 2), max(height, 1))
        (self.scale, self.characters) = (scale, characters)
    }

    /// The chart as lines of text joined by newlines (no trailing newline).
    public func render() -> String {
        let shown = values.compactMap { scale.transform($0) }
        guard let low = shown.min(), let high = shown.max() else {
            return (label.isEmpty ? "" : label + " ") + "(no finite values)"
        }
        let maximumLabel = NumberFormatting.compact(scale.inverse(high))
        let minimumLabel = NumberFormatting.compact(scale.inverse(low))
        let prefixWidth = max(
            (label.isEmpty ? 0 : label.count + 1) + maximumLabel.count, minimumLabel.count)
        func padded(_ text: String) -> String { String(repeating: " ", count: max(0, prefixWidth - text.count)) + text }
        let topPrefix = padded((label.isEmpty ? "" : label + " ") + maximumLabel)

        switch characters {
        case .blocks:
            let levels = Array("▁▂▃▄▅▆▇█")
            let columns = resample(count: width)
            let line = columns.map { value -> Character in
                guard let value, let position = scale.transform(value) else { return " " }
                let fraction = high > low ? (position - low) / (high - low) : 0.5
                return levels[min(levels.count - 1, Int(fraction * Double(levels.count - 1) + 0.5))]
            }
            return "\(topPrefix) \(String(line)) min \(minimumLabel)"
        case .braille:
            let dotRows = height * 4
            let columns = resample(count: width * 2)
            // Dot row of each column, 0 at the top; nil for gaps.
            let rows: [Int?] = columns.map { value in
                guard let value, let position = scale.transform(value) else { return nil }
                let fraction = high > low ? (position - low) / (high - low) : 0.5
                return Int(((1 - fraction) * Double(dotRows - 1)).rounded())
            }
            var dots = [[Bool]](repeating: [Bool](repeating: false, count: width * 2), count: dotRows)
            for (column, row) in rows.enumerated() {
                guard let row else { continue }
                // Fill from the previous column's row so steep drops stay connected.
                let previous = column > 0 ? rows[column - 1] ?? row : row
                let from = previous < row ? previous + 1 : row
                let to = previous > row ? previous - 1 : row
                for fill in min(from, to)...max(from, to) { dots[fill][column] = true }
                dots[row][column] = true
            }
            var lines: [String] = []
            for line in 0..<height {
                var text = ""
                for character in 0..<width {
                    text.unicodeScalars.append(Self.brailleCharacter(dots: dots, line: line, column: character * 2))
                }
                let prefix = line == 0 ? topPrefix : line == height - 1 ? padded(minimumLabel) : padded("")
                let axis = line == 0 || line == height - 1 ? "┤" : "│"
                lines.append("\(prefix) \(axis)\(text)")
            }
            if height == 1 { lines[0] += " min \(minimumLabel)" }
            lines.append(padded("") + "  " + "step 0 … \(max(values.count - 1, 0))")
            return lines.joined(separator: "\n")
        }
    }

    /// The braille character for the 2 × 4 dots at text `line` and dot `column`.
    ///
    /// Braille dot numbering: bits 0, 1, 2, 6 are the left column top to bottom, bits 3, 4, 5, 7
    /// the right column.
    private static func brailleCharacter(dots: [[Bool]], line: Int, column: Int) -> Unicode.Scalar {
        let bits: [[UInt32]] = [[0x01, 0x08], [0x02, 0x10], [0x04, 0x20], [0x40, 0x80]]
        var code: UInt32 = 0x2800
        for dotRow in 0..<4 {
            for dotColumn in 0..<2 where column + dotColumn < dots[0].count && dots[line * 4 + dotRow][column + dotColumn] {
                code |= bits[dotRow][dotColumn]
            }
        }
        return Unicode.Scalar(code)!
    }

    /// `count` values, one per output column: the mean of the finite values each column covers
    /// (or the nearest value when there are fewer values than columns); `nil` where all are gaps.
    private func resample(count: Int) -> [Double?] {
        guard !values.isEmpty else { return [Double?](repeating: nil, count: count) }
        return (0..<count).map { column in
            if values.count <= count {
                let index = Int((Double(column) / Double(max(count - 1, 1)) * Double(values.count - 1)).rounded())
                return scale.transform(values[index]) == nil ? nil : values[index]
            }
            let start = column * values.count / count
            let end = max(start + 1, (column + 1) * values.count / count)
            let covered = values[start..<end].filter { scale.transform($0) != nil }
            return covered.isEmpty ? nil : covered.reduce(0, +) / Double(covered.count)
        }
    }
}
