/* The plain C baseline for Descent's all-reduce: MPI_Allreduce (MPI_SUM, in place) of float
 * buffers of 1, 4 and 25 MB, timed over many iterations, as nccl-tests reports it:
 * algbw = bytes / time, busbw = algbw * 2 (n - 1) / n.
 *
 *   mpicc -O2 -o /tmp/allreduce_baseline bench/mpi/allreduce_baseline.c
 *   mpirun --allow-run-as-root --bind-to none -np 2 /tmp/allreduce_baseline
 *
 * Prints one JSON object per size on rank 0. Needs libopenmpi-dev (for mpicc and mpi.h) only to
 * build this baseline; descent itself needs no MPI headers. */
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(int argc, char **argv) {
    MPI_Init(&argc, &argv);
    int rank = 0, size = 1;
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &size);
    const long sizes[] = {1L << 20, 4L << 20, 25L << 20};
    for (int s = 0; s < 3; s++) {
        long count = sizes[s] / (long)sizeof(float);
        float *buffer = malloc((size_t)count * sizeof(float));
        for (long i = 0; i < count; i++) buffer[i] = (float)(i % 7) * 0.5f;
        int iterations = sizes[s] >= (25L << 20) ? 40 : 200;
        for (int i = 0; i < 5; i++) MPI_Allreduce(MPI_IN_PLACE, buffer, (int)count, MPI_FLOAT, MPI_SUM, MPI_COMM_WORLD);
        /* The best of 5 rounds: the machine is shared. */
        double best = 1e30;
        for (int round = 0; round < 5; round++) {
            MPI_Barrier(MPI_COMM_WORLD);
            double start = MPI_Wtime();
            for (int i = 0; i < iterations; i++) MPI_Allreduce(MPI_IN_PLACE, buffer, (int)count, MPI_FLOAT, MPI_SUM, MPI_COMM_WORLD);
            double seconds = (MPI_Wtime() - start) / iterations;
            double slowest = 0;
            MPI_Allreduce(&seconds, &slowest, 1, MPI_DOUBLE, MPI_MAX, MPI_COMM_WORLD);
            if (slowest < best) best = slowest;
        }
        if (rank == 0) {
            double algbw = (double)sizes[s] / best / 1e9;
            printf("{\"peer\": \"C MPI_Allreduce\", \"bytes\": %ld, \"processes\": %d, \"secondsPerCall\": %.9f, \"algbwGBps\": %.3f, \"busbwGBps\": %.3f}\n",
                   sizes[s], size, best, algbw, algbw * 2.0 * (size - 1) / size);
        }
        free(buffer);
    }
    MPI_Finalize();
    return 0;
}
