"""Worker processes that die with their parent.

A pool's workers outlive a parent killed with SIGKILL: nothing tells them, and each keeps its
decoder's memory until someone finds and kills it by hand. On Linux the kernel can send them a
signal when the parent goes (``prctl(PR_SET_PDEATHSIG)``, see prctl(2)); elsewhere a thread
notices that the parent changed and ends the worker.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import signal
import sys
import threading
import time

PR_SET_PDEATHSIG = 1  # <linux/prctl.h>
WATCH_SECONDS = 1.0


def die_with_parent(parent_pid: int) -> None:
    """A pool initializer: end this process when ``parent_pid`` ends, however it ends.

    ``parent_pid`` is the parent's pid read before the worker started, so a parent that died
    while the worker was starting is noticed too (the worker then has a new parent)."""
    if not (sys.platform.startswith("linux") and _kill_me_with_parent()):
        threading.Thread(
            target=_watch, args=(parent_pid,), daemon=True, name="parent-watch"
        ).start()
    if os.getppid() != parent_pid:
        os._exit(1)


def _kill_me_with_parent() -> bool:
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c"), use_errno=True)
        return int(libc.prctl(PR_SET_PDEATHSIG, int(signal.SIGKILL), 0, 0, 0)) == 0
    except (OSError, AttributeError):
        return False


def _watch(parent_pid: int) -> None:
    while os.getppid() == parent_pid:
        time.sleep(WATCH_SECONDS)
    os._exit(1)
