import DescentCore
import DescentData
import DescentNN
import DescentOptim
import DescentTraining
import Dispatch

/// The data-parallel training step: each rank computes the gradients of its own part of the
/// global batch, the gradients are averaged over the ranks by all-reduce, and every rank applies
/// the same update, so the replicas stay identical.
///
///     loss = inner.computeGradients(on: batch)      // this rank's B/N samples
///     all-reduce the gradients (GradientBuckets, bucket order, MPI_Iallreduce each) and divide by N
///     clip (if asked), optimizer.step               // the same averaged gradient on every rank
///
/// - The all-reduce sits between the backward pass and the update, so the compiled step runs
///   unfused (`computeGradients`): its batch-1 path applies the update inside the backward pass,
///   before any gradient could be averaged, and is never used here (``description`` says so).
/// - Buffers (batch normalisation's running statistics) are broadcast from rank 0 before every
///   step, as DistributedDataParallel's `broadcast_buffers=True` does.
/// - The returned loss is the global batch's mean loss (each rank's loss weighted by its rows),
///   reduced in the same call as the last bucket, so every rank records the same history.
/// - Overlap: the buckets' reductions are started one after another as each is filled and waited
///   for in order, so copying a bucket overlaps the reduction of the one before. The backward pass
///   itself hands over all the gradients at its end, so it does not overlap the reductions.
///
/// - PyTorch: `torch.nn.parallel.DistributedDataParallel(model)` around the usual loop.
///   Reference: Li et al., 2020, *PyTorch Distributed*; Sergeev and Del Balso, 2018, *Horovod*.
public final class DistributedTrainingStep<Scalar: TensorScalar>: TrainingStep {
    /// The step that computes this rank's gradients.
    public let inner: any GradientComputingStep<Scalar>
    /// The group of processes.
    public let communicator: any Communicator
    /// The model trained.
    public let model: any Layer<Scalar>
    /// The gradient buckets (made on the first step, from the trainable parameters then).
    public private(set) var buckets: GradientBuckets<Scalar>?
    private let firstCapacityBytes: Int
    private let capacityBytes: Int
    /// This rank's wish to stop (a Ctrl-C or its time limit), sent with the next step's reduction.
    /// Every rank stops after the same step: a rank that stopped alone would leave the others
    /// waiting in a collective.
    public let localStop = StopSignal()
    /// The stop the ranks agreed on in the last step (any rank's wish), or `nil`.
    public private(set) var agreedStop: StopReason?
    /// Seconds this rank spent in the reduction (from filling the first bucket to the last
    /// average written back), summed over the steps; with ``stepSeconds``, the share of a step the
    /// all-reduce costs (it includes waiting for slower ranks).
    public private(set) var reductionSeconds = 0.0
    /// Seconds of whole steps, summed.
    public private(set) var stepSeconds = 0.0
    /// Steps run.
    public private(set) var stepCount = 0
    /// The extra slots of the last bucket: loss × rows, rows, time-limit votes, interrupt votes.
    static var extraSlots: Int { 4 }

    /// The step that all-reduces `inner`'s gradients over `communicator`.
    /// - Parameters:
    ///   - inner: computes the gradients (``EagerTrainingStep`` or ``CompiledTrainingStep``).
    ///   - model: the model (its buffers are broadcast from rank 0 before each step).
    ///   - communicator: the group.
    ///   - firstCapacityBytes: the first bucket's cap. The default value is 1 MB.
    ///   - capacityBytes: the other buckets' cap. The default value is 25 MB.
    public init(inner: any GradientComputingStep<Scalar>, model: any Layer<Scalar>, communicator: any Communicator,
                firstCapacityBytes: Int = GradientBuckets<Scalar>.defaultFirstCapacityBytes,
                capacityBytes: Int = GradientBuckets<Scalar>.defaultCapacityBytes) {
        self.inner = inner
        self.model = model
        self.communicator = communicator
        self.firstCapacityBytes = firstCapacityBytes
        self.capacityBytes = capacityBytes
    }

    /// The inner step's path (its gradients are what is averaged).
    public var path: TrainingStepPath { inner.path }

    /// `data-parallel over N processes (…) around <the inner step>`.
    public var description: String {
        let bucketText = buckets.map { "\($0.buckets.count) bucket\($0.buckets.count == 1 ? "" : "s")" } ?? "buckets of 1 MB, then 25 MB"
        let unfused = inner.path == .compiled
            ? "; the compiled step runs unfused, since its batch-1 fused update would apply the update before the gradients are averaged"
            : ""
        return "data-parallel over \(communicator.size) processes (gradients all-reduced in \(bucketText) between backward and the update\(unfused)), "
            + "around the \(inner.description)"
    }

    /// One data-parallel step on this rank's `batch` (`next` is not used). Returns the global
    /// batch's mean loss.
    public func train(on batch: Batch<Scalar>, next: Batch<Scalar>?, optimizer: any Optimizer<Scalar>,
                      clipping: GradientClippingRule?) throws -> Double {
        let stepStart = DispatchTime.now().uptimeNanoseconds
        try broadcastBuffers(of: model, from: 0, over: communicator)
        let localLoss = try inner.computeGradients(on: batch)
        let reductionStart = DispatchTime.now().uptimeNanoseconds
        let parameters = model.trainableParameters()
        let buckets = self.buckets(for: parameters)
        let reductions = try (0..<buckets.buckets.count).map { index -> PendingReduction in
            buckets.gather(index)
            if index == buckets.buckets.count - 1 {
                buckets.extra[0] = Scalar(localLoss) * Scalar(batch.count)
                buckets.extra[1] = Scalar(batch.count)
                buckets.extra[2] = localStop.reason == .timeLimit ? 1 : 0
                buckets.extra[3] = localStop.reason == .interrupted ? 1 : 0
            }
            return try communicator.startAllReduceSum(buckets.buffer(index))
        }
        let divisor = Scalar(communicator.size)
        for (index, reduction) in reductions.enumerated() {
            try reduction.wait()
            buckets.scatter(index, dividingBy: divisor)
        }
        reductionSeconds += Double(DispatchTime.now().uptimeNanoseconds - reductionStart) / 1e9
        let rows = Double(buckets.extra[1])
        agreedStop = buckets.extra[3] > 0 ? .interrupted : buckets.extra[2] > 0 ? .timeLimit : nil
        let globalLoss = rows > 0 ? Double(buckets.extra[0]) / rows : localLoss
        clip(parameters, clipping)
        try optimizer.step(parameters)
        stepSeconds += Double(DispatchTime.now().uptimeNanoseconds - stepStart) / 1e9
        stepCount += 1
        return globalLoss
    }

    /// The buckets, made for `parameters` on the first call (and again if the parameters change).
    private func buckets(for parameters: [(name: String, parameter: Parameter<Scalar>)]) -> GradientBuckets<Scalar> {
        if let buckets, buckets.parameters.count == parameters.count,
           zip(buckets.parameters, parameters).allSatisfy({ $0.parameter === $1.parameter }) {
            return buckets
        }
        let made = GradientBuckets(parameters: parameters, firstCapacityBytes: firstCapacityBytes, capacityBytes: capacityBytes, extraCount: Self.extraSlots)
        buckets = made
        return made
    }
}

/// Copies rank `root`'s parameter values (frozen ones too) into every rank's model
/// (`MPI_Bcast`), so that all replicas start from the same weights (DistributedDataParallel's
/// constructor does this with the `state_dict`).
public func broadcastParameters<Scalar: TensorScalar>(of model: any Layer<Scalar>, from root: Int, over communicator: any Communicator) throws {
    guard communicator.size > 1 else { return }
    for (_, parameter) in model.namedParameters() {
        try parameter.updateInPlace { try communicator.broadcast($0, root: root) }
    }
}

/// Copies rank `root`'s buffers (running statistics) into every rank's model.
public func broadcastBuffers<Scalar: TensorScalar>(of model: any Layer<Scalar>, from root: Int, over communicator: any Communicator) throws {
    guard communicator.size > 1 else { return }
    for (_, buffer) in model.namedBuffers() {
        var value = buffer.value
        try value.withUnsafeMutableBufferPointer { try communicator.broadcast($0, root: root) }
        buffer.value = value
    }
}
