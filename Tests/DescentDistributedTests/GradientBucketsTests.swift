import DescentCore
import DescentDistributed
import Testing

/// ``GradientBuckets``: DistributedDataParallel's assignment (reverse parameter order, a bucket
/// closes once it reaches its cap, 1 MB for the first and 25 MB after), and the copies in and out.
@Suite struct GradientBucketsTests {
    /// Expected buckets worked by hand from the rule (`torch/csrc/distributed/c10d/reducer.cpp`,
    /// `compute_bucket_assignment_by_size`: add the tensor, close the bucket when its size is at
    /// least the current limit, then move to the next limit), applied in reverse parameter order.
    @Test func assignsInReverseOrderWithASmallFirstBucket() {
        // Float parameters of an MLP 300 → 1000 → 2000 → 10: weights and biases in model order.
        let counts = [1000 * 300, 1000, 2000 * 1000, 2000, 10 * 2000, 10]
        let buckets = GradientBuckets<Float>.assign(counts: counts, elementSize: 4, firstCapacityBytes: 1 << 20, capacityBytes: 25 << 20)
        // Reverse: 10 (40 B), 20000 (80 kB), 2000 (8 kB), 2,000,000 (8 MB) → the first bucket passes 1 MB
        // with the big weight; then 1000 and 300,000 (1.2 MB) stay below 25 MB and end the last bucket.
        #expect(buckets.map(\.parameterIndices) == [[5, 4, 3, 2], [1, 0]])
        #expect(buckets[0].offsets == [0, 10, 20_010, 22_010])
        #expect(buckets.map(\.elementCount) == [2_022_010, 301_000])
    }

    @Test func largeParametersFillSeveralCappedBuckets() {
        // Six parameters of 4 MB each (Double, 512 K elements): first bucket at ≥ 1 MB (one of them),
        // then 25 MB buckets (seven 4 MB parameters would pass 25 MB; five remain, so one bucket).
        let counts = Array(repeating: 512 * 1024, count: 6)
        let buckets = GradientBuckets<Double>.assign(counts: counts, elementSize: 8, firstCapacityBytes: 1 << 20, capacityBytes: 25 << 20)
        #expect(buckets.map(\.parameterIndices) == [[5], [4, 3, 2, 1, 0]])
        let small = GradientBuckets<Double>.assign(counts: counts, elementSize: 8, firstCapacityBytes: 1 << 20, capacityBytes: 8 << 20)
        #expect(small.map(\.parameterIndices) == [[5], [4, 3], [2, 1], [0]])
    }

    @Test func anEmptyModelHasOneEmptyBucket() {
        let buckets = GradientBuckets<Float>.assign(counts: [], elementSize: 4, firstCapacityBytes: 1, capacityBytes: 1)
        #expect(buckets.count == 1 && buckets[0].parameterIndices.isEmpty)
    }

    /// Gathering then scattering with divisor 1 gives back every gradient bit for bit, and a
    /// divisor halves every element exactly (powers of two are exact).
    @Test func gatherAndScatterRoundTripTheGradients() throws {
        var generator = RandomGenerator(seed: 3)
        let parameters = (0..<5).map { index -> (name: String, parameter: Parameter<Double>) in
            let count = [7, 1, 33, 2, 5][index]
            let parameter = Parameter(Tensor<Double>(shape: [count]) { out in for i in 0..<count { out[i] = generator.nextUniform() } })
            parameter.gradient = Tensor<Double>(shape: [count]) { out in for i in 0..<count { out[i] = generator.nextUniform() - 0.5 } }
            return ("p\(index)", parameter)
        }
        let original = parameters.map { $0.parameter.gradient!.scalars }
        // Caps of 16 bytes (two Doubles) make several buckets.
        let buckets = GradientBuckets(parameters: parameters, firstCapacityBytes: 16, capacityBytes: 64, extraCount: 3)
        #expect(buckets.buckets.count > 2)
        #expect(buckets.extra.count == 3)
        for index in buckets.buckets.indices { buckets.gather(index) }
        for index in buckets.buckets.indices { buckets.scatter(index, dividingBy: 1) }
        #expect(parameters.map { $0.parameter.gradient!.scalars } == original)
        for index in buckets.buckets.indices { buckets.gather(index) }
        for index in buckets.buckets.indices { buckets.scatter(index, dividingBy: 2) }
        #expect(parameters.map { $0.parameter.gradient!.scalars } == original.map { $0.map { $0 / 2 } })
        // Three processes: the average is IEEE division by 3 (PyTorch's `div_`), element by
        // element; a multiplication by the rounded 1/3 differs in the last bit for some values.
        for (index, entry) in parameters.enumerated() { entry.parameter.gradient = try Tensor(shape: entry.parameter.shape, scalars: original[index]) }
        for index in buckets.buckets.indices { buckets.gather(index) }
        for index in buckets.buckets.indices { buckets.scatter(index, dividingBy: 3) }
        #expect(parameters.map { $0.parameter.gradient!.scalars } == original.map { $0.map { $0 / 3 } })
        #expect(original.joined().contains { $0 / 3 != $0 * (1.0 / 3) }, "the values show a difference between dividing and multiplying")
    }
}
