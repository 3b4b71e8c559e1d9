import DescentCore

extension DataInspector {
    /// The image shape of one sample (`[c, h, w]`) of an array of `shape`: `(n, h, w)` is one
    /// channel, `(n, c, h, w)` is kept; `nil` for rows and other ranks.
    static func imageShape(ofArray shape: [Int]) -> [Int]? {
        switch shape.count {
        case 3: return [1, shape[1], shape[2]]
        case 4: return Array(shape.dropFirst())
        default: return nil
        }
    }

    /// Adds what a convolutional model needs to know about images of `sampleShape` whose values
    /// are `values` (`[n, c, h, w]` row-major): the shape, statistics per channel when there are
    /// several, and the pixels that are the same in every image (standardisation leaves them at 0).
    static func addImageFindings(to report: inout DataReport, sampleShape: [Int], values: [Double]) {
        report.imageShape = sampleShape
        let pixels = sampleShape.reduce(1, *)
        guard pixels > 0, values.count >= pixels, values.count % pixels == 0 else { return }
        let images = values.count / pixels
        var minimum = Array(values[0..<pixels]), maximum = minimum
        for image in 1..<Swift.max(images, 1) {
            let start = image * pixels
            for p in 0..<pixels {
                let v = values[start + p]
                if v < minimum[p] { minimum[p] = v }
                if v > maximum[p] { maximum[p] = v }
            }
        }
        let constant = (0..<pixels).filter { minimum[$0] == maximum[$0] }.count
        report.constantPixels = constant
        if sampleShape.count == 3 && sampleShape[0] > 1 {
            let planes = sampleShape[1] * sampleShape[2]
            report.columns = (0..<sampleShape[0]).map { channel in
                var channelValues: [Double] = []
                channelValues.reserveCapacity(images * planes)
                for image in 0..<images {
                    let start = image * pixels + channel * planes
                    channelValues.append(contentsOf: values[start..<(start + planes)])
                }
                return statistics(channelValues, name: "channel \(channel)")
            }
        }
        if constant == pixels && images > 1 {
            report.add("every image is the same: there is nothing to learn from them", stopsTraining: false)
        }
    }

    /// Checks `--input-shape` against a CSV file's feature columns (every column but the target and
    /// the dropped ones) and records it; a mismatch stops training, as `descent train` would.
    static func addInputShape(_ shape: SampleShape, to report: inout DataReport, options: CSVOptions) {
        let names = report.columns.map(\.name)
        func position(_ selector: ColumnSelector) -> Int? {
            switch selector {
            case .name(let name): return names.firstIndex(of: name)
            case .index(let index): return index < 0 ? names.count + index : index
            }
        }
        var excluded = Set((options.drop).compactMap(position))
        if let target = report.target, let index = names.firstIndex(of: target) { excluded.insert(index) }
        let features = names.indices.filter { !excluded.contains($0) }.count
        guard features == shape.elementCount else {
            report.add("--input-shape \(shape) holds \(shape.elementCount.grouped) values, but each row has \(features.grouped) feature columns; "
                       + "give a shape whose sizes multiply to \(features.grouped)", stopsTraining: true)
            return
        }
        report.imageShape = shape.sizes
        report.constantPixels = names.indices.filter { !excluded.contains($0) }
            .filter { report.columns[$0].minimum != nil && report.columns[$0].minimum == report.columns[$0].maximum }.count
    }
}
