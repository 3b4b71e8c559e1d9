import DescentCore
import Foundation

/// Small synthetic datasets generated from a seed, for demos, tests and teaching.
///
/// Each is addressable by a spec string (`builtin:` is optional):
///
///     let data: TensorDataset<Float> = try BuiltinDataset.make("builtin:spirals(arms: 3, count: 600)", seed: 1)
///
/// | name | task | features | arguments (defaults) |
/// |---|---|---|---|
/// | `linear` | regression | `features` | `count: 1000, features: 2, weights: [2, -3.4], bias: 4.2, noise: 0.01` |
/// | `moons` | 2 classes | 2 | `count: 200, noise: 0.1` |
/// | `circles` | 2 classes | 2 | `count: 200, noise: 0.05, factor: 0.5` |
/// | `spirals` | `arms` classes | 2 | `count: 300, arms: 3, noise: 0.2` |
/// | `blobs` | `centers` classes | `features` | `count: 300, centers: 3, features: 2, standardDeviation: 1` |
/// | `xor` | 2 classes | 2 | `count: 200, noise: 0.05` |
///
/// The same seed gives the same data on every run and platform (see `RandomGenerator`).
/// - scikit-learn: `make_regression`, `make_moons`, `make_circles`, `make_blobs`;
///   d2l.ai's `synthetic_data(w, b, n)`; CS231n's spiral data.
public enum BuiltinDataset {
    /// The names of the built-in datasets.
    public static let names = ["linear", "moons", "circles", "spirals", "blobs", "xor"]

    /// `true` if `source` names a built-in dataset (`builtin:NAME…`).
    public static func isBuiltin(_ source: String) -> Bool { source.hasPrefix("builtin:") }

    /// The dataset a spec describes, such as `builtin:moons(count: 500, noise: 0.2)`.
    /// - Parameters:
    ///   - spec: the name and arguments; the `builtin:` prefix is optional.
    ///   - seed: the random seed. The default value is `0`.
    ///   - as: the element type, `Float` or `Double`; inferred from the context when left out.
    /// - Throws: ``DataError`` for an unknown name or invalid arguments.
    public static func make<Scalar: TensorScalar>(_ spec: String, seed: UInt64 = 0, as _: Scalar.Type = Scalar.self) throws -> TensorDataset<Scalar> {
        let text = spec.hasPrefix("builtin:") ? String(spec.dropFirst("builtin:".count)) : spec
        do {
            let parsed = try Spec(parsing: text)
            let component = "builtin dataset \(parsed.name)"
            switch parsed.name {
            case "linear":
                var arguments = try SpecArguments(parsed, component: component, validKeys: ["count", "features", "weights", "bias", "noise"])
                let count = try arguments.int("count", aliases: ["rows", "samples"], default: 1000)
                let weights = try arguments.doubles("weights", default: [])
                let features = try arguments.int("features", default: weights.isEmpty ? 2 : weights.count)
                let bias = try arguments.double("bias", default: 4.2)
                let noise = try arguments.double("noise", default: 0.01)
                try arguments.finish()
                return try linear(count: count, features: features, weights: weights.isEmpty ? nil : weights, bias: bias, noise: noise, seed: seed)
            case "moons", "circles", "xor":
                let keys = parsed.name == "circles" ? ["count", "noise", "factor"] : ["count", "noise"]
                var arguments = try SpecArguments(parsed, component: component, validKeys: keys)
                let count = try arguments.int("count", aliases: ["samples"], default: 200)
                let defaultNoise = ["moons": 0.1, "circles": 0.05, "xor": 0.05][parsed.name]!
                let noise = try arguments.double("noise", default: defaultNoise)
                let factor = parsed.name == "circles" ? try arguments.double("factor", default: 0.5) : 0
                try arguments.finish()
                switch parsed.name {
                case "moons": return try moons(count: count, noise: noise, seed: seed)
                case "circles": return try circles(count: count, noise: noise, factor: factor, seed: seed)
                default: return try xor(count: count, noise: noise, seed: seed)
                }
            case "spirals":
                var arguments = try SpecArguments(parsed, component: component, validKeys: ["count", "arms", "noise"])
                let count = try arguments.int("count", aliases: ["samples"], default: 300)
                let arms = try arguments.int("arms", aliases: ["classes"], default: 3)
                let noise = try arguments.double("noise", default: 0.2)
                try arguments.finish()
                return try spirals(count: count, arms: arms, noise: noise, seed: seed)
            case "blobs":
                var arguments = try SpecArguments(parsed, component: component, validKeys: ["count", "centers", "features", "standardDeviation"])
                let count = try arguments.int("count", aliases: ["samples"], default: 300)
                let centers = try arguments.int("centers", aliases: ["classes"], default: 3)
                let features = try arguments.int("features", default: 2)
                let deviation = try arguments.double("standardDeviation", aliases: ["std"], default: 1)
                try arguments.finish()
                return try blobs(count: count, centers: centers, features: features, standardDeviation: deviation, seed: seed)
            default:
                throw DataError(file: "builtin:\(parsed.name)", "unknown built-in dataset\(Suggestion.didYouMean(parsed.name, among: names)); the built-in datasets are \(names.joined(separator: ", "))")
            }
        } catch let error as SpecError {
            throw DataError(file: "builtin:\(text)", error.message)
        }
    }

    /// Linear regression data: `y = X·w + b + ε`, `X ~ N(0, 1)`, `ε ~ N(0, noise²)`; targets `[count, 1]`.
    /// - Parameters:
    ///   - count: rows. The default value is `1000`.
    ///   - features: columns of `X`. The default value is `2`.
    ///   - weights: `w`. The default value is `nil`: `[2, −3.4]` for two features (d2l.ai's example),
    ///     otherwise drawn from N(0, 1) with stream 2 of the seed.
    ///   - bias: `b`. The default value is `4.2`.
    ///   - noise: σ of ε. The default value is `0.01`.
    ///   - seed: the random seed (`X` uses stream 0, ε stream 1). The default value is `0`.
    ///   - as: the element type, `Float` or `Double`; inferred from the context when left out.
    public static func linear<Scalar: TensorScalar>(
        count: Int = 1000, features: Int = 2, weights: [Double]? = nil, bias: Double = 4.2, noise: Double = 0.01, seed: UInt64 = 0,
        as _: Scalar.Type = Scalar.self
    ) throws -> TensorDataset<Scalar> {
        try check(count >= 1, "linear: count must be ≥ 1, got \(count)")
        try check(features >= 1, "linear: features must be ≥ 1, got \(features)")
        try check(noise >= 0, "linear: noise must be ≥ 0, got \(noise)")
        var weightGenerator = RandomGenerator(seed: seed, stream: 2)
        let w = weights ?? (features == 2 ? [2, -3.4] : (0..<features).map { _ in weightGenerator.nextNormal() })
        try check(w.count == features, "linear: \(w.count) weights for \(features) features")
        var generator = RandomGenerator(seed: seed)
        var noiseGenerator = RandomGenerator(seed: seed, stream: 1)
        var y = [Double](repeating: 0, count: count)
        let x = Tensor<Scalar>(shape: [count, features]) { out in
            fillNormal(out, standardDeviation: 1, generator: &generator)
            linearTargets(out, rows: count, columns: features, weights: w, bias: bias, into: &y)
        }
        for i in 0..<count where noise > 0 { y[i] += noise * noiseGenerator.nextNormal() }
        let targets = try Tensor<Scalar>(shape: [count, 1], scalars: y.map { Scalar($0) })
        return try TensorDataset(features: x, targets: .values(targets), featureNames: (1...features).map { "x\($0)" })
    }

    /// Two interleaving half circles (scikit-learn's `make_moons`); class 0 is the upper moon.
    public static func moons<Scalar: TensorScalar>(count: Int = 200, noise: Double = 0.1, seed: UInt64 = 0, as _: Scalar.Type = Scalar.self) throws -> TensorDataset<Scalar> {
        try check(count >= 2, "moons: count must be ≥ 2, got \(count)")
        let outer = count / 2, inner = count - outer
        var points: [(Double, Double, Int)] = []
        for i in 0..<outer {
            let t = Double.pi * Double(i) / Double(Swift.max(outer - 1, 1))
            points.append((cosine(t), sine(t), 0))
        }
        for i in 0..<inner {
            let t = Double.pi * Double(i) / Double(Swift.max(inner - 1, 1))
            points.append((1 - cosine(t), 0.5 - sine(t), 1))
        }
        return try twoDimensional(points, noise: noise, seed: seed, classCount: 2)
    }

    /// A small circle inside a large one (scikit-learn's `make_circles`); class 0 is the outer circle.
    /// - Parameters:
    ///   - count: points in all. The default value is `200`.
    ///   - noise: σ of the Gaussian noise added to each coordinate. The default value is `0.05`.
    ///   - factor: the inner radius relative to the outer one, in (0, 1). The default value is `0.5`.
    ///   - seed: the random seed. The default value is `0`.
    ///   - as: the element type, `Float` or `Double`; inferred from the context when left out.
    public static func circles<Scalar: TensorScalar>(count: Int = 200, noise: Double = 0.05, factor: Double = 0.5, seed: UInt64 = 0, as _: Scalar.Type = Scalar.self) throws -> TensorDataset<Scalar> {
        try check(count >= 2, "circles: count must be ≥ 2, got \(count)")
        try check(factor > 0 && factor < 1, "circles: factor must be in (0, 1), got \(factor)")
        let outer = count / 2, inner = count - outer
        var points: [(Double, Double, Int)] = []
        for i in 0..<outer {
            let t = 2 * Double.pi * Double(i) / Double(outer)
            points.append((cosine(t), sine(t), 0))
        }
        for i in 0..<inner {
            let t = 2 * Double.pi * Double(i) / Double(inner)
            points.append((factor * cosine(t), factor * sine(t), 1))
        }
        return try twoDimensional(points, noise: noise, seed: seed, classCount: 2)
    }

    /// `arms` interleaved spirals (CS231n): arm k has radius r ∈ [0, 1] and angle 4k + 4r + noise·N(0, 1).
    public static func spirals<Scalar: TensorScalar>(count: Int = 300, arms: Int = 3, noise: Double = 0.2, seed: UInt64 = 0, as _: Scalar.Type = Scalar.self) throws -> TensorDataset<Scalar> {
        try check(arms >= 2, "spirals: arms must be ≥ 2, got \(arms)")
        try check(count >= arms, "spirals: count must be ≥ arms (\(arms)), got \(count)")
        var generator = RandomGenerator(seed: seed, stream: 1)
        var points: [(Double, Double, Int)] = []
        for arm in 0..<arms {
            let size = count / arms + (arm < count % arms ? 1 : 0)
            for i in 0..<size {
                let r = Double(i) / Double(Swift.max(size - 1, 1))
                let t = 4 * Double(arm) + 4 * r + noise * generator.nextNormal()
                points.append((r * sine(t), r * cosine(t), arm))
            }
        }
        // The angle noise is the spirals' noise; no extra noise on the coordinates.
        return try twoDimensional(points, noise: 0, seed: seed, classCount: arms)
    }

    /// Gaussian blobs (scikit-learn's `make_blobs`): centres uniform in [−10, 10]ᶠ, points N(centre, σ²).
    public static func blobs<Scalar: TensorScalar>(
        count: Int = 300, centers: Int = 3, features: Int = 2, standardDeviation: Double = 1, seed: UInt64 = 0, as _: Scalar.Type = Scalar.self
    ) throws -> TensorDataset<Scalar> {
        try check(centers >= 1 && count >= centers, "blobs: need 1 ≤ centers ≤ count, got centers \(centers), count \(count)")
        try check(features >= 1 && standardDeviation >= 0, "blobs: need features ≥ 1 and standardDeviation ≥ 0")
        var generator = RandomGenerator(seed: seed)
        let middles = (0..<centers).map { _ in (0..<features).map { _ in -10 + 20 * generator.nextUniform() } }
        var rows: [[Double]] = []
        var labels: [Int] = []
        for c in 0..<centers {
            let size = count / centers + (c < count % centers ? 1 : 0)
            for _ in 0..<size {
                rows.append(middles[c].map { $0 + standardDeviation * generator.nextNormal() })
                labels.append(c)
            }
        }
        let order = generator.permutation(rows.count)
        let x = try Tensor<Scalar>(shape: [count, features], scalars: order.flatMap { rows[$0].map { Scalar($0) } })
        return try TensorDataset(features: x, targets: .classes(order.map { labels[$0] }), featureNames: (1...features).map { "x\($0)" }, classCount: centers)
    }

    /// The XOR problem: points uniform in [−1, 1]², class 1 where x₁·x₂ < 0, then noise·N(0, 1) added.
    public static func xor<Scalar: TensorScalar>(count: Int = 200, noise: Double = 0.05, seed: UInt64 = 0, as _: Scalar.Type = Scalar.self) throws -> TensorDataset<Scalar> {
        try check(count >= 1, "xor: count must be ≥ 1, got \(count)")
        var generator = RandomGenerator(seed: seed, stream: 1)
        let points = (0..<count).map { _ -> (Double, Double, Int) in
            let a = 2 * generator.nextUniform() - 1, b = 2 * generator.nextUniform() - 1
            return (a, b, a * b < 0 ? 1 : 0)
        }
        return try twoDimensional(points, noise: noise, seed: seed, classCount: 2)
    }

    /// Shuffles labelled 2-D points, adds N(0, noise²) to each coordinate, and builds the dataset.
    static func twoDimensional<Scalar: TensorScalar>(_ points: [(Double, Double, Int)], noise: Double, seed: UInt64, classCount: Int) throws -> TensorDataset<Scalar> {
        try check(noise >= 0, "noise must be ≥ 0, got \(noise)")
        var generator = RandomGenerator(seed: seed)
        let order = generator.permutation(points.count)
        var scalars: [Scalar] = []
        scalars.reserveCapacity(2 * points.count)
        for index in order {
            let (a, b) = noise > 0 ? generator.nextNormalPair() : (0, 0)
            scalars.append(Scalar(points[index].0 + noise * a))
            scalars.append(Scalar(points[index].1 + noise * b))
        }
        return try TensorDataset(
            features: try Tensor(shape: [points.count, 2], scalars: scalars), targets: .classes(order.map { points[$0].2 }),
            featureNames: ["x1", "x2"], classCount: classCount)
    }

    static func check(_ condition: Bool, _ message: @autoclosure () -> String) throws {
        if !condition { throw DataError(message()) }
    }
}

// The C library's sin and cos (glibc on Linux), the same ones RandomGenerator's Box–Muller uses.
private func sine(_ x: Double) -> Double { Foundation.sin(x) }
private func cosine(_ x: Double) -> Double { Foundation.cos(x) }

/// Fills `out` with N(0, σ²) samples, through a concrete Float or Double loop.
func fillNormal<Scalar: TensorScalar>(_ out: UnsafeMutableBufferPointer<Scalar>, standardDeviation: Double, generator: inout RandomGenerator) {
    if Scalar.self == Float.self {
        fillNormalConcrete(UnsafeMutableRawPointer(out.baseAddress!).assumingMemoryBound(to: Float.self), out.count, standardDeviation, &generator)
    } else {
        fillNormalConcrete(UnsafeMutableRawPointer(out.baseAddress!).assumingMemoryBound(to: Double.self), out.count, standardDeviation, &generator)
    }
}

@inline(__always)
func fillNormalConcrete<T: BinaryFloatingPoint>(_ out: UnsafeMutablePointer<T>, _ count: Int, _ deviation: Double, _ generator: inout RandomGenerator) {
    var i = 0
    while i < count {
        let (a, b) = generator.nextNormalPair()
        out[i] = T(deviation * a)
        if i + 1 < count { out[i + 1] = T(deviation * b) }
        i += 2
    }
}

/// `y[i] = Σⱼ x[i, j]·w[j] + b` in Double, through a concrete Float or Double loop.
func linearTargets<Scalar: TensorScalar>(_ x: UnsafeMutableBufferPointer<Scalar>, rows: Int, columns: Int, weights: [Double], bias: Double, into y: inout [Double]) {
    func run<T: BinaryFloatingPoint>(_ p: UnsafePointer<T>) {
        weights.withUnsafeBufferPointer { w in
            for i in 0..<rows {
                var sum = bias
                let row = p + i * columns
                for j in 0..<columns { sum += Double(row[j]) * w[j] }
                y[i] = sum
            }
        }
    }
    if Scalar.self == Float.self {
        run(UnsafeRawPointer(x.baseAddress!).assumingMemoryBound(to: Float.self))
    } else {
        run(UnsafeRawPointer(x.baseAddress!).assumingMemoryBound(to: Double.self))
    }
}
