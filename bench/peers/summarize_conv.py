"""Prints the table of bench/run-conv.sh: samples/s per workload (median over rounds) for Descent's
compiled step and autodiff loop and each peer, and Descent compiled / peer.

    python3 bench/peers/summarize_conv.py bench/results/conv-*.jsonl
"""
import collections, json, statistics, sys

rows = collections.defaultdict(lambda: collections.defaultdict(list))
memory = collections.defaultdict(dict)
loads = []
for path in sys.argv[1:]:
    for line in open(path):
        line = line.strip()
        if not line:
            continue
        r = json.loads(line)
        name = r.get("name", "")
        if name.startswith("load"):
            loads.append(r.get("uptime", "").split("load average:")[-1].strip())
            continue
        if "samplesPerSecond" not in r:
            continue
        parts = name.split("/")
        if parts[0] == "training":  # training/<workload>/<path>/<opt>/batch-b/threads-t
            side, key = "descent-" + parts[2], "/".join([parts[1], parts[3], parts[4], parts[5]])
        else:  # <framework>-<variant>/<workload>/<opt>/batch-b/threads-t
            side, key = parts[0], "/".join(parts[1:])
        rows[key][side].append(r["samplesPerSecond"])
        rss = r.get("peakRSSMegabytes") or r.get("peakResidentMegabytes")
        if rss:
            memory[key][side] = rss

sides = ["descent-compiled", "descent-autodiff", "torch-loop", "torch-dataloader", "jax-scan"]
print("load average (start … end):", " … ".join(loads))
print("| workload | " + " | ".join(sides) + " | compiled ÷ torch-loop | compiled ÷ torch-dataloader | compiled ÷ jax |")
print("|" + "---|" * (len(sides) + 4))
for key in sorted(rows):
    med = {s: statistics.median(v) for s, v in rows[key].items()}
    cells = [f"{med[s]:,.0f}" if s in med else "–" for s in sides]
    ratio = lambda peer: (f"{med['descent-compiled'] / med[peer]:.2f}" if "descent-compiled" in med and peer in med else "–")
    print(f"| {key} | " + " | ".join(cells) + f" | {ratio('torch-loop')} | {ratio('torch-dataloader')} | {ratio('jax-scan')} |")
print()
print("peak resident memory (MB):")
for key in sorted(memory):
    print(f"  {key}: " + ", ".join(f"{s} {v:.0f}" for s, v in sorted(memory[key].items())))
