"""Log a training script's run into a running `digitlab serve`, live.

Standard library only (urllib, json, threading); numpy arrays are accepted wherever a list is,
never required. Python 3.9 or later.

    import digitlab_tracking as dl
    with dl.start_run("http://127.0.0.1:3000", name="torch-cnn", params={"lr": 1e-3, "seed": 1}) as run:
        for epoch in range(1, 6):
            ...
            run.log_epoch(epoch, loss=..., accuracy=..., val_loss=..., val_accuracy=..., seconds=...)
        run.log_test_predictions(probs)   # [n,10] probabilities, rows in the dataset's test order
        run.log_model("model.onnx", scale="unit")  # optional; say how you fed it
    # leaving the block completes the run; an exception inside it fails the run and re-raises

The server holds the run with a lease that a background thread renews; a script that stops
reporting (killed, hung) has its run failed when the lease runs out, so no run is left running.
"""

import json
import math
import os
import threading
import time
import urllib.error
import urllib.parse
import urllib.request

__all__ = ["start_run", "Run", "KerasCallback", "DigitlabError"]

# How long a request keeps being retried while the server does not answer (refused, 5xx).
DEFAULT_RETRY_SECONDS = 30.0
# How often the latest batch is sent while a script trains.
PROGRESS_SECONDS = 2.0
# One request's own time limit, so a training script never hangs on a server that went quiet.
REQUEST_TIMEOUT_SECONDS = 60.0


class DigitlabError(Exception):
    """The server said no (a 4xx, with its message), or did not answer for the retry period."""

    def __init__(self, message, status=None):
        super().__init__(message)
        self.status = status


def _plain(value):
    """numpy scalars and arrays as plain Python values, without importing numpy."""
    if hasattr(value, "tolist"):
        return value.tolist()
    if hasattr(value, "item") and not isinstance(value, (list, tuple, dict, str, bytes)):
        return value.item()
    return value


def _scalar(name, value):
    value = _plain(value)
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise DigitlabError("%s must be a number; got %r" % (name, value))
    if not math.isfinite(value):
        raise DigitlabError("%s must be finite; got %r" % (name, value))
    return float(value)


class _Http:
    def __init__(self, server, token, retry_seconds):
        self.server = server.rstrip("/")
        self.token = token if token is not None else os.environ.get("DIGITLAB_TOKEN")
        self.retry_seconds = retry_seconds

    def request(self, method, path, body=None, content_type="application/json", retry_seconds=None):
        data = json.dumps(body).encode("utf-8") if content_type == "application/json" and body is not None else body
        headers = {"Content-Type": content_type, "Accept": "application/json"}
        if self.token:
            headers["Authorization"] = "Bearer " + self.token
        give_up_at = time.monotonic() + (self.retry_seconds if retry_seconds is None else retry_seconds)
        backoff = 0.25
        while True:
            request = urllib.request.Request(self.server + path, data=data, method=method, headers=headers)
            try:
                with urllib.request.urlopen(request, timeout=REQUEST_TIMEOUT_SECONDS) as response:
                    text = response.read().decode("utf-8")
                    return json.loads(text) if text else {}
            except urllib.error.HTTPError as err:
                message = err.read().decode("utf-8", "replace")
                try:
                    message = json.loads(message).get("error", message)
                except ValueError:
                    pass
                if err.code < 500:
                    raise DigitlabError("%s %s: %d %s" % (method, path, err.code, message), err.code) from None
                problem = "%d %s" % (err.code, message)
            except (urllib.error.URLError, ConnectionError, TimeoutError, OSError) as err:
                problem = str(getattr(err, "reason", err))
            if time.monotonic() + backoff > give_up_at:
                raise DigitlabError(
                    "the digitlab server at %s did not answer %s %s (%s); is `digitlab serve` running there?"
                    % (self.server, method, path, problem)
                ) from None
            time.sleep(backoff)
            backoff = min(backoff * 2, 5.0)


class Run:
    """A run on the server. Use it through `start_run`, as a context manager."""

    def __init__(self, http, created):
        self._http = http
        self.id = created["id"]
        self.url = http.server + created["path"]
        self.lease_seconds = created["leaseSeconds"]
        self._ended = False
        self._progress = None
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._heartbeat = threading.Thread(target=self._beat, name="digitlab-lease", daemon=True)
        self._heartbeat.start()

    def _path(self, tail):
        return "/api/tracking/runs/%d/%s" % (self.id, tail)

    def _beat(self):
        # New progress goes out every PROGRESS_SECONDS, so the run page's curve moves; without any,
        # a third of the lease between beats leaves two more tries before the server gives up on us.
        renew_every = max(1.0, min(self.lease_seconds / 3.0, 10.0))
        last = time.monotonic()
        while not self._stop.wait(min(PROGRESS_SECONDS, renew_every)):
            with self._lock:
                progress, self._progress = self._progress, None
            if progress is None and time.monotonic() - last < renew_every:
                continue
            try:
                self._http.request("POST", self._path("heartbeat"), {"progress": progress}, retry_seconds=renew_every)
                last = time.monotonic()
            except DigitlabError as err:
                if err.status is not None:  # the server refused: the run ended or is not ours
                    return

    def log_progress(self, batch, batches, loss=None, accuracy=None, epoch=None):
        """The current batch; sent with the next heartbeat, so calling it every batch costs nothing."""
        progress = {"batch": int(batch), "batches": int(batches)}
        if loss is not None:
            progress["loss"] = _scalar("loss", loss)
        if accuracy is not None:
            progress["accuracy"] = _scalar("accuracy", accuracy)
        if epoch is not None:
            progress["epoch"] = int(epoch)
        with self._lock:
            self._progress = progress

    def log_epoch(self, epoch, loss=None, accuracy=None, val_loss=None, val_accuracy=None, seconds=None, **metrics):
        """One finished epoch (counted from 1): the usual four figures and any other named scalars."""
        body = {"epoch": int(epoch)}
        for name, value in (("loss", loss), ("accuracy", accuracy), ("valLoss", val_loss), ("valAccuracy", val_accuracy), ("seconds", seconds)):
            if value is not None:
                body[name] = _scalar(name, value)
        body["metrics"] = {name: _scalar(name, value) for name, value in metrics.items() if value is not None}
        self._http.request("POST", self._path("epochs"), body)

    def log_test_predictions(self, probabilities):
        """[n,classes] class probabilities (ten for MNIST), one row per test image in the run's dataset's order (n: all, or a prefix)."""
        rows = _plain(probabilities)
        self._http.request("PUT", self._path("predictions"), {"probabilities": rows})

    def log_model(self, path, scale=None, normalize=None, layout=None):
        """The trained model as an ONNX file, for explanations, robustness, own digits and the map.

        Say how the script fed it pixels: scale "unit" ([0,1]) or "byte" ([0,255]), or
        normalize=(mean, std) for pixels in [0,1] standardised as transforms.Normalize does, and
        layout "nchw" or "nhwc". What is left out the server finds on a trial batch of test
        images, which a barely trained model can mislead.
        """
        with open(path, "rb") as f:
            data = f.read()
        query = {}
        if scale is not None:
            query["scale"] = scale
        if normalize is not None:
            query["normalize"] = "%r,%r" % (float(normalize[0]), float(normalize[1]))
        if layout is not None:
            query["layout"] = layout
        tail = "model" + ("?" + urllib.parse.urlencode(query) if query else "")
        self._http.request("PUT", self._path(tail), data, content_type="application/octet-stream")

    def end(self, status="completed", error=None):
        """Ends the run: completed, failed (with its message) or cancelled. Later calls do nothing."""
        if self._ended:
            return
        self._ended = True
        self._stop.set()
        body = {"status": status}
        if error is not None:
            body["error"] = str(error)[:2000]
        self._http.request("POST", self._path("end"), body)

    def __enter__(self):
        return self

    def __exit__(self, kind, value, traceback):
        if kind is None:
            self.end("completed")
        elif issubclass(kind, KeyboardInterrupt):
            self.end("cancelled", "interrupted by the user (KeyboardInterrupt)")
        else:
            self.end("failed", "%s: %s" % (kind.__name__, value))
        return False


def start_run(server, name=None, params=None, tags=None, token=None, framework=None, dataset=None,
              lease_seconds=None, retry_seconds=DEFAULT_RETRY_SECONDS):
    """Creates a running run on the server and starts renewing its lease.

    params: a dict of JSON scalars (numbers, strings, booleans); tags: a dict of strings.
    token: needed only when the server runs with --allow-remote (or set DIGITLAB_TOKEN).
    lease_seconds: how long the server waits for a sign of life before failing the run (default 60).
    """
    http = _Http(server, token, retry_seconds)
    body = {"params": {k: _plain(v) for k, v in (params or {}).items()}, "tags": dict(tags or {})}
    for key, value in (("name", name), ("framework", framework), ("dataset", dataset), ("leaseSeconds", lease_seconds)):
        if value is not None:
            body[key] = value
    return Run(http, http.request("POST", "/api/tracking/runs", body))


class KerasCallback:
    """A Keras callback (model.fit(callbacks=[dl.KerasCallback(run)])) that logs every epoch's logs.

    It implements the callback interface Keras documents (set_model, set_params and the on_* hooks)
    without importing Keras, so it works with Keras 2 and 3 and tf.keras alike.
    """

    KEYS = {"loss": "loss", "accuracy": "accuracy", "acc": "accuracy", "val_loss": "val_loss",
            "val_accuracy": "val_accuracy", "val_acc": "val_accuracy"}

    def __init__(self, run):
        self.run = run
        self.model = None
        self.params = {}
        self._epoch_started = None
        self._epoch = 0

    def set_model(self, model):
        self.model = model

    def set_params(self, params):
        self.params = params or {}

    def on_epoch_begin(self, epoch, logs=None):
        self._epoch = epoch
        self._epoch_started = time.monotonic()

    def on_epoch_end(self, epoch, logs=None):
        named, other = {}, {}
        for key, value in (logs or {}).items():
            if key in self.KEYS:
                named[self.KEYS[key]] = value
            elif key not in ("epoch", "seconds") and isinstance(_plain(value), (int, float)):
                other[key] = value  # e.g. learning_rate, or a metric the model was compiled with
        seconds = time.monotonic() - self._epoch_started if self._epoch_started is not None else None
        # Keras counts epochs from 0; digitlab from 1.
        self.run.log_epoch(epoch + 1, seconds=seconds, **named, **other)

    def on_train_batch_end(self, batch, logs=None):
        logs = logs or {}
        steps = self.params.get("steps") or 0
        self.run.log_progress(batch + 1, max(steps, batch + 1), loss=logs.get("loss"),
                              accuracy=logs.get("accuracy", logs.get("acc")), epoch=self._epoch + 1)

    def _ignore(self, *args, **kwargs):
        pass

    on_train_begin = on_train_end = on_test_begin = on_test_end = _ignore
    on_predict_begin = on_predict_end = on_train_batch_begin = _ignore
    on_test_batch_begin = on_test_batch_end = on_predict_batch_begin = on_predict_batch_end = _ignore
    on_batch_begin = on_batch_end = _ignore
