"""Prints the table of bench/run-training.sh: each workload's figures and Descent's ratios.

A workload run in several rounds (ROUNDS=n) has several records under one name; each side's figure is
the median over its rounds, and a second table shows the range of each side."""
import json, statistics, sys

records = {}  # name -> the records of every round
matmul = {}  # threads -> best numpy/OpenBLAS float32 GFLOP/s of this run (bench/peers/matmul_rate.py)
for line in open(sys.argv[1]):
    line = line.strip()
    if line.startswith("{"):
        r = json.loads(line)
        records.setdefault(r["name"], []).append(r)
        # Measured at the start and at the end of the run under the same name: keep the best.
        if r["name"].startswith("matmul/") and "gflops" in r:
            t = r["name"].split("threads-")[1]
            matmul[t] = max(matmul.get(t, 0), r["gflops"])


def figures(rounds):
    """Steps or samples per second of each successful round."""
    values = []
    for r in rounds or []:
        if "error" in r:
            continue
        v = r.get("samplesPerSecond") or (1e6 / r["microsecondsPerStep"] if "microsecondsPerStep" in r else None)
        if v is not None:
            values.append(v)
    return values


def figure(rounds):
    values = figures(rounds)
    return statistics.median(values) if values else None


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
          f"{max(r.get('peakRSSMegabytes', float('nan')) for r in compiled):.0f} |")

rounds = max((len(v) for n, v in records.items() if n.startswith("training/")), default=1)
if rounds > 1:
    print()
    print(f"Range over the {rounds} rounds (min–max; the table above gives medians):")
    print()
    print("| workload | optimizer | batch | threads | Descent compiled | PyTorch | JAX | scikit-learn |")
    print("|---|---|---|---|---|---|---|---|")
    for workload, opt, batch, threads in keys:
        tail = f"{workload}/{opt}/{batch}/{threads}"
        cells = []
        for name in (f"training/{workload}/compiled/{opt}/{batch}/{threads}", f"torch/{tail}", f"jax/{tail}", f"sklearn/{tail}"):
            values = figures(records.get(name))
            if not values:
                cells.append("–")
            elif workload == "logistic":
                cells.append(f"{1e6 / max(values):.1f}–{1e6 / min(values):.1f} µs")
            else:
                cells.append(f"{min(values):,.0f}–{max(values):,.0f}")
        if cells[0] != "–":
            print(f"| {workload} | {opt} | {batch.split('-')[1]} | {threads.split('-')[1]} | " + " | ".join(cells) + " |")

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
