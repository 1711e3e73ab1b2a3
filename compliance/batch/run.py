"""The batch run: discover, check and render on an executor, account for every input.

Every input ends as ``rendered``, ``rejected`` (with its validation report) or ``skipped``
(readable, another period; or a referral document, filed with ``refer``) in
OUTDIR/manifest.json. Outputs are built in staging folders and
swapped in whole, journal entries are written only after that, and OUTDIR's manifest and
summary last: a run killed at any moment leaves nothing half-written, and the same command
again completes it, redoing only what was not finished.
"""

from __future__ import annotations

import errno
import hashlib
import os
import shutil
import stat
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from compliance.atomic import commit_staging_directory, remove_leftovers
from compliance.batch.discovery import discover_inputs
from compliance.batch.executor import Backend, WorkerCrash, run_isolated
from compliance.batch.journal import STATE_DIR, BatchLock, Journal, cache_key
from compliance.batch.summary import status_counts, write_batch_manifest, write_batch_summary
from compliance.batch.tasks import (
    PackTask,
    SubmissionTask,
    TaskOutcome,
    check_and_render,
    outcome_from_json,
    outcome_to_json,
    render_pack_slice,
)
from compliance.pseudonyms import Pseudonymiser
from compliance.returns import OutputFile, write_manifest
from compliance.statuses import BatchStatus

PACKS_PER_TASK = 25
"""Referral packs one task renders; a larger submission's packs are spread over workers."""
REJECTED_DIR = "rejected"
SUBMISSIONS_DIR = "submissions"
"""Where each rendered submission's folder goes: OUTDIR itself holds only the batch's own
names (``manifest.json``, ``batch-summary.xlsx``, ``rejected/``, ``submissions/``,
``.batch/``), so that no submission_id, whatever it is, can replace one of them."""


@dataclass
class BatchOptions:
    source: Path
    period: str
    out_dir: Path
    key: bytes
    backend: Backend
    progress: Callable[[int], None] = lambda done: None
    on_total: Callable[[int], None] = lambda total: None


@dataclass
class BatchResult:
    entries: list[dict[str, Any]] = field(default_factory=list)
    reused: int = 0

    @property
    def counts(self) -> dict[str, int]:
        return status_counts(self.entries)


@dataclass
class _Pending:
    relative: str
    input_sha256: str
    key: str
    task: SubmissionTask
    size: int
    """Bytes of the input: a rough measure of its work, to start the largest first."""


def run_batch(options: BatchOptions) -> BatchResult:
    out_dir = options.out_dir
    out_dir.mkdir(parents=True, exist_ok=True)
    with BatchLock(out_dir):
        return _run(options)


def _run(options: BatchOptions) -> BatchResult:
    out_dir = options.out_dir
    for folder in (out_dir, out_dir / REJECTED_DIR, out_dir / SUBMISSIONS_DIR):
        remove_leftovers(folder)
    staging_root = out_dir / STATE_DIR / "staging"
    journal = Journal(out_dir)
    staged = Journal(out_dir, "staged")
    fingerprint = Pseudonymiser(options.key).fingerprint
    entries: dict[str, dict[str, Any]] = {}
    pending: list[_Pending] = []
    result = BatchResult()

    for path in discover_inputs(options.source, exclude=out_dir):
        relative = printable_name(path.relative_to(options.source).as_posix())
        try:
            data = _read_regular_file(path)
        except OSError as error:
            reason = f"cannot be opened: {error.strerror or error}"
            entries[relative] = _entry(TaskOutcome(relative, BatchStatus.REJECTED, reason=reason))
            continue
        digest = hashlib.sha256(data).hexdigest()
        key = cache_key(relative, digest, options.period, fingerprint)
        remembered = journal.recall(key)
        if remembered is not None:
            entries[relative] = remembered
            result.reused += 1
            continue
        task = SubmissionTask(
            input_path=str(path),
            relative=relative,
            period=options.period,
            out_dir=str(out_dir),
            staging=str(staging_root / key),
            rejection_report=(
                f"{REJECTED_DIR}/{_safe_name(relative)}-{digest[:12]}.validation.json"
            ),
            key=options.key,
            packs_here=PACKS_PER_TASK,
        )
        pending.append(_Pending(relative, digest, key, task, len(data)))

    options.on_total(len(pending))
    outcomes = _render(options, pending, staged)
    conflicts = _conflicts(entries, pending, outcomes)
    for relative, reason in conflicts.items():
        if relative in entries:  # rendered by an earlier run, now claimed by another input too
            entries[relative] = _in_conflict(entries[relative], reason, out_dir)
    for item in pending:  # in input order
        outcome = outcomes[item.relative]
        if item.relative in conflicts and outcome.status == BatchStatus.RENDERED:
            _reject_as_conflict(outcome, conflicts[item.relative], out_dir)
        elif outcome.status == BatchStatus.RENDERED:
            _finalise(outcome, item, options)
        outcome.sha256 = outcome.sha256 or item.input_sha256  # known even if a worker died
        entry = _entry(outcome)
        entries[item.relative] = entry
        if not outcome.retry:
            journal.record(item.key, entry)
        staged.forget(item.key)
    shutil.rmtree(staging_root, ignore_errors=True)
    # A worker killed while writing a rejection report leaves its temporary file (a broken
    # pool takes all its workers down, mid-write or not); the run that saw it clears it.
    remove_leftovers(out_dir / REJECTED_DIR)

    result.entries = [entries[name] for name in sorted(entries)]
    write_batch_manifest(out_dir, options.period, fingerprint, result.entries)
    write_batch_summary(out_dir, options.period, result.entries)
    return result


def _render(
    options: BatchOptions, pending: list[_Pending], staged: Journal
) -> dict[str, TaskOutcome]:
    """Run (or recall, after an interrupted run) every pending input's tasks."""
    outcomes: dict[str, TaskOutcome] = {}
    keys = {item.relative: item.key for item in pending}
    tasks = []
    # Largest first, so that no big submission starts last and keeps one worker busy while
    # the others idle (results are still applied in input order, so nothing else changes).
    for item in sorted(pending, key=lambda item: item.size, reverse=True):
        # Rendered outputs wait in the staging folder; rejection reports are in OUTDIR.
        remembered = staged.recall(item.key, Path(item.task.staging)) or staged.recall(item.key)
        if remembered is not None:
            outcomes[item.relative] = outcome_from_json(remembered)
        else:
            tasks.append(item.task)
    finished = run_isolated(options.backend, check_and_render, tasks)
    for done, (task, outcome) in enumerate(finished, start=len(outcomes) + 1):
        if isinstance(outcome, WorkerCrash):
            outcome = TaskOutcome(
                task.relative, BatchStatus.REJECTED, reason=outcome.reason, retry=True
            )
        outcomes[task.relative] = outcome
        complete = (
            outcome.status != BatchStatus.RENDERED or outcome.referral_count <= task.packs_here
        )
        if complete and not outcome.retry:
            # An interrupted run resumes from here instead of redoing it.
            staged.record(keys[task.relative], outcome_to_json(outcome))
        options.progress(done)
    slices = [
        PackTask(task.input_path, task.relative, task.staging, start, start + PACKS_PER_TASK)
        for task in tasks
        if outcomes[task.relative].status == BatchStatus.RENDERED
        for start in range(task.packs_here, outcomes[task.relative].referral_count, PACKS_PER_TASK)
    ]
    for pack_task, packs in run_isolated(options.backend, render_pack_slice, slices):
        outcome = outcomes[pack_task.relative]
        if isinstance(packs, WorkerCrash | Exception) or outcome.status != BatchStatus.RENDERED:
            outcome.status, outcome.reason = (
                BatchStatus.REJECTED,
                "rendering its referral packs failed",
            )
            outcome.outputs, outcome.retry = [], True
        else:
            outcome.outputs += packs
    for relative in {pack_task.relative for pack_task in slices}:
        if not outcomes[relative].retry:
            staged.record(keys[relative], outcome_to_json(outcomes[relative]))
    return outcomes


def _conflicts(
    entries: dict[str, dict[str, Any]], pending: list[_Pending], outcomes: dict[str, TaskOutcome]
) -> dict[str, str]:
    """The reason of each input whose submission_id another input of the batch has too
    (DTR-1 9), regardless of case: on a case-insensitive disk ``ABC`` and ``abc`` would share
    a folder. Every one of them is rejected, naming the others."""
    rendered = [
        (relative, entry["submission_id"])
        for relative, entry in entries.items()
        if entry["status"] == BatchStatus.RENDERED
    ]
    rendered += [
        (item.relative, outcomes[item.relative].submission_id or "")
        for item in pending
        if outcomes[item.relative].status == BatchStatus.RENDERED
    ]
    groups: dict[str, list[tuple[str, str]]] = {}
    for relative, submission_id in sorted(rendered):
        groups.setdefault(submission_id.casefold(), []).append((relative, submission_id))
    reasons = {}
    for group in groups.values():
        for relative, submission_id in group if len(group) > 1 else ():
            others = ", ".join(
                other if other_id == submission_id else f"{other} (as {other_id})"
                for other, other_id in group
                if other != relative
            )
            reasons[relative] = f"submission_id {submission_id} also comes from {others}"
    return reasons


def _reject_as_conflict(outcome: TaskOutcome, reason: str, out_dir: Path) -> None:
    outcome.status, outcome.reason = BatchStatus.REJECTED, reason
    # Not remembered: the verdict depends on the other inputs, which may be gone or changed
    # by the next run, while this input's own bytes stay the same.
    outcome.outputs, outcome.retry = [], True
    _remove_folder(out_dir, outcome.submission_id or "")


def _in_conflict(entry: dict[str, Any], reason: str, out_dir: Path) -> dict[str, Any]:
    _remove_folder(out_dir, entry["submission_id"])
    return {**entry, "status": BatchStatus.REJECTED, "reason": reason, "outputs": []}


def _remove_folder(out_dir: Path, submission_id: str) -> None:
    """An earlier run's folder for a submission_id now in conflict: which input it came from
    is no longer settled, so it goes (the next run without the conflict renders it again)."""
    if submission_id:
        shutil.rmtree(out_dir / SUBMISSIONS_DIR / submission_id, ignore_errors=True)


def _finalise(outcome: TaskOutcome, item: _Pending, options: BatchOptions) -> None:
    """Write the submission's manifest and swap its folder in."""
    submission_id = outcome.submission_id or ""
    staging = Path(item.task.staging)
    assert outcome.manifest is not None  # every rendered outcome carries its manifest facts
    try:
        manifest = write_manifest(staging, outcome.outputs, outcome.manifest)
        commit_staging_directory(staging, options.out_dir / SUBMISSIONS_DIR / submission_id)
    except OSError as error:
        # A full disk costs this input, not the batch: every other input is still accounted
        # for, and the staging folder (never swapped in) goes with the rest at the end.
        outcome.status = BatchStatus.REJECTED
        outcome.reason = f"its outputs could not be written: {error.strerror or error}"
        outcome.outputs, outcome.retry = [], True
        return
    outcome.outputs = [
        OutputFile(f"{SUBMISSIONS_DIR}/{submission_id}/{o.path}", o.sha256, o.size)
        for o in sorted([*outcome.outputs, manifest], key=lambda o: o.path)
    ]


def _entry(outcome: TaskOutcome) -> dict[str, Any]:
    return {
        "input": outcome.relative,
        "sha256": outcome.sha256,
        "status": outcome.status,
        "submission_id": outcome.submission_id,
        "platform": outcome.platform,
        "period": outcome.period,
        "reason": outcome.reason,
        "counts": outcome.counts,
        "metrics": [list(pair) for pair in outcome.metrics],
        "outputs": [o.to_json() for o in outcome.outputs],
    }


def _read_regular_file(path: Path) -> bytes:
    """The bytes of ``path`` if it is a regular file (after links); OSError otherwise.

    Opened without blocking and checked on the open descriptor: a named pipe among the
    inputs would otherwise hang the batch on its read, and a check before opening could be
    outrun by a rename.
    """
    descriptor = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    with open(descriptor, "rb") as handle:
        if not stat.S_ISREG(os.fstat(descriptor).st_mode):
            raise OSError(errno.EINVAL, "not a regular file (a pipe, socket or device)")
        return handle.read()


def printable_name(name: str) -> str:
    """A file name as text that can always be written (to JSON, UTF-8, a cell) and that no
    other name shares: bytes that are not UTF-8 (which Python carries as lone surrogates)
    become ``\\xNN``, and a backslash is doubled so that a name really holding ``\\xNN`` reads
    differently."""
    raw = name.encode("utf-8", "surrogateescape")
    return raw.replace(b"\\", b"\\\\").decode("utf-8", "backslashreplace")


def _safe_name(relative: str) -> str:
    return "".join(c if c.isalnum() or c in "._-" else "_" for c in relative)[:100]
