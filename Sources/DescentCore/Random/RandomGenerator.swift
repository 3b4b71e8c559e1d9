/// A seeded pseudo-random generator that gives the same numbers for the same seed on every platform.
///
/// Algorithm: xoshiro256** (Blackman & Vigna, 2018) with its 256-bit state filled from the 64-bit
/// seed by SplitMix64, as its authors recommend. Derived quantities use only integer arithmetic and
/// exactly rounded floating-point operations, so they are bit-identical everywhere:
/// - ``nextUniform()``: the top 53 bits of the next output times 2⁻⁵³, in [0, 1);
/// - ``nextIndex(below:)``: Lemire's unbiased multiply-and-reject method (2019);
/// - ``permutation(_:)``: Fisher–Yates from the last element down, using ``nextIndex(below:)``.
/// ``nextNormal()`` uses the Box–Muller transform, which calls `log`, `cos` and `sin`: identical
/// wherever the C library's versions agree (glibc on every Linux), possibly different in the last
/// bit elsewhere.
///
/// A `stream` number gives an independent generator for each purpose from one seed (for example
/// one per epoch for shuffling, so an epoch's order can be recomputed from the seed and the epoch
/// number alone).
public struct RandomGenerator: RandomNumberGenerator, Sendable, Codable, Equatable {
    /// The four words of xoshiro256** state; save them to resume the sequence exactly.
    public var state: (UInt64, UInt64, UInt64, UInt64) {
        get { (s0, s1, s2, s3) }
        set { (s0, s1, s2, s3) = newValue }
    }
    private var s0: UInt64, s1: UInt64, s2: UInt64, s3: UInt64

    /// A generator for `seed` and (optionally) an independent `stream` of it.
    public init(seed: UInt64, stream: UInt64 = 0) {
        var splitMix = seed ^ (stream &* 0xD1B5_4A32_D192_ED03)
        func next() -> UInt64 {
            splitMix &+= 0x9E37_79B9_7F4A_7C15
            var z = splitMix
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        s0 = next(); s1 = next(); s2 = next(); s3 = next()
    }

    /// The next 64 random bits.
    public mutating func next() -> UInt64 {
        let result = rotateLeft(s1 &* 5, 7) &* 9
        let t = s1 << 17
        s2 ^= s0; s3 ^= s1; s1 ^= s2; s0 ^= s3
        s2 ^= t
        s3 = rotateLeft(s3, 45)
        return result
    }

    @inline(__always) private func rotateLeft(_ x: UInt64, _ k: UInt64) -> UInt64 { (x << k) | (x >> (64 - k)) }

    /// A uniform `Double` in [0, 1) with 53 random bits.
    public mutating func nextUniform() -> Double { Double(next() >> 11) * 0x1.0p-53 }

    /// A uniform integer in `0..<bound` without modulo bias (Lemire 2019). `bound` must be > 0.
    public mutating func nextIndex(below bound: Int) -> Int {
        precondition(bound > 0, "RandomGenerator.nextIndex(below:) needs a positive bound, got \(bound)")
        let range = UInt64(bound)
        var product = next().multipliedFullWidth(by: range)
        if product.low < range {
            let threshold = (0 &- range) % range
            while product.low < threshold { product = next().multipliedFullWidth(by: range) }
        }
        return Int(product.high)
    }

    /// A standard normal `Double` (Box–Muller; uses two uniforms, returns the cosine branch).
    public mutating func nextNormal() -> Double {
        let (a, _) = nextNormalPair()
        return a
    }

    /// Two independent standard normal numbers from one Box–Muller transform.
    public mutating func nextNormalPair() -> (Double, Double) {
        // 1 − u lies in (0, 1], so the logarithm is finite.
        let u1 = 1 - nextUniform()
        let u2 = nextUniform()
        let radius = (-2 * _log(u1)).squareRoot()
        let angle = 2 * Double.pi * u2
        return (radius * _cos(angle), radius * _sin(angle))
    }

    /// A random permutation of `0..<count` (Fisher–Yates).
    public mutating func permutation(_ count: Int) -> [Int] {
        var indices = Array(0..<count)
        var i = count - 1
        while i > 0 {
            let j = nextIndex(below: i + 1)
            indices.swapAt(i, j)
            i -= 1
        }
        return indices
    }

    public static func == (a: RandomGenerator, b: RandomGenerator) -> Bool {
        a.s0 == b.s0 && a.s1 == b.s1 && a.s2 == b.s2 && a.s3 == b.s3
    }

    private enum CodingKeys: CodingKey { case state }
    public init(from decoder: Decoder) throws {
        let words = try decoder.container(keyedBy: CodingKeys.self).decode([UInt64].self, forKey: .state)
        guard words.count == 4 else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "RandomGenerator state needs 4 words, found \(words.count)"))
        }
        (s0, s1, s2, s3) = (words[0], words[1], words[2], words[3])
    }
    public func encode(to encoder: Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode([s0, s1, s2, s3], forKey: .state)
    }
}

import RealModule
@inline(__always) private func _log(_ x: Double) -> Double { Double.log(x) }
@inline(__always) private func _cos(_ x: Double) -> Double { Double.cos(x) }
@inline(__always) private func _sin(_ x: Double) -> Double { Double.sin(x) }

extension Tensor {
    /// A tensor of uniform samples in [`lower`, `upper`) (`torch.rand`, `uniform_`).
    public static func uniform(shape: [Int], lower: Scalar = 0, upper: Scalar = 1, generator: inout RandomGenerator) -> Tensor {
        let width = Double(upper) - Double(lower)
        return Tensor(shape: shape) { out in
            for i in 0..<out.count { out[i] = Scalar(Double(lower) + width * generator.nextUniform()) }
        }
    }

    /// A tensor of normal samples with the given mean and standard deviation (`torch.randn`, `normal_`).
    public static func normal(shape: [Int], mean: Scalar = 0, standardDeviation: Scalar = 1, generator: inout RandomGenerator) -> Tensor {
        Tensor(shape: shape) { out in
            var i = 0
            while i < out.count {
                let (a, b) = generator.nextNormalPair()
                out[i] = Scalar(Double(mean) + Double(standardDeviation) * a)
                if i + 1 < out.count { out[i + 1] = Scalar(Double(mean) + Double(standardDeviation) * b) }
                i += 2
            }
        }
    }
}
