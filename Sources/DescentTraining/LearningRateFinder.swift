import DescentCore
import DescentData
import DescentNN
import DescentOptim
import Foundation

/// The learning-rate range test (Smith, 2017) with fastai's semantics (`Learner.lr_find`): train
/// for a few iterations while the rate grows exponentially, watch the smoothed loss, then put the
/// weights and the optimizer state back as they were.
///
///     ηᵢ = start · (end/start)^(i/N)                    i = 0, 1, …, N−1  (η = end is never used)
///     aᵢ = β·aᵢ₋₁ + (1−β)·lossᵢ,   smoothᵢ = aᵢ / (1 − β^(i+1))      β = 0.98 (debiased moving average)
///     stop early when smoothᵢ > 4 · minⱼ≤ᵢ smoothⱼ, or the loss is NaN
///
/// Suggestions are computed on the sweep without its first `N/10` and last 5 points (fastai):
/// ``LearningRateSweep/valley`` (halfway down the longest valley; fastai's default),
/// ``LearningRateSweep/steep`` (steepest descent) and ``LearningRateSweep/minimum`` (a tenth of
/// the rate at the lowest loss).
///
/// - fastai: `learn.lr_find(start_lr=1e-7, end_lr=10, num_it=100, stop_div=True)`.
///   Reference: Smith, *Cyclical Learning Rates for Training Neural Networks*, WACV 2017.
public struct LearningRateFinder: Sendable {
    /// The first rate. The default value is `1e-7`.
    public var startLearningRate: Double
    /// The rate the sweep grows towards (never used itself). The default value is `10`.
    public var endLearningRate: Double
    /// N, the number of iterations (at least 6, as fastai). The default value is `100`.
    public var iterations: Int
    /// Stop when the smoothed loss exceeds 4× its minimum or is NaN. The default value is `true`.
    public var stopOnDivergence: Bool
    /// β of the moving average. The default value is `0.98`.
    public var smoothing: Double

    /// A finder with fastai's defaults unless given.
    public init(startLearningRate: Double = 1e-7, endLearningRate: Double = 10, iterations: Int = 100,
                stopOnDivergence: Bool = true, smoothing: Double = 0.98) {
        self.startLearningRate = startLearningRate
        self.endLearningRate = endLearningRate
        self.iterations = Swift.max(iterations, 6)
        self.stopOnDivergence = stopOnDivergence
        self.smoothing = smoothing
    }

    /// The rate of iteration `i`.
    public func learningRate(at i: Int) -> Double {
        startLearningRate * Foundation.pow(endLearningRate / startLearningRate, Double(i) / Double(iterations))
    }

    /// Runs the sweep with `trainer`'s model, loss, optimizer and clipping on `loader`, epoch after
    /// epoch (`⌊N / batches⌋ + 1` epochs at most), then restores the model's parameters and
    /// buffers, its dropout generators and the optimizer's state.
    /// - Throws: errors from the data or the model (the weights are restored first).
    public func run<Scalar: TensorScalar>(_ trainer: Trainer<Scalar>, on loader: any BatchLoader<Scalar>) throws -> LearningRateSweep {
        let savedModel = trainer.model.stateArchive()
        let savedOptimizer = trainer.optimizer.stateSnapshot()
        let savedGenerators = trainer.dropoutGenerators()
        defer {
            try? trainer.model.loadState(from: savedModel)
            try? trainer.optimizer.restore(savedOptimizer)
            let layers = trainer.dropoutLayers()
            for (name, generator) in savedGenerators { layers[name]?.generator = generator }
        }
        var sweep = LearningRateSweep(learningRates: [], losses: [], rawLosses: [], stoppedEarly: false, iterations: iterations)
        var average = 0.0, best = Double.infinity
        var i = 0
        var epoch = 0
        sweeping: while i < iterations {
            let batches = try loader.batches(epoch: epoch, startingAt: 0)
            while let batch = try batches.next() {
                let rate = learningRate(at: i)
                trainer.optimizer.learningRate = rate
                let loss = try trainer.trainStep(on: batch)
                i += 1
                average = smoothing * average + (1 - smoothing) * loss
                let smooth = average / (1 - Foundation.pow(smoothing, Double(i)))
                sweep.learningRates.append(rate)
                sweep.losses.append(smooth)
                sweep.rawLosses.append(loss)
                if i >= iterations { break sweeping }
                if smooth < best { best = smooth }
                if stopOnDivergence && (smooth > 4 * best || smooth.isNaN) {
                    sweep.stoppedEarly = true
                    break sweeping
                }
            }
            epoch += 1
            if loader.batchesPerEpoch == 0 { break }
        }
        return sweep
    }
}

/// The result of a ``LearningRateFinder`` run: the rates tried, the smoothed losses, and the
/// suggested rates.
public struct LearningRateSweep: Codable, Equatable, Sendable {
    /// The rate of each iteration.
    public var learningRates: [Double]
    /// The smoothed (debiased moving-average) loss of each iteration.
    public var losses: [Double]
    /// The raw batch loss of each iteration.
    public var rawLosses: [Double]
    /// Whether the sweep stopped because the loss diverged.
    public var stoppedEarly: Bool
    /// N, the iterations asked for.
    public var iterations: Int

    /// A sweep from its recorded values (as ``LearningRateFinder/run(_:on:)`` makes it).
    public init(learningRates: [Double], losses: [Double], rawLosses: [Double], stoppedEarly: Bool, iterations: Int) {
        self.learningRates = learningRates; self.losses = losses; self.rawLosses = rawLosses
        self.stoppedEarly = stoppedEarly; self.iterations = iterations
    }

    /// The points suggestions are computed on: without the first `N/10` and the last 5 (fastai).
    var trimmed: (learningRates: ArraySlice<Double>, losses: ArraySlice<Double>) {
        let start = iterations / 10, end = losses.count - 5
        guard end > start else { return ([], []) }
        return (learningRates[start..<end], losses[start..<end])
    }

    /// fastai's `valley`: the rate about halfway down the longest strictly decreasing run of the
    /// loss curve (longest decreasing subsequence ending at each point, O(n²)); `nil` if the sweep
    /// is too short.
    public var valley: Double? {
        let (rates, values) = trimmed
        let lrs = Array(rates), losses = Array(values)
        let n = losses.count
        guard n >= 2 else { return nil }
        var lds = [Int](repeating: 1, count: n)
        var maxStart = 0, maxEnd = 0
        for i in 1..<n {
            for j in 0..<i {
                if losses[i] < losses[j] && lds[i] < lds[j] + 1 { lds[i] = lds[j] + 1 }
                if lds[maxEnd] < lds[i] {
                    maxEnd = i
                    maxStart = maxEnd - lds[maxEnd]
                }
            }
        }
        let sections = Double(maxEnd - maxStart) / 3
        let index = maxStart + Int(sections) + Int(sections / 2)
        return lrs[Swift.min(Swift.max(index, 0), n - 1)]
    }

    /// fastai's `steep`: the rate where the loss falls fastest against log η,
    /// `argminᵢ (lossᵢ₊₁ − lossᵢ) / (ln ηᵢ₊₁ − ln ηᵢ)`; `nil` if the sweep is too short.
    public var steep: Double? {
        let (rates, values) = trimmed
        let lrs = Array(rates), losses = Array(values)
        guard losses.count >= 2 else { return nil }
        var bestIndex = 0, bestSlope = Double.infinity
        for i in 0..<(losses.count - 1) {
            let slope = (losses[i + 1] - losses[i]) / (Foundation.log(lrs[i + 1]) - Foundation.log(lrs[i]))
            if slope < bestSlope { bestSlope = slope; bestIndex = i }
        }
        return lrs[bestIndex]
    }

    /// fastai's `minimum`: the rate at the lowest smoothed loss, divided by 10; `nil` if the sweep is too short.
    public var minimum: Double? {
        let (rates, values) = trimmed
        guard let index = values.indices.min(by: { values[$0] < values[$1] || (values[$1].isNaN && !values[$0].isNaN) }) else { return nil }
        return rates[index] / 10
    }
}
