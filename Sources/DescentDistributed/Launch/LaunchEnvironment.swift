/// How this process was launched, read from the environment the MPI launchers set, so that the
/// same `descent` binary runs alone or as one rank of `mpirun -np N` or `srun -n N`.
///
/// - Open MPI's `mpirun` sets `OMPI_COMM_WORLD_SIZE` and `OMPI_COMM_WORLD_RANK`.
/// - MPICH's Hydra (`mpiexec`) and Slurm's PMI-1/PMI-2 set `PMI_SIZE` and `PMI_RANK`.
/// - Slurm with PMIx (`srun --mpi=pmix`) sets `PMIX_RANK`, with the size in `SLURM_NTASKS`.
///
/// A world of one process (or no launcher) is a plain run: MPI is not loaded at all.
/// - PyTorch: `torchrun`'s `WORLD_SIZE`/`RANK`; Horovod reads the same `OMPI_COMM_WORLD_*` variables.
public struct LaunchEnvironment: Equatable, Sendable {
    /// The number of processes the launcher started.
    public var worldSize: Int
    /// This process's rank, as the launcher announced it (MPI's own answer is checked against it).
    public var rank: Int
    /// The variable the size came from (`OMPI_COMM_WORLD_SIZE`), or `nil` for a plain run.
    public var source: String?

    /// A plain run: one process, rank 0.
    public static let single = LaunchEnvironment(worldSize: 1, rank: 0, source: nil)

    /// A launch of `worldSize` processes of which this is `rank`.
    public init(worldSize: Int, rank: Int, source: String?) {
        self.worldSize = worldSize
        self.rank = rank
        self.source = source
    }

    /// Whether more than one process was launched (so MPI must be loaded).
    public var isDistributed: Bool { worldSize > 1 }

    /// The largest world size accepted from the environment (a guard against a garbled variable).
    public static let maximumWorldSize = 1 << 20

    /// Reads the launch from `environment` (the process's by default).
    /// - Throws: ``DistributedError`` when a launcher variable is not a whole number in range, or
    ///   the rank is outside `0..<size`.
    public static func detect(_ environment: [String: String]) throws -> LaunchEnvironment {
        let pairs = [("OMPI_COMM_WORLD_SIZE", "OMPI_COMM_WORLD_RANK"), ("PMI_SIZE", "PMI_RANK"), ("SLURM_NTASKS", "PMIX_RANK")]
        for (sizeName, rankName) in pairs {
            guard let sizeText = environment[sizeName], let rankText = environment[rankName] else { continue }
            guard let size = Int(sizeText.trimmingWhitespace), (1...maximumWorldSize).contains(size) else {
                throw DistributedError("the environment variable \(sizeName)=\(sizeText) is not a process count in 1…\(maximumWorldSize); "
                                       + "it is set by the MPI launcher, so start the run with mpirun or srun rather than setting it by hand")
            }
            guard let rank = Int(rankText.trimmingWhitespace), (0..<size).contains(rank) else {
                throw DistributedError("the environment variable \(rankName)=\(rankText) is not a rank in 0…\(size - 1) (\(sizeName)=\(size)); "
                                       + "it is set by the MPI launcher, so start the run with mpirun or srun rather than setting it by hand")
            }
            return LaunchEnvironment(worldSize: size, rank: rank, source: sizeName)
        }
        return .single
    }
}

extension String {
    /// The text without leading and trailing spaces, tabs and newlines (no Foundation needed).
    var trimmingWhitespace: Substring {
        let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\t" || $0 == "\n" || $0 == "\r" }
        guard let start = firstIndex(where: { !isSpace($0) }), let end = lastIndex(where: { !isSpace($0) }) else { return "" }
        return self[start...end]
    }
}
