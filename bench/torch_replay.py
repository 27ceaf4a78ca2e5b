#!/usr/bin/env python3
"""Replays digitlab's batch-norm steps in PyTorch, from digitlab's own weights, for bench/batch-norm-vs-pytorch.ts.

Reads a directory that the bench script wrote: spec.json (the layers spec, the mode and the sizes),
weights.bin (float32, digitlab's weights in tfjs' model.getWeights() order: every trainable weight
layer by layer (conv kernels HWIO, dense kernels [in, out], batch norm gamma and beta), then batch
norm's moving means and variances), batches.bin (float32 images, 784 each),
labels.bin (uint8) and test.bin (float32 test images). Builds the spec's twin (torch_model.build),
loads the weights, then either runs the batches forward in training mode with the weights frozen
("forward": only the moving statistics move) or trains on them with Adam as digitlab does
("train": lr 1e-3, Keras' epsilon 1e-7). Writes the test probabilities to torch_probabilities.bin
and prints one JSON line: each batch norm's moving mean and variance.

Usage: /usr/bin/python3 bench/torch_replay.py DIR
"""
import json, os, sys

import numpy as np
import torch
import torch.nn as nn

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from torch_model import build  # noqa: E402


def load_keras_weights(model, flat):
    """Copies digitlab's weights, in getWeights() order, into the twin's modules, transposing kernels to PyTorch's layouts."""
    offset = 0

    def take(shape):
        nonlocal offset
        n = int(np.prod(shape))
        out = torch.from_numpy(flat[offset:offset + n].reshape(shape).copy())
        offset += n
        return out

    with torch.no_grad():
        for m in model:
            if isinstance(m, nn.Conv2d):
                o, i, kh, kw = m.weight.shape
                m.weight.copy_(take((kh, kw, i, o)).permute(3, 2, 0, 1))
                if m.bias is not None:
                    m.bias.copy_(take((o,)))
            elif isinstance(m, nn.Linear):
                o, i = m.weight.shape
                m.weight.copy_(take((i, o)).t())
                if m.bias is not None:
                    m.bias.copy_(take((o,)))
            elif isinstance(m, nn.modules.batchnorm._BatchNorm):
                m.weight.copy_(take((m.num_features,)))
                m.bias.copy_(take((m.num_features,)))
        # tfjs lists the non-trainable weights after all the trainable ones.
        for m in model:
            if isinstance(m, nn.modules.batchnorm._BatchNorm):
                m.running_mean.copy_(take((m.num_features,)))
                m.running_var.copy_(take((m.num_features,)))
    if offset != flat.size:
        raise ValueError(f"read {offset} of {flat.size} weights: the spec and the weights disagree")


def main():
    folder = sys.argv[1]
    meta = json.load(open(os.path.join(folder, "spec.json")))
    torch.manual_seed(0)
    torch.set_num_threads(2)
    model = build(meta["spec"])
    load_keras_weights(model, np.fromfile(os.path.join(folder, "weights.bin"), dtype=np.float32))
    x = torch.from_numpy(np.fromfile(os.path.join(folder, "batches.bin"), dtype=np.float32)).reshape(-1, 28, 28, 1).permute(0, 3, 1, 2)
    y = torch.from_numpy(np.fromfile(os.path.join(folder, "labels.bin"), dtype=np.uint8).astype(np.int64))
    batch = meta["batchSize"]
    model.train()
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3, eps=1e-7) if meta["mode"] == "train" else None
    loss_fn = nn.CrossEntropyLoss()
    for start in range(0, x.shape[0], batch):
        xb, yb = x[start:start + batch], y[start:start + batch]
        if optimizer is None:
            with torch.no_grad():
                model(xb)
        else:
            optimizer.zero_grad()
            loss_fn(model(xb), yb).backward()
            optimizer.step()
    model.eval()
    test = torch.from_numpy(np.fromfile(os.path.join(folder, "test.bin"), dtype=np.float32)).reshape(-1, 28, 28, 1).permute(0, 3, 1, 2)
    with torch.no_grad():
        probabilities = torch.softmax(model(test), dim=1)
    probabilities.numpy().astype(np.float32).tofile(os.path.join(folder, "torch_probabilities.bin"))
    norms = [m for m in model if isinstance(m, nn.modules.batchnorm._BatchNorm)]
    print(json.dumps([{"mean": m.running_mean.tolist(), "variance": m.running_var.tolist()} for m in norms]))


if __name__ == "__main__":
    main()
