#!/usr/bin/env bash
# descent train on iris, 100 epochs with --output, the default checkpoint schedule and one
# checkpoint at the end, for two binaries alternated (BENCHMARKS.md, "Full-loss pass and checkpoint
# overheads (issue 15)"). iris.csv is written from scikit-learn when it is missing.
#   bench/run-iris-checkpoints.sh BEFORE_BINARY AFTER_BINARY [rounds]
set -euo pipefail
before="$1"; after="$2"; rounds="${3:-3}"
iris="${IRIS_CSV:-/tmp/iris.csv}"
[ -f "$iris" ] || python3 -c "
from sklearn.datasets import load_iris
d = load_iris(as_frame=True).frame
d['species'] = [['setosa', 'versicolor', 'virginica'][i] for i in d['target']]
d.drop(columns=['target']).to_csv('$iris', index=False)"
out_dir="$(mktemp -d)"
trap 'rm -rf "$out_dir"' EXIT
echo "binary,checkpoints,wall_s,train_s,files"
for _ in $(seq "$rounds"); do
    for name in before after; do
        binary="$before"; [ "$name" = after ] && binary="$after"
        for every in default 100; do
            rm -rf "$out_dir/run"
            extra=(); [ "$every" != default ] && extra=(--checkpoint-every "$every")
            start=$(date +%s.%N)
            json=$("$binary" train --data "$iris" --target species --epochs 100 --output "$out_dir/run" "${extra[@]}" --format json 2>/dev/null)
            end=$(date +%s.%N)
            train=$(echo "$json" | python3 -c 'import sys, json; print(round(json.load(sys.stdin)["timing"]["trainSeconds"], 4))')
            echo "$name,every=$every,$(echo "$end - $start" | bc),$train,$(ls "$out_dir/run/checkpoints" | wc -l)"
        done
    done
done
