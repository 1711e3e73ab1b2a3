"""The units of batch work, as plain picklable functions any executor can run.

A task re-reads its input from disk rather than receiving a parsed submission: inputs are
small next to the rendering work, and this keeps tasks independent of the process (or
cluster node) that scheduled them.
"""

from __future__ import annotations

import dataclasses
import shutil
import traceback
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from compliance.atomic import PRIVATE, private_directory, write_bytes_atomic
from compliance.check import CheckResult, InputError, check_path
from compliance.pseudonyms import Pseudonymiser
from compliance.referral_check import ReferralCheckResult, check_any_path
from compliance.returns import (
    ManifestFacts,
    OutputFile,
    json_bytes,
    render_main_files,
    render_referral_packs,
    return_view,
    validation_report,
)
from compliance.statuses import BatchStatus


@dataclass
class SubmissionTask:
    input_path: str
    relative: str
    period: str
    out_dir: str
    staging: str
    rejection_report: str
    """Where a rejected input's validation report goes, relative to ``out_dir``."""
    key: bytes
    packs_here: int
    """How many referral packs this task renders itself; the rest go to pack tasks."""


@dataclass
class TaskOutcome:
    relative: str
    status: BatchStatus
    sha256: str | None = None
    submission_id: str | None = None
    platform: str | None = None
    period: str | None = None
    counts: dict[str, int] = field(default_factory=dict)
    metrics: list[tuple[str, Any]] = field(default_factory=list)
    reason: str | None = None
    outputs: list[OutputFile] = field(default_factory=list)
    referral_count: int = 0
    manifest: ManifestFacts | None = None
    retry: bool = False
    """The input failed for a reason of the moment, not of its own (it could not be read, a
    write failed, a worker died): not remembered, so that the next run tries it again."""


def outcome_to_json(outcome: TaskOutcome) -> dict[str, Any]:
    return dataclasses.asdict(outcome)


def outcome_from_json(data: dict[str, Any]) -> TaskOutcome:
    fields = dict(data)
    fields["status"] = BatchStatus(data["status"])
    fields["outputs"] = [OutputFile(**output) for output in data["outputs"]]
    fields["metrics"] = [tuple(pair) for pair in data["metrics"]]
    fields["manifest"] = ManifestFacts(**data["manifest"]) if data.get("manifest") else None
    return TaskOutcome(**fields)


def check_and_render(task: SubmissionTask) -> TaskOutcome:
    """Check one input; render it into the staging folder if it is filing-ready."""
    try:
        return _check_and_render(task)
    except OSError as error:  # a full disk, say: name it rather than "internal error"
        reason = f"a file could not be written or read: {error.strerror or error}"
        return TaskOutcome(task.relative, BatchStatus.REJECTED, reason=reason, retry=True)
    except Exception as error:  # a crash inside one submission is that submission's problem
        detail = traceback.format_exception_only(type(error), error)[-1].strip()
        return TaskOutcome(
            task.relative, BatchStatus.REJECTED, reason=f"internal error: {detail}", retry=True
        )


def _check_and_render(task: SubmissionTask) -> TaskOutcome:
    try:
        checked = check_any_path(task.input_path)
    except InputError as error:
        return TaskOutcome(task.relative, BatchStatus.REJECTED, reason=str(error), retry=True)
    if isinstance(checked, ReferralCheckResult):
        return _referral_document(task, checked)
    result = checked
    submission = result.submission
    outcome = TaskOutcome(
        task.relative,
        BatchStatus.REJECTED,
        sha256=result.source_sha256,
        submission_id=result.submission_id,
        platform=submission.platform.legal_name if submission else None,
        period=submission.period if submission else None,
        counts=result.report.counts,
    )
    if submission is not None and submission.period != task.period:
        outcome.status = BatchStatus.SKIPPED
        outcome.reason = f"period {submission.period}, not {task.period}"
        return outcome
    view = return_view(result, Pseudonymiser(task.key)) if submission is not None else None
    if view is not None:
        outcome.metrics = list(view.metrics)
    if view is None or submission is None or not result.report.filing_ready:
        return _rejected(task, outcome, result)
    staging = Path(task.staging)
    # A run killed while this task rendered leaves its half-done files here; start clean so
    # none of them (a stray .part file, a pack from an older input) reaches the final folder.
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    outcome.outputs = render_main_files(result, view, staging, draft=False)
    outcome.outputs += render_referral_packs(result, staging, draft=False, stop=task.packs_here)
    outcome.status = BatchStatus.RENDERED
    outcome.referral_count = len(submission.referrals)
    outcome.manifest = ManifestFacts.of(
        result, draft=False, key_fingerprint=Pseudonymiser(task.key).fingerprint
    )
    return outcome


def _rejected(
    task: SubmissionTask, outcome: TaskOutcome, result: CheckResult | ReferralCheckResult
) -> TaskOutcome:
    """Reject the input, with its validation report beside the batch's outputs."""
    out_dir = Path(task.out_dir)
    # Owner-only like the reports in it: they are the platform's, not the regulator's.
    private_directory((out_dir / task.rejection_report).parent)
    # Named as the batch's manifest names the input: the same bytes wherever SOURCE is.
    report = validation_report(result, task.relative)
    write_bytes_atomic(out_dir / task.rejection_report, json_bytes(report), PRIVATE)
    outcome.status = BatchStatus.REJECTED
    outcome.reason = f"not filing-ready: {len(result.report.blocking)} blocking issue(s)"
    outcome.outputs = [OutputFile.of(out_dir, task.rejection_report)]
    return outcome


def _referral_document(task: SubmissionTask, result: ReferralCheckResult) -> TaskOutcome:
    """A referral document is filed on its own with `refer` (DTR-1 9, 10.4): skipped, never
    rejected, whatever its issues; one that cannot be read as DTR-1 at all is rejected."""
    document = result.document
    outcome = TaskOutcome(
        task.relative,
        BatchStatus.SKIPPED,
        sha256=result.source_sha256,
        platform=document.platform.legal_name if document else None,
        counts=result.report.counts,
        reason="a referral document: file it with `compliance refer`, not in a quarterly batch",
    )
    return _rejected(task, outcome, result) if result.report.is_fatal else outcome


@dataclass
class PackTask:
    input_path: str
    relative: str
    staging: str
    start: int
    stop: int


def render_pack_slice(task: PackTask) -> list[OutputFile]:
    result = check_path(task.input_path)
    return render_referral_packs(
        result, Path(task.staging), draft=False, start=task.start, stop=task.stop
    )
