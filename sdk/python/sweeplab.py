"""Report to sweeplab from a training program: one file, standard library only.

The worker that starts a run puts this folder on the program's PYTHONPATH and tells it, through the
environment, where to report (SWEEPLAB_REPORT_FD, one JSON object per line), the run's parameters
(SWEEPLAB_PARAMS) and where the stop flag appears (SWEEPLAB_STOP_FILE). Outside a worker every call
works and reports nothing, so a program runs on its own as well.

    import sweeplab
    config = sweeplab.init()            # the run's parameters, under the sweep's names
    for epoch in range(config.get("epochs", 10)):
        ...
        sweeplab.log({"val_loss": loss, "val_acc": acc}, step=epoch)
        if sweeplab.should_stop():      # hyperband, a cancel or a shutdown: SIGTERM follows
            break
"""

import json
import math
import os

__all__ = ["init", "log", "should_stop", "config"]

_stream = None
_last_step = -1
config = {}


def _report_stream():
    global _stream
    if _stream is None:
        fd = os.environ.get("SWEEPLAB_REPORT_FD")
        if not fd:
            return None
        _stream = os.fdopen(int(fd), "w", buffering=1, encoding="utf-8", closefd=False)
    return _stream


def init():
    """The run's parameters (a dict; empty outside a worker)."""
    global config
    raw = os.environ.get("SWEEPLAB_PARAMS")
    config = json.loads(raw) if raw else {}
    return config


def log(values, step=None):
    """Record numeric values at a step (default: one more than the last step logged, 0 first)."""
    global _last_step
    if not isinstance(values, dict) or not values:
        raise ValueError("log() takes a non-empty dict of numbers")
    clean = {}
    for key, value in values.items():
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise TypeError("log(): %r is %r, not a number" % (key, value))
        if not math.isfinite(value):
            raise ValueError("log(): %r is %r, not a finite number" % (key, value))
        clean[str(key)] = value
    if step is None:
        step = _last_step + 1
    if not isinstance(step, int) or isinstance(step, bool) or step < 0:
        raise ValueError("log(): step must be an integer >= 0, not %r" % (step,))
    _last_step = max(_last_step, step)
    stream = _report_stream()
    if stream is not None:
        stream.write(json.dumps({"type": "log", "step": step, "values": clean}) + "\n")
        stream.flush()


def should_stop():
    """True once the worker asked this run to stop (SIGTERM follows; finish the step and exit)."""
    path = os.environ.get("SWEEPLAB_STOP_FILE")
    return bool(path) and os.path.exists(path)
