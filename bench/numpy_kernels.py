#!/usr/bin/env python3
"""numpy reference figures for the Descent kernel benchmarks; prints one JSON document.

Matrix multiply: square float32/float64 products at 256..2048, GFLOP/s = 2n^3/seconds (best and
median, same counting as `descent-benchmarks --filter kernels`). Elementwise: add, multiply, exp
over 4M float32 into a preallocated output, GB/s counting bytes read plus written.

The thread count is whatever OpenBLAS reads from OPENBLAS_NUM_THREADS; the runner
(bench/run-kernels.sh) starts one process per thread count and reports it in "threads".
"""
import json
import os
import sys
import time

import numpy as np


def measure(body, minimum_repetitions, minimum_seconds):
    body()  # warm-up
    times = []
    start = time.perf_counter()
    while len(times) < minimum_repetitions or time.perf_counter() - start < minimum_seconds:
        t0 = time.perf_counter()
        body()
        times.append(time.perf_counter() - t0)
    return times


def main():
    quick = "--quick" in sys.argv
    threads = int(os.environ.get("OPENBLAS_NUM_THREADS", "0") or 0)
    results = []
    for dtype, name in ((np.float32, "float"), (np.float64, "double")):
        for n in (256, 512, 1024, 2048):
            rng = np.random.default_rng(n)
            a = rng.random((n, n)).astype(dtype) - 0.5
            b = rng.random((n, n)).astype(dtype) - 0.5
            c = np.empty((n, n), dtype=dtype)
            times = measure(lambda: np.matmul(a, b, out=c), 2 if quick else 5, 0.1 if quick else 1.0)
            flops = 2.0 * n ** 3
            results.append({
                "name": f"kernels/matmul/{name}/{n}/threads-{threads}",
                "unit": "GFLOP/s",
                "best": round(flops / min(times) / 1e9, 1),
                "median": round(flops / sorted(times)[len(times) // 2] / 1e9, 1),
                "repetitions": len(times),
            })
    if threads <= 1:
        count = 4 * 1024 * 1024
        x = (np.arange(count, dtype=np.float32) % 1000) / 100 - 5
        y = (np.arange(count, dtype=np.float32) % 777) / 777 + 0.5
        out = np.empty_like(x)
        cases = {
            "memcpy": (lambda: np.copyto(out, x), 2),
            "add": (lambda: np.add(x, y, out=out), 3),
            "multiply": (lambda: np.multiply(x, y, out=out), 3),
            "exp": (lambda: np.exp(x, out=out), 2),
            "sum": (lambda: x.sum(), 1),
        }
        # The loader's batch gather: 1024 random rows of 784 out of 60,000 (GB/s of rows copied).
        source = np.arange(60_000 * 784, dtype=np.float32).reshape(60_000, 784) % 1000
        index_sets = [np.random.default_rng(seed).integers(0, 60_000, 1024) for seed in range(64)]
        gathered = np.empty((1024, 784), dtype=np.float32)
        calls = [0]

        def gather():
            np.take(source, index_sets[calls[0] % 64], axis=0, out=gathered)
            calls[0] += 1

        times = measure(gather, 3 if quick else 20, 0.05 if quick else 0.5)
        results.append({
            "name": "kernels/elementwise/float/gather",
            "unit": "GB/s",
            "best": round(gathered.nbytes / min(times) / 1e9, 2),
            "median": round(gathered.nbytes / sorted(times)[len(times) // 2] / 1e9, 2),
        })
        for case, (body, arrays) in cases.items():
            times = measure(body, 3 if quick else 10, 0.05 if quick else 0.5)
            bytes_moved = arrays * count * 4
            results.append({
                "name": f"kernels/elementwise/float/{case}",
                "unit": "GB/s",
                "best": round(bytes_moved / min(times) / 1e9, 2),
                "median": round(bytes_moved / sorted(times)[len(times) // 2] / 1e9, 2),
            })
    config = np.show_config(mode="dicts")
    blas = config.get("Build Dependencies", {}).get("blas", {})
    print(json.dumps({
        "machine": {"numpy": np.__version__, "blas": blas.get("name"), "blasVersion": blas.get("version"),
                    "threads": threads},
        "results": results,
    }, indent=2))


if __name__ == "__main__":
    main()
