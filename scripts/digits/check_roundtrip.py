#!/usr/bin/env python3
"""Loads a CNN trained by Descent into PyTorch from its model.safetensors and writes PyTorch's logits on
the digits test images (issue 17, part 4: a Descent-trained CNN gives the same predictions in PyTorch).

Usage:  python3 scripts/digits/check_roundtrip.py MODEL_DIR OUTPUT.json

MODEL_DIR is a `descent train --output` folder of the model digits_common.SPEC trained on the committed
digits IDX files: model.safetensors is loaded with load_state_dict(strict=True) (every name and shape
must match PyTorch's nn.Sequential), and the test images are read as Descent reads them (pixels / 255,
then the standardiser saved in preprocessing.json). OUTPUT.json holds the logits [360][10] and the
predicted classes. DigitsTests compares them with Descent's own logits (largest difference < 1e-4);
the committed pair is Tests/DescentCLITests/Fixtures/digits/descent-cnn/ and pytorch-logits.json:

    python3 scripts/digits/check_roundtrip.py Tests/DescentCLITests/Fixtures/digits/descent-cnn \\
        Tests/DescentCLITests/Fixtures/digits/pytorch-logits.json
"""
import json
import os
import sys

import numpy as np
import torch

from digits_common import load, make_model, read_safetensors


def main():
    if len(sys.argv) != 3:
        sys.exit("usage: check_roundtrip.py MODEL_DIR OUTPUT.json")
    folder, output = sys.argv[1], sys.argv[2]
    model = make_model()
    state = read_safetensors(os.path.join(folder, "model.safetensors"))
    model.load_state_dict({name: value.to(torch.float32) for name, value in state.items()}, strict=True)
    model.eval()
    with open(os.path.join(folder, "preprocessing.json")) as handle:
        preprocessing = json.load(handle)
    x, labels = load("test")
    standardizer = preprocessing.get("standardizer")
    if standardizer:
        shape = [1] + standardizer["featureShape"]
        mean = np.array(standardizer["mean"], dtype=np.float32).reshape(shape)
        std = np.array(standardizer["standardDeviation"], dtype=np.float64)
        scale = np.where(std == 0, 1, std).astype(np.float32).reshape(shape)
        x = ((x.reshape([len(x)] + standardizer["featureShape"]) - mean) / scale).reshape(-1, 1, 8, 8).astype(np.float32)
    with torch.no_grad():
        logits = model(torch.from_numpy(x)).numpy()
    predictions = logits.argmax(axis=1)
    result = {
        "torch": torch.__version__,
        "testAccuracy": float((predictions == labels).mean()),
        "predictions": [int(p) for p in predictions],
        "logits": [[float(v) for v in row] for row in logits],
    }
    with open(output, "w") as handle:
        json.dump(result, handle)
        handle.write("\n")
    print(f"PyTorch loaded {folder}/model.safetensors: test accuracy {result['testAccuracy']:.4f}; wrote {output}")


if __name__ == "__main__":
    main()
