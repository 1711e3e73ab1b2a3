"""Writes that are never seen half-done: write a temporary file beside the target, then rename.

``os.replace`` within one directory is atomic on POSIX, so a reader (or a re-run after a kill)
sees either the old file or the complete new one, never a torn file.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

PRIVATE = 0o600
"""For files holding personal data (referral packs, platform-side validation reports)."""
SHARED = 0o644
PRIVATE_DIRECTORY = 0o700


def private_directory(path: Path) -> None:
    """Create ``path`` (if need be) as a folder only its owner can list or enter.

    For folders of private files: even their names (referral ids) are not for other users.
    ``chmod`` after ``mkdir``: a folder that already exists keeps whatever mode it had.
    """
    path.mkdir(parents=True, exist_ok=True)
    os.chmod(path, PRIVATE_DIRECTORY)


@contextlib.contextmanager
def atomic_target(path: Path, mode: int = SHARED) -> Iterator[Path]:
    """Yield a temporary path to write to; on success it replaces ``path`` atomically."""
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor, temporary = tempfile.mkstemp(
        prefix=f".{path.name}.", suffix=".part", dir=path.parent
    )
    os.close(descriptor)
    temporary_path = Path(temporary)
    try:
        yield temporary_path
        os.chmod(temporary_path, mode)
        with open(temporary_path, "rb") as handle:
            os.fsync(handle.fileno())
        os.replace(temporary_path, path)
    finally:
        with contextlib.suppress(FileNotFoundError):
            temporary_path.unlink()


def write_bytes_atomic(path: Path, data: bytes, mode: int = SHARED) -> None:
    with atomic_target(path, mode) as temporary, open(temporary, "wb") as handle:
        handle.write(data)


def new_staging_directory(target: Path) -> Path:
    """A fresh hidden directory beside ``target`` to build its replacement in."""
    target.parent.mkdir(parents=True, exist_ok=True)
    return Path(tempfile.mkdtemp(prefix=f".{target.name}.", suffix=".staging", dir=target.parent))


def commit_staging_directory(staging: Path, target: Path) -> None:
    """Swap a finished staging directory in as ``target``, replacing any earlier one whole."""
    os.chmod(staging, 0o755)
    if target.exists():
        retired = Path(
            tempfile.mkdtemp(prefix=f".{target.name}.", suffix=".old", dir=target.parent)
        )
        os.replace(target, retired / target.name)
        os.replace(staging, target)
        shutil.rmtree(retired, ignore_errors=True)
    else:
        os.replace(staging, target)


def remove_leftovers(directory: Path) -> None:
    """Delete staging and retired directories that a killed run left behind."""
    if not directory.is_dir():
        return
    for leftover in directory.glob(".*.staging"):
        shutil.rmtree(leftover, ignore_errors=True)
    for leftover in directory.glob(".*.old"):
        shutil.rmtree(leftover, ignore_errors=True)
    for leftover in directory.glob(".*.part"):
        with contextlib.suppress(OSError):
            leftover.unlink()


@contextlib.contextmanager
def atomic_directory(target: Path) -> Iterator[Path]:
    """Yield a staging directory that replaces ``target`` as a whole when the block ends.

    A killed run leaves only a hidden staging directory behind, never a half-filled
    ``target``; :func:`remove_leftovers` clears such leftovers.
    """
    staging = new_staging_directory(target)
    try:
        yield staging
        commit_staging_directory(staging, target)
    finally:
        if staging.exists():
            shutil.rmtree(staging, ignore_errors=True)
