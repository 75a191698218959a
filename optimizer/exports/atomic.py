"""Atomic file writes: write a temporary file beside the target, then rename it into place.

A reader (a district office's file share, a calendar subscription) sees either the old file or
the new one, never half of one; a failed write leaves the old file and no temporary file behind.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

TEMP_SUFFIX = ".partial"


@contextlib.contextmanager
def atomic_path(path: str | Path, *, durable: bool = True) -> Iterator[Path]:
    """Yield a temporary path in the target's folder; on success it replaces `path`.

    `durable` flushes the file to disk before the rename (survives a power cut); writers of
    thousands of small files may skip it, the rename alone keeps readers consistent.
    """
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, temp_name = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.",
                                         suffix=TEMP_SUFFIX)
    os.close(handle)
    temp = Path(temp_name)
    try:
        yield temp
        if durable:
            with open(temp, "rb+") as written:
                os.fsync(written.fileno())
        mode = target.stat().st_mode & 0o777 if target.exists() else 0o644
        os.chmod(temp, mode)    # mkstemp makes 0600 files; keep them readable like normal ones
        os.replace(temp, target)
    finally:
        with contextlib.suppress(FileNotFoundError):
            temp.unlink()


def atomic_write_bytes(path: str | Path, data: bytes, *, durable: bool = True) -> Path:
    """Write `data` to `path` atomically (as `atomic_path` does) with as few system calls as
    possible, for writers of thousands of small files; the target's folder must exist."""
    target = Path(path)
    try:
        mode = os.stat(target).st_mode & 0o777
    except FileNotFoundError:
        mode = 0o644
    handle, temp_name = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.",
                                         suffix=TEMP_SUFFIX)
    try:
        with open(handle, "wb", closefd=True) as temp:
            temp.write(data)
            if durable:
                temp.flush()
                os.fsync(temp.fileno())
        os.chmod(temp_name, mode)   # mkstemp makes 0600 files; keep them readable like normal ones
        os.replace(temp_name, target)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temp_name)
        raise
    return target
