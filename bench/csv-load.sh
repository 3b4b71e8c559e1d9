#!/usr/bin/env bash
# CSV loading: Descent's CSVLoader against polars and pandas on the same files, in one session.
#
#     bench/csv-load.sh [ROUNDS]      (default 3 rounds; each figure is the median over rounds)
#
# Writes the benchmark files once (bench/csv_data.py: an MNIST-shaped file, 60,000 × 785
# integers, ~110 MB; a float file, 1,000,000 × 20 values like -0.123456789, ~250 MB) into
# out/bench-csv/ (not committed), builds descent-benchmarks in release mode, then alternates
# Descent (csv/load/*, one and two threads, Float tables) with polars (all cores) and pandas
# (C engine) in every round. Each tool reads each file once to warm the page cache, then several
# timed reads. Prints MB/s (file bytes / median seconds) and Descent's ratio to each peer.
# Needs `pip install polars pandas`. Run it on a quiet machine: `uptime` is printed per round.
set -euo pipefail
cd "$(dirname "$0")/.."
rounds="${1:-3}"
out=out/bench-csv
mkdir -p "$out"
python3 bench/csv_data.py "$out"
swift build -c release --product descent-benchmarks >&2
for round in $(seq 1 "$rounds"); do
    echo "round $round/$rounds: $(uptime)" >&2
    DESCENT_CSV_BENCH_DIR="$out" .build/release/descent-benchmarks --filter csv/load > "$out/descent-$round.json"
    python3 bench/csv_peers.py --repeat 3 "$out/mnist.csv" "$out/floats.csv" > "$out/peers-$round.json"
done
python3 - "$out" "$rounds" <<'PY'
import json, statistics, sys
out, rounds = sys.argv[1], int(sys.argv[2])
files = ["mnist.csv", "floats.csv"]
times = {}  # (file, tool) -> [seconds]
sizes = {}
for r in range(1, rounds + 1):
    for record in json.load(open(f"{out}/descent-{r}.json"))["results"]:
        if "error" in record:
            sys.exit(f"{record['name']}: {record['error']}")
        name = record["name"].split("/")
        times.setdefault((name[2], f"descent {name[3]}"), []).append(record["seconds"])
        sizes[name[2]] = record["bytes"]
    for file, tools in json.load(open(f"{out}/peers-{r}.json")).items():
        for tool, values in tools.items():
            if tool != "bytes":
                times.setdefault((file, tool), []).append(statistics.median(values))
print(f"{'file':<12} {'tool':<22} {'median s':>9} {'MB/s':>8}")
for file in files:
    rows = sorted((tool, statistics.median(v)) for (f, tool), v in times.items() if f == file)
    for tool, seconds in rows:
        print(f"{file:<12} {tool:<22} {seconds:>9.4f} {sizes[file] / seconds / 1e6:>8.1f}")
    best = min(s for t, s in rows if t.startswith("descent"))
    for tool, seconds in rows:
        if not tool.startswith("descent"):
            print(f"{file:<12} {'descent (best) vs ' + tool.split()[0]:<22} {seconds / best:>9.2f}x")
PY
