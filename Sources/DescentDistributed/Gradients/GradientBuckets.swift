import DescentCore

/// The model's gradients grouped into flat buffers for the all-reduce, as PyTorch's
/// DistributedDataParallel groups them.
///
/// - Order: the parameters in *reverse* order of `model.parameters()` (the order backward
///   produces their gradients), each whole parameter in one bucket.
/// - Sizes: a bucket closes as soon as it holds at least its cap: ``firstCapacityBytes`` (1 MB)
///   for the first, then ``capacityBytes`` (25 MB) each, so the first reduction can start early and
///   the rest move in few, large messages.
/// - Every rank builds the same buckets from the same model and launches their reductions in
///   bucket order (never in the order they become ready), which MPI needs to match the calls.
/// - Each bucket owns one buffer, allocated once and reused every step.
///
/// - PyTorch: `torch.nn.parallel.DistributedDataParallel(bucket_cap_mb=25)` with
///   `dist._DEFAULT_FIRST_BUCKET_BYTES` (1 MB) and `_compute_bucket_assignment_by_size`.
///   Reference: Li et al., 2020, *PyTorch Distributed: Experiences on Accelerating Data Parallel Training*.
public final class GradientBuckets<Scalar: TensorScalar> {
    /// One bucket: the parameters it holds (by index into the parameter list) and where each
    /// starts in its buffer.
    public struct Bucket: Equatable, Sendable {
        /// Indices into the parameter list, in the order they sit in the buffer.
        public var parameterIndices: [Int]
        /// The offset of each parameter's first element in the buffer.
        public var offsets: [Int]
        /// The elements of the parameters (without the extra slots of the last bucket).
        public var elementCount: Int
    }

    /// The default cap of the first bucket, 1 MB (`dist._DEFAULT_FIRST_BUCKET_BYTES`).
    public static var defaultFirstCapacityBytes: Int { 1 << 20 }
    /// The default cap of the other buckets, 25 MB (`bucket_cap_mb=25`).
    public static var defaultCapacityBytes: Int { 25 << 20 }

    /// The parameters, in the model's order.
    public let parameters: [(name: String, parameter: Parameter<Scalar>)]
    /// The buckets in launch order.
    public let buckets: [Bucket]
    /// Extra elements at the end of the last bucket's buffer, reduced with it (the step's loss).
    public let extraCount: Int
    /// The cap of the first bucket, in bytes.
    public let firstCapacityBytes: Int
    /// The cap of the other buckets, in bytes.
    public let capacityBytes: Int
    /// One buffer per bucket (the last with ``extraCount`` more elements).
    private let buffers: [UnsafeMutableBufferPointer<Scalar>]

    /// Buckets for `parameters` (in the model's order).
    /// - Parameters:
    ///   - parameters: the trainable parameters, as `model.trainableParameters()` lists them.
    ///   - firstCapacityBytes: the first bucket's cap. The default value is 1 MB.
    ///   - capacityBytes: the other buckets' cap. The default value is 25 MB.
    ///   - extraCount: elements added after the last bucket's gradients. The default value is `0`.
    public init(parameters: [(name: String, parameter: Parameter<Scalar>)], firstCapacityBytes: Int = defaultFirstCapacityBytes,
                capacityBytes: Int = defaultCapacityBytes, extraCount: Int = 0) {
        self.parameters = parameters
        self.firstCapacityBytes = Swift.max(firstCapacityBytes, 1)
        self.capacityBytes = Swift.max(capacityBytes, 1)
        self.extraCount = Swift.max(extraCount, 0)
        let counts = parameters.map { $0.parameter.value.scalarCount }
        let buckets = Self.assign(counts: counts, elementSize: MemoryLayout<Scalar>.stride,
                                  firstCapacityBytes: self.firstCapacityBytes, capacityBytes: self.capacityBytes)
        self.buckets = buckets
        buffers = buckets.indices.map { index in
            let count = buckets[index].elementCount + (index == buckets.count - 1 ? Swift.max(extraCount, 0) : 0)
            let buffer = UnsafeMutableBufferPointer<Scalar>.allocate(capacity: Swift.max(count, 1))
            buffer.initialize(repeating: 0)
            return UnsafeMutableBufferPointer(rebasing: buffer[0..<count])
        }
    }

    deinit { for buffer in buffers { buffer.baseAddress?.deallocate() } }

    /// The bucket assignment for parameters of `counts` elements (model order): reverse order,
    /// a bucket closing once it reaches its cap. Pure, so it is tested without MPI.
    public static func assign(counts: [Int], elementSize: Int, firstCapacityBytes: Int, capacityBytes: Int) -> [Bucket] {
        var buckets: [Bucket] = []
        var current = Bucket(parameterIndices: [], offsets: [], elementCount: 0)
        for index in counts.indices.reversed() {
            current.parameterIndices.append(index)
            current.offsets.append(current.elementCount)
            current.elementCount += counts[index]
            let cap = buckets.isEmpty ? firstCapacityBytes : capacityBytes
            if current.elementCount.multipliedReportingOverflow(by: elementSize).partialValue >= cap
                || current.elementCount > Int.max / Swift.max(elementSize, 1) {
                buckets.append(current)
                current = Bucket(parameterIndices: [], offsets: [], elementCount: 0)
            }
        }
        if !current.parameterIndices.isEmpty || buckets.isEmpty { buckets.append(current) }
        return buckets
    }

    /// The buffer of bucket `index` (gradients, then the extra slots for the last bucket).
    public func buffer(_ index: Int) -> UnsafeMutableBufferPointer<Scalar> { buffers[index] }

    /// The extra slots at the end of the last bucket.
    public var extra: UnsafeMutableBufferPointer<Scalar> {
        let last = buffers[buffers.count - 1]
        return UnsafeMutableBufferPointer(rebasing: last[(last.count - extraCount)...])
    }

    /// Copies the parameters' gradients into bucket `index`'s buffer (zeros for a parameter
    /// without a gradient, which then gets the average of the others' gradients).
    public func gather(_ index: Int) {
        let bucket = buckets[index], buffer = buffers[index]
        for (position, parameterIndex) in bucket.parameterIndices.enumerated() {
            let parameter = parameters[parameterIndex].parameter
            let destination = buffer.baseAddress! + bucket.offsets[position]  // safe: allocated above with at least one element
            let count = parameter.value.scalarCount
            if let gradient = parameter.gradientStorage() {
                destination.update(from: gradient.baseAddress!, count: Swift.min(count, gradient.count))  // safe: a gradient has its parameter's count
            } else {
                destination.update(repeating: 0, count: count)
            }
        }
    }

    /// Writes bucket `index`'s buffer, divided by `divisor` (the world size, for the average),
    /// back into the parameters' gradients (setting a gradient that was `nil`).
    public func scatter(_ index: Int, dividingBy divisor: Scalar) {
        let bucket = buckets[index], buffer = buffers[index]
        for (position, parameterIndex) in bucket.parameterIndices.enumerated() {
            let parameter = parameters[parameterIndex].parameter
            let source = buffer.baseAddress! + bucket.offsets[position]  // safe: allocated above with at least one element
            let count = parameter.value.scalarCount
            if parameter.gradientStorage() == nil {
                parameter.gradient = Tensor(repeating: 0, shape: parameter.shape)
            }
            guard let gradient = parameter.gradientStorage() else { continue }  // a frozen parameter keeps none
            let target = gradient.baseAddress!  // safe: a gradient has its parameter's count, at least one element here
            if divisor == 1 {
                target.update(from: source, count: count)
            } else {
                // The scalar type's own division kernel (IEEE division, as `div_` in PyTorch): a loop
                // here would be generic over `Scalar` and call its `/` through the protocol per
                // element, which cost 5 ms a step for 1.6 MB of gradients (BENCHMARKS.md).
                var denominator = divisor
                Scalar.applyBinary(.divide, source, lhsStride: 1, &denominator, rhsStride: 0, target, count: count)
            }
        }
    }
}
