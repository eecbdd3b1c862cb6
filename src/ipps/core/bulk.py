"""Helpers for work on many objects at once (imports, computations over a whole network)."""

from __future__ import annotations

import gc
from contextlib import contextmanager


@contextmanager
def paused_gc():
    """The cyclic garbage collector paused while the block runs.

    For code that makes many small objects and no cycles (rows, cells, scores): the collector
    would only walk them again and again, each pass longer than the last."""
    collecting = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if collecting:
            gc.enable()
