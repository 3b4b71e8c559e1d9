"""The convolutional workloads of issue 17 (descent-benchmarks --filter training/lenet5, training/cnn) in
PyTorch and JAX. One workload per process, printing one JSON object (the fields of Descent's records):

    python conv_peers.py --framework torch --variant loop --workload lenet5 --optimizer sgd --batch 64 --threads 2

Workloads (the same data, models and recipes as Sources/DescentBenchmarks/ConvolutionBenchmarks.swift):
- lenet5: 60,000 MNIST-shaped 1x28x28 samples, X uniform in [0, 1), labels argmax((X - 0.5) W) with
  W ~ N(0, 1) of shape 784 x 10 (the teacher of BENCHMARKS.md); batch 1 uses the first 5,000 samples.
  conv 5x5 6 pad 2, ReLU, max-pool 2, conv 5x5 16, ReLU, max-pool 2, flatten, linear 120, ReLU, linear 84,
  ReLU, linear 10.
- cnn: 10,000 CIFAR-shaped 3x32x32 samples (same teacher, W of shape 3072 x 10), conv 3x3 32 pad 1, ReLU,
  max-pool 2, conv 3x3 64 pad 1, ReLU, max-pool 2, conv 3x3 128 pad 1, ReLU, global average pool, linear 10.
SGD lr 0.01 or Adam lr 1e-3, softmax cross-entropy, mean reduction.

Variants: torch `loop` (a tight loop over a shuffled permutation, tensors indexed directly: what a careful
PyTorch user writes), torch `dataloader` (DataLoader over a TensorDataset, shuffle=True), jax `scan` (jit,
the whole epoch in lax.scan over a permutation; the last partial batch is dropped, as the scan needs equal
batches). Each figure is the median of three timed epochs after a warm-up epoch (JAX compile time
excluded; --quick: one epoch, no warm-up).
"""
import argparse, json, resource, statistics, sys, time

import numpy as np


def synthetic(workload, rows):
    rng = np.random.default_rng(17)
    shape = (1, 28, 28) if workload == "lenet5" else (3, 32, 32)
    width = int(np.prod(shape))
    x = rng.random((rows, width), dtype=np.float32)
    w = rng.standard_normal((width, 10)).astype(np.float32)
    y = np.argmax((x - 0.5) @ w, axis=1).astype(np.int64)
    return x.reshape((rows,) + shape), y


def sample_count(a):
    if a.samples:
        return a.samples
    if a.workload == "lenet5":
        return 5000 if a.batch == 1 else 60000
    return 10000


def peak_rss_mb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def timed_epochs(epoch, quick):
    if not quick:
        epoch(0)
    times = []
    for e in range(1, 2 if quick else 4):
        start = time.perf_counter()
        epoch(e)
        times.append(time.perf_counter() - start)
    return times


# ---------------------------------------------------------------- PyTorch

def torch_model(torch, workload):
    nn = torch.nn
    if workload == "lenet5":
        return nn.Sequential(nn.Conv2d(1, 6, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2), nn.Conv2d(6, 16, 5), nn.ReLU(),
                             nn.MaxPool2d(2), nn.Flatten(), nn.Linear(400, 120), nn.ReLU(), nn.Linear(120, 84), nn.ReLU(),
                             nn.Linear(84, 10))
    return nn.Sequential(nn.Conv2d(3, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2), nn.Conv2d(32, 64, 3, padding=1),
                         nn.ReLU(), nn.MaxPool2d(2), nn.Conv2d(64, 128, 3, padding=1), nn.ReLU(),
                         nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(128, 10))


def torch_run(a):
    import torch
    torch.set_num_threads(a.threads)
    if a.flush_denormals:
        torch.set_flush_denormal(True)
    torch.manual_seed(1)
    x, y = synthetic(a.workload, sample_count(a))
    model = torch_model(torch, a.workload)
    loss_fn = torch.nn.CrossEntropyLoss()
    opt = (torch.optim.SGD(model.parameters(), lr=0.01) if a.optimizer == "sgd"
           else torch.optim.Adam(model.parameters(), lr=1e-3))
    X, Y = torch.from_numpy(x), torch.from_numpy(y)
    last = [0.0]
    generator = torch.Generator().manual_seed(3)

    def train(xb, yb):
        opt.zero_grad(set_to_none=True)
        loss = loss_fn(model(xb), yb)
        loss.backward()
        opt.step()
        return loss

    if a.variant == "dataloader":
        loader = torch.utils.data.DataLoader(torch.utils.data.TensorDataset(X, Y), batch_size=a.batch, shuffle=True,
                                             generator=generator)
        steps = len(loader)

        def epoch(_):
            total = torch.zeros(())
            for xb, yb in loader:
                total += train(xb, yb).detach()
            last[0] = float(total) / steps
    else:
        steps = (len(x) + a.batch - 1) // a.batch

        def epoch(_):
            order = torch.randperm(len(x), generator=generator)
            total = torch.zeros(())
            for s in range(steps):
                idx = order[s * a.batch:(s + 1) * a.batch]
                total += train(X[idx], Y[idx]).detach()
            last[0] = float(total) / steps

    times = timed_epochs(epoch, a.quick)
    return {"samplesPerSecond": len(x) / statistics.median(times), "epochSeconds": times,
            "millisecondsPerStep": statistics.median(times) * 1000 / steps, "meanLossLastEpoch": last[0],
            "variant": "tight loop" if a.variant == "loop" else "DataLoader", "version": torch.__version__}


# ---------------------------------------------------------------- JAX

def jax_run(a):
    import jax, jax.numpy as jnp, optax
    lr = 0.01 if a.optimizer == "sgd" else 1e-3
    tx = optax.sgd(lr) if a.optimizer == "sgd" else optax.adam(lr)
    x, y = synthetic(a.workload, sample_count(a))
    keys = iter(jax.random.split(jax.random.PRNGKey(1), 16))

    def uniform(shape, fan_in):
        bound = 1 / np.sqrt(fan_in)
        return jax.random.uniform(next(keys), shape, minval=-bound, maxval=bound)

    def conv_params(c_out, c_in, k):
        return (uniform((c_out, c_in, k, k), c_in * k * k), uniform((c_out,), c_in * k * k))

    def dense_params(n_in, n_out):
        return (uniform((n_in, n_out), n_in), uniform((n_out,), n_in))

    def conv(p, h, padding):
        w, b = p
        out = jax.lax.conv_general_dilated(h, w, (1, 1), [(padding, padding)] * 2,
                                           dimension_numbers=("NCHW", "OIHW", "NCHW"))
        return out + b[None, :, None, None]

    def max_pool(h):
        return jax.lax.reduce_window(h, -jnp.inf, jax.lax.max, (1, 1, 2, 2), (1, 1, 2, 2), "VALID")

    if a.workload == "lenet5":
        params = [conv_params(6, 1, 5), conv_params(16, 6, 5), dense_params(400, 120), dense_params(120, 84),
                  dense_params(84, 10)]

        def logits(p, h):
            h = max_pool(jax.nn.relu(conv(p[0], h, 2)))
            h = max_pool(jax.nn.relu(conv(p[1], h, 0)))
            h = h.reshape(h.shape[0], -1)
            h = jax.nn.relu(h @ p[2][0] + p[2][1])
            h = jax.nn.relu(h @ p[3][0] + p[3][1])
            return h @ p[4][0] + p[4][1]
    else:
        params = [conv_params(32, 3, 3), conv_params(64, 32, 3), conv_params(128, 64, 3), dense_params(128, 10)]

        def logits(p, h):
            h = max_pool(jax.nn.relu(conv(p[0], h, 1)))
            h = max_pool(jax.nn.relu(conv(p[1], h, 1)))
            h = jax.nn.relu(conv(p[2], h, 1)).mean(axis=(2, 3))
            return h @ p[3][0] + p[3][1]

    def loss_fn(p, xb, yb):
        return optax.softmax_cross_entropy_with_integer_labels(logits(p, xb), yb).mean()

    state = tx.init(params)
    X, Y = jnp.asarray(x), jnp.asarray(y)
    steps = len(x) // a.batch

    def step(p, s, xb, yb):
        loss, grads = jax.value_and_grad(loss_fn)(p, xb, yb)
        updates, s = tx.update(grads, s, p)
        return optax.apply_updates(p, updates), s, loss

    @jax.jit
    def epoch_scan(p, s, key):
        order = jax.random.permutation(key, len(x))[: steps * a.batch].reshape(steps, a.batch)

        def body(carry, idx):
            p, s = carry
            p, s, loss = step(p, s, X[idx], Y[idx])
            return (p, s), loss
        (p, s), losses = jax.lax.scan(body, (p, s), order)
        return p, s, losses.mean()

    carry = [params, state, 0.0]

    def epoch(e):
        p, s, loss = epoch_scan(carry[0], carry[1], jax.random.PRNGKey(e))
        loss.block_until_ready()
        carry[0], carry[1], carry[2] = p, s, float(loss)

    times = timed_epochs(epoch, a.quick)
    return {"samplesPerSecond": steps * a.batch / statistics.median(times), "epochSeconds": times,
            "millisecondsPerStep": statistics.median(times) * 1000 / steps, "meanLossLastEpoch": carry[2],
            "variant": "epoch in lax.scan", "version": jax.__version__}


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--framework", choices=["torch", "jax"], required=True)
    p.add_argument("--variant", choices=["loop", "dataloader", "scan"], default=None)
    p.add_argument("--workload", choices=["lenet5", "cnn"], default="lenet5")
    p.add_argument("--optimizer", choices=["sgd", "adam"], default="sgd")
    p.add_argument("--batch", type=int, default=64)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--samples", type=int, default=0, help="samples per epoch (default: 60,000 / 5,000 at batch 1 / 10,000 for cnn)")
    p.add_argument("--flush-denormals", action="store_true")
    p.add_argument("--quick", action="store_true")
    a = p.parse_args()
    a.variant = a.variant or ("scan" if a.framework == "jax" else "loop")
    record = {"torch": torch_run, "jax": jax_run}[a.framework](a)
    record.update(name=f"{a.framework}-{a.variant}/{a.workload}/{a.optimizer}/batch-{a.batch}/threads-{a.threads}",
                  threads=a.threads, samples=sample_count(a), flushDenormals=a.flush_denormals,
                  peakRSSMegabytes=peak_rss_mb(), python=sys.version.split()[0], numpy=np.__version__)
    print(json.dumps(record))


if __name__ == "__main__":
    main()
