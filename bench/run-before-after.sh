#!/usr/bin/env bash
# Runs the training workloads of BENCHMARKS.md with two builds of Descent, alternating them in one
# run (old, new, old, new, … for every workload and round), and prints each side's median and
# range and new ÷ old. Also times what a user runs, `descent train`, on a generated CSV of
# 784 features and 10 classes at batch sizes 1, 32 and 1024. Not run by CI.
#
#   OLD=/path/to/old/.build/release NEW=.build/release ROUNDS=5 bench/run-before-after.sh
#
# Environment:
#   OLD, NEW      folders holding each build's descent-benchmarks and descent binaries (required)
#   ROUNDS        rounds per workload (default 5)
#   WORKLOADS     workload:optimizer:batch:threads items (default: every training workload)
#   PATHS         "compiled autodiff" (default) or one of them
#   TRAIN_BATCHES batch sizes for the `descent train` rows (default "1 32 1024"; empty skips them)
#   OUT           the JSON-lines file of all records (default bench/results/before-after-<time>.jsonl)
set -euo pipefail
cd "$(dirname "$0")/.."
: "${OLD:?set OLD to the old build's release folder}" "${NEW:?set NEW to the new build's release folder}"
ROUNDS=${ROUNDS:-5}
PATHS=${PATHS:-"compiled autodiff"}
TRAIN_BATCHES=${TRAIN_BATCHES-"1 32 1024"}
mkdir -p bench/results
OUT=${OUT:-bench/results/before-after-$(date +%Y%m%d-%H%M%S).jsonl}
source bench/workloads.sh  # DEFAULT_WORKLOADS
WORKLOADS=${WORKLOADS:-$DEFAULT_WORKLOADS}

for item in $WORKLOADS; do
    IFS=: read -r workload opt batch threads <<<"$item"
    for round in $(seq 1 "$ROUNDS"); do
        echo "== $workload $opt batch $batch threads $threads (round $round of $ROUNDS)" >&2
        for path in $PATHS; do
            for side in old new; do
                dir=$OLD; [[ $side == new ]] && dir=$NEW
                DESCENT_NUM_THREADS=$threads DESCENT_FLUSH_DENORMALS=1 \
                    "$dir/descent-benchmarks" --filter "training/$workload/$path/$opt/batch-$batch/threads-$threads" \
                    | SIDE=$side python3 -c 'import json,os,sys; d=json.load(sys.stdin); r=d["results"] if isinstance(d,dict) else d; [print(json.dumps(dict(x, side=os.environ["SIDE"]))) for x in r]' >>"$OUT"
            done
        done
    done
done

if [[ -n "$TRAIN_BATCHES" ]]; then
    data=bench/results/train-784x10.csv
    [[ -f $data ]] || python3 - "$data" <<'PY'
import random, sys
random.seed(0)
W = [[random.gauss(0, 1) for _ in range(784)] for _ in range(10)]
with open(sys.argv[1], "w") as f:
    f.write(",".join(f"p{i}" for i in range(784)) + ",label\n")
    for _ in range(4000):
        x = [random.random() for _ in range(784)]
        s = [sum(a * b for a, b in zip(w, x)) for w in W]
        f.write(",".join(f"{v:.3f}" for v in x) + "," + str(s.index(max(s))) + "\n")
PY
    for batch in $TRAIN_BATCHES; do
        epochs=$(( batch == 1 ? 3 : 20 ))
        for opt in "sgd(lr: 0.01)" "adam(lr: 0.001)"; do
            name="descent-train/${opt%%(*}/batch-$batch"
            for round in $(seq 1 "$ROUNDS"); do
                echo "== $name (round $round of $ROUNDS)" >&2
                for side in old new; do
                    dir=$OLD; [[ $side == new ]] && dir=$NEW
                    "$dir/descent" train --data "$data" --target label --model "mlp(256, 128)" --batch-size "$batch" \
                        --epochs "$epochs" --optimizer "$opt" --format json --quiet \
                        | NAME=$name SIDE=$side python3 -c 'import json,os,sys; d=json.load(sys.stdin); t=d["timing"]; print(json.dumps({"name": os.environ["NAME"], "side": os.environ["SIDE"], "samplesPerSecond": t["samplesPerSecond"], "trainSeconds": t["trainSeconds"], "trainLoss": d["train"]["loss"]}))' >>"$OUT"
                done
            done
        done
    done
fi
echo "records: $OUT" >&2
python3 bench/summarize_before_after.py "$OUT"
