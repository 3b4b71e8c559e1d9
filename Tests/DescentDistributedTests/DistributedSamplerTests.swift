import DescentCore
import DescentData
import Testing

/// ``DistributedSampler`` and ``DistributedLoader`` against PyTorch's `DistributedSampler`
/// (`torch/utils/data/distributed.py`), and the property the data-parallel exactness rests on.
@Suite struct DistributedSamplerTests {
    /// PyTorch's `DistributedSampler(shuffle=False)` on `range(n)`, from the committed fixture
    /// (`scripts/fixtures/distributed_sampler.py`, which runs torch itself).
    @Test func matchesPyTorchsSamplerOnTheFixture() throws {
        for testCase in DistributedSamplerFixture.cases {
            let sampler = try DistributedSampler(worldSize: testCase.worldSize, rank: testCase.rank, dropLast: testCase.dropLast)
            #expect(sampler.indices(of: Array(0..<testCase.count)) == testCase.indices,
                    "n \(testCase.count), R \(testCase.worldSize), rank \(testCase.rank), dropLast \(testCase.dropLast)")
            #expect(sampler.samplesPerProcess(of: testCase.count) == testCase.indices.count)
        }
    }

    /// PyTorch's formulas, written out: `ceil(n/R)`, or `ceil((n − R)/R)` with `drop_last` and
    /// `n % R ≠ 0`; the padding wraps to the start; rank r takes `r, r+R, …`.
    @Test func sizesAndPaddingFollowPyTorchsFormulas() throws {
        for count in 0..<30 {
            for worldSize in 1...5 {
                for dropLast in [false, true] {
                    let expected = dropLast && count % worldSize != 0
                        ? Int((Double(count - worldSize) / Double(worldSize)).rounded(.up))
                        : Int((Double(count) / Double(worldSize)).rounded(.up))
                    var all: [Int] = []
                    for rank in 0..<worldSize {
                        let sampler = try DistributedSampler(worldSize: worldSize, rank: rank, dropLast: dropLast)
                        let mine = sampler.indices(of: Array(0..<count))
                        #expect(mine.count == Swift.max(expected, 0), "n \(count) R \(worldSize) dropLast \(dropLast)")
                        all += mine
                    }
                    if !dropLast && count > 0 {
                        // Every sample appears; the padding repeats samples from the start.
                        #expect(Set(all) == Set(0..<count))
                        #expect(all.count == expected * worldSize)
                    }
                }
            }
        }
    }

    @Test func refusesABadRankOrWorldSize() {
        #expect(throws: DataError.self) { try DistributedSampler(worldSize: 0, rank: 0) }
        #expect(throws: DataError.self) { try DistributedSampler(worldSize: 2, rank: 2) }
        #expect(throws: DataError.self) { try DistributedSampler(worldSize: 2, rank: -1) }
    }

    /// The exactness of a data-parallel run rests on this: at batch B/R per rank, step k of the
    /// R ranks together covers exactly the samples of step k of one process at batch B (the
    /// expected batches come from the plain ``DataLoader`` itself).
    @Test func ranksAtAFractionOfTheBatchSeeTheGlobalBatchesOfOneProcess() throws {
        let features = Tensor<Double>(shape: [120, 1]) { out in for i in 0..<120 { out[i] = Double(i) } }
        let dataset = try TensorDataset(features: features, targets: .values(features))
        for worldSize in [2, 3, 4] {
            let global = DataLoader(dataset, batchSize: .samples(12), shuffle: true, seed: 7)
            let shards = try (0..<worldSize).map { rank in
                DistributedLoader(DataLoader(dataset, batchSize: .samples(12 / worldSize), shuffle: true, seed: 7),
                                  sampler: try DistributedSampler(worldSize: worldSize, rank: rank))
            }
            #expect(shards.allSatisfy { $0.batchesPerEpoch == global.batchesPerEpoch })
            for epoch in 0..<3 {
                let expected = try batchRows(global.batches(epoch: epoch, startingAt: 0))
                let parts = try shards.map { try batchRows($0.batches(epoch: epoch, startingAt: 0)) }
                for step in expected.indices {
                    let union = parts.flatMap { $0[step] }
                    #expect(union.sorted() == expected[step].sorted(), "R \(worldSize) epoch \(epoch) step \(step)")
                }
            }
            // A resumed epoch starts at the same batch.
            let resumed = try batchRows(shards[1].batches(epoch: 2, startingAt: 4))
            #expect(resumed == Array(try batchRows(shards[1].batches(epoch: 2, startingAt: 0)).dropFirst(4)))
        }
    }

    /// The first feature of every row of every batch (the row's number in this data).
    private func batchRows(_ iterator: BatchIterator<Double>) throws -> [[Int]] {
        var rows: [[Int]] = []
        while let batch = try iterator.next() { rows.append(batch.features.scalars.map { Int($0) }) }
        return rows
    }
}
