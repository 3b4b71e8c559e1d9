import Foundation
import Testing
@testable import DescentNN
import DescentCore

struct ModelPredictionFixture: Codable {
    var file: String
    var input: FixtureTensor
    var predictions: FixtureTensor
    var stateNames: [String]?
}

struct PyTorchModelFixtures: Codable {
    var torch: String
    var mlp: ModelPredictionFixture
    var mlpBatchNorm: ModelPredictionFixture
}

/// Model files between PyTorch and Descent. Expected predictions come from PyTorch
/// (`scripts/fixtures/nn/generate.py`, which also loads `descent_mlp.safetensors` into torch).
@Suite struct ModelFileTests {
    @Test func pytorchWrittenFileLoadsWithIdenticalPredictions() throws {
        let fixtures = try Fixtures.load("pytorch_models.json", as: PyTorchModelFixtures.self)
        var generator = RandomGenerator(seed: 0)
        // F32 file into a Float model: the same arithmetic as PyTorch up to summation order.
        let model = Sequential<Float>.mlp(inputs: 4, hiddenSizes: [5], outputs: 3, generator: &generator)
        try model.loadState(from: Fixtures.url(fixtures.mlp.file))
        let predictions = try model(fixtures.mlp.input.tensor(), mode: .evaluation)
        expectClose(predictions, fixtures.mlp.predictions, tolerance: 1e-6, "Float predictions")
        // The same file into a Double model (F32 values widen exactly).
        let wide = Sequential<Double>.mlp(inputs: 4, hiddenSizes: [5], outputs: 3, generator: &generator)
        try wide.loadState(from: Fixtures.url(fixtures.mlp.file))
        expectClose(try wide(fixtures.mlp.input.tensor(), mode: .evaluation), fixtures.mlp.predictions, tolerance: 1e-6, "Double predictions")
    }

    @Test func pytorchBatchNormModelLoadsWithIntegerCounterAndRunningStatistics() throws {
        let fixtures = try Fixtures.load("pytorch_models.json", as: PyTorchModelFixtures.self)
        var generator = RandomGenerator(seed: 0)
        let model = Sequential<Double>.mlp(inputs: 4, hiddenSizes: [5], outputs: 3, batchNorm: true, generator: &generator)
        #expect(model.stateEntries().map(\.name) == fixtures.mlpBatchNorm.stateNames)
        try model.loadState(from: Fixtures.url(fixtures.mlpBatchNorm.file))
        let batchNorm = model[1] as! BatchNorm1d<Double>
        #expect(batchNorm.batchesTracked.value.scalar == 3)  // three training batches in the generator
        let predictions = try model(fixtures.mlpBatchNorm.input.tensor(), mode: .evaluation)
        expectClose(predictions, fixtures.mlpBatchNorm.predictions, tolerance: 1e-12, "predictions")
    }

    /// The Descent-written model that `generate.py` loads into torch. With `DESCENT_WRITE_FIXTURES=1`
    /// this test rewrites it; otherwise it checks that Descent still writes the same bytes.
    @Test func descentWrittenFileMatchesCommittedFixture() throws {
        var generator = RandomGenerator(seed: 42)
        let model = Sequential<Double>.mlp(inputs: 4, hiddenSizes: [5], outputs: 3, batchNorm: true, generator: &generator)
        for _ in 0..<2 {  // move the running statistics away from 0 and 1
            _ = try model(Tensor.normal(shape: [8, 4], mean: 0.5, standardDeviation: 2, generator: &generator), mode: .training)
        }
        let input = Tensor<Double>.normal(shape: [6, 4], generator: &generator)
        let predictions = try model(input, mode: .evaluation)
        let data = model.stateArchive(metadata: ["writer": "Descent"]).encoded()
        if ProcessInfo.processInfo.environment["DESCENT_WRITE_FIXTURES"] == "1" {
            try data.write(to: Fixtures.sourceDirectory.appendingPathComponent("descent_mlp.safetensors"))
            let json = ModelPredictionFixture(
                file: "descent_mlp.safetensors",
                input: FixtureTensor(shape: input.shape, values: input.doubles),
                predictions: FixtureTensor(shape: predictions.shape, values: predictions.doubles),
                stateNames: model.stateEntries().map(\.name))
            try JSONEncoder().encode(json).write(to: Fixtures.sourceDirectory.appendingPathComponent("descent_mlp.json"))
        }
        // The committed file is the one generate.py loaded into torch. The model above is rebuilt from
        // the same seed, but its running statistics come from GEMMs whose last bits depend on the
        // kernel, so compare values within 1e-12 and check the writer byte for byte on the loaded state.
        let committed = try Data(contentsOf: Fixtures.url("descent_mlp.safetensors"))
        let loaded = Sequential<Double>.mlp(inputs: 4, hiddenSizes: [5], outputs: 3, batchNorm: true, generator: &generator)
        try loaded.loadState(from: Fixtures.url("descent_mlp.safetensors"))
        #expect(loaded.stateArchive(metadata: ["writer": "Descent"]).encoded() == committed,
                "Descent now writes different bytes for the same state; rerun with DESCENT_WRITE_FIXTURES=1 and generate.py")
        #expect(committed.count == data.count)
        let expected = try Fixtures.load("descent_mlp.json", as: ModelPredictionFixture.self)
        expectClose(predictions, expected.predictions, tolerance: 1e-12, "predictions of the rebuilt model")
        expectClose(try loaded(input, mode: .evaluation), expected.predictions, tolerance: 1e-12, "predictions of the loaded model")
        let archive = try SafeTensorsArchive(data: committed)
        #expect(archive.tensors["1.num_batches_tracked"]?.dtype == .I64)
        #expect(archive.tensors["0.weight"]?.dtype == .F64)
    }

    @Test func saveAndLoadRoundTripGivesIdenticalPredictions() throws {
        var generator = RandomGenerator(seed: 11)
        let model = Sequential<Float>.mlp(inputs: 3, hiddenSizes: [4, 4], outputs: 2, activation: .tanh, batchNorm: true, generator: &generator)
        _ = try model(Tensor.normal(shape: [5, 3], generator: &generator), mode: .training)
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("descent-roundtrip-\(UUID()).safetensors")
        defer { try? FileManager.default.removeItem(at: url) }
        try model.saveState(to: url, metadata: ["epoch": "3"])
        var other = RandomGenerator(seed: 99)
        let copy = Sequential<Float>.mlp(inputs: 3, hiddenSizes: [4, 4], outputs: 2, activation: .tanh, batchNorm: true, generator: &other)
        let x = Tensor<Float>.normal(shape: [4, 3], generator: &generator)
        #expect(try !copy(x, mode: .evaluation).isIdentical(to: model(x, mode: .evaluation)))
        try copy.loadState(from: url)
        #expect(try copy(x, mode: .evaluation).isIdentical(to: model(x, mode: .evaluation)))
        #expect(try SafeTensorsArchive(contentsOf: url).metadata == ["epoch": "3"])
    }

    @Test func loadingReportsEveryMismatchAndChangesNothing() throws {
        var generator = RandomGenerator(seed: 0)
        let model = Sequential<Double>.mlp(inputs: 4, hiddenSizes: [6], outputs: 3, batchNorm: true, generator: &generator)
        let before = model.flattenedParameters()
        // The PyTorch file has Linear(4,5) at 0 and Linear(5,3) at 2, no BatchNorm.
        do {
            try model.loadState(from: Fixtures.url("pytorch_mlp.safetensors"))
            Issue.record("expected a mismatch")
        } catch let error as StateMismatchError {
            #expect(error.missing == ["1.weight", "1.bias", "1.running_mean", "1.running_var", "1.num_batches_tracked", "3.weight", "3.bias"])
            #expect(error.unexpected == ["2.bias", "2.weight"])
            #expect(error.wrongShape == [
                .init(name: "0.weight", expected: [6, 4], found: [5, 4]),
                .init(name: "0.bias", expected: [6], found: [5]),
            ])
            #expect("\(error)".contains("wrong shape for 0.weight: the model has [6, 4], the file has [5, 4]"))
            #expect("\(error)".contains("missing from the file: 1.weight"))
        }
        #expect(model.flattenedParameters().isIdentical(to: before))
        let linear = Sequential<Double>.linearRegression(inputs: 4, outputs: 5, generator: &generator)
        #expect { try linear.loadState(from: Fixtures.url("pytorch_mlp.safetensors")) } throws: { error in
            (error as? StateMismatchError)?.unexpected == ["2.bias", "2.weight"]
        }
        let integers = SafeTensorsArchive(tensors: ["0.weight": SafeTensor(integers: Array(repeating: 1, count: 20), shape: [5, 4]),
                                                    "0.bias": SafeTensor(Tensor<Double>(zeros: [5]))])
        #expect { try linear.loadState(from: integers) } throws: { error in
            (error as? StateMismatchError)?.wrongType.map(\.name) == ["0.weight"]
        }
    }
}
