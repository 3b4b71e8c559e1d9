#!/usr/bin/env python3
"""The matmul rate the issue's bound is computed from: numpy/OpenBLAS float32 4096³, GFLOP/s.

Prints one JSON line {"name": "matmul/numpy/float/4096/threads-T", "gflops": best, "median": ...}.
The thread count is OPENBLAS_NUM_THREADS (the runner sets it). One MLP sample (784-256-128-10,
forward and backward) costs about 1.007 MFLOP, so the bound in samples/s is gflops·1e9 / 1.007e6.
"""
import json
import os
import sys
import time

import numpy as np

n = 2048 if "--quick" in sys.argv else 4096
rng = np.random.default_rng(0)
a = rng.random((n, n), dtype=np.float32) - 0.5
b = rng.random((n, n), dtype=np.float32) - 0.5
c = np.empty((n, n), dtype=np.float32)
np.matmul(a, b, out=c)  # warm-up
times = []
for _ in range(5):
    t0 = time.perf_counter()
    np.matmul(a, b, out=c)
    times.append(time.perf_counter() - t0)
flops = 2.0 * n ** 3
threads = os.environ.get("OPENBLAS_NUM_THREADS", "0")
print(json.dumps({"name": f"matmul/numpy/float/{n}/threads-{threads}",
                  "gflops": round(flops / min(times) / 1e9, 1),
                  "median": round(flops / sorted(times)[len(times) // 2] / 1e9, 1)}))
