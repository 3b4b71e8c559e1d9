#!/usr/bin/env python3
"""Export scikit-learn's bundled digits data set (1,797 8×8 images, 10 classes).

Usage:  pip install scikit-learn && python3 scripts/datasets/export_digits.py OUTPUT_DIR [--csv] [--idx]

The split is 80/20 with `train_test_split(test_size=0.2, random_state=0)` (1,437 training and 360
test images), as in ../shared/peers.md.

--csv (the default when neither is given) writes OUTPUT_DIR/digits-train.csv and digits-test.csv:
columns pixel0 … pixel63 (0–16) and `digit`; PyTorch's MLP 64-64-10 (Adam 1e-3, batch 32, 30 epochs)
reaches test accuracy 0.969–0.972 on them (../shared/peers.md).

--idx writes the images as 1×8×8 IDX files, MNIST's format (unsigned bytes 0–16, shape (n, 8, 8)),
which `descent train` reads as [n, 1, 8, 8] images for a convolutional model (issue 17):
digits-train-images-idx3-ubyte, digits-train-labels-idx1-ubyte, digits-test-images-idx3-ubyte,
digits-test-labels-idx1-ubyte. Their output is committed as a test fixture in
Tests/DescentCLITests/Fixtures/digits/ (about 120 KB):

    python3 scripts/datasets/export_digits.py Tests/DescentCLITests/Fixtures/digits --idx

The data (UCI "Optical Recognition of Handwritten Digits", CC BY 4.0) ships inside scikit-learn,
so nothing is downloaded.
"""
import csv
import os
import struct
import sys

from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split


def write_csv(path, features, labels):
    with open(path, "w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow([f"pixel{i}" for i in range(features.shape[1])] + ["digit"])
        for row, label in zip(features, labels):
            writer.writerow([int(v) for v in row] + [int(label)])


def write_idx(path, values, shape):
    """An IDX file of unsigned bytes: 00 00 08 rank, one big-endian 32-bit size per axis, the bytes."""
    data = bytes(int(v) for v in values.reshape(-1))
    assert all(0 <= int(v) <= 255 for v in values.reshape(-1))
    with open(path, "wb") as handle:
        handle.write(bytes([0, 0, 0x08, len(shape)]))
        for size in shape:
            handle.write(struct.pack(">I", size))
        handle.write(data)


def main():
    arguments = [a for a in sys.argv[1:] if not a.startswith("--")]
    flags = {a for a in sys.argv[1:] if a.startswith("--")}
    unknown = flags - {"--csv", "--idx"}
    if unknown:
        sys.exit(f"unknown option {sorted(unknown)[0]}; use --csv and/or --idx")
    if not flags:
        flags = {"--csv"}
    output = arguments[0] if arguments else "."
    os.makedirs(output, exist_ok=True)
    digits = load_digits()
    x_train, x_test, y_train, y_test = train_test_split(digits.data, digits.target, test_size=0.2, random_state=0)
    if "--csv" in flags:
        write_csv(os.path.join(output, "digits-train.csv"), x_train, y_train)
        write_csv(os.path.join(output, "digits-test.csv"), x_test, y_test)
    if "--idx" in flags:
        for name, x, y in (("train", x_train, y_train), ("test", x_test, y_test)):
            write_idx(os.path.join(output, f"digits-{name}-images-idx3-ubyte"), x, (len(y), 8, 8))
            write_idx(os.path.join(output, f"digits-{name}-labels-idx1-ubyte"), y, (len(y),))
    print(f"wrote {len(y_train)} training and {len(y_test)} test images to {output} ({', '.join(sorted(f[2:] for f in flags))})")


if __name__ == "__main__":
    main()
