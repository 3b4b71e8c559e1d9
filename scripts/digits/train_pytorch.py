#!/usr/bin/env python3
"""PyTorch's test accuracy on scikit-learn's digits with the CNN and recipe Descent is compared with
(issue 17, part 4).

Usage:  python3 scripts/digits/train_pytorch.py      (needs torch and numpy; about a minute on 2 cores)

Model: digits_common.SPEC (PyTorch's default initialisation). Recipe: pixels / 255, per-pixel
standardisation fitted on the 1,437 training images, Adam (lr 1e-3, PyTorch's defaults otherwise),
batch 32 reshuffled every epoch, 30 epochs, cross-entropy, float32, one thread; test accuracy on the
360 test images after the last epoch, for seeds 0–4. Writes
Tests/DescentCLITests/Fixtures/digits/pytorch-accuracy.json, which DigitsTests reads.
"""
import json
import os

import numpy as np
import torch
from torch import nn

from digits_common import FIXTURES, SPEC, load, make_model, standardize

EPOCHS, BATCH, LEARNING_RATE, SEEDS = 30, 32, 1e-3, range(5)


def run(seed, x_train, y_train, x_test, y_test):
    torch.manual_seed(seed)
    model = make_model()
    optimizer = torch.optim.Adam(model.parameters(), lr=LEARNING_RATE)
    loss_function = nn.CrossEntropyLoss()
    x, y = torch.from_numpy(x_train), torch.from_numpy(y_train)
    generator = torch.Generator().manual_seed(seed)
    for _ in range(EPOCHS):
        model.train()
        order = torch.randperm(len(y), generator=generator)
        for start in range(0, len(y), BATCH):
            index = order[start:start + BATCH]
            optimizer.zero_grad()
            loss_function(model(x[index]), y[index]).backward()
            optimizer.step()
    model.eval()
    with torch.no_grad():
        predicted = model(torch.from_numpy(x_test)).argmax(dim=1).numpy()
    return float((predicted == y_test).mean())


def main():
    torch.set_num_threads(1)
    (x_train, y_train), (x_test, y_test) = load("train"), load("test")
    x_train, x_test = standardize(x_train, x_test)
    accuracies = [run(seed, x_train, y_train, x_test, y_test) for seed in SEEDS]
    result = {
        "model": SPEC,
        "recipe": f"pixels / 255, per-pixel standardisation (training images), Adam lr {LEARNING_RATE}, batch {BATCH} shuffled, "
                  f"{EPOCHS} epochs, cross-entropy, float32, PyTorch's default initialisation",
        "torch": torch.__version__,
        "seeds": list(SEEDS),
        "testAccuracy": accuracies,
        "mean": float(np.mean(accuracies)),
        "minimum": min(accuracies),
        "maximum": max(accuracies),
    }
    path = os.path.join(FIXTURES, "pytorch-accuracy.json")
    with open(path, "w") as handle:
        json.dump(result, handle, indent=2)
        handle.write("\n")
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
