"""Prints the table of bench/run-training.sh: each workload's figures and Descent's ratios."""
import json, sys

records = {}
matmul = {}  # threads -> best numpy/OpenBLAS float32 GFLOP/s of this run (bench/peers/matmul_rate.py)
for line in open(sys.argv[1]):
    line = line.strip()
    if line.startswith("{"):
        r = json.loads(line)
        records[r["name"]] = r
        # Measured at the start and at the end of the run under the same name: keep the best.
        if r["name"].startswith("matmul/") and "gflops" in r:
            t = r["name"].split("threads-")[1]
            matmul[t] = max(matmul.get(t, 0), r["gflops"])


def figure(r):
    if r is None or "error" in r:
        return None
    return r.get("samplesPerSecond") or (1e6 / r["microsecondsPerStep"] if "microsecondsPerStep" in r else None)


training = {n for n in records if not n.startswith("matmul/")}
keys = sorted({tuple(n.split("/")[-4:]) if n.startswith("training/") else tuple(n.split("/")[1:]) for n in training},
              key=lambda k: (k[0], k[1], k[3], int(k[2].split("-")[1])))
print("| workload | optimizer | batch | threads | Descent compiled | Descent autodiff | PyTorch | JAX | scikit-learn | compiled ÷ PyTorch | compiled ÷ JAX | compiled ÷ fastest peer | peak RSS MB (compiled) |")
print("|---|---|---|---|---|---|---|---|---|---|---|---|---|")
for workload, opt, batch, threads in keys:
    tail = f"{workload}/{opt}/{batch}/{threads}"
    compiled = records.get(f"training/{workload}/compiled/{opt}/{batch}/{threads}")
    autodiff = records.get(f"training/{workload}/autodiff/{opt}/{batch}/{threads}")
    peers = {p: records.get(f"{p}/{tail}") for p in ("torch", "jax", "sklearn")}
    c = figure(compiled)
    if c is None:
        continue
    unit = "steps/s" if workload == "logistic" else "samples/s"
    fmt = lambda v: "–" if v is None else (f"{v:,.0f}" if workload != "logistic" else f"{1e6 / v:.1f} µs")
    ratio = lambda v: "–" if v is None else f"{c / v:.2f}×"
    best = max([figure(r) for r in peers.values() if figure(r) is not None], default=None)
    print(f"| {workload} | {opt} | {batch.split('-')[1]} | {threads.split('-')[1]} | {fmt(c)} | {fmt(figure(autodiff))} | "
          f"{fmt(figure(peers['torch']))} | {fmt(figure(peers['jax']))} | {fmt(figure(peers['sklearn']))} | "
          f"{ratio(figure(peers['torch']))} | {ratio(figure(peers['jax']))} | {ratio(best)} | "
          f"{compiled.get('peakRSSMegabytes', float('nan')):.0f} |")

if matmul:
    # One MLP sample (784-256-128-10) costs about 1.007 MFLOP forward and backward (issue 8).
    print()
    print("| threads | matmul GFLOP/s (numpy 4096³, this run) | bound, samples/s | MLP batch 1024 compiled SGD ÷ bound | Adam ÷ bound |")
    print("|---|---|---|---|---|")
    for t in sorted(matmul):
        bound = matmul[t] * 1e9 / 1.007e6
        cells = []
        for opt in ("sgd", "adam"):
            v = figure(records.get(f"training/mlp/compiled/{opt}/batch-1024/threads-{t}"))
            cells.append("–" if v is None else f"{v / bound:.0%}")
        print(f"| {t} | {matmul[t]:.1f} | {bound:,.0f} | {cells[0]} | {cells[1]} |")
