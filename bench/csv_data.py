#!/usr/bin/env python3
"""Writes the two CSV files of the CSV loading benchmark (bench/csv-load.sh), deterministically.

    python3 bench/csv_data.py OUT_DIR

- mnist.csv: a header `label,p0,…,p783` and 60,000 rows of a label (0–9) and 784 integer pixels
  (0–255; about 80% zeros, as in MNIST, so the file is about the size of MNIST as CSV, ~110 MB).
- floats.csv: a header `x0,…,x18,y` and 1,000,000 rows of 20 floats with nine decimals, such as
  `-0.123456789` (uniform in (-1, 1)), ~240 MB.
The data come from numpy's PCG64 with seed 15; the files are not committed.
"""
import os
import sys

import numpy as np


def write_mnist(path, rows=60_000):
    rng = np.random.default_rng(15)
    labels = rng.integers(0, 10, size=rows)
    pixels = rng.integers(0, 256, size=(rows, 784))
    pixels[rng.random((rows, 784)) < 0.8] = 0
    table = np.column_stack([labels, pixels])
    header = "label," + ",".join(f"p{i}" for i in range(784))
    np.savetxt(path, table, fmt="%d", delimiter=",", header=header, comments="")


def write_floats(path, rows=1_000_000, columns=20):
    rng = np.random.default_rng(15)
    header = ",".join([f"x{i}" for i in range(columns - 1)] + ["y"])
    with open(path, "w") as out:
        out.write(header + "\n")
        for start in range(0, rows, 100_000):
            block = rng.uniform(-1, 1, size=(min(100_000, rows - start), columns))
            np.savetxt(out, block, fmt="%.9f", delimiter=",")


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else "out/bench-csv"
    os.makedirs(out, exist_ok=True)
    for name, writer in [("mnist.csv", write_mnist), ("floats.csv", write_floats)]:
        path = os.path.join(out, name)
        if not os.path.exists(path):
            writer(path)
        print(f"{path}: {os.path.getsize(path) / 1e6:.1f} MB", file=sys.stderr)


if __name__ == "__main__":
    main()
