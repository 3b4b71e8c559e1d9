@testable import DescentData
import DescentCore
import Testing

/// Seeded image augmentation (issue 17): every augmented image is the original shifted by at most
/// the maximum (zero fill) and possibly mirrored, checked against all the allowed moves; the draws
/// depend on (seed, epoch, batch) alone.
@Suite struct ImageAugmentationTests {
    /// `n` images of 2×5×6 with distinct pixel values 1, 2, …
    static func images(_ n: Int) throws -> Tensor<Float> {
        try Tensor(shape: [n, 2, 5, 6], scalars: (0..<(n * 60)).map { Float($0 + 1) })
    }

    /// The image moved by (dy, dx), then mirrored when `flip`, as the documentation defines it.
    static func moved(_ image: [Float], dy: Int, dx: Int, flip: Bool) -> [Float] {
        var out = [Float](repeating: 0, count: 60)
        for plane in 0..<2 {
            for y in 0..<5 {
                for x in 0..<6 {
                    let sx = (flip ? 5 - x : x) - dx, sy = y - dy
                    if sx >= 0 && sx < 6 && sy >= 0 && sy < 5 { out[plane * 30 + y * 6 + x] = image[plane * 30 + sy * 6 + sx] }
                }
            }
        }
        return out
    }

    /// The (dy, dx, flip) that turns `image` into `augmented`, among the allowed moves.
    static func move(from image: [Float], to augmented: [Float], maximumShift: Int, flips: Bool) -> (Int, Int, Bool)? {
        for dy in -maximumShift...maximumShift {
            for dx in -maximumShift...maximumShift {
                for flip in flips ? [false, true] : [false] where moved(image, dy: dy, dx: dx, flip: flip) == augmented { return (dy, dx, flip) }
            }
        }
        return nil
    }

    @Test func everyImageIsAnAllowedMoveAndEveryMoveOccurs() throws {
        let x = try Self.images(400)
        let augmentation = ImageAugmentation(maximumShift: 2, horizontalFlip: true, seed: 7)
        var generator = augmentation.generator(epoch: 0, batch: 0)
        let y = augmentation.apply(to: x, generator: &generator)
        #expect(y.shape == x.shape)
        let (input, output) = (x.scalars, y.scalars)
        var seen = Set<String>()
        var flips = 0
        for image in 0..<400 {
            let original = Array(input[(image * 60)..<((image + 1) * 60)])
            let augmented = Array(output[(image * 60)..<((image + 1) * 60)])
            let found = try #require(Self.move(from: original, to: augmented, maximumShift: 2, flips: true), "image \(image)")
            seen.insert("\(found)")
            if found.2 { flips += 1 }
        }
        #expect(seen.count == 50, "all 5 × 5 shifts, with and without a flip, occur in 400 images")
        #expect((140...260).contains(flips), "about half are mirrored: \(flips)")
    }

    @Test func theDrawsDependOnTheSeedEpochAndBatchAlone() throws {
        let x = try Self.images(16)
        let augmentation = ImageAugmentation(maximumShift: 1, horizontalFlip: true, seed: 3)
        func draw(_ a: ImageAugmentation, epoch: Int, batch: Int) -> [Float] {
            var generator = a.generator(epoch: epoch, batch: batch)
            return a.apply(to: x, generator: &generator).scalars
        }
        #expect(draw(augmentation, epoch: 2, batch: 5) == draw(augmentation, epoch: 2, batch: 5))
        #expect(draw(augmentation, epoch: 2, batch: 5) != draw(augmentation, epoch: 2, batch: 6))
        #expect(draw(augmentation, epoch: 2, batch: 5) != draw(augmentation, epoch: 3, batch: 5))
        var other = augmentation
        other.seed = 4
        #expect(draw(augmentation, epoch: 2, batch: 5) != draw(other, epoch: 2, batch: 5))
        // Off by default: nothing changes.
        var generator = RandomGenerator(seed: 0)
        #expect(ImageAugmentation().apply(to: x, generator: &generator).scalars == x.scalars)
    }

    @Test func theLoaderAugmentsEachBatchAndResumesWithTheSameDraws() throws {
        let data = try TensorDataset(features: Self.images(20), targets: .classes((0..<20).map { $0 % 2 }))
        let loader = AugmentingLoader(DataLoader(data, batchSize: .samples(6), shuffle: true, seed: 1),
                                      augmentation: ImageAugmentation(maximumShift: 1, seed: 9))
        #expect(loader.batchesPerEpoch == 4)
        var whole: [Batch<Float>] = []
        let epoch = try loader.batches(epoch: 1, startingAt: 0)
        while let batch = try epoch.next() { whole.append(batch) }
        let resumed = try #require(try loader.batches(epoch: 1, startingAt: 2).next())
        #expect(resumed.features.scalars == whole[2].features.scalars && resumed.indices == whole[2].indices)
        // Each batch is its plain batch, moved.
        let plain = try #require(try DataLoader(data, batchSize: .samples(6), shuffle: true, seed: 1).batches(epoch: 1, startingAt: 2).next())
        #expect(plain.indices == whole[2].indices && plain.features.scalars != whole[2].features.scalars)
        for image in 0..<plain.count {
            let range = (image * 60)..<((image + 1) * 60)
            #expect(Self.move(from: Array(plain.features.scalars[range]), to: Array(whole[2].features.scalars[range]), maximumShift: 1, flips: false) != nil)
        }
    }

    @Test func refusesSamplesThatAreNotImagesAndShiftsLargerThanThem() {
        #expect(throws: DataError.self) { try ImageAugmentation(maximumShift: 1).validate(sampleShape: [784]) }
        #expect(throws: DataError.self) { try ImageAugmentation(maximumShift: 8).validate(sampleShape: [1, 8, 8]) }
        #expect(throws: DataError.self) { try ImageAugmentation(maximumShift: -1).validate(sampleShape: [1, 8, 8]) }
        #expect(throws: Never.self) { try ImageAugmentation(maximumShift: 7, horizontalFlip: true).validate(sampleShape: [3, 8, 8]) }
        #expect(throws: Never.self) { try ImageAugmentation().validate(sampleShape: [784]) }
    }
}
