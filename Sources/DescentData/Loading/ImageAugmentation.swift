import DescentCore

/// Random changes to training images, drawn anew for every batch: a shift by a few pixels and a
/// horizontal flip. Off unless asked for; seeded, so a run and its resume see the same images.
///
/// Per image of an `[n, c, h, w]` batch: a shift `(dy, dx)` drawn uniformly from `−maximumShift…maximumShift`
/// each, filling the pixels shifted in with 0 (after standardisation, the pixel's training mean),
/// then, when `horizontalFlip`, a mirror of every row with probability ½. The draws for batch `b`
/// of epoch `e` come from their own generator, a function of `(seed, e, b)` alone, so they do not
/// depend on how many batches came before (a resumed run draws the same).
///
/// - PyTorch: `torchvision.transforms.RandomCrop(size, padding=maximumShift)` (zero fill) followed by
///   `RandomHorizontalFlip(p=0.5)`, applied per image.
public struct ImageAugmentation: Sendable, Equatable, Codable, CustomStringConvertible {
    /// The largest shift in pixels, each direction. The default value is `0` (no shift).
    public var maximumShift: Int
    /// Whether images are mirrored left–right with probability ½. The default value is `false`.
    public var horizontalFlip: Bool
    /// The seed of the draws. The default value is `0`.
    public var seed: UInt64

    /// An augmentation; `maximumShift` must be in `0…`, which ``validate(sampleShape:)`` checks.
    public init(maximumShift: Int = 0, horizontalFlip: Bool = false, seed: UInt64 = 0) {
        self.maximumShift = maximumShift
        self.horizontalFlip = horizontalFlip
        self.seed = seed
    }

    /// Whether it changes anything.
    public var isActive: Bool { maximumShift > 0 || horizontalFlip }

    /// `shift 2, flip`.
    public var description: String {
        ([maximumShift > 0 ? "shift up to \(maximumShift) pixels" : nil, horizontalFlip ? "horizontal flip" : nil].compactMap { $0 })
            .joined(separator: ", ")
    }

    /// Checks that images of `sampleShape` (`[c, h, w]`) can be augmented this way.
    /// - Throws: ``DataError`` for a negative shift, one not smaller than the image, or samples that are not images.
    public func validate(sampleShape: [Int]) throws {
        guard maximumShift >= 0 else { throw DataError("the augmentation shift must be at least 0 pixels, not \(maximumShift)") }
        guard isActive else { return }
        guard sampleShape.count == 3 else {
            throw DataError("augmentation shifts and flips images of shape channels x height x width, but the samples have shape \(sampleShape); "
                            + "give image data (IDX, .npy [n, c, h, w], or CSV with --input-shape) and a convolutional model")
        }
        guard maximumShift < Swift.min(sampleShape[1], sampleShape[2]) else {
            throw DataError("an augmentation shift of \(maximumShift) pixels would move a \(sampleShape[1])x\(sampleShape[2]) image out of view; give less than \(Swift.min(sampleShape[1], sampleShape[2]))")
        }
    }

    /// The generator stream of the draws ("augment" in ASCII).
    static var stream: UInt64 { 0x61_75_67_6D_65_6E_74 }

    /// The generator of batch `batch` of `epoch`.
    func generator(epoch: Int, batch: Int) -> RandomGenerator {
        // Distinct (epoch, batch) pairs give distinct seeds: the epoch scaled by an odd constant
        // (a bijection on UInt64) plus the batch below 2³², mixed by the generator's own seeding.
        RandomGenerator(seed: seed &+ (UInt64(truncatingIfNeeded: epoch) &* 0x9E37_79B9_7F4A_7C15) ^ (UInt64(truncatingIfNeeded: batch) << 1),
                        stream: Self.stream)
    }

    /// `features` (`[n, c, h, w]`) with each image shifted and flipped by draws from `generator`;
    /// other ranks are returned unchanged.
    public func apply<Scalar: TensorScalar>(to features: Tensor<Scalar>, generator: inout RandomGenerator) -> Tensor<Scalar> {
        guard isActive, features.rank == 4 else { return features }
        let (n, c, h, w) = (features.shape[0], features.shape[1], features.shape[2], features.shape[3])
        let span = 2 * maximumShift + 1
        var draws: [(dy: Int, dx: Int, flip: Bool)] = []
        draws.reserveCapacity(n)
        for _ in 0..<n {
            let dy = maximumShift > 0 ? generator.nextIndex(below: span) - maximumShift : 0
            let dx = maximumShift > 0 ? generator.nextIndex(below: span) - maximumShift : 0
            draws.append((dy, dx, horizontalFlip && generator.nextUniform() < 0.5))
        }
        return features.withUnsafeBufferPointer { source in
            Tensor(shape: features.shape) { out in
                guard let input = source.baseAddress, let output = out.baseAddress else { return }
                for image in 0..<n {
                    let (dy, dx, flip) = draws[image]
                    for plane in 0..<c {
                        let offset = (image * c + plane) * h * w
                        for y in 0..<h {
                            let row = output + offset + y * w
                            let sourceY = y - dy
                            guard sourceY >= 0 && sourceY < h else {
                                for x in 0..<w { row[x] = 0 }
                                continue
                            }
                            let sourceRow = input + offset + sourceY * w
                            for x in 0..<w {
                                // The shifted image, read mirrored when flipped.
                                let shiftedX = (flip ? w - 1 - x : x) - dx
                                row[x] = shiftedX >= 0 && shiftedX < w ? sourceRow[shiftedX] : 0
                            }
                        }
                    }
                }
            }
        }
    }
}

/// A loader whose batches are another loader's with ``ImageAugmentation`` applied: the training
/// loader of a run with augmentation (evaluation loaders stay plain).
public struct AugmentingLoader<Base: BatchLoader>: BatchLoader {
    public typealias Scalar = Base.Scalar
    /// The loader whose batches are augmented.
    public let base: Base
    /// The augmentation.
    public let augmentation: ImageAugmentation

    /// `base`'s batches, augmented.
    public init(_ base: Base, augmentation: ImageAugmentation) {
        self.base = base
        self.augmentation = augmentation
    }

    public var batchesPerEpoch: Int { base.batchesPerEpoch }
    public var samplesPerEpoch: Int { base.samplesPerEpoch }

    /// The augmented batches of `epoch` from `batchIndex`: batch `b` is always drawn with batch `b`'s generator.
    public func batches(epoch: Int, startingAt batchIndex: Int) throws -> BatchIterator<Scalar> {
        BatchIterator(producer: AugmentingProducer(base: try base.batches(epoch: epoch, startingAt: batchIndex), augmentation: augmentation,
                                                   epoch: epoch, batch: batchIndex),
                      position: LoaderPosition(epoch: epoch, batchIndex: batchIndex), prefetch: false)
    }
}

/// Pulls the base loader's batches and augments each.
final class AugmentingProducer<Scalar: TensorScalar>: BatchProducer {
    let base: BatchIterator<Scalar>
    let augmentation: ImageAugmentation
    let epoch: Int
    var batch: Int

    init(base: BatchIterator<Scalar>, augmentation: ImageAugmentation, epoch: Int, batch: Int) {
        self.base = base
        self.augmentation = augmentation
        self.epoch = epoch
        self.batch = batch
    }

    func produceNext() throws -> Batch<Scalar>? {
        guard var next = try base.next() else { return nil }
        var generator = augmentation.generator(epoch: epoch, batch: batch)
        next.features = augmentation.apply(to: next.features, generator: &generator)
        batch += 1
        return next
    }
}
