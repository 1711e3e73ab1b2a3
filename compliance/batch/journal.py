"""What a batch remembers between runs, and the lock that keeps two runs apart.

Each finished input leaves a small journal entry under ``OUTDIR/.batch/done/``, named by a key
over everything its outputs depend on (input bytes and path, period, pseudonym key, and the
code: the tool version and a digest of every file of the package, rule set and templates
included). A re-run finds the entry, checks that the outputs it lists are still there with
the same SHA-256, and reuses it; anything else is redone.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import os
from pathlib import Path
from typing import Any, TextIO

from compliance import json_text
from compliance.atomic import write_bytes_atomic
from compliance.errors import ComplianceError
from compliance.versions import code_fingerprint, tool_version

STATE_DIR = ".batch"


class BatchLocked(ComplianceError):
    pass


class BatchLock:
    """An advisory lock on OUTDIR: exclusive for a batch run, shared for ``render``.

    A batch takes OUTDIR to itself (it removes every leftover and swaps folders in); any
    number of renders may write beside each other, but never while a batch runs, nor a batch
    while one of them does.
    """

    def __init__(self, out_dir: Path, *, shared: bool = False) -> None:
        self.path = out_dir / STATE_DIR / "lock"
        self.shared = shared
        self._handle: TextIO | None = None

    def __enter__(self) -> BatchLock:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        handle = open(self.path, "a+")  # held open for the lock's lifetime
        try:
            fcntl.flock(handle, (fcntl.LOCK_SH if self.shared else fcntl.LOCK_EX) | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            holder = handle.read().strip()
            handle.close()
            who = f"another batch ({holder})" if holder else "another batch or a render"
            raise BatchLocked(
                f"{who} is writing to {self.path.parent.parent}; "
                "wait for it to finish or choose another --out"
            ) from None
        if not self.shared:  # a batch says who it is; renders are many and leave it empty
            handle.seek(0)
            handle.truncate()
            handle.write(f"pid {os.getpid()}")
            handle.flush()
        self._handle = handle
        return self

    def __exit__(self, *exc: object) -> None:
        if self._handle:
            if not self.shared:
                with contextlib.suppress(OSError):
                    self._handle.truncate(0)
            fcntl.flock(self._handle, fcntl.LOCK_UN)
            self._handle.close()


def cache_key(relative: str, input_sha256: str, period: str, key_fingerprint: str) -> str:
    # The code's digest, not only its version number: a change to the code that leaves the
    # version alone (every change during development) must not reuse what the old code wrote.
    material = json.dumps(
        [relative, input_sha256, period, key_fingerprint, tool_version(), code_fingerprint()]
    )
    return hashlib.sha256(material.encode()).hexdigest()


class Journal:
    """Entries of one stage (``done``: in OUTDIR; ``staged``: rendered, not yet swapped in)."""

    def __init__(self, out_dir: Path, stage: str = "done") -> None:
        self.out_dir = out_dir
        self.directory = out_dir / STATE_DIR / stage

    def _path(self, key: str) -> Path:
        return self.directory / f"{key}.json"

    def recall(self, key: str, root: Path | None = None) -> dict[str, Any] | None:
        """The entry recorded under ``key`` if every output it lists (under ``root``, by
        default OUTDIR) is still there with the SHA-256 recorded."""
        try:
            entry: dict[str, Any] = json.loads(self._path(key).read_text())
        except (OSError, ValueError):
            return None
        base = root or self.out_dir
        for output in entry.get("outputs", []):
            try:
                data = (base / output["path"]).read_bytes()
            except OSError:
                return None
            if hashlib.sha256(data).hexdigest() != output["sha256"]:
                return None
        return entry

    def record(self, key: str, entry: dict[str, Any]) -> None:
        """Remember ``entry``, if it can be written.

        The journal only saves work: an entry lost (to a full disk, say) costs the next run a
        redo, never a wrong result, so it must not stop the batch that is accounting for every
        input.
        """
        with contextlib.suppress(OSError):
            # json_text: an input named by bytes that are not UTF-8 must not fail the record.
            write_bytes_atomic(self._path(key), json_text.dumps(entry).encode())

    def forget(self, key: str) -> None:
        self._path(key).unlink(missing_ok=True)
