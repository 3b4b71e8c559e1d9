import ArgumentParser
import Descent
import Foundation

/// `descent demo`: the main job on built-in data.
struct DemoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Run gradient descent on built-in problems and print what happens.")

    @Option(help: "Seed for the random generator.")
    var seed: UInt64 = 0

    func run() throws {
        // 1. The seed example: minimise L(w) = w⁴ − 3w³ + 2 from w = 6 with learning rate 0.01.
        print("1. Minimise L(w) = w⁴ − 3w³ + 2 by gradient descent (start w = 6, learning rate 0.01)")
        var w = Tensor<Double>([6]).requiringGradient()
        for step in 0...60 {
            let loss = (w.pow(4) - 3 * w.pow(3) + 2).sum()
            try loss.backward()
            let gradient = w.gradient!.scalars[0]
            if step % 10 == 0 {
                print(String(format: "   step %3d  w = %10.6f  L(w) = %11.6f  dL/dw = %11.6f", step, w.scalars[0], loss.scalar, gradient))
            }
            w = withoutGradients { w - 0.01 * w.gradient! }.requiringGradient()
        }
        print("   (the minimum is at w = 9/4 = 2.25, L = −6.54296875)\n")

        // 2. Fit a straight line y = 2x − 3.4 + noise with mean-squared error.
        print("2. Fit a line y = a·x + b to 200 noisy points of y = 2x − 3.4 (full-batch gradient descent, learning rate 0.1)")
        var generator = RandomGenerator(seed: seed)
        let x = Tensor<Double>.uniform(shape: [200, 1], lower: -1, upper: 1, generator: &generator)
        let noise = Tensor<Double>.normal(shape: [200, 1], standardDeviation: 0.01, generator: &generator)
        let y = 2 * x - 3.4 + noise
        var a = Tensor<Double>(zeros: [1, 1]).requiringGradient()
        var b = Tensor<Double>(zeros: [1]).requiringGradient()
        for epoch in 0...200 {
            let prediction = x.matmul(a) + b
            let loss = (prediction - y).squared().mean()
            try loss.backward()
            if epoch % 40 == 0 {
                print(String(format: "   epoch %3d  a = %8.5f  b = %8.5f  mse = %.6f", epoch, a.scalars[0], b.scalars[0], loss.scalar))
            }
            a = withoutGradients { a - 0.1 * a.gradient! }.requiringGradient()
            b = withoutGradients { b - 0.1 * b.gradient! }.requiringGradient()
        }
        print("   (the true line is a = 2, b = −3.4)")
    }
}
