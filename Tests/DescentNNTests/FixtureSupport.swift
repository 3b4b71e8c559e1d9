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

/// Runs every layer case of a fixture file: the forward pass, `sum(layer(x)·u).backward()`, and
/// the output, the input and parameter gradients and the buffers against PyTorch's.
/// - Parameters:
///   - sharesLayer: whether a case continues on the layer kept by the last case `keepsLayer` took
///     (BatchNorm's training steps, then its evaluation), as the generator does.
///   - makeLayer: builds a fresh layer from a case.
func checkLayerCases<Scalar: TensorScalar>(
    _ cases: [LayerFixture], _ type: Scalar.Type, tolerance: Double,
    keepsLayer: (String) -> Bool, sharesLayer: (String) -> Bool,
    makeLayer: (LayerFixture) throws -> any Layer<Scalar>
) throws {
    var kept: (any Layer<Scalar>)? = nil
    for fixture in cases {
        let layer: any Layer<Scalar>
        if sharesLayer(fixture.name), let kept {
            layer = kept
        } else {
            layer = try makeLayer(fixture)
            if keepsLayer(fixture.name) { kept = layer }
        }
        let x: Tensor<Scalar> = try fixture.input.tensor().requiringGradient()
        let output = try layer.forward(x, context: fixture.mode == "training" ? .training : .evaluation)
        #expect(output.shape == fixture.output.shape, "\(fixture.name) output shape")
        expectClose(output, fixture.output, tolerance: tolerance, "\(fixture.name) output")
        try (output * fixture.upstream.tensor()).sum().backward()
        expectClose(x.gradient, fixture.inputGradient, tolerance: tolerance, "\(fixture.name) input gradient")
        let named = Dictionary(uniqueKeysWithValues: layer.namedParameters().map { ($0.name, $0.parameter) })
        #expect(Set(named.keys) == Set(fixture.parameterGradients.keys), "\(fixture.name) parameter names")
        for (name, expected) in fixture.parameterGradients {
            expectClose(named[name]?.gradient, expected, tolerance: tolerance, "\(fixture.name) ∂/∂\(name)")
        }
        let buffers = Dictionary(uniqueKeysWithValues: layer.namedBuffers().map { ($0.name, $0.buffer) })
        #expect(Set(buffers.keys) == Set(fixture.buffersAfter.keys), "\(fixture.name) buffer names")
        for (name, expected) in fixture.buffersAfter {
            expectClose(buffers[name]?.value, expected, tolerance: tolerance, "\(fixture.name) buffer \(name)")
        }
        layer.zeroGradients()
    }
}
