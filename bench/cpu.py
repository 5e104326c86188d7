"""Pinning a benchmark to one core, so threads cannot flatter single-core figures."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator


@contextlib.contextmanager
def one_core() -> Iterator[str]:
    """Pin this process to one CPU while it times; yields which one, for the report."""
    if not hasattr(os, "sched_setaffinity"):
        yield "no CPU pinning on this platform"
        return
    cpus = os.sched_getaffinity(0)
    core = max(cpus)
    os.sched_setaffinity(0, {core})
    try:
        yield f"CPU {core}"
    finally:
        os.sched_setaffinity(0, cpus)
