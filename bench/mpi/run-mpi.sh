#!/usr/bin/env bash
# Data-parallel measurements for BENCHMARKS.md ("Data-parallel training over MPI"):
#  1. all-reduce bandwidth, 1/4/25 MB: the plain C MPI_Allreduce loop and descent's binding,
#     alternated three times on the same machine;
#  2. descent train throughput on the MLP at batch 1024 per process, N = 1 and 2, one thread each
#     (and two independent N = 1 runs at once, the ceiling for N = 2 on this machine);
#  3. the all-reduce cost per step at batch 32 (--verbose prints it).
# Needs: openmpi-bin, libopenmpi-dev (mpicc, for the C baseline only), a release build:
#   swift build -c release --product descent && swift build -c release --product descent-benchmarks
set -euo pipefail
cd "$(dirname "$0")/../.."
MPI="mpirun --allow-run-as-root --bind-to none --oversubscribe"
mpicc -O2 -o /tmp/allreduce_baseline bench/mpi/allreduce_baseline.c
uptime
for round in 1 2 3; do
    $MPI -np 2 /tmp/allreduce_baseline
    $MPI -np 2 .build/release/descent-benchmarks --mpi-allreduce
done
# 20,000 rows of 256 features, 10 classes: the MLP mlp(512, 512) at batch 1024 per process.
python3 - <<'PY'
import numpy as np
rng = np.random.default_rng(0)
x = rng.standard_normal((20480, 256)).astype(np.float32)
np.save("/tmp/descent-mpi-x.npy", x)
np.save("/tmp/descent-mpi-y.npy", (np.abs(x[:, :10]).argmax(1)).astype(np.int64))
PY
TRAIN=(train --data /tmp/descent-mpi-x.npy --labels /tmp/descent-mpi-y.npy --model "mlp(512, 512)" --optimizer "sgd(lr: 0.01, momentum: 0.9)"
       --full-loss sample --quiet --format json --verbose)
# Each round: N = 1 alone; two independent N = 1 runs at once (what two cores give two processes
# that never wait for each other: the ceiling for N = 2); N = 2 under mpirun. 240 steps per rank.
for round in 1 2 3 4 5; do
    uptime
    DESCENT_NUM_THREADS=1 .build/release/descent "${TRAIN[@]}" --batch-size 1024 --epochs 12
    DESCENT_NUM_THREADS=1 .build/release/descent "${TRAIN[@]}" --batch-size 1024 --epochs 12 > /tmp/descent-mpi-pair.json &
    DESCENT_NUM_THREADS=1 .build/release/descent "${TRAIN[@]}" --batch-size 1024 --epochs 12 | sed 's/^{/{"pair": 2, /'
    wait
    sed 's/^{/{"pair": 1, /' /tmp/descent-mpi-pair.json
    DESCENT_NUM_THREADS=1 $MPI -x DESCENT_NUM_THREADS -np 2 .build/release/descent "${TRAIN[@]}" --batch-size 1024 --epochs 24
done
# The all-reduce cost per step at batch 32 (the "all-reduce:" line of --verbose).
DESCENT_NUM_THREADS=1 $MPI -x DESCENT_NUM_THREADS -np 2 .build/release/descent "${TRAIN[@]}" --batch-size 32 --epochs 1
uptime
