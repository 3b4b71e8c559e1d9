import DescentCore

extension DataInspector {
    /// The report for a file that is neither text nor a known array format: it names what is
    /// supported and prints none of the file's bytes.
    static func notTextReport(_ path: String) -> DataReport {
        var report = DataReport(source: path, format: "binary", rows: 0, shape: nil, elementType: nil, columns: [], target: nil,
                                targetKind: nil, classBalance: nil, problems: [])
        report.add("not a text file (it has NUL bytes or invalid UTF-8 in its first \(FileKind.textCheckBytes.grouped) bytes), nor an IDX or .npy array: "
                   + "the data commands read delimited text (CSV, TSV, …; plain or gzip), IDX files (MNIST) and .npy arrays", stopsTraining: true)
        return report
    }

    static func inspectIDX(_ path: String, labels: String?) throws -> DataReport {
        let header = try IDXLoader.header(path)
        var report = DataReport(source: path, format: "idx", rows: header.shape[0], shape: header.shape, elementType: header.elementName,
                                columns: [], target: nil, targetKind: nil, classBalance: nil, problems: [])
        do {
            if header.shape.count == 1 && header.element.isInteger {
                let values = try IDXLoader.loadLabels(path)
                report.columns = [statistics(values.map(Double.init), name: "labels")]
                report.classBalance = balance(values)
                report.target = "labels"
                report.targetKind = "classes"
            } else {
                let tensor: Tensor<Double> = try IDXLoader.load(path)
                report.columns = [statistics(tensor.scalars, name: header.shape.count > 1 ? "pixels" : "values")]
                if let shape = imageShape(ofArray: header.shape) { addImageFindings(to: &report, sampleShape: shape, values: tensor.scalars) }
                if header.shape.count > 1, let column = report.columns.first, column.minimum == column.maximum {
                    report.add("every value is \(column.minimum ?? 0): the images are blank", stopsTraining: false)
                }
                if let labels {
                    let values = try IDXLoader.loadLabels(labels)
                    if values.count != header.shape[0] {
                        report.add("\(labels) has \(values.count.grouped) labels for \(header.shape[0].grouped) images: the files do not belong together", stopsTraining: true)
                    }
                    report.classBalance = balance(values)
                    report.target = labels
                    report.targetKind = "classes"
                }
            }
        } catch let error as DataError {
            // A truncated file, bad labels: loading for training would fail the same way.
            report.add(error.description, stopsTraining: true)
        }
        if let balance = report.classBalance {
            for problem in classProblems(balance, target: report.target ?? "labels") { report.add(problem, stopsTraining: false) }
        }
        return report
    }

    /// A `.npy` array: shape, element type and the statistics of all its values.
    static func inspectNPY(_ path: String) throws -> DataReport {
        let header = try NPYLoader.header(path)
        var report = DataReport(source: path, format: "npy", rows: header.shape.first ?? 1, shape: header.shape, elementType: header.typeDescription,
                                columns: [], target: nil, targetKind: nil, classBalance: nil, problems: [])
        do {
            let tensor: Tensor<Double> = try NPYLoader.load(path)
            report.columns = [statistics(tensor.scalars, name: "values")]
            if let shape = imageShape(ofArray: header.shape) { addImageFindings(to: &report, sampleShape: shape, values: tensor.scalars) }
            if let column = report.columns.first {
                if column.nan > 0 { report.add("\(column.nan.grouped) NaN value\(column.nan == 1 ? "" : "s"): training would produce NaN losses", stopsTraining: true) }
                if column.infinite > 0 { report.add("\(column.infinite.grouped) infinite value\(column.infinite == 1 ? "" : "s")", stopsTraining: true) }
            }
        } catch let error as DataError {
            report.add(error.description, stopsTraining: true)
        }
        return report
    }
}
