#!/usr/bin/env python3
"""Prints a Markdown table of Descent vs numpy kernel figures from bench/run-kernels.sh output.

Each figure is the best over the rounds in the folder. Ratio = Descent / numpy (higher is
better for Descent) for GFLOP/s and GB/s alike.
"""
import glob
import json
import os
import sys


def best_by_name(pattern):
    best, machine = {}, {}
    for path in sorted(glob.glob(pattern)):
        with open(path) as file:
            document = json.load(file)
        machine = document.get("machine", machine)
        for result in document["results"]:
            name = result["name"]
            if name not in best or result["best"] > best[name]["best"]:
                best[name] = result
    return best, machine


def main():
    folder = sys.argv[1] if len(sys.argv) > 1 else "out/bench-kernels"
    descent, descent_machine = best_by_name(os.path.join(folder, "descent-*.json"))
    numpy, numpy_machine = best_by_name(os.path.join(folder, "numpy-*.json"))
    print(f"Descent: {json.dumps(descent_machine)}")
    print(f"numpy:   {json.dumps(numpy_machine)}")
    print()
    print("| benchmark | unit | Descent best (median) | numpy best (median) | Descent / numpy |")
    print("|---|---|---|---|---|")
    for name, result in descent.items():
        other = numpy.get(name)
        ours = f"{result['best']} ({result['median']})"
        if other:
            theirs = f"{other['best']} ({other['median']})"
            ratio = f"{result['best'] / other['best']:.2f}"
        else:
            theirs, ratio = "–", "–"
        print(f"| {name} | {result['unit']} | {ours} | {theirs} | {ratio} |")
    memcpy = descent.get("kernels/elementwise/float/memcpy")
    if memcpy:
        print()
        print("Elementwise vs Descent's own memcpy (GB/s ratio, target ≤ 2):")
        for name, result in descent.items():
            if name.startswith("kernels/elementwise/") and result["unit"] == "GB/s" and name != memcpy["name"]:
                print(f"  {name.split('/')[-1]}: memcpy/op = {memcpy['best'] / result['best']:.2f}")


if __name__ == "__main__":
    main()
