import DescentCore
import DescentData
import DescentNN
import DescentOptim
import DescentTraining
import Foundation
import Testing

@Suite struct LearningRateFinderTests {
    @Test func theSweepRestoresWeightsOptimizerStateAndDropoutGenerators() throws {
        let run = try MoonsRun<Float>(dropout: 0.2)
        _ = try run.trainer.fit(epochs: 1, training: run.training)   // so that Adam has moments to restore
        let parameters = bits(run.parameters)
        let optimizerState = run.trainer.optimizer.stateSnapshot()
        let generators = run.trainer.makeCheckpoint().generators
        let sweep = try LearningRateFinder(iterations: 30).run(run.trainer, on: run.training)
        #expect(sweep.learningRates.count > 6)
        #expect(bits(run.parameters) == parameters)
        #expect(run.trainer.optimizer.stateSnapshot() == optimizerState)
        #expect(run.trainer.makeCheckpoint().generators == generators)
    }

    @Test func ratesGrowExponentiallyAndLossesAreTheDebiasedMovingAverage() throws {
        let run = try MoonsRun<Double>(optimizer: "sgd")
        let finder = LearningRateFinder(startLearningRate: 1e-5, endLearningRate: 1e-1, iterations: 20, stopOnDivergence: false)
        let sweep = try finder.run(run.trainer, on: run.training)
        // 20 iterations over 6-batch epochs: ⌊20/6⌋ + 1 = 4 epochs, the last one partly.
        #expect(sweep.learningRates.count == 20 && !sweep.stoppedEarly)
        for (i, rate) in sweep.learningRates.enumerated() {
            // η_i = 1e-5 · (1e-1 / 1e-5)^(i/20) = 1e-5 · 10^(4i/20)
            #expect(abs(rate - 1e-5 * pow(10, 4 * Double(i) / 20)) <= 1e-15 * pow(10, 4 * Double(i) / 20))
        }
        var average = 0.0
        for (i, raw) in sweep.rawLosses.enumerated() {
            average = 0.98 * average + 0.02 * raw
            #expect(abs(sweep.losses[i] - average / (1 - pow(0.98, Double(i + 1)))) < 1e-12)
        }
        #expect(abs(sweep.losses[0] - sweep.rawLosses[0]) < 1e-12)   // debiasing makes the first value the first loss
    }

    @Test func theSweepStopsWhenTheSmoothedLossPassesFourTimesItsMinimum() throws {
        let run = try MoonsRun<Float>(optimizer: "sgd")
        let sweep = try LearningRateFinder(startLearningRate: 1e-4, endLearningRate: 1e6, iterations: 100).run(run.trainer, on: run.training)
        #expect(sweep.stoppedEarly && sweep.learningRates.count < 100)
        let last = sweep.losses.last!
        #expect(last.isNaN || last > 4 * sweep.losses.dropLast().min()!)
    }

    /// A curve built by hand, so the suggestions can be worked out from fastai's definitions:
    /// N = 10 drops the first point (N/10) and the last five; the 9 remaining losses fall strictly
    /// (10, 8, 7, …, 4, 3.9, 3.8, 3.7) at rates 2¹ … 2⁹ (equal steps in log η).
    @Test func suggestionsFollowFastaiDefinitions() {
        let rates = (0..<15).map { pow(2, Double($0)) }
        let losses = [11.0, 10, 8, 7, 6, 5, 4, 3.9, 3.8, 3.7, 50, 50, 50, 50, 50]
        let sweep = LearningRateSweep(learningRates: rates, losses: losses, rawLosses: losses, stoppedEarly: false, iterations: 10)
        // valley: the whole trimmed curve is one decreasing run, lds[i] = i + 1, max_end = 8,
        // max_start = 8 − 9 = −1, sections = 3, idx = −1 + 3 + 1 = 3 → 2⁴.
        #expect(sweep.valley == 16)
        // steep: the largest drop per log-step is the first (−2, the others −1 or −0.1) → 2¹.
        #expect(sweep.steep == 2)
        // minimum: the lowest loss (3.7) is at 2⁹; a tenth of it.
        #expect(sweep.minimum == 51.2)
        // Too short to trim: no suggestions.
        let short = LearningRateSweep(learningRates: [1, 2, 3], losses: [3, 2, 1], rawLosses: [3, 2, 1], stoppedEarly: true, iterations: 100)
        #expect(short.valley == nil && short.steep == nil && short.minimum == nil)
    }
}
