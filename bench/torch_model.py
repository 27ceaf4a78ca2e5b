#!/usr/bin/env python3
"""PyTorch twin of any digitlab layers spec, for side-by-side speed comparisons.

Builds the network a spec describes (the JSON `--model FILE.json` takes, or a preset's spec) as
Keras builds it, so parameter counts match digitlab's and the dense layers see the same inputs:
conv2d with strides and valid|same padding (Keras' same pads the extra row and column at the
bottom and right), max/average pooling (same-padded windows ignore the padding, as tf's do), batch
norm with the spec's momentum and epsilon (Keras' 0.99 and 0.001 by default), dropout, flatten in
NHWC order, global average pooling and dense layers; the spec's kernel initialiser (glorot-uniform
by default; tf's he/lecun normal are truncated, PyTorch's are not) and bias (zero, or none with
useBias false). The last softmax is folded into
the cross-entropy loss, as ../shared/bench/torch_cnn.py does.

It then measures training throughput the way ../shared/bench/torch_cnn.py does (random batch,
Adam lr 1e-3, 10 warm-up steps, same defaults) and prints one JSON line. With the reference spec it
trains the same network as torch_cnn.py, whose file stays as it is.
Install once with: apt-get install -y python3-torch   (then run with /usr/bin/python3)

Usage: /usr/bin/python3 torch_model.py --spec FILE.json|- [--threads 2] [--batches 150]
       [--batch-size 64] [--parameters-only]
"""
import argparse, json, math, sys, time

import torch
import torch.nn as nn
import torch.nn.functional as F

ACTIVATIONS = {"relu": nn.ReLU, "elu": nn.ELU, "tanh": nn.Tanh, "sigmoid": nn.Sigmoid}

# Keras' initialisers by their tfjs names: glorot is xavier; he and lecun scale by fan-in for relu and linear.
INITIALIZERS = {
    "glorotUniform": nn.init.xavier_uniform_,
    "glorotNormal": nn.init.xavier_normal_,
    "heUniform": lambda w: nn.init.kaiming_uniform_(w, nonlinearity="relu"),
    "heNormal": lambda w: nn.init.kaiming_normal_(w, nonlinearity="relu"),
    "leCunUniform": lambda w: nn.init.kaiming_uniform_(w, nonlinearity="linear"),
    "leCunNormal": lambda w: nn.init.kaiming_normal_(w, nonlinearity="linear"),
}


def initialise(module, layer):
    """The spec's kernel initialiser and zero biases, as Keras starts a layer."""
    INITIALIZERS[layer.get("kernelInitializer", "glorotUniform")](module.weight)
    if module.bias is not None:
        nn.init.zeros_(module.bias)


def same_padding(side, window, stride):
    """(before, after) padding of tf's 'same': the odd pixel goes after."""
    out = math.ceil(side / stride)
    total = max((out - 1) * stride + window - side, 0)
    return total // 2, total - total // 2


def window_side(side, window, stride, padding):
    return math.ceil(side / stride) if padding == "same" else (side - window) // stride + 1


class SamePad(nn.Module):
    """tf's 'same' padding for one window on an (h, w) input, with `value` in the padding."""

    def __init__(self, h, w, window, stride, value=0.0):
        super().__init__()
        top, bottom = same_padding(h, window, stride)
        left, right = same_padding(w, window, stride)
        self.pad, self.value = (left, right, top, bottom), value

    def forward(self, x):
        return F.pad(x, self.pad, value=self.value)


class SameAveragePool(nn.Module):
    """Average pooling over tf's 'same' windows: the mean of the pixels inside, padding excluded."""

    def __init__(self, h, w, window, stride):
        super().__init__()
        self.pad = SamePad(h, w, window, stride)
        self.pool = nn.AvgPool2d(window, stride)
        self.register_buffer("counts", self.pool(self.pad(torch.ones(1, 1, h, w))), persistent=False)

    def forward(self, x):
        return self.pool(self.pad(x)) / self.counts


class FlattenNHWC(nn.Module):
    """Keras flattens height, width, channels; PyTorch's NCHW is permuted first so dense weights line up."""

    def forward(self, x):
        return torch.flatten(x.permute(0, 2, 3, 1), 1)


class GlobalAveragePool(nn.Module):
    def forward(self, x):
        return x.mean(dim=(2, 3))


def build(spec):
    """nn.Sequential of the spec on 1x28x28 inputs, tracking the shape as model-spec.ts does."""
    shape = [28, 28, 1]  # [h, w, c] for images, [units] once flat
    modules = []
    layers = spec["layers"]
    for index, layer in enumerate(layers):
        kind = layer["type"]
        if kind == "conv2d":
            h, w, c = shape
            k, s, padding = layer["kernelSize"], layer.get("strides", 1), layer.get("padding", "valid")
            bias = layer.get("useBias", True)
            if padding == "same" and s == 1 and k % 2 == 1:
                conv = nn.Conv2d(c, layer["filters"], k, s, padding=k // 2, bias=bias)
            else:
                if padding == "same":
                    modules.append(SamePad(h, w, k, s))
                conv = nn.Conv2d(c, layer["filters"], k, s, bias=bias)
            initialise(conv, layer)
            modules.append(conv)
            activation = layer.get("activation", "linear")
            if activation != "linear":
                modules.append(ACTIVATIONS[activation]())
            shape = [window_side(h, k, s, padding), window_side(w, k, s, padding), layer["filters"]]
        elif kind in ("maxPooling2d", "averagePooling2d"):
            h, w, c = shape
            k = layer["poolSize"]
            s, padding = layer.get("strides", k), layer.get("padding", "valid")
            if padding == "same" and kind == "maxPooling2d":
                modules += [SamePad(h, w, k, s, value=-math.inf), nn.MaxPool2d(k, s)]
            elif padding == "same":
                modules.append(SameAveragePool(h, w, k, s))
            else:
                modules.append(nn.MaxPool2d(k, s) if kind == "maxPooling2d" else nn.AvgPool2d(k, s))
            shape = [window_side(h, k, s, padding), window_side(w, k, s, padding), c]
        elif kind == "batchNormalization":
            # PyTorch's momentum weighs the new batch: Keras' 0.99 is PyTorch's 0.01.
            norm = nn.BatchNorm2d if len(shape) == 3 else nn.BatchNorm1d
            modules.append(norm(shape[-1], eps=layer.get("epsilon", 1e-3), momentum=1 - layer.get("momentum", 0.99)))
        elif kind == "dropout":
            modules.append(nn.Dropout(layer["rate"]))
        elif kind == "flatten":
            modules.append(FlattenNHWC())
            shape = [shape[0] * shape[1] * shape[2]]
        elif kind == "globalAveragePooling2d":
            modules.append(GlobalAveragePool())
            shape = [shape[2]]
        elif kind == "dense":
            dense = nn.Linear(shape[0], layer["units"], bias=layer.get("useBias", True))
            initialise(dense, layer)
            modules.append(dense)
            activation = layer.get("activation", "linear")
            last_softmax = activation == "softmax" and index == len(layers) - 1
            if activation not in ("linear", "softmax"):
                modules.append(ACTIVATIONS[activation]())
            elif activation == "softmax" and not last_softmax:
                raise ValueError(f"layers[{index}] (dense): softmax is only for the last layer")
            shape = [layer["units"]]
        else:
            raise ValueError(f"layers[{index}]: unknown type {kind!r}")
    return nn.Sequential(*modules)


def describe(model):
    """The engine and the parameter counts as Keras counts them: batch norm's moving mean and variance count, its batch counter does not."""
    trainable = sum(p.numel() for p in model.parameters() if p.requires_grad)
    moving = sum(b.numel() for name, b in model.named_buffers() if name.endswith(("running_mean", "running_var")))
    return {"engine": f"pytorch {torch.__version__}", "parameters": trainable + moving, "trainable_parameters": trainable}


def checked_counts(spec):
    """The parameter counts, once a batch has come out as 10 logits: a shape the spec walk got wrong fails here."""
    model = build(spec)
    logits = model(torch.zeros(2, 1, 28, 28))
    if tuple(logits.shape) != (2, 10):
        raise ValueError(f"the model maps a batch of 2 to {tuple(logits.shape)}, not (2, 10)")
    return describe(model)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--spec", required=True, help="a layers-spec JSON file, or - for stdin (with --parameters-only also a list of specs)")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--batches", type=int, default=150)
    ap.add_argument("--batch-size", type=int, default=64)
    ap.add_argument("--parameters-only", action="store_true",
                    help="build the model, check that a batch comes out as 10 logits, print its parameter counts")
    a = ap.parse_args()
    spec = json.load(sys.stdin if a.spec == "-" else open(a.spec))
    torch.manual_seed(0)
    torch.set_num_threads(a.threads)
    if a.parameters_only:
        # A list of specs is answered with a list, so a test checks every preset in one process.
        print(json.dumps([checked_counts(s) for s in spec] if isinstance(spec, list) else checked_counts(spec)))
        return
    model = build(spec)
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    loss_fn = nn.CrossEntropyLoss()
    x = torch.rand(a.batch_size, 1, 28, 28)
    y = torch.randint(0, 10, (a.batch_size,))

    def step():
        opt.zero_grad()
        loss_fn(model(x), y).backward()
        opt.step()

    for _ in range(10):
        step()
    t0 = time.perf_counter()
    for _ in range(a.batches):
        step()
    dt = time.perf_counter() - t0
    print(json.dumps({**describe(model), "threads": a.threads, "batch_size": a.batch_size,
                      "samples_per_second": round(a.batches * a.batch_size / dt, 1)}))


if __name__ == "__main__":
    main()
