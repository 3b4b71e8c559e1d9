// Stand-ins until the issue-15 data branches land (removed at the merge).
import Descent
import Foundation

enum DataFileFormat { case csv, idx, npy
    static func detect(path: String) throws -> DataFileFormat {
        let head = (FileHandle(forReadingAtPath: path).flatMap { try? $0.read(upToCount: 6) }) ?? Data()
        if head.starts(with: [0x93, 0x4E, 0x55, 0x4D, 0x50, 0x59]) { return .npy }
        if head.count >= 4, head[head.startIndex] == 0, head[head.startIndex + 1] == 0 { return .idx }
        return .csv
    }
}

enum ArrayFiles {
    static func loadFeatures<Scalar: TensorScalar>(_ path: String) throws -> TensorDataset<Scalar> {
        let x: Tensor<Scalar> = (try? DataFileFormat.detect(path: path)) == .idx ? try IDXLoader.load(path, scaleToUnit: true) : try NPYLoader.load(path)
        return try TensorDataset(features: x, targets: .values(Tensor(zeros: [x.shape[0], 0])))
    }
    static func load<Scalar: TensorScalar>(features: String, labels: String, classCount: Int?) throws -> TensorDataset<Scalar> {
        if (try? DataFileFormat.detect(path: features)) == .idx {
            return try IDXLoader.loadMNIST(images: features, labels: labels, flatten: false, classCount: classCount ?? 10)
        }
        let x: Tensor<Scalar> = try NPYLoader.load(features)
        return try TensorDataset(features: x, targets: .classes(NPYLoader.loadIntegers(labels)), classCount: classCount)
    }
}

extension CSVTable {
    var warnings: [String] { [] }
    var fillValues: [String: Double]? { nil }
}
