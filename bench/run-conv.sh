#!/usr/bin/env bash
# Runs the convolutional workloads of issue 17 for Descent and its peers, alternating them in one run,
# and prints samples/s with ratios (Descent compiled ÷ peer). Not run by CI.
#
#   bench/run-conv.sh                                   # every workload
#   WORKLOADS="lenet5:sgd:64:2 cnn:sgd:128:2" bench/run-conv.sh
#   PEERS="torch-loop jax-scan" DESCENT=0 bench/run-conv.sh   # the peers alone (a baseline)
#
# Environment:
#   DESCENT_BENCH   the descent-benchmarks binary (default: build it with swift build -c release)
#   DESCENT         1 (default): run Descent's training/<workload>/compiled|autodiff/... records too
#   PEERS_PYTHON    python with torch, jax and optax (default /work/venv-speed/bin/python, else python3)
#   PEERS           default "torch-loop torch-dataloader jax-scan"
#   FLUSH_DENORMALS 1 (default): flush subnormals in Descent and PyTorch, as XLA does by default
#   OUT             the JSON-lines file of all records (default bench/results/conv-<time>.jsonl)
#   ROUNDS          rounds per workload (default 1); QUICK=1 for a smoke run
#   SAMPLES         samples per epoch for every side (default: 60,000 LeNet-5, 5,000 at batch 1, 10,000 CNN)
set -euo pipefail
cd "$(dirname "$0")/.."
DESCENT=${DESCENT:-1}
if [[ "$DESCENT" == 1 && -z "${DESCENT_BENCH:-}" ]]; then
    swift build -c release --product descent-benchmarks >&2
    DESCENT_BENCH=.build/release/descent-benchmarks
fi
PEERS_PYTHON=${PEERS_PYTHON:-$( [[ -x /work/venv-speed/bin/python ]] && echo /work/venv-speed/bin/python || echo python3 )}
PEERS=${PEERS:-"torch-loop torch-dataloader jax-scan"}
FLUSH_DENORMALS=${FLUSH_DENORMALS:-1}
QUICK_FLAG=$( [[ "${QUICK:-0}" == 1 ]] && echo --quick || true )
ROUNDS=${ROUNDS:-1}
mkdir -p bench/results
OUT=${OUT:-bench/results/conv-$(date +%Y%m%d-%H%M%S).jsonl}
if [[ -z "${WORKLOADS:-}" ]]; then
    WORKLOADS=""
    for threads in 2 1; do
        for batch in 1 64 256; do for opt in sgd adam; do WORKLOADS+=" lenet5:$opt:$batch:$threads"; done; done
        WORKLOADS+=" cnn:sgd:128:$threads cnn:adam:128:$threads"
    done
fi
peer_flags=$( [[ "$FLUSH_DENORMALS" == 1 ]] && echo --flush-denormals || true )
echo "{\"name\": \"load\", \"uptime\": \"$(uptime)\"}" >>"$OUT"
for item in $WORKLOADS; do
    IFS=: read -r workload opt batch threads <<<"$item"
    for round in $(seq 1 "$ROUNDS"); do
        echo "== $workload $opt batch $batch threads $threads (round $round of $ROUNDS; $(uptime | sed 's/.*load/load/'))" >&2
        if [[ "$DESCENT" == 1 ]]; then
            for path in compiled autodiff; do
                DESCENT_BENCH_SAMPLES=${SAMPLES:-0} DESCENT_NUM_THREADS=$threads DESCENT_FLUSH_DENORMALS=$FLUSH_DENORMALS \
                    "$DESCENT_BENCH" --filter "training/$workload/$path/$opt/batch-$batch/threads-$threads" $QUICK_FLAG \
                    | python3 -c 'import json,sys; d=json.load(sys.stdin); r=d["results"] if isinstance(d,dict) else d; [print(json.dumps(x)) for x in r]' >>"$OUT" || true
            done
        fi
        for peer in $PEERS; do
            framework=${peer%%-*}; variant=${peer#*-}
            pin=()
            # JAX has no thread-count setting for its CPU client: one thread means one CPU.
            [[ "$framework" == jax && "$threads" == 1 ]] && pin=(taskset -c 0)
            env OMP_NUM_THREADS="$threads" "${pin[@]}" "$PEERS_PYTHON" bench/peers/conv_peers.py --framework "$framework" \
                --variant "$variant" --workload "$workload" --optimizer "$opt" --batch "$batch" --threads "$threads" \
                --samples "${SAMPLES:-0}" $peer_flags $QUICK_FLAG >>"$OUT" \
                || echo "{\"name\": \"$peer/$workload/$opt/batch-$batch/threads-$threads\", \"error\": \"failed\"}" >>"$OUT"
        done
    done
done
echo "{\"name\": \"load-end\", \"uptime\": \"$(uptime)\"}" >>"$OUT"
echo "records: $OUT" >&2
python3 bench/peers/summarize_conv.py "$OUT"
