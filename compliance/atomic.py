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
        prefix=_owned_prefix(path), suffix=".part", dir=path.parent
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


def _owned_prefix(target: Path) -> str:
    """``.<name>.<pid>.``: hidden (no identifier starts with a dot), and naming the process
    that made it, so that a later run can tell a dead process's leftovers from work in
    progress."""
    return f".{target.name}.{os.getpid()}."


def leftover_owner(leftover: Path) -> int | None:
    """The process id in a temporary name made by this module, or None (an older name)."""
    stem = leftover.name.rsplit(".", 1)[0]  # without .staging, .old or .part
    parts = stem.rsplit(".", 2)
    if len(parts) == 3 and parts[1].isdigit():
        return int(parts[1])
    return None


def process_is_gone(pid: int | None) -> bool:
    """Whether no process ``pid`` runs (None, an unknown owner, counts as gone)."""
    if pid is None:
        return True
    if pid == os.getpid():
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:  # another user's process: alive
        return False
    return False


def new_staging_directory(target: Path) -> Path:
    """A fresh hidden directory beside ``target`` to build its replacement in."""
    target.parent.mkdir(parents=True, exist_ok=True)
    return Path(
        tempfile.mkdtemp(prefix=_owned_prefix(target), suffix=".staging", dir=target.parent)
    )


def commit_staging_directory(staging: Path, target: Path) -> None:
    """Swap a finished staging directory in as ``target``, replacing any earlier one whole."""
    os.chmod(staging, 0o755)
    target.parent.mkdir(parents=True, exist_ok=True)
    if target.exists():
        retired = Path(
            tempfile.mkdtemp(prefix=_owned_prefix(target), suffix=".old", dir=target.parent)
        )
        os.replace(target, retired / target.name)
        os.replace(staging, target)
        shutil.rmtree(retired, ignore_errors=True)
    else:
        os.replace(staging, target)


def remove_leftovers(directory: Path, *, only_of_gone_processes: bool = False) -> None:
    """Delete staging and retired directories and temporary files that a killed run left
    behind (a staging folder may hold referral packs: personal data nobody would ever see).

    With ``only_of_gone_processes``, for a caller that may share the folder with other runs
    (``render``), only those whose owner process no longer runs; a batch, which holds the
    folder's lock alone, removes them all.
    """
    if not directory.is_dir():
        return

    def stale(leftover: Path) -> bool:
        return not only_of_gone_processes or process_is_gone(leftover_owner(leftover))

    for pattern in (".*.staging", ".*.old"):
        for leftover in directory.glob(pattern):
            if stale(leftover):
                shutil.rmtree(leftover, ignore_errors=True)
    for leftover in directory.glob(".*.part"):
        if stale(leftover):
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
