"""Prints the table of bench/run-before-after.sh: for every workload, the old and the new build's
median and range over the rounds, and new ÷ old (above 1 is faster). `descent train` rows also say
whether both builds reached the same training loss (they must: the arithmetic did not change)."""
import json, statistics, sys

rows = {}  # name -> side -> [samples per second]
losses = {}  # name -> side -> {train loss}
for line in open(sys.argv[1]):
    line = line.strip()
    if not line.startswith("{"):
        continue
    r = json.loads(line)
    if "error" in r:
        continue
    v = r.get("samplesPerSecond") or (1e6 / r["microsecondsPerStep"] if "microsecondsPerStep" in r else None)
    if v is None:
        continue
    rows.setdefault(r["name"], {}).setdefault(r["side"], []).append(v)
    if "trainLoss" in r:
        losses.setdefault(r["name"], {}).setdefault(r["side"], set()).add(r["trainLoss"])

print("| workload | rounds | old median | new median | new ÷ old | old range | new range |")
print("|---|---|---|---|---|---|---|")
for name in sorted(rows):
    old, new = rows[name].get("old", []), rows[name].get("new", [])
    if not old or not new:
        continue
    fmt = lambda v: f"{v:,.0f}"
    note = ""
    if name in losses:
        same = losses[name].get("old") == losses[name].get("new") and len(losses[name].get("old", ())) == 1
        note = " (same loss)" if same else " (**loss differs**)"
    print(f"| {name}{note} | {min(len(old), len(new))} | {fmt(statistics.median(old))} | {fmt(statistics.median(new))} | "
          f"{statistics.median(new) / statistics.median(old):.3f} | {fmt(min(old))}–{fmt(max(old))} | {fmt(min(new))}–{fmt(max(new))} |")
