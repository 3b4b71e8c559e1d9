#!/usr/bin/env bash
# Runs the training workloads of issue 8 for Descent and its peers, alternating them in one run on
# this machine, and prints samples/s with ratios (Descent compiled ÷ peer). Not run by CI.
#
#   bench/run-training.sh                       # every workload (about 30 minutes)
#   WORKLOADS="mlp:sgd:32:2 logistic:sgd:1:2" bench/run-training.sh
#
# Environment:
#   DESCENT_BENCH     the descent-benchmarks binary (default: build it with swift build -c release)
#   TORCH_PYTHON      python with torch (default /work/venv-torch/bin/python, else /work/venv-peers/bin/python)
#   PEERS_PYTHON      python with jax, optax, scikit-learn (default /work/venv-peers/bin/python)
#   FLUSH_DENORMALS   1 (default): flush subnormals in Descent and PyTorch, as XLA does by default
#   PEERS             frameworks to run (default "torch jax sklearn"); QUICK=1 for a smoke run
#   OUT               the JSON-lines file of all records (default bench/results/training-<time>.jsonl)
#   ROUNDS            rounds per workload (default 1): each round runs Descent and every peer once, in
#                     turn, and the table gives each side's median over the rounds
set -euo pipefail
cd "$(dirname "$0")/.."
if [[ -z "${DESCENT_BENCH:-}" ]]; then
    swift build -c release --product descent-benchmarks >&2
    DESCENT_BENCH=.build/release/descent-benchmarks
fi
TORCH_PYTHON=${TORCH_PYTHON:-$( [[ -x /work/venv-torch/bin/python ]] && echo /work/venv-torch/bin/python || echo /work/venv-peers/bin/python )}
PEERS_PYTHON=${PEERS_PYTHON:-/work/venv-peers/bin/python}
FLUSH_DENORMALS=${FLUSH_DENORMALS:-1}
PEERS=${PEERS:-"torch jax sklearn"}
QUICK_FLAG=$( [[ "${QUICK:-0}" == 1 ]] && echo --quick || true )
ROUNDS=${ROUNDS:-1}
mkdir -p bench/results
OUT=${OUT:-bench/results/training-$(date +%Y%m%d-%H%M%S).jsonl}
source bench/workloads.sh  # DEFAULT_WORKLOADS
WORKLOADS=${WORKLOADS:-$DEFAULT_WORKLOADS}
peer_flags=$( [[ "$FLUSH_DENORMALS" == 1 ]] && echo --flush-denormals || true )

run_peer() {  # python, framework, workload, optimizer, batch, threads
    local pin=()
    # JAX has no thread-count setting for its CPU client: one thread means one CPU.
    [[ "$2" == jax && "$6" == 1 ]] && pin=(taskset -c 0)
    env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE OMP_NUM_THREADS="$6" OPENBLAS_NUM_THREADS="$6" \
        "${pin[@]}" "$1" bench/peers/training_peers.py --framework "$2" --workload "$3" --optimizer "$4" \
        --batch "$5" --threads "$6" $peer_flags $QUICK_FLAG || echo "{\"name\": \"$2/$3/$4/batch-$5/threads-$6\", \"error\": \"failed\"}"
}

matmul_rate() {  # the same run's matmul rate, for the batch-1024 bound (numpy/OpenBLAS 4096³)
    for threads in 1 2; do
        env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE OPENBLAS_NUM_THREADS=$threads \
            "$PEERS_PYTHON" bench/peers/matmul_rate.py $QUICK_FLAG >>"$OUT" || true
    done
}

matmul_rate
for item in $WORKLOADS; do
    IFS=: read -r workload opt batch threads <<<"$item"
    for round in $(seq 1 "$ROUNDS"); do
    echo "== $workload $opt batch $batch threads $threads (round $round of $ROUNDS)" >&2
    for path in compiled autodiff; do
        DESCENT_NUM_THREADS=$threads DESCENT_FLUSH_DENORMALS=$FLUSH_DENORMALS \
            "$DESCENT_BENCH" --filter "training/$workload/$path/$opt/batch-$batch/threads-$threads" $QUICK_FLAG \
            | python3 -c 'import json,sys; d=json.load(sys.stdin); r=d["results"] if isinstance(d,dict) else d; [print(json.dumps(x)) for x in r]' >>"$OUT"
    done
    for peer in $PEERS; do
        [[ "$peer" == sklearn && "$workload" != mlp ]] && continue
        python=$PEERS_PYTHON; [[ "$peer" == torch ]] && python=$TORCH_PYTHON
        run_peer "$python" "$peer" "$workload" "$opt" "$batch" "$threads" >>"$OUT"
    done
    done
done
matmul_rate
echo "records: $OUT" >&2
python3 bench/peers/summarize.py "$OUT"
