import Descent
import Foundation

/// The data of a network run: the training and validation splits the model sees (standardised
/// when asked), the raw points the page draws, and the rectangle the decision regions cover.
struct PlaygroundData<Scalar: TensorScalar> {
    /// The training split, as the model sees it.
    var train: TensorDataset<Scalar>
    /// The validation split, as the model sees it, if ``TrainRequest/validationSplit`` > 0.
    var validation: TensorDataset<Scalar>?
    /// The training points before standardisation: (x₁, x₂, class).
    var trainPoints: [(Double, Double, Int)]
    /// The validation points before standardisation.
    var validationPoints: [(Double, Double, Int)]
    /// The label of each class index.
    var classNames: [String]
    /// The two feature names.
    var featureNames: [String]
    /// The standardiser fitted on the training split, if the run standardises.
    var standardizer: Standardizer?
    /// The region drawn: the data's range on each axis, widened by a tenth on each side.
    var bounds: (x: ClosedRange<Double>, y: ClosedRange<Double>)

    /// Builds the data `request` describes.
    /// - Throws: ``RequestError`` with the data layer's message for a bad spec or file, or the
    ///   playground's for a dataset over ``TrainRequest/Limits``.
    init(_ request: TrainRequest, uploads: UploadStore) throws {
        let all: TensorDataset<Scalar>
        do {
            switch request.data {
            case .builtin(let spec):
                try PlaygroundDatasets.checkSize(ofBuiltin: spec)
                all = try BuiltinDataset.make(spec, seed: request.seed, as: Scalar.self)
            case .upload(let id):
                let upload = try uploads.upload(id)
                let table = try CSVLoader.load(text: upload.text, file: "upload:\(id)", options: PlaygroundDatasets.csvOptions(target: request.target ?? upload.target),
                                               as: Scalar.self)
                try PlaygroundDatasets.checkTwoFeatures(table)
                all = try table.dataset()
            }
        } catch let error as DataError { throw RequestError(error.message) }
        guard let labels = all.targets.classes else { throw RequestError("the network view classifies: the target must be classes") }
        guard all.features.rank == 2, all.features.shape[1] == 2 else {
            throw RequestError("the network view draws two features; this data has \(all.featureShape.reduce(1, *)) (for blobs write features: 2)")
        }
        let split: SplitIndices
        do {
            split = try DataSplit.trainValidationTest(count: all.count, validationFraction: request.validationSplit, seed: request.seed, stratifiedBy: labels)
            var trainSet = try all.subset(split.train)
            var validationSet = split.validation.isEmpty ? nil : try all.subset(split.validation)
            guard trainSet.count > 0 else { throw RequestError("the training data has no rows") }
            if request.standardize {
                let standardizer = try Standardizer.fit(trainSet.features)
                trainSet = try trainSet.replacingFeatures(standardizer.transform(trainSet.features))
                validationSet = try validationSet.map { try $0.replacingFeatures(standardizer.transform($0.features)) }
                self.standardizer = standardizer
            }
            train = trainSet
            validation = validationSet
        } catch let error as DataError { throw RequestError(error.message) }
        let scalars = all.features.scalars.map { Double($0) }
        func points(_ indices: [Int]) -> [(Double, Double, Int)] { indices.map { (scalars[2 * $0], scalars[2 * $0 + 1], labels[$0]) } }
        trainPoints = points(split.train)
        validationPoints = points(split.validation)
        classNames = all.classNames ?? (0..<(all.classCount ?? 2)).map(String.init)
        featureNames = all.featureNames ?? ["x1", "x2"]
        bounds = PlaygroundDatasets.bounds(of: trainPoints + validationPoints)
    }
}

/// The rules the playground's data follows, whatever its element type.
enum PlaygroundDatasets {
    /// The built-in datasets with two features and classes (`linear` is regression).
    static let classificationDatasets = ["spirals", "moons", "circles", "xor", "blobs"]

    /// The data's range on each axis, widened by a tenth of it on each side (by 1 when flat).
    static func bounds(of points: [(Double, Double, Int)]) -> (x: ClosedRange<Double>, y: ClosedRange<Double>) {
        func range(_ values: [Double]) -> ClosedRange<Double> {
            let finite = values.filter(\.isFinite)
            guard let low = finite.min(), let high = finite.max() else { return -1...1 }
            let pad = high > low ? (high - low) / 10 : 1
            return (low - pad)...(high + pad)
        }
        return (range(points.map(\.0)), range(points.map(\.1)))
    }

    /// How an upload is read: a header, the target column (default the last), classes.
    static func csvOptions(target: String?) -> CSVOptions {
        CSVOptions(targets: [target.map(ColumnSelector.init(parsing:)) ?? .index(-1)], targetKind: .classification)
    }

    /// Checks that a table has exactly two feature columns and at least two rows.
    static func checkTwoFeatures<T: TensorScalar>(_ table: CSVTable<T>) throws {
        guard table.featureNames.count == 2, table.categoricalColumns.isEmpty else {
            throw RequestError("upload: the network view draws two numeric features, but the file has \(table.featureNames.count + table.categoricalColumns.count) "
                               + "besides the target (\((table.featureNames + table.categoricalColumns.map(\.name)).joined(separator: ", "))); keep two feature columns and the target")
        }
        guard table.count >= 2 else { throw RequestError("upload: the file has \(table.count) row\(table.count == 1 ? "" : "s"); at least 2 are needed") }
    }

    /// Refuses a built-in spec whose sizes exceed the playground's limits, before generating it.
    /// (A spec that does not parse is left to `BuiltinDataset`, which says what is wrong.)
    static func checkSize(ofBuiltin text: String) throws {
        guard let spec = try? Spec(parsing: text) else { return }
        guard classificationDatasets.contains(spec.name) else {
            throw RequestError("builtin:\(spec.name) is not a 2-D classification dataset; the network view takes \(classificationDatasets.joined(separator: ", "))")
        }
        let limits: [(keys: [String], maximum: Double)] = [(["count", "samples", "rows"], Double(TrainRequest.Limits.samples)),
                                                           (["arms", "centers", "classes"], 10)]
        for argument in spec.arguments {
            guard let label = argument.label, case .number(let x) = argument.value,
                  let limit = limits.first(where: { $0.keys.contains(label) }) else { continue }
            guard x <= limit.maximum else {
                throw RequestError("builtin:\(spec.name): `\(label)` may be at most \(Int(limit.maximum)) in the playground, not \(argument.value)")
            }
        }
    }
}
