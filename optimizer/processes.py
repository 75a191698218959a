"""Worker processes that never outlive the run that started them.

A run killed with SIGKILL cannot stop its workers itself; on Linux a worker can ask the kernel
to kill it when its parent dies. Pass `end_with_parent` as a process pool's initializer with the
parent's pid: `ProcessPoolExecutor(..., initializer=end_with_parent, initargs=(os.getpid(),))`.
"""

from __future__ import annotations

import ctypes
import os
import signal
import sys

_PR_SET_PDEATHSIG = 1


def end_with_parent(parent_pid: int) -> None:
    """In a worker: be killed when the parent dies (Linux prctl); elsewhere nothing happens."""
    if not sys.platform.startswith("linux"):
        return
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    except (OSError, AttributeError):
        return
    if os.getppid() != parent_pid:      # the parent died before the request took effect
        os._exit(1)


_libc = None


def return_free_memory() -> None:
    """Hand the heap's free memory back to the system (glibc `malloc_trim`), so that a worker
    that plans one district after another does not keep the high-water mark of every one
    before it (HiGHS and numpy free their buffers, but the C heap keeps the pages); elsewhere,
    or without glibc, nothing happens."""
    global _libc
    if not sys.platform.startswith("linux"):
        return
    try:
        if _libc is None:
            _libc = ctypes.CDLL("libc.so.6")
        _libc.malloc_trim(0)
    except (OSError, AttributeError):
        return
