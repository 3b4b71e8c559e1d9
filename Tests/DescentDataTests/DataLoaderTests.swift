import DescentCore
@testable import DescentData
import Testing

/// n samples whose feature row i is [i, 100 + i] and whose target is i, so batches show their indices.
func indexedDataset(_ n: Int) throws -> TensorDataset<Float> {
    let features = try Tensor<Float>(shape: [n, 2], scalars: (0..<n).flatMap { [Float($0), Float(100 + $0)] })
    return try TensorDataset(features: features, targets: .values(Tensor((0..<n).map(Float.init))))
}

/// All batches of one epoch, as the index lists the features encode.
func epochIndices<L: BatchLoader>(_ loader: L, epoch: Int, from batch: Int = 0) throws -> [[Int]] where L.Scalar == Float {
    var result: [[Int]] = []
    let iterator = try loader.batches(epoch: epoch, startingAt: batch)
    while let batch = try iterator.next() {
        let rows = batch.features.scalars
        let decoded = stride(from: 0, to: rows.count, by: 2).map { Int(rows[$0]) }
        #expect(decoded == batch.indices, "features must be the rows at the batch's indices")
        #expect(stride(from: 1, to: rows.count, by: 2).map { Int(rows[$0]) } == batch.indices.map { 100 + $0 })
        #expect(batch.targets.values?.scalars.map { Int($0) } == batch.indices)
        result.append(batch.indices)
    }
    return result
}

@Suite struct DataLoaderTests {
    @Test func batchCountsFollowPyTorch() throws {
        let data = try indexedDataset(10)
        // ⌈10/3⌉ = 4 with a last batch of 10 − 3·3 = 1; ⌊10/3⌋ = 3 with dropLast.
        let loader = DataLoader(data, batchSize: 3)
        #expect(loader.batchesPerEpoch == 4)
        #expect(try epochIndices(loader, epoch: 0) == [[0, 1, 2], [3, 4, 5], [6, 7, 8], [9]])
        let dropping = DataLoader(data, batchSize: 3, dropLast: true)
        #expect(dropping.batchesPerEpoch == 3)
        #expect(try epochIndices(dropping, epoch: 0).map(\.count) == [3, 3, 3])
        #expect(DataLoader(data, batchSize: 1).batchesPerEpoch == 10)             // stochastic GD
        #expect(DataLoader(data, batchSize: .fullBatch).batchesPerEpoch == 1)     // batch GD
        #expect(try epochIndices(DataLoader(data, batchSize: .fullBatch), epoch: 0) == [Array(0..<10)])
        #expect(DataLoader(data, batchSize: 10).batchesPerEpoch == 1)
        #expect(DataLoader(data, batchSize: 20, dropLast: true).batchesPerEpoch == 0)
    }

    @Test func shuffleIsAFreshPermutationPerEpochFromSeedAndEpoch() throws {
        let data = try indexedDataset(50)
        let loader = DataLoader(data, batchSize: 8, shuffle: true, seed: 7)
        let epoch0 = try epochIndices(loader, epoch: 0).flatMap { $0 }
        let epoch1 = try epochIndices(loader, epoch: 1).flatMap { $0 }
        #expect(epoch0.sorted() == Array(0..<50))
        #expect(epoch1.sorted() == Array(0..<50))
        #expect(epoch0 != epoch1)
        #expect(epoch0 != Array(0..<50))
        // The order is RandomGenerator(seed, stream: epoch).permutation(n), nothing else.
        var generator = RandomGenerator(seed: 7, stream: 1)
        #expect(epoch1 == generator.permutation(50))
        // Same seed ⇒ same order from a new loader; another seed ⇒ another order.
        #expect(try epochIndices(DataLoader(data, batchSize: 8, shuffle: true, seed: 7), epoch: 1).flatMap { $0 } == epoch1)
        #expect(try epochIndices(DataLoader(data, batchSize: 8, shuffle: true, seed: 8), epoch: 1).flatMap { $0 } != epoch1)
    }

    @Test func startingMidEpochGivesTheRemainingBatches() throws {
        let data = try indexedDataset(23)
        let loader = DataLoader(data, batchSize: 5, shuffle: true, seed: 3)
        let whole = try epochIndices(loader, epoch: 4)
        #expect(try epochIndices(loader, epoch: 4, from: 2) == Array(whole[2...]))
        let iterator = try loader.batches(from: LoaderPosition(epoch: 4, batchIndex: 3))
        #expect(iterator.position == LoaderPosition(epoch: 4, batchIndex: 3))
        _ = try iterator.next()
        #expect(iterator.position == LoaderPosition(epoch: 4, batchIndex: 4))
    }

    @Test func prefetchingChangesNothingButTiming() throws {
        let data = try indexedDataset(37)
        for epoch in 0..<3 {
            let on = try epochIndices(DataLoader(data, batchSize: 4, shuffle: true, seed: 11, prefetch: true), epoch: epoch)
            let off = try epochIndices(DataLoader(data, batchSize: 4, shuffle: true, seed: 11, prefetch: false), epoch: epoch)
            #expect(on == off)
        }
    }

    /// `peek()` shows the batch `next()` returns next without moving on, however often it is
    /// called, with prefetching on and off; at the end of the epoch both give nil.
    @Test(arguments: [false, true])
    func peekingShowsTheNextBatchWithoutMovingOn(prefetch: Bool) throws {
        let data = try indexedDataset(23)
        let loader = DataLoader(data, batchSize: 5, shuffle: true, seed: 3, prefetch: prefetch)
        let whole = try epochIndices(loader, epoch: 2)
        let iterator = try loader.batches(from: LoaderPosition(epoch: 2, batchIndex: 0))
        var seen: [[Int]] = []
        for step in 0..<whole.count {
            if step % 2 == 0 { _ = try iterator.peek() }
            let peeked = try iterator.peek()
            #expect(iterator.position == LoaderPosition(epoch: 2, batchIndex: step))
            let batch = try #require(try iterator.next())
            #expect(peeked?.indices == batch.indices)
            #expect(peeked?.features.scalars == batch.features.scalars)
            seen.append(batch.indices)
        }
        #expect(seen == whole)
        #expect(try iterator.peek() == nil)
        #expect(try iterator.next() == nil)
        #expect(iterator.position == LoaderPosition(epoch: 2, batchIndex: whole.count))
    }

    /// The loader asks a dataset in memory for the next small batch's rows ahead of time: a hint
    /// that must never change a batch, fault on the last batch, or touch rows outside the data.
    @Test func prefetchingTheNextRowsChangesNoBatch() throws {
        let data = try indexedDataset(37)
        for batchSize in [1, 4, 36, 37] {
            let loader = DataLoader(data, batchSize: .samples(batchSize), shuffle: true, seed: 9)
            let batches = try epochIndices(loader, epoch: 2)
            #expect(batches.flatMap { $0 } == loader.indices(forEpoch: 2))
        }
        // Indices outside the dataset and an empty list are skipped.
        data.prefetchRows(at: [-1, 37, 1_000_000, 3])
        data.prefetchRows(at: [])
    }

    @Test func samplingWithReplacementDrawsIndependentIndices() throws {
        let data = try indexedDataset(5)
        let loader = DataLoader(data, batchSize: 4, withReplacement: true, sampleCount: 12, seed: 2)
        #expect(loader.samplesPerEpoch == 12)
        #expect(loader.batchesPerEpoch == 3)
        let drawn = try epochIndices(loader, epoch: 0).flatMap { $0 }
        var generator = RandomGenerator(seed: 2, stream: 0)
        #expect(drawn == (0..<12).map { _ in generator.nextIndex(below: 5) })
        #expect(Set(drawn).count < 12)  // 12 draws from 5 values must repeat
    }

    @Test func classTargetsAreGathered() throws {
        let data = try TensorDataset(features: Tensor<Double>(rangeUpTo: 6).reshaped(to: [6, 1]), targets: .classes([0, 1, 2, 0, 1, 2]))
        let iterator = DataLoader(data, batchSize: 4).batches(epoch: 0)
        let first = try #require(try iterator.next())
        #expect(first.targets.classes == [0, 1, 2, 0])
        #expect(first.features.shape == [4, 1])
        let second = try #require(try iterator.next())
        #expect(second.targets.classes == [1, 2])
        #expect(try iterator.next()?.count == nil)
    }

    @Test func datasetValidatesInputs() throws {
        let message = dataErrorMessage { _ = try TensorDataset(features: Tensor<Float>(zeros: [3, 2]), targets: .classes([0, 1])) }
        #expect(message == "features have 3 samples (shape [3, 2]) but there are 2 targets")
        let bad = dataErrorMessage { _ = try indexedDataset(3).batch(at: [0, 3]) }
        #expect(bad == "sample index 3 is out of range 0..<3")
    }
}

