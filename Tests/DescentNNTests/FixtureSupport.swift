import Foundation
import Testing
@testable import DescentNN
import DescentCore

/// A tensor as the fixture generator writes it.
struct FixtureTensor: Codable {
    var shape: [Int]
    var values: [Double]
    func tensor<Scalar: TensorScalar>(_ type: Scalar.Type = Scalar.self) throws -> Tensor<Scalar> {
        try Tensor(shape: shape, scalars: values.map { Scalar($0) })
    }
}

/// One layer case of `scripts/fixtures/nn/generate.py`.
struct LayerFixture: Codable {
    var name: String
    var layer: String
    var mode: String
    var options: [String: Double]
    var input: FixtureTensor
    var parameters: [String: FixtureTensor]
    var buffersBefore: [String: FixtureTensor]
    var output: FixtureTensor
    var upstream: FixtureTensor
    var inputGradient: FixtureTensor
    var parameterGradients: [String: FixtureTensor]
    var buffersAfter: [String: FixtureTensor]
}

/// The options of a loss case.
struct LossOptions: Codable {
    var loss: String
    var reduction: String
    var delta: Double?
    var beta: Double?
    var weight: [Double]?
    var positiveWeight: [Double]?
    var classWeights: [Double]?
    var labelSmoothing: Double?
    var ignoreIndex: Int?
}

/// One loss case of `scripts/fixtures/nn/generate.py`.
struct LossFixture: Codable {
    var name: String
    var options: LossOptions
    var input: FixtureTensor
    var target: FixtureTensor
    var targetKind: String
    var value: FixtureTensor
    var inputGradient: FixtureTensor
    var upstream: FixtureTensor?
}

/// A whole fixture file (one dtype).
struct PyTorchFixtures: Codable {
    var dtype: String
    var torch: String
    var layers: [LayerFixture]
    var losses: [LossFixture]
}

enum Fixtures {
    static func url(_ name: String) throws -> URL {
        let url = try #require(Bundle.module.url(forResource: "Fixtures/" + name, withExtension: nil)
                               ?? Bundle.module.url(forResource: name, withExtension: nil, subdirectory: "Fixtures"),
                               "fixture \(name) not found; run scripts/fixtures/nn/generate.py")
        return url
    }

    static func load<T: Decodable>(_ name: String, as type: T.Type = T.self) throws -> T {
        try JSONDecoder().decode(T.self, from: Data(contentsOf: url(name)))
    }

    /// The source folder of the fixtures (to regenerate the Descent-written ones).
    static var sourceDirectory: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")
    }
}

/// The normwise relative error `max|a − b| / max|b|` (0 when both are all zero).
func normwiseRelativeError(_ actual: [Double], _ expected: [Double]) -> Double {
    let scale = expected.map(abs).max() ?? 0
    let difference = zip(actual, expected).map { abs($0 - $1) }.max() ?? 0
    if scale == 0 { return difference }
    return difference / scale
}

/// Expects `actual` to match the fixture tensor in shape and within `tolerance` (normwise relative).
func expectClose<Scalar: TensorScalar>(
    _ actual: Tensor<Scalar>?, _ expected: FixtureTensor, tolerance: Double, _ what: String,
    sourceLocation: SourceLocation = #_sourceLocation
) {
    guard let actual else {
        Issue.record("\(what): no value (expected shape \(expected.shape))", sourceLocation: sourceLocation)
        return
    }
    #expect(actual.shape == expected.shape, "\(what): shape", sourceLocation: sourceLocation)
    let error = normwiseRelativeError(actual.doubles, expected.values)
    #expect(error <= tolerance, "\(what): relative error \(error) > \(tolerance)", sourceLocation: sourceLocation)
}
