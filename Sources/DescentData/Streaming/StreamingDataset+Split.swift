import DescentCore

extension StreamingDataset {
    /// The dataset split into a training part and a held-out validation part of whole chunks.
    ///
    /// `⌈validationFraction · chunkCount⌉` chunks (at least one, and leaving at least one for
    /// training) are drawn uniformly at random, by a generator seeded with `seed` alone, so the
    /// same seed, file and `chunkRows` give the same split in every run and after a resume. Each
    /// part keeps its chunks in file order, so reads stay sequential. The split is by chunk rather
    /// than by row: it costs nothing (no row list in memory) and never splits a chunk's read, and
    /// with chunks small against the file (the default 1024 rows) the held-out rows are spread
    /// over the whole file; the validation share is then the chunk-rounded fraction (its ``count``
    /// tells exactly). A batch's ``Batch/indices`` are still row numbers in the file.
    ///
    /// - Parameters:
    ///   - validationFraction: the share of chunks held out, in (0, 1).
    ///   - seed: the seed of the draw. The default value is `0`.
    /// - Throws: ``DataError`` if the fraction is outside (0, 1) or there are fewer than two chunks.
    /// - PyTorch: `torch.utils.data.random_split` applied to shards (as `webdataset` splits by shard).
    public func splitting(validationFraction: Double, seed: UInt64 = 0) throws -> (training: StreamingDataset, validation: StreamingDataset) {
        guard validationFraction > 0 && validationFraction < 1 else {
            throw DataError("validationFraction must be in (0, 1), got \(validationFraction)")
        }
        guard chunkCount >= 2 else {
            throw DataError("a validation share needs at least two chunks; the data has \(count.grouped) rows in one chunk of \(chunkRows.grouped) — use a smaller chunkRows")
        }
        let heldOut = Swift.min(Swift.max(Int((validationFraction * Double(chunkCount)).rounded(.up)), 1), chunkCount - 1)
        // A stream of its own, so the split does not depend on (or disturb) any epoch's shuffle.
        var generator = RandomGenerator(seed: seed, stream: StreamingDataset.splitStream)
        let order = generator.permutation(chunkCount)
        let validation = order[..<heldOut].sorted()
        let training = order[heldOut...].sorted()
        return (keeping(chunks: training), keeping(chunks: validation))
    }

    /// The generator stream of ``splitting(validationFraction:seed:)`` ("split" in ASCII).
    static var splitStream: UInt64 { 0x73_70_6C_69_74 }

    /// The same data restricted to the chunks at `indices` (in that order).
    func keeping(chunks indices: [Int]) -> StreamingDataset {
        let kept = indices.map { chunks[$0] }
        return StreamingDataset(
            count: kept.reduce(0) { $0 + $1.rowCount }, featureShape: featureShape, classCount: classCount, classNames: classNames,
            featureNames: featureNames, targetCount: targetCount, chunkRows: chunkRows, chunks: kept, source: source,
            standardization: standardization)
    }
}

extension StreamingDataset {
    /// The same rows with each sample's features read in `shape` (rows of 784 pixel columns as
    /// `[1, 28, 28]` images): only the shape of the batches changes; rows are read, and
    /// standardised, as before.
    /// - Throws: ``DataError`` when the shape does not hold a row's feature count.
    public func reshapingSamples(to shape: SampleShape) throws -> StreamingDataset {
        guard shape.elementCount == featuresPerRow else {
            throw DataError("the input shape \(shape) holds \(shape.elementCount.grouped) values, but each row has \(featuresPerRow.grouped) features; "
                            + "give an --input-shape whose sizes multiply to \(featuresPerRow.grouped) (for example 1x28x28 for 784 pixel columns)")
        }
        // The row standardisation is per flat feature, so it holds for any shape of the row.
        return StreamingDataset(
            count: count, featureShape: shape.sizes, classCount: classCount, classNames: classNames,
            featureNames: featureNames, targetCount: targetCount, chunkRows: chunkRows, chunks: chunks, source: source,
            standardization: standardization)
    }
}
