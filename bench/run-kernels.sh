#!/usr/bin/env bash
# Runs the Descent kernel benchmarks and numpy (OpenBLAS) alternately in one session and prints
# Descent's figures next to numpy's with their ratio.
#
#     bench/run-kernels.sh [ROUNDS]      (default 2 rounds; each figure is the best over rounds)
#
# numpy runs with OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE unset (so OpenBLAS picks its own
# kernels for this CPU, as a user's numpy would) and OPENBLAS_NUM_THREADS=1 or 2.
# Descent runs its default build; its thread counts are set inside the benchmark.
# Raw JSON goes to out/bench-kernels/.
set -euo pipefail
cd "$(dirname "$0")/.."
rounds="${1:-2}"
out=out/bench-kernels
mkdir -p "$out"
swift build -c release --scratch-path .build-kernels --product descent-benchmarks >&2
for round in $(seq 1 "$rounds"); do
    echo "round $round/$rounds: descent" >&2
    .build-kernels/release/descent-benchmarks --filter kernels > "$out/descent-$round.json"
    for threads in 1 2; do
        echo "round $round/$rounds: numpy, $threads thread(s)" >&2
        env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE OPENBLAS_NUM_THREADS=$threads \
            python3 bench/numpy_kernels.py > "$out/numpy-$threads-$round.json"
    done
done
python3 bench/compare_kernels.py "$out"
