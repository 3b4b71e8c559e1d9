import Descent
import Foundation
import Testing



/// The article "Full-batch, stochastic and mini-batch gradient descent" (Sources/Descent/Descent.docc/BatchSizes.md): its code, verbatim.
@Suite struct BatchSizesArticleTests {
    /// Expected lines: 100 samples give 1, 100 and ⌈100/32⌉ = 4 steps; the order of epoch e comes from (seed, e).
    @Test func theArticlesCodePrintsWhatItSays() throws {
        let lines = try printedLines {
            let data = try BuiltinDataset.moons(count: 100, seed: 0, as: Float.self)
            for batchSize: BatchSize in [.fullBatch, 1, 32] {
                print(batchSize, DataLoader(data, batchSize: batchSize).batchesPerEpoch)   // steps per epoch
            }
            let loader = DataLoader(data, batchSize: 4, shuffle: true, seed: 0)
            let first = try loader.batches(epoch: 0).next()!.indices
            let second = try loader.batches(epoch: 1).next()!.indices
            print(first == second)                                                          // false: reshuffled
            print(try loader.batches(epoch: 0).next()!.indices == first)                    // true: same seed, same order
        }
        let expected: [String] = [
            "full 1",
            "1 100",
            "32 4",
            "false",
            "true"
        ]
        #expect(lines == expected)
    }
}
