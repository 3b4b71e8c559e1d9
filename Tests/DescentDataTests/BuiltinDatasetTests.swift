@testable import DescentData
import DescentCore
import Testing

@Suite struct BuiltinDatasetTests {
    @Test func linearDefaultsFollowTheClassicExample() throws {
        let data = try BuiltinDataset.make("builtin:linear", seed: 1, as: Double.self)
        #expect(data.features.shape == [1000, 2])
        #expect(data.targets.values?.shape == [1000, 1])
        // Residuals of the true line y − (2·x₁ − 3.4·x₂ + 4.2) are the noise: σ = 0.01.
        let x = data.features.scalars, y = data.targets.values!.scalars
        let residuals = (0..<1000).map { (i: Int) -> Double in
            let line: Double = 2 * x[2 * i] - 3.4 * x[2 * i + 1] + 4.2
            return y[i] - line
        }
        let rms = (residuals.map { $0 * $0 }.reduce(0, +) / 1000).squareRoot()
        #expect(rms > 0.009 && rms < 0.011)  // 1000 samples: the estimate of σ is within ±0.0005 with high probability
        // Features are N(0, 1): their mean is near 0 (standard error 1/√2000 ≈ 0.022).
        #expect(abs(x.reduce(0, +) / 2000) < 0.1)
    }

    @Test func linearScalesToManyFeatures() throws {
        let data = try BuiltinDataset.make("linear(count: 50, features: 7, noise: 0)", seed: 2, as: Float.self)
        #expect(data.features.shape == [50, 7])
        #expect(data.featureNames?.last == "x7")
    }

    @Test func classificationSetsHaveBalancedClassesAndAreSeeded() throws {
        let moons = try BuiltinDataset.make("moons(count: 101)", seed: 4, as: Float.self)
        #expect(moons.targets.classes!.filter { $0 == 0 }.count == 50)  // ⌊101/2⌋ in the upper moon
        #expect(moons.classCount == 2)
        let spirals = try BuiltinDataset.make("builtin:spirals(arms: 3, count: 600)", seed: 4, as: Float.self)
        #expect(spirals.count == 600)
        #expect((0..<3).map { c in spirals.targets.classes!.filter { $0 == c }.count } == [200, 200, 200])
        let blobs = try BuiltinDataset.make("blobs(count: 40, centers: 4, features: 3)", seed: 4, as: Double.self)
        #expect(blobs.features.shape == [40, 3])
        #expect(blobs.classCount == 4)
        for name in ["circles", "xor"] {
            let a = try BuiltinDataset.make(name, seed: 9, as: Float.self)
            let b = try BuiltinDataset.make(name, seed: 9, as: Float.self)
            let c = try BuiltinDataset.make(name, seed: 10, as: Float.self)
            #expect(a.features.isIdentical(to: b.features))
            #expect(!a.features.isIdentical(to: c.features))
        }
    }

    @Test func xorLabelsFollowTheQuadrants() throws {
        let data = try BuiltinDataset.make("xor(count: 200, noise: 0)", seed: 1, as: Double.self)
        let x = data.features.scalars
        for (i, label) in data.targets.classes!.enumerated() {
            #expect(label == (x[2 * i] * x[2 * i + 1] < 0 ? 1 : 0))
        }
    }

    @Test func badSpecsAreExplained() {
        #expect(dataErrorMessage { _ = try BuiltinDataset.make("builtin:spiral", as: Float.self) }
                == "builtin:spiral: unknown built-in dataset (did you mean `spirals`?); the built-in datasets are linear, moons, circles, spirals, blobs, xor")
        #expect(dataErrorMessage { _ = try BuiltinDataset.make("spirals(arm: 3)", as: Float.self) }
                == "builtin:spirals(arm: 3): builtin dataset spirals: unknown key `arm` in `spirals(arm: 3)` (did you mean `arms`?); valid keys: count, arms, noise")
    }
}
