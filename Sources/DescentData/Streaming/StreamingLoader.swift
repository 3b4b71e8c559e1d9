import DescentCore

/// Batches from a ``StreamingDataset`` with bounded memory and an honest, bounded shuffle.
///
/// **How random the order is.** Each epoch `e` uses `RandomGenerator(seed: seed, stream: e)`:
/// 1. the chunks are put in a uniformly random order;
/// 2. consecutive groups of `windowChunks` chunks of that order form *windows*; each window's
///    rows are read into memory and put in a uniformly random order (Fisher–Yates);
/// 3. batches are cut from the concatenated windows.
///
/// So a row's position is uniform within its window and windows come in random order, but two
/// rows share a batch only if their chunks fall in the same window (or in neighbouring windows,
/// for a batch that straddles a boundary). With `windowChunks · chunkRows ≥ count` this is a full
/// uniform shuffle, as ``DataLoader`` does. When the file is sorted (say by class), make chunks
/// small and the window large so that each window mixes many parts of the file. Without
/// `shuffle`, rows come in file order.
///
/// Memory: the window (`windowChunks · chunkRows` rows of features and targets), up to three batches
/// (the previous one until the caller drops it, the one in use and the one being prefetched), a read buffer, and the dataset's index; see
/// ``estimatedBytesHeld``. ``init(_:batchSize:shuffle:dropLast:seed:memoryBudget:prefetch:)`` picks
/// the largest window that fits a byte budget (and throws, rather than stopping, on a bad batch size).
///
/// **Resuming.** ``batches(epoch:startingAt:)`` gives exactly the batches a full pass gives from
/// that batch on: the skipped windows' shuffles are drawn (not read), so the generator is where it
/// would be. A checkpoint needs only the ``LoaderPosition``, the seed and the dataset's `chunkRows`.
///
/// - PyTorch: an `IterableDataset` with a shuffle buffer (`torchdata`'s `shuffle(buffer_size=…)`);
///   TensorFlow: `dataset.shuffle(buffer_size)` after interleaving shuffled shards.
public struct StreamingLoader<Scalar: TensorScalar>: BatchLoader {
    /// The data on disk.
    public let dataset: StreamingDataset<Scalar>
    /// The batch size as given.
    public let batchSize: BatchSize
    /// Whether chunks and rows are shuffled each epoch.
    public let shuffle: Bool
    /// Whether an incomplete last batch is left out.
    public let dropLast: Bool
    /// The seed of the shuffling generator.
    public let seed: UInt64
    /// Chunks per shuffle window.
    public let windowChunks: Int
    /// Whether the next batch is prepared in the background.
    public let prefetch: Bool

    /// A loader over `dataset`.
    /// - Parameters:
    ///   - batchSize: samples per batch. The default value is `32`. (`.fullBatch` would hold the
    ///     whole dataset in memory and defeats streaming; it is allowed but rarely what you want.)
    ///   - shuffle: shuffle chunks and rows within windows. The default value is `false`.
    ///   - dropLast: leave out an incomplete last batch. The default value is `false`.
    ///   - seed: the shuffling seed. The default value is `0`.
    ///   - windowChunks: chunks per shuffle window. The default value is `8`.
    ///   - prefetch: prepare the next batch on a background queue. The default value is `true`.
    ///   - dataset: the rows to stream.
    public init(
        _ dataset: StreamingDataset<Scalar>, batchSize: BatchSize = .samples(32), shuffle: Bool = false, dropLast: Bool = false,
        seed: UInt64 = 0, windowChunks: Int = 8, prefetch: Bool = true
    ) {
        if case .samples(let n) = batchSize { precondition(n > 0, "StreamingLoader: batchSize must be positive, got \(n)") }
        precondition(windowChunks > 0, "StreamingLoader: windowChunks must be positive")
        self.dataset = dataset
        self.batchSize = batchSize
        self.shuffle = shuffle
        self.dropLast = dropLast
        self.seed = seed
        self.windowChunks = windowChunks
        self.prefetch = prefetch
    }

    /// The samples per epoch: every row once.
    public var samplesPerEpoch: Int { dataset.count }

    /// The samples in each batch; a batch size larger than the data serves it all as one batch
    /// (as ``DataLoader`` does), so no size allocates more than the data's rows.
    public var resolvedBatchSize: Int {
        switch batchSize {
        case .samples(let n): return Swift.min(n, Swift.max(dataset.count, 1))
        case .fullBatch: return Swift.max(dataset.count, 1)
        }
    }

    /// `⌊N/B⌋` with `dropLast`, else `⌈N/B⌉`, without overflow for any `B`.
    public var batchesPerEpoch: Int {
        var b = resolvedBatchSize
        if dropLast, case .samples(let n) = batchSize { b = n }
        let whole = dataset.count / b
        return dropLast || dataset.count % b == 0 ? whole : whole + 1
    }

    /// An upper bound on the bytes of data the loader holds while iterating: window, three batches,
    /// read buffer and index.
    public var estimatedBytesHeld: Int {
        let windowRows = Swift.min(windowChunks * dataset.chunkRows, dataset.count)
        // Three batches: the caller's previous one (until its variable is overwritten), the one just
        // returned, and the one being prefetched.
        return (windowRows + 3 * resolvedBatchSize) * dataset.heldBytesPerRow + dataset.readBufferBytes + dataset.indexBytes
    }

    /// The chunk order of `epoch` and the generator state after drawing it.
    func plan(epoch: Int) -> (chunks: [Int], generator: RandomGenerator) {
        var generator = RandomGenerator(seed: seed, stream: UInt64(truncatingIfNeeded: epoch))
        let order = shuffle ? generator.permutation(dataset.chunkCount) : Array(0..<dataset.chunkCount)
        return (order, generator)
    }

    /// The row numbers of `epoch` in the order they are served (computes only the order, reads nothing).
    public func rowOrder(forEpoch epoch: Int) -> [Int] {
        var (order, generator) = plan(epoch: epoch)
        var rows: [Int] = []
        for start in stride(from: 0, to: order.count, by: windowChunks) {
            let window = order[start..<Swift.min(start + windowChunks, order.count)].flatMap { chunk -> [Int] in
                let info = dataset.chunks[chunk]
                return Array(info.firstRow..<(info.firstRow + info.rowCount))
            }
            rows += shuffle ? generator.permutation(window.count).map { window[$0] } : window
        }
        return rows
    }

    /// The batches of `epoch`, from batch `batchIndex` on (earlier windows are skipped without reading).
    public func batches(epoch: Int, startingAt batchIndex: Int = 0) throws -> BatchIterator<Scalar> {
        let (order, generator) = plan(epoch: epoch)
        let producer = try StreamProducer(loader: self, chunkOrder: order, generator: generator, startBatch: batchIndex)
        return BatchIterator(producer: producer, position: LoaderPosition(epoch: epoch, batchIndex: batchIndex), prefetch: prefetch)
    }
}

/// Reads windows of chunks and cuts shuffled batches from them.
final class StreamProducer<Scalar: TensorScalar>: BatchProducer {
    let dataset: StreamingDataset<Scalar>
    let reader: ChunkReader<Scalar>
    let shuffle: Bool
    let batchSize: Int
    let batchCount: Int
    let windows: [[Int]]
    var generator: RandomGenerator
    var nextWindow = 0
    var produced: Int
    // The current window: rows in file order in the buffers, served in `permutation` order.
    let windowCapacity: Int
    let features: UnsafeMutablePointer<Scalar>
    let values: UnsafeMutablePointer<Scalar>
    let classes: UnsafeMutablePointer<Int>
    let rowIndices: UnsafeMutablePointer<Int>
    var permutation: [Int] = []
    var cursor = 0

    init(loader: StreamingLoader<Scalar>, chunkOrder: [Int], generator: RandomGenerator, startBatch: Int) throws {
        dataset = loader.dataset
        reader = try ChunkReader(dataset)
        shuffle = loader.shuffle
        batchSize = loader.resolvedBatchSize
        batchCount = loader.batchesPerEpoch
        windows = stride(from: 0, to: chunkOrder.count, by: loader.windowChunks).map { Array(chunkOrder[$0..<Swift.min($0 + loader.windowChunks, chunkOrder.count)]) }
        self.generator = generator
        produced = startBatch
        windowCapacity = Swift.max(windows.map { $0.reduce(0) { $0 + loader.dataset.chunks[$1].rowCount } }.max() ?? 0, 1)
        features = .allocate(capacity: windowCapacity * dataset.featuresPerRow)
        values = .allocate(capacity: windowCapacity * dataset.targetCount)
        classes = .allocate(capacity: windowCapacity)
        rowIndices = .allocate(capacity: windowCapacity)
        // Skip whole windows before the start batch without reading them (their shuffles are still
        // drawn, so the generator is where it would be).
        // A start batch past the epoch (from an edited checkpoint) skips everything, without overflow.
        let (product, overflow) = startBatch.multipliedReportingOverflow(by: batchSize)
        var skip = overflow ? Int.max : product
        while nextWindow < windows.count {
            let rows = windowRows(nextWindow)
            if skip < rows { break }
            if shuffle { _ = self.generator.permutation(rows) }
            skip -= rows
            nextWindow += 1
        }
        if skip > 0 || startBatch == 0 {
            if nextWindow < windows.count { try loadWindow() }
            cursor = skip
        }
    }

    deinit {
        features.deallocate()
        values.deallocate()
        classes.deallocate()
        rowIndices.deallocate()
    }

    func windowRows(_ window: Int) -> Int { windows[window].reduce(0) { $0 + dataset.chunks[$1].rowCount } }

    func loadWindow() throws {
        var offset = 0
        for chunk in windows[nextWindow] {
            try reader.readStandardized(chunk: chunk, features: features, values: values, classes: classes, rowIndices: rowIndices, offset: offset)
            offset += dataset.chunks[chunk].rowCount
        }
        permutation = shuffle ? generator.permutation(offset) : Array(0..<offset)
        cursor = 0
        nextWindow += 1
    }

    func produceNext() throws -> Batch<Scalar>? {
        guard produced < batchCount else { return nil }
        let size = Swift.min(batchSize, dataset.count - produced * batchSize)
        produced += 1
        let width = dataset.featuresPerRow
        let targetWidth = dataset.targetCount
        let rowBytes = width * MemoryLayout<Scalar>.stride
        let isClassification = dataset.classCount != nil
        var indices = [Int](repeating: 0, count: size)
        var labels = isClassification ? [Int](repeating: 0, count: size) : []
        var targetValues = Tensor<Scalar>(zeros: isClassification ? [0] : [size, targetWidth])
        let batchFeatures = try Tensor<Scalar>(shape: [size] + dataset.featureShape) { out in
            let destination = UnsafeMutableRawPointer(out.baseAddress!)
            try targetValues.withUnsafeMutableBufferPointer { targetOut in
                for i in 0..<size {
                    if cursor == permutation.count { try loadWindow() }
                    let row = permutation[cursor]
                    cursor += 1
                    // One memcpy per row from the window buffer into the batch.
                    (destination + i * rowBytes).copyMemory(from: UnsafeRawPointer(features + row * width), byteCount: rowBytes)
                    indices[i] = rowIndices[row]
                    if isClassification {
                        labels[i] = classes[row]
                    } else {
                        UnsafeMutableRawPointer(targetOut.baseAddress! + i * targetWidth)
                            .copyMemory(from: UnsafeRawPointer(values + row * targetWidth), byteCount: targetWidth * MemoryLayout<Scalar>.stride)
                    }
                }
            }
        }
        return Batch(features: batchFeatures, targets: isClassification ? .classes(labels) : .values(targetValues), indices: indices)
    }
}
