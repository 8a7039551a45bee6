"""A tiny disk that can be filled: a tmpfs mounted for one test (root only).

What the test stored there goes with the unmount, so the privacy scan reads it first.
"""

from __future__ import annotations

import errno
import os
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.privacy import session as privacy_scan

CHUNK = b"\0" * 65536


@contextmanager
def tiny_disk(path: Path, size: str = "32m") -> Iterator[Path]:
    """Mount a tmpfs of ``size`` at ``path`` for the block, and scan it for raw identifiers
    before unmounting; skips the test where this process may not mount (not root, or in
    a container without the capability)."""
    if os.geteuid() != 0:
        pytest.skip("a full-disk test mounts a tmpfs, which needs root")
    path.mkdir(parents=True, exist_ok=True)
    mounted = subprocess.run(  # noqa: S603
        ["mount", "-t", "tmpfs", "-o", f"size={size},mode=0700", "wifidesa-faults", str(path)],  # noqa: S607
        capture_output=True,
        text=True,
        check=False,
    )
    if mounted.returncode != 0:
        pytest.skip(f"mount -t tmpfs is not permitted here: {mounted.stderr.strip()}")
    try:
        yield path
    finally:
        try:
            privacy_scan.scan_now("tiny disk", folder=path)
        finally:
            subprocess.run(["umount", "-l", str(path)], check=False)  # noqa: S603, S607


def fill(disk: Path) -> Path:
    """Write a file until the disk is full (ENOSPC); returns it (delete it to free)."""
    filler = disk / "filler"
    with filler.open("wb", buffering=0) as out:
        try:
            while True:
                out.write(CHUNK)
        except OSError as error:
            if error.errno != errno.ENOSPC:
                raise
        try:  # the last partial page
            while True:
                out.write(b"\0" * 512)
        except OSError as error:
            if error.errno != errno.ENOSPC:
                raise
    return filler
