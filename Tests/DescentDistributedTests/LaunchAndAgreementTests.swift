import DescentCore
import DescentDistributed
import Foundation
import Testing

/// The launch read from the launchers' variables, and the start-up comparison between ranks.
@Suite struct LaunchAndAgreementTests {
    @Test func readsEachLaunchersVariables() throws {
        #expect(try LaunchEnvironment.detect([:]) == .single)
        #expect(try LaunchEnvironment.detect(["OMPI_COMM_WORLD_SIZE": "4", "OMPI_COMM_WORLD_RANK": "3"])
                == LaunchEnvironment(worldSize: 4, rank: 3, source: "OMPI_COMM_WORLD_SIZE"))
        #expect(try LaunchEnvironment.detect(["PMI_SIZE": "2", "PMI_RANK": "0"]).worldSize == 2)
        #expect(try LaunchEnvironment.detect(["SLURM_NTASKS": "8", "PMIX_RANK": "5"]).rank == 5)
        #expect(try LaunchEnvironment.detect(["OMPI_COMM_WORLD_SIZE": "1", "OMPI_COMM_WORLD_RANK": "0"]).isDistributed == false)
        // Slurm's task count alone (an allocation, not a launch by srun --mpi=pmix) is a plain run.
        #expect(try LaunchEnvironment.detect(["SLURM_NTASKS": "8"]) == .single)
    }

    @Test func refusesGarbledVariablesWithAMessage() {
        for environment in [["OMPI_COMM_WORLD_SIZE": "two", "OMPI_COMM_WORLD_RANK": "0"], ["PMI_SIZE": "0", "PMI_RANK": "0"],
                            ["PMI_SIZE": "2", "PMI_RANK": "2"], ["PMI_SIZE": "99999999999999999999", "PMI_RANK": "0"]] {
            #expect(throws: DistributedError.self, "\(environment)") { try LaunchEnvironment.detect(environment) }
        }
    }

    @Test func agreementPassesWhenEqualAndNamesTheRankAndItemThatDiffers() throws {
        let mine = RankAgreement(build: 1, configuration: 2, data: 3, checkpoint: 0)
        try mine.check(over: GatheringCommunicator(others: [mine]))
        let other = RankAgreement(build: 1, configuration: 2, data: 4, checkpoint: 0)
        let error = try #require(throws: DistributedError.self) { try mine.check(over: GatheringCommunicator(others: [mine, other])) }
        #expect(error.message.contains("rank 2's data files differ from rank 0's"))
        #expect(!error.message.contains("rank 1"))
        #expect(error.message.contains("same files"))
    }

    @Test func fileDigestsSeeOneChangedByte() throws {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("descent-digest-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: url) }
        try Data("a,b\n1,2\n".utf8).write(to: url)
        let first = try RankAgreement.fileDigest(url.path)
        try Data("a,b\n1,3\n".utf8).write(to: url)
        #expect(try RankAgreement.fileDigest(url.path) != first)
        #expect(throws: DistributedError.self) { try RankAgreement.fileDigest(url.path + ".missing") }
    }
}

/// Rank 0 of a group whose other ranks' gathered digests are given.
final class GatheringCommunicator: Communicator, @unchecked Sendable {
    let others: [RankAgreement]
    init(others: [RankAgreement]) { self.others = others }
    var rank: Int { 0 }
    var size: Int { others.count + 1 }
    func broadcast<Scalar: TensorScalar>(_ buffer: UnsafeMutableBufferPointer<Scalar>, root: Int) throws {}
    func allReduceSum<Scalar: TensorScalar>(_ buffer: UnsafeMutableBufferPointer<Scalar>) throws {}
    func startAllReduceSum<Scalar: TensorScalar>(_ buffer: UnsafeMutableBufferPointer<Scalar>) throws -> PendingReduction {
        try SingleProcessCommunicator().startAllReduceSum(buffer)
    }
    func allGather(_ bytes: [UInt8]) throws -> [[UInt8]] {
        [bytes] + others.map { agreement in agreement.digests.flatMap { digest in withUnsafeBytes(of: digest.littleEndian) { Array($0) } } }
    }
    func barrier() throws {}
    func abort(_ message: String, code: Int32) -> Never { fatalError(message) }
}
