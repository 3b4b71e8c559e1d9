"""What the digits scripts share: the committed 1×8×8 IDX files, Descent's preprocessing (pixels / 255,
then per-pixel standardisation fitted on the training images, population σ, a constant pixel only
shifted), and the CNN, written as PyTorch's nn.Sequential so that its state_dict names (0.weight,
3.weight, 7.weight, 9.weight …) are those of Descent's spec

    layers(conv2d(16, 3, padding: 1), relu, maxpool2d(2), conv2d(32, 3, padding: 1), relu, maxpool2d(2),
           flatten, linear(64), relu, linear)

on 1×8×8 inputs and 10 classes.
"""
import json
import os
import struct

import numpy as np
import torch
from torch import nn

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
FIXTURES = os.path.join(ROOT, "Tests", "DescentCLITests", "Fixtures", "digits")
SPEC = ("layers(conv2d(16, 3, padding: 1), relu, maxpool2d(2), conv2d(32, 3, padding: 1), relu, maxpool2d(2), "
        "flatten, linear(64), relu, linear)")


def read_idx(path):
    with open(path, "rb") as handle:
        data = handle.read()
    assert data[0] == 0 and data[1] == 0 and data[2] == 0x08, f"{path}: not an unsigned-byte IDX file"
    rank = data[3]
    shape = struct.unpack(">" + "I" * rank, data[4:4 + 4 * rank])
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * rank).reshape(shape)


def load(split):
    images = read_idx(os.path.join(FIXTURES, f"digits-{split}-images-idx3-ubyte")).astype(np.float32) / 255
    labels = read_idx(os.path.join(FIXTURES, f"digits-{split}-labels-idx1-ubyte")).astype(np.int64)
    return images.reshape(-1, 1, 8, 8), labels


def standardize(train, *others):
    """Per-pixel μ and σ of the training images (as Descent's Standardizer, in float64), applied to all."""
    mean = train.astype(np.float64).mean(axis=0)
    std = train.astype(np.float64).std(axis=0)
    scale = np.where(std == 0, 1, std)
    return [((x - mean) / scale).astype(np.float32) for x in (train,) + others]


def make_model():
    return nn.Sequential(
        nn.Conv2d(1, 16, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(16, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Linear(128, 64), nn.ReLU(), nn.Linear(64, 10))


def read_safetensors(path):
    """The tensors of a safetensors file (8-byte little-endian header length, JSON header, raw data)."""
    with open(path, "rb") as handle:
        data = handle.read()
    (length,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8:8 + length])
    body = data[8 + length:]
    dtypes = {"F32": np.float32, "F64": np.float64, "I64": np.int64}
    tensors = {}
    for name, entry in header.items():
        if name == "__metadata__":
            continue
        start, end = entry["data_offsets"]
        array = np.frombuffer(body[start:end], dtype=dtypes[entry["dtype"]]).reshape(entry["shape"])
        tensors[name] = torch.from_numpy(array.copy())
    return tensors
