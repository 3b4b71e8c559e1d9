import DescentCore
import DescentKernels
import Testing

@testable import DescentOptim

/// The vectorised C loops (plain SGD, SGD with momentum, plain Adam) must give exactly what the
/// general Swift loop gives. `maximize: true` with the gradient negated takes the general loop and
/// computes the same math (`−(−g)` is exact), so the two runs must agree bit for bit, at every
/// instruction set this CPU has (the Float Adam loop has AVX2 and AVX-512 forms).
@Suite struct VectorisedLoopTests {
    /// Runs `body` at each instruction set up to the supported one.
    func atEveryInstructionSet(_ body: () throws -> Void) rethrows {
        for level in GEMM.InstructionSet.allCases where level <= GEMM.supportedInstructionSet {
            try GEMM.withInstructionSet(level, body)
        }
    }

    /// Runs five steps of `fast` on `g` and of `general` on `−g` over 1,003 values (odd, so the
    /// scalar tails run too) and returns both parameter vectors.
    func run<Scalar: TensorScalar>(_ type: Scalar.Type, fast: any Optimizer<Scalar>, general: any Optimizer<Scalar>) throws -> ([Scalar], [Scalar]) {
        var generator = RandomGenerator(seed: 11)
        let count = 1_003
        var a = (0..<count).map { _ in Scalar(generator.nextNormal()) }
        var b = a
        for _ in 0..<5 {
            let g = (0..<count).map { _ in Scalar(generator.nextNormal()) * Scalar(0.1) }
            let negated = g.map { -$0 }
            try a.withUnsafeMutableBufferPointer { p in try g.withUnsafeBufferPointer { try fast.update(name: "w", value: p, gradient: $0) } }
            try b.withUnsafeMutableBufferPointer { p in try negated.withUnsafeBufferPointer { try general.update(name: "w", value: p, gradient: $0) } }
        }
        return (a, b)
    }

    @Test func plainSGDMatchesTheGeneralLoop() throws {
        try atEveryInstructionSet {
            let (f1, g1) = try run(Float.self, fast: SGD<Float>(learningRate: 0.03), general: SGD<Float>(learningRate: 0.03, maximize: true))
            #expect(f1 == g1)
            let (f2, g2) = try run(Double.self, fast: SGD<Double>(learningRate: 0.03), general: SGD<Double>(learningRate: 0.03, maximize: true))
            #expect(f2 == g2)
        }
    }

    @Test func momentumSGDMatchesTheGeneralLoop() throws {
        try atEveryInstructionSet {
            let (f1, g1) = try run(Float.self, fast: SGD<Float>(learningRate: 0.03, momentum: 0.9, dampening: 0.1),
                                   general: SGD<Float>(learningRate: 0.03, momentum: 0.9, dampening: 0.1, maximize: true))
            #expect(f1 == g1)
            let (f2, g2) = try run(Double.self, fast: SGD<Double>(learningRate: 0.03, momentum: 0.9),
                                   general: SGD<Double>(learningRate: 0.03, momentum: 0.9, maximize: true))
            #expect(f2 == g2)
        }
    }

    @Test func plainAdamMatchesTheGeneralLoop() throws {
        try atEveryInstructionSet {
            let (f1, g1) = try run(Float.self, fast: Adam<Float>(learningRate: 0.01), general: Adam<Float>(learningRate: 0.01, maximize: true))
            #expect(f1 == g1)
            let (f2, g2) = try run(Double.self, fast: Adam<Double>(learningRate: 0.01), general: Adam<Double>(learningRate: 0.01, maximize: true))
            #expect(f2 == g2)
        }
    }
}
