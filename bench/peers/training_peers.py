"""The training workloads of descent-benchmarks (--filter training) in PyTorch, JAX and scikit-learn.

One workload per process, printing one JSON object (the same fields as Descent's records):

    python training_peers.py --framework torch --workload mlp --optimizer sgd --batch 32 --threads 2

Data as in /work/shared/peers.md: X uniform in [0, 1) of shape 60,000 x 784 (float32), labels
argmax((X - 0.5) W) with W ~ N(0, 1) of shape 784 x 10; batch 1 uses the first 5,000 samples.
Linear regression: X ~ N(0, 1) of shape 1,000,000 x 100, y = X w + 4.2 + 0.01 noise, batch 256.
Each figure is the median of three timed epochs after a warm-up epoch (JAX compile time excluded).
"""
import argparse, json, os, resource, statistics, sys, time

import numpy as np


def mnist_like(rows):
    rng = np.random.default_rng(8)
    x = rng.random((rows, 784), dtype=np.float32)
    w = rng.standard_normal((784, 10)).astype(np.float32)
    y = np.argmax((x - 0.5) @ w, axis=1).astype(np.int64)
    return x, y


def linear_data(rows):
    rng = np.random.default_rng(0)
    x = rng.standard_normal((rows, 100), dtype=np.float32)
    w = rng.standard_normal(100).astype(np.float32)
    y = (x @ w + 4.2 + 0.01 * rng.standard_normal(rows)).astype(np.float32)[:, None]
    return x, y


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

def torch_run(a):
    import torch
    torch.set_num_threads(a.threads)
    if a.flush_denormals:
        torch.set_flush_denormal(True)
    torch.manual_seed(1)
    if a.workload == "logistic":
        return torch_logistic(a, torch)
    if a.workload == "mlp":
        x, y = mnist_like(5000 if a.batch == 1 else 60000)
        model = torch.nn.Sequential(torch.nn.Linear(784, 256), torch.nn.ReLU(), torch.nn.Linear(256, 128),
                                    torch.nn.ReLU(), torch.nn.Linear(128, 10))
        loss_fn = torch.nn.CrossEntropyLoss()
        lr = 0.01 if a.optimizer == "sgd" else 1e-3
    else:
        x, y = linear_data(1_000_000)
        model = torch.nn.Linear(100, 1)
        loss_fn = torch.nn.MSELoss()
        lr = 0.01
    opt = torch.optim.SGD(model.parameters(), lr=lr) if a.optimizer == "sgd" else torch.optim.Adam(model.parameters(), lr=lr)
    data = torch.utils.data.TensorDataset(torch.from_numpy(x), torch.from_numpy(y))
    loader = torch.utils.data.DataLoader(data, batch_size=a.batch, shuffle=True)
    last = [0.0]

    def epoch(_):
        total, count = 0.0, 0
        for xb, yb in loader:
            opt.zero_grad()
            loss = loss_fn(model(xb), yb)
            loss.backward()
            opt.step()
            total += loss.item(); count += 1
        last[0] = total / count

    times = timed_epochs(epoch, a.quick)
    return {"samplesPerSecond": len(x) / statistics.median(times), "epochSeconds": times,
            "millisecondsPerStep": statistics.median(times) * 1000 / len(loader), "meanLossLastEpoch": last[0],
            "version": torch.__version__}


def torch_logistic(a, torch):
    x, y = mnist_like(5000)
    xs = [torch.from_numpy(x[i:i + 1]) for i in range(len(x))]
    ys = [torch.from_numpy(y[i:i + 1]) for i in range(len(y))]
    model = torch.nn.Linear(784, 10)
    loss_fn = torch.nn.CrossEntropyLoss()
    opt = torch.optim.SGD(model.parameters(), lr=0.01) if a.optimizer == "sgd" else torch.optim.Adam(model.parameters(), lr=1e-3)

    def step(xb, yb):
        opt.zero_grad()
        loss_fn(model(xb), yb).backward()
        opt.step()

    for i in range(500):
        step(xs[i], ys[i])
    times = []
    for xb, yb in zip(xs, ys):
        start = time.perf_counter(); step(xb, yb); times.append(time.perf_counter() - start)
    return {"microsecondsPerStep": statistics.median(times) * 1e6, "variant": "nn.Linear + optim", "version": torch.__version__}


# ---------------------------------------------------------------- JAX

def jax_run(a):
    import jax, jax.numpy as jnp, optax
    lr = 0.01 if a.optimizer == "sgd" else 1e-3
    tx = optax.sgd(lr) if a.optimizer == "sgd" else optax.adam(lr)
    key = jax.random.PRNGKey(1)

    def dense(key, n_in, n_out):
        k1, k2 = jax.random.split(key)
        bound = 1 / np.sqrt(n_in)
        return (jax.random.uniform(k1, (n_in, n_out), minval=-bound, maxval=bound),
                jax.random.uniform(k2, (n_out,), minval=-bound, maxval=bound))

    if a.workload in ("mlp", "logistic"):
        x, y = mnist_like(5000 if a.batch == 1 or a.workload == "logistic" else 60000)
        sizes = [784, 256, 128, 10] if a.workload == "mlp" else [784, 10]
        keys = jax.random.split(key, len(sizes) - 1)
        params = [dense(k, i, o) for k, i, o in zip(keys, sizes[:-1], sizes[1:])]

        def loss_fn(params, xb, yb):
            h = xb
            for i, (w, b) in enumerate(params):
                h = h @ w + b
                if i < len(params) - 1:
                    h = jax.nn.relu(h)
            return optax.softmax_cross_entropy_with_integer_labels(h, yb).mean()
    else:
        x, y = linear_data(1_000_000)
        params = [dense(key, 100, 1)]

        def loss_fn(params, xb, yb):
            w, b = params[0]
            return jnp.mean((xb @ w + b - yb) ** 2)

    state = tx.init(params)
    X, Y = jnp.asarray(x), jnp.asarray(y)

    @jax.jit
    def step(params, state, xb, yb):
        loss, grads = jax.value_and_grad(loss_fn)(params, xb, yb)
        updates, state = tx.update(grads, state, params)
        return optax.apply_updates(params, updates), state, loss

    if a.workload == "logistic":
        xs = [X[i:i + 1] for i in range(len(x))]; ys = [Y[i:i + 1] for i in range(len(y))]
        for i in range(500):
            params, state, loss = step(params, state, xs[i], ys[i]); loss.block_until_ready()
        times = []
        for xb, yb in zip(xs, ys):
            t = time.perf_counter(); params, state, loss = step(params, state, xb, yb); loss.block_until_ready()
            times.append(time.perf_counter() - t)
        return {"microsecondsPerStep": statistics.median(times) * 1e6, "variant": "jit step", "version": jax.__version__}

    steps = len(x) // a.batch  # the scan needs equal batches: the last partial batch is dropped

    @jax.jit
    def epoch_scan(params, state, key):
        order = jax.random.permutation(key, len(x))[: steps * a.batch].reshape(steps, a.batch)

        def body(carry, idx):
            p, s = carry
            p, s, loss = step(p, s, X[idx], Y[idx])
            return (p, s), loss
        (params, state), losses = jax.lax.scan(body, (params, state), order)
        return params, state, losses.mean()

    carry = [params, state, 0.0]

    def epoch(e):
        p, s, loss = epoch_scan(carry[0], carry[1], jax.random.PRNGKey(e))
        loss.block_until_ready()
        carry[0], carry[1], carry[2] = p, s, float(loss)

    times = timed_epochs(epoch, a.quick)  # the warm-up epoch compiles (--quick: compile time included)
    return {"samplesPerSecond": steps * a.batch / statistics.median(times), "epochSeconds": times,
            "millisecondsPerStep": statistics.median(times) * 1000 / steps, "meanLossLastEpoch": carry[2],
            "variant": "epoch in lax.scan", "version": jax.__version__}


# ---------------------------------------------------------------- scikit-learn

def sklearn_run(a):
    import sklearn, warnings
    from sklearn.neural_network import MLPClassifier
    from threadpoolctl import threadpool_limits
    warnings.filterwarnings("ignore")
    x, y = mnist_like(5000 if a.batch == 1 else 60000)
    model = MLPClassifier(hidden_layer_sizes=(256, 128), solver=a.optimizer, batch_size=a.batch, max_iter=1,
                          learning_rate_init=0.01 if a.optimizer == "sgd" else 1e-3, momentum=0.0,
                          nesterovs_momentum=False, alpha=0.0, shuffle=True, random_state=1, tol=0)
    classes = np.arange(10)
    with threadpool_limits(limits=a.threads):
        times = timed_epochs(lambda e: model.partial_fit(x, y, classes=classes), a.quick)
    return {"samplesPerSecond": len(x) / statistics.median(times), "epochSeconds": times,
            "variant": "MLPClassifier.partial_fit", "version": sklearn.__version__}


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--framework", choices=["torch", "jax", "sklearn"], required=True)
    p.add_argument("--workload", choices=["mlp", "logistic", "linear"], default="mlp")
    p.add_argument("--optimizer", choices=["sgd", "adam"], default="sgd")
    p.add_argument("--batch", type=int, default=32)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--flush-denormals", action="store_true")
    p.add_argument("--quick", action="store_true")
    a = p.parse_args()
    record = {"torch": torch_run, "jax": jax_run, "sklearn": sklearn_run}[a.framework](a)
    record.update(name=f"{a.framework}/{a.workload}/{a.optimizer}/batch-{a.batch}/threads-{a.threads}",
                  threads=a.threads, flushDenormals=a.flush_denormals, peakRSSMegabytes=peak_rss_mb(),
                  python=sys.version.split()[0], numpy=np.__version__)
    print(json.dumps(record))


if __name__ == "__main__":
    main()
