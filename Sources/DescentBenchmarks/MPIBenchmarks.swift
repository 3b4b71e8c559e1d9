import Descent
import Foundation

// `descent-benchmarks --mpi-allreduce`, under `mpirun -np N`: Descent's all-reduce (MPI loaded at
// run time, MPICommunicator.allReduceSum, in place) on Float buffers of 1, 4 and 25 MB, timed as
// bench/mpi/allreduce_baseline.c times the plain C MPI_Allreduce loop (the best of 5 rounds, the
// slowest rank's time), printed by rank 0 as one JSON object per line and size.

/// Runs the all-reduce bandwidth benchmark as one rank of an MPI launch.
func runMPIAllReduceBenchmark() {
    do {
        let launch = try LaunchEnvironment.detect(ProcessInfo.processInfo.environment)
        guard launch.isDistributed else { fail("--mpi-allreduce runs under mpirun -np 2 (or more)") }
        let communicator = try MPICommunicator(launch: launch)
        for bytes in [1 << 20, 4 << 20, 25 << 20] {
            let count = bytes / MemoryLayout<Float>.stride
            let buffer = UnsafeMutableBufferPointer<Float>.allocate(capacity: count)
            defer { buffer.deallocate() }
            for i in 0..<count { buffer[i] = Float(i % 7) * 0.5 }
            let iterations = bytes >= 25 << 20 ? 40 : 200
            // Both calls the library has: the blocking one (what the C loop times) and the
            // non-blocking start and wait that the training step uses for its buckets.
            let calls: [(String, () throws -> Void)] = [
                ("descent MPICommunicator.allReduceSum", { try communicator.allReduceSum(buffer) }),
                ("descent MPICommunicator.startAllReduceSum+wait", { try communicator.startAllReduceSum(buffer).wait() }),
            ]
            for (name, call) in calls {
                for _ in 0..<5 { try call() }
                var best = Double.infinity
                for _ in 0..<5 {
                    try communicator.barrier()
                    let start = DispatchTime.now().uptimeNanoseconds
                    for _ in 0..<iterations { try call() }
                    var seconds = [Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9 / Double(iterations)]
                    // The slowest rank's time, as the C baseline takes it (MPI_MAX there; a gather here).
                    let all = try communicator.allGather(seconds.withUnsafeBytes { Array($0) })
                    seconds = all.map { bytes in bytes.withUnsafeBytes { $0.loadUnaligned(as: Double.self) } }
                    best = min(best, seconds.max() ?? .infinity)
                }
                if communicator.rank == 0 {
                    let algorithmBandwidth = Double(bytes) / best / 1e9
                    let busBandwidth = algorithmBandwidth * 2 * Double(communicator.size - 1) / Double(communicator.size)
                    print(String(format: "{\"peer\": \"%@\", \"bytes\": %d, \"processes\": %d, \"secondsPerCall\": %.9f, "
                                 + "\"algbwGBps\": %.3f, \"busbwGBps\": %.3f}", name, bytes, communicator.size, best, algorithmBandwidth, busBandwidth))
                }
            }
        }
        communicator.finalize()
    } catch {
        fail("\(error)")
    }
}
