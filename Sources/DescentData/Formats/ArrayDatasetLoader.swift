import DescentCore

/// Loads a ``TensorDataset`` from an array file of features (IDX or `.npy`) and a file of labels
/// or targets, each format detected from the content.
///
///     // MNIST, plain or gzip:
///     let train: TensorDataset<Float> = try ArrayDatasetLoader.load(
///         features: "train-images-idx3-ubyte.gz", labels: "train-labels-idx1-ubyte.gz")
///     // NumPy arrays; X.npy of Float32 is memory-mapped, not copied:
///     let data: TensorDataset<Float> = try ArrayDatasetLoader.load(features: "X.npy", labels: "y.npy")
///
/// Feature shapes: `(n,)` becomes `[n, 1]`; `(n, f)` stays; images `(n, h, w)` become `[n, h·w]`
/// when flattened and `[n, 1, h, w]` when not; `(n, c, h, w)` becomes `[n, c·h·w]` or stays.
/// A flattened or reshaped `.npy` tensor still shares the mapping (reshaping does not copy).
///
/// Targets, with `targetKind` `.automatic`: IDX labels, integer `.npy` arrays and whole-number
/// text are class indices (``LabelFile``); float `.npy` arrays and text with fractions are real
/// values (regression), shape `[n, k]` (`(n,)` becomes `[n, 1]`) — the element type decides, as
/// `torch.long` versus `torch.float` targets do in PyTorch. `.classification` reads float arrays
/// of whole numbers as classes; `.regression` reads any numbers as values.
///
/// - PyTorch: `torch.utils.data.TensorDataset(torch.from_numpy(numpy.load("X.npy")), …)`.
public enum ArrayDatasetLoader {
    /// Features and targets as a dataset.
    /// - Parameters:
    ///   - features: an IDX or `.npy` file (plain or gzip; `.npy` is memory-mapped when plain and of type `Scalar`).
    ///   - labels: the labels or targets (IDX, `.npy` or one-column text); `nil` for features only
    ///     (data to predict on), whose targets are then an `[n, 0]` tensor. The default value is `nil`.
    ///   - targetKind: classes or real values; see above. The default value is `.automatic`.
    ///   - scaleToUnit: divide unsigned-byte features (pixels) by 255. The default value is `true`.
    ///   - flatten: images as rows of features (for dense networks). The default value is `true`.
    ///   - classCount: the number of classes. The default value is `nil`: from the labels (their
    ///     names, or one more than the largest).
    ///   - as: the element type, `Float` or `Double`; inferred from the context when left out.
    /// - Throws: ``DataError`` if either file is unreadable, damaged or of an unsupported kind (a
    ///   CSV features file is read with ``CSVLoader`` instead), the counts differ, there are no
    ///   rows, a row has no features, or a label does not fit `classCount`.
    public static func load<Scalar: TensorScalar>(
        features: String, labels: String? = nil, targetKind: TargetKind = .automatic, scaleToUnit: Bool = true,
        flatten: Bool = true, classCount: Int? = nil, as _: Scalar.Type = Scalar.self
    ) throws -> TensorDataset<Scalar> {
        let x: Tensor<Scalar> = try loadFeatures(features, scaleToUnit: scaleToUnit, flatten: flatten)
        let n = x.shape[0]
        guard let labels else {
            return try TensorDataset(features: x, targets: .values(Tensor(zeros: [n, 0])))
        }
        let format = try DataFileFormat.detect(path: labels)
        let targets: Targets<Scalar>
        var names: [String]?
        if try readsValues(labels, format: format, kind: targetKind) {
            var values: Tensor<Scalar> = try format == .npy
                ? NPYLoader.load(labels, memoryMap: false)
                : textValues(labels)
            if values.rank == 1 { values = try values.reshaped(to: [values.shape[0], 1]) }
            guard values.rank == 2 else {
                throw DataError(file: labels, "expected targets of shape (n,) or (n, k), found \(values.shape)")
            }
            targets = .values(values)
        } else {
            let file = try LabelFile.load(labels)
            names = file.classNames
            targets = .classes(file.classes)
        }
        guard targets.count == n else {
            throw DataError(file: labels, "\(targets.count.grouped) labels for \(n.grouped) rows in \(features); the files do not belong together")
        }
        if let labels = targets.classes, let classCount, let bad = labels.firstIndex(where: { $0 >= classCount }) {
            throw DataError(file: features, "label \(labels[bad]) of row \(bad) is outside 0..<\(classCount)")
        }
        return try TensorDataset(features: x, targets: targets, classNames: names, classCount: classCount)
    }

    /// The features in an IDX or `.npy` file, shaped as ``load(features:labels:targetKind:scaleToUnit:flatten:classCount:as:)`` describes.
    /// - Throws: ``DataError`` for a CSV or unsupported file, damage, no rows, or rows without features.
    public static func loadFeatures<Scalar: TensorScalar>(
        _ path: String, scaleToUnit: Bool = true, flatten: Bool = true, as _: Scalar.Type = Scalar.self
    ) throws -> Tensor<Scalar> {
        var x: Tensor<Scalar>
        switch try DataFileFormat.detect(path: path) {
        case .csv:
            throw DataError(file: path, "this is a text (CSV) file; array features must be IDX or .npy — read CSV with CSVLoader")
        case .idx: x = try IDXLoader.load(path, scaleToUnit: scaleToUnit)
        case .npy: x = try NPYLoader.load(path, scaleToUnit: scaleToUnit)
        }
        guard x.rank >= 1 else { throw DataError(file: path, "the array is a single number (shape []); features need one row per sample") }
        if x.rank == 1 { x = try x.reshaped(to: [x.shape[0], 1]) }
        guard x.shape[0] > 0 else { throw DataError(file: path, "the array has no rows (shape \(x.shape))") }
        guard x.shape.dropFirst().allSatisfy({ $0 > 0 }) else {
            throw DataError(file: path, "each row has no features (shape \(x.shape)); a zero-width input cannot be trained on")
        }
        if flatten && x.rank > 2 {
            x = x.flattened(fromAxis: 1)
        } else if x.rank == 3 {
            x = try x.reshaped(to: [x.shape[0], 1, x.shape[1], x.shape[2]])
        }
        return x
    }

    /// Whether `labels` should be read as real values rather than class indices.
    static func readsValues(_ path: String, format: DataFileFormat, kind: TargetKind) throws -> Bool {
        switch kind {
        case .regression: return true
        case .classification: return false
        case .automatic:
            switch format {
            case .idx: return false
            case .npy:
                let header = try NPYLoader.header(path)
                return !header.element.isInteger || (header.shape.count == 2 && header.shape[1] != 1)
            case .csv:
                if case .numbers = try TextColumn.read(path, hasHeader: nil) { return true }
                return false
            }
        }
    }

    /// Real-valued targets from a one-column text file.
    static func textValues<Scalar: TensorScalar>(_ path: String) throws -> Tensor<Scalar> {
        let values: [Double]
        switch try TextColumn.read(path, hasHeader: nil) {
        case .integers(let integers, _): values = integers.map(Double.init)
        case .numbers(let numbers, _): values = numbers
        case .text(let text, let firstLine):
            let bad = text.firstIndex { Double($0).map { !$0.isFinite } ?? true } ?? 0
            throw DataError(file: path, line: firstLine + bad, "expected a number for a regression target, found \"\(text[bad])\"")
        }
        return try Tensor(shape: [values.count], scalars: values.map { Scalar($0) })
    }
}
