"""A quarterly batch of many small submissions with faults injected at random, and its audit.

Used by ``tests/hostile/test_soak_batch.py`` (a short run in CI) and ``scripts/soak_batch.py``
(any size, with figures). The faults are injected in this process before the batch starts:
the local back-end forks its workers, so they inherit every patch.

Faults, each aimed at one input and most firing once (a marker file records that they fired):

- ``dangling_link``, ``fifo``: the input is a link to nothing or a named pipe (unreadable for
  good; a pipe would also block a plain read forever);
- ``read_error``: the worker's read of the input fails with EIO, once;
- ``killed_once``: the worker checking the input is killed (SIGKILL), once;
- ``killed_always``: the same, every time (an input that crashes the tool);
- ``disk_full``: the first output written for the input fails with ENOSPC half-way, once;
- ``disk_full_manifest``: ENOSPC on the submission's manifest.json, written by the parent
  when it swaps the submission's folder in, once;
- ``disk_full_journal``: ENOSPC on the journal entry that lets a re-run reuse the input, once.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import json
import os
import random
import signal
import stat
import sys
import zipfile
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from unittest import mock

import openpyxl

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from returns_fixture import broken_submission, ready_submission

import compliance.atomic
import compliance.batch.summary
import compliance.batch.tasks
import compliance.returns
from compliance.batch.executor import LocalBackend
from compliance.batch.journal import STATE_DIR, cache_key
from compliance.batch.run import (
    REJECTED_DIR,
    SUBMISSIONS_DIR,
    BatchOptions,
    BatchResult,
    _safe_name,
    run_batch,
)
from compliance.pseudonyms import key_fingerprint
from compliance.statuses import BatchStatus

PERIOD = "2026-Q3"
KEY = b"soak-test-key"

RENDERED, REJECTED, SKIPPED = BatchStatus.RENDERED, BatchStatus.REJECTED, BatchStatus.SKIPPED

# Content of an input and the status it earns once no fault is in the way.
CONTENT_STATUS = {
    "ready": RENDERED,
    "errors": REJECTED,
    "other_period": SKIPPED,
    "not_json": REJECTED,
    "invalid_utf8": REJECTED,
    "empty": REJECTED,
    "nan": REJECTED,
    "duplicate_keys": REJECTED,
    "deep": REJECTED,
}
CHEAP_KINDS = (
    "errors",
    "other_period",
    "not_json",
    "invalid_utf8",
    "empty",
    "nan",
    "duplicate_keys",
)

# What the reason of a faulted input says in the run where the fault fires.
FAULT_REASON = {
    "dangling_link": "cannot be opened",
    "fifo": "cannot be opened",
    "read_error": "Input/output error",
    "killed_always": "died",
    "disk_full": "No space left on device",
    "disk_full_manifest": "No space left on device",
}
PERSISTENT_FAULTS = frozenset({"dangling_link", "fifo", "killed_always"})
"""Faults still there when the batch runs again; every other one fires once."""
WRITE_FAULTS = ("disk_full", "disk_full_manifest", "disk_full_journal")
FAULT_KINDS = ("dangling_link", "fifo", "read_error", "killed_once", "killed_always", *WRITE_FAULTS)
REPORTED_KINDS = tuple(kind for kind, status in CONTENT_STATUS.items() if status == REJECTED)
HOSTILE_NAMES = (
    '=HYPERLINK("x")',
    "+SUM(A1)",
    "@cmd",
    "\u202egnp",
    "line\nbreak",
    " spaced ",
)


@dataclass
class SoakInput:
    relative: str
    kind: str
    fault: str | None
    digest: str | None = None
    """SHA-256 of the bytes, for inputs that are files."""

    def expected(self, run: int) -> list[tuple[str, str | None]]:
        """The acceptable (status, fragment of the reason) in run 1 (faults fire) or run 2;
        a fragment of None means a reason that names no fault."""
        own = (CONTENT_STATUS[self.kind], None)
        if self.fault == "killed_once" and run == 1:
            # Retried at once if its pool had other work; but an input first tried in the
            # one-at-a-time pool (after another input broke the shared one) is blamed then.
            return [own, (REJECTED, "died")]
        if self.fault in FAULT_REASON and (run == 1 or self.fault in PERSISTENT_FAULTS):
            return [(REJECTED, FAULT_REASON[self.fault or ""])]
        return [own]


@dataclass
class SoakPlan:
    source: Path
    out: Path
    markers: Path
    inputs: list[SoakInput] = field(default_factory=list)

    def by_relative(self) -> dict[str, SoakInput]:
        return {item.relative: item for item in self.inputs}

    def faults(self) -> Counter[str]:
        return Counter(item.fault for item in self.inputs if item.fault)

    def kinds(self) -> Counter[str]:
        return Counter(item.kind for item in self.inputs)

    def reusable(self, first_run: list[dict[str, Any]]) -> int:
        """How many inputs a second run should take from the journal, given the first run's
        manifest entries: those whose outcome was their own (no fault fired) and whose journal
        entry could be written."""
        journal_faults = {i.relative for i in self.inputs if i.fault == "disk_full_journal"}
        return sum(
            not _names_a_fault(entry["reason"]) and entry["input"] not in journal_faults
            for entry in first_run
        )


def _content(kind: str, number: int) -> bytes:
    submission_id = f"SOAK-{number:05d}"
    if kind in ("ready", "other_period", "errors"):
        if kind == "errors":
            document = broken_submission(submission_id)
        else:
            document = ready_submission(submission_id)
        document["submission_id"] = submission_id
        if kind == "other_period":
            document["period"] = "2026-Q2"
        return json.dumps(document, ensure_ascii=False).encode("utf-8")
    return {
        "not_json": b"{not json at all",
        "invalid_utf8": b'{"schema_version": "1.0", "x": "\xff\xfe"}',
        "empty": b"",
        "nan": b'{"schema_version": "1.0", "x": NaN}',
        "duplicate_keys": b'{"schema_version": "1.0", "schema_version": "1.0"}',
        "deep": b"[" * 100_000 + b"]" * 100_000,
    }[kind]


def build_plan(
    root: Path, count: int, *, seed: int = 7, ready_share: float = 0.012, fault_share: float = 0.08
) -> SoakPlan:
    """``count`` inputs under ``root/in``: about ``ready_share`` of them filing-ready (the
    only costly ones: two PDFs each), about ``fault_share`` with one fault each, spread evenly
    over the fault kinds; every kind occurs at least twice when ``fault_share`` is not 0."""
    randomiser = random.Random(seed)
    plan = SoakPlan(root / "in", root / "out", root / "fault-markers")
    plan.source.mkdir(parents=True)
    plan.markers.mkdir(parents=True)
    ready = max(4, round(count * ready_share)) if ready_share else 0
    kinds = ["ready"] * ready + ["deep"] * max(1, count // 200)
    kinds += [randomiser.choice(CHEAP_KINDS) for _ in range(count - len(kinds))]
    randomiser.shuffle(kinds)
    each = max(2, round(count * fault_share / len(FAULT_KINDS))) if fault_share else 0
    faults: dict[int, str] = {}
    for fault in FAULT_KINDS:
        # Write faults need an input that writes something: a rendered folder for the
        # manifest, a rendered folder or a rejection report for the first output.
        allowed = {"disk_full_manifest": ("ready",), "disk_full": ("ready", *REPORTED_KINDS)}
        candidates = [
            number
            for number, kind in enumerate(kinds)
            if number not in faults and kind in allowed.get(fault, CONTENT_STATUS)
        ]
        share = min(each, max(1, len(candidates) // 3)) if fault == "disk_full_manifest" else each
        for number in randomiser.sample(candidates, min(share, len(candidates))):
            faults[number] = fault
    for number, kind in enumerate(kinds):
        folder = f"batch-{number % 7}/" if number % 3 else ""
        name = HOSTILE_NAMES[number % len(HOSTILE_NAMES)] if number % 97 == 5 else "s"
        relative = f"{folder}{name}-{number:05d}.json"
        item = SoakInput(relative, kind, faults.get(number))
        path = plan.source / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        if item.fault == "dangling_link":
            path.symlink_to(plan.source / f"missing-{number}.json")
        elif item.fault == "fifo":
            os.mkfifo(path)
        else:
            data = _content(kind, number)
            path.write_bytes(data)
            item.digest = hashlib.sha256(data).hexdigest()
        plan.inputs.append(item)
    return plan


def _fires_once(markers: Path, name: str) -> bool:
    """True the first time only, across every process (the marker is created exclusively)."""
    try:
        os.close(os.open(markers / name, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))
    except FileExistsError:
        return False
    return True


@contextlib.contextmanager
def injected_faults(plan: SoakPlan) -> Iterator[None]:
    """Patch the tool so that each planned fault fires on its input; undone on exit."""
    fingerprint = key_fingerprint(KEY)
    kills = {str(plan.source / i.relative): i for i in plan.inputs if "killed" in (i.fault or "")}
    read_errors = {str(plan.source / i.relative) for i in plan.inputs if i.fault == "read_error"}
    write_targets: list[tuple[str, str]] = []  # (a fragment of the target path, marker name)
    for number, item in enumerate(plan.inputs):
        if item.fault not in WRITE_FAULTS or item.digest is None:
            continue
        key = cache_key(item.relative, item.digest, PERIOD, fingerprint)
        if item.fault == "disk_full_manifest":
            fragment = f"/{STATE_DIR}/staging/{key}/manifest.json"
        elif item.fault == "disk_full_journal":
            fragment = f"/{STATE_DIR}/done/{key}.json"
        elif item.kind == "ready":
            fragment = f"/{STATE_DIR}/staging/{key}/"
        else:  # the name run_batch gives the report (inputs of the same bytes share a digest)
            fragment = f"/{REJECTED_DIR}/{_safe_name(item.relative)}-{item.digest[:12]}."
        write_targets.append((fragment, f"write-{number}"))

    # A worker dies where its task checks the input (a submission or a referral document).
    original_check = compliance.batch.tasks.check_any_path

    def check_any_path(path: str | Path, **options: Any) -> Any:
        item = kills.get(str(path))
        if item is not None and (
            item.fault == "killed_always"
            or _fires_once(plan.markers, f"kill-{_safe_name(item.relative)}")
        ):
            os.kill(os.getpid(), signal.SIGKILL)
        return original_check(path, **options)

    original_read = Path.read_bytes

    def read_bytes(self: Path) -> bytes:
        if str(self) in read_errors and _fires_once(plan.markers, f"read-{self.name}"):
            raise OSError(errno.EIO, os.strerror(errno.EIO), str(self))
        return original_read(self)

    with contextlib.ExitStack() as stack:
        stack.enter_context(
            mock.patch.object(compliance.batch.tasks, "check_any_path", check_any_path)
        )
        stack.enter_context(mock.patch.object(Path, "read_bytes", read_bytes))
        stack.enter_context(disk_full_once(write_targets, plan.markers))
        yield


@contextlib.contextmanager
def disk_full_once(targets: list[tuple[str, str]], markers: Path) -> Iterator[None]:
    """Make the atomic write of a path containing a fragment of ``targets`` fail with ENOSPC
    half-way, once per (fragment, marker name); a fragment ending in "/" (a folder being
    built) spares the manifest.json that the parent writes into it, a fault of its own."""
    original_target = compliance.atomic.atomic_target

    @contextlib.contextmanager
    def atomic_target(path: Path, mode: int = compliance.atomic.SHARED) -> Iterator[Path]:
        text = str(path)
        failing = next(
            (
                marker
                for fragment, marker in targets
                if fragment in text
                and not (fragment.endswith("/") and text.endswith("/manifest.json"))
            ),
            None,
        )
        with original_target(path, mode) as temporary:
            yield temporary
            if failing and _fires_once(markers, failing):
                # Like a device that filled up half-way through the write.
                os.truncate(temporary, temporary.stat().st_size // 2)
                raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(temporary))

    # Patched where it is looked up: write_bytes_atomic's module, and the two that import it.
    with contextlib.ExitStack() as stack:
        for module in (compliance.atomic, compliance.returns, compliance.batch.summary):
            stack.enter_context(mock.patch.object(module, "atomic_target", atomic_target))
        yield


def run(plan: SoakPlan, workers: int = 2) -> BatchResult:
    backend = LocalBackend(workers)
    options = BatchOptions(
        source=plan.source, period=PERIOD, out_dir=plan.out, key=KEY, backend=backend
    )
    return run_batch(options)


def _names_a_fault(reason: str | None) -> bool:
    return any(fragment in (reason or "") for fragment in FAULT_REASON.values())


def _matches(entry: dict[str, Any], status: str, fragment: str | None) -> bool:
    if entry["status"] != status:
        return False
    if fragment is None:
        return not _names_a_fault(entry["reason"])
    return fragment in (entry["reason"] or "")


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _private(path: Path, mode: int) -> bool:
    return stat.S_IMODE(path.stat().st_mode) == mode


def audit(plan: SoakPlan, run_number: int) -> list[str]:
    """Every way the output directory falls short of the batch's promises, in words."""
    problems: list[str] = []
    report: Callable[[str], None] = problems.append
    out = plan.out
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    entries = manifest["inputs"]
    names = [entry["input"] for entry in entries]
    expected = plan.by_relative()
    if sorted(names) != sorted(expected) or len(set(names)) != len(names):
        report(
            f"manifest lists {len(names)} inputs ({len(set(names))} distinct), "
            f"not the {len(expected)} given"
        )
    listed = {"manifest.json", "batch-summary.xlsx"}
    for entry in entries:
        item = expected.get(entry["input"])
        if item is None:
            continue
        where = f"{entry['input']!r} ({item.kind}, fault {item.fault})"
        options = item.expected(run_number)
        if not any(_matches(entry, status, fragment) for status, fragment in options):
            report(f"{where}: {entry['status']} ({entry['reason']}), expected one of {options}")
        if entry["status"] == REJECTED and not entry["reason"]:
            report(f"{where}: rejected without a reason")
        if item.digest and entry["sha256"] not in (item.digest, None):
            report(f"{where}: sha256 {entry['sha256']} is not the input's")
        for output in entry["outputs"]:
            path = out / output["path"]
            listed.add(output["path"])
            if not path.is_file() or _sha256(path) != output["sha256"]:
                report(f"{where}: output {output['path']} missing or not as recorded")
            elif output["path"].endswith(".validation.json") and not _private(path, 0o600):
                report(f"{where}: {output['path']} is not owner-only")
        if entry["status"] == RENDERED:
            problems += _audit_folder(out / SUBMISSIONS_DIR / entry["submission_id"], where)
    rejected = out / REJECTED_DIR
    if rejected.exists() and not _private(rejected, 0o700):
        report(f"{REJECTED_DIR}/ is not owner-only")
    for path in out.rglob("*"):
        relative = path.relative_to(out).as_posix()
        if relative.split("/")[0] == STATE_DIR:
            if path.name.endswith((".part", ".staging", ".old")) or "/staging" in relative:
                report(f"leftover in the batch state: {relative}")
            continue
        if path.is_file() and relative not in listed:
            report(f"{relative} is in OUTDIR but in no manifest entry")
    problems += _audit_summary(out / "batch-summary.xlsx", len(expected))
    return problems


def _audit_folder(folder: Path, where: str) -> list[str]:
    problems = []
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    listed = {item["path"]: item["sha256"] for item in manifest["files"]}
    present = {p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file()}
    if present != {*listed, "manifest.json"}:
        problems.append(f"{where}: folder holds {sorted(present)}, manifest {sorted(listed)}")
    for relative, digest in listed.items():
        if relative in present and _sha256(folder / relative) != digest:
            problems.append(f"{where}: {relative} is not as its manifest records")
    private = [folder / "validation.json", *(folder / "referrals").glob("*.pdf")]
    if not all(_private(path, 0o600) for path in private) or not _private(
        folder / "referrals", 0o700
    ):
        problems.append(f"{where}: personal data not owner-only")
    return problems


def _audit_summary(path: Path, inputs: int) -> list[str]:
    problems = []
    rows = list(openpyxl.load_workbook(path)["Submissions"].iter_rows())
    if len(rows) != inputs + 1:
        problems.append(f"batch-summary.xlsx has {len(rows) - 1} rows for {inputs} inputs")
    if any(cell.data_type == "f" for row in rows for cell in row):
        problems.append("batch-summary.xlsx holds a formula")
    with zipfile.ZipFile(path) as archive:
        if any(b"<f>" in archive.read(n) for n in archive.namelist() if "worksheets" in n):
            problems.append("batch-summary.xlsx holds a formula element")
    return problems
