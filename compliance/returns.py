"""Render a checked submission into its returns (DTR-1 7.2-7.3 and `render`, section 8).

Under ``OUT/<submission_id>/``: ``return.xlsx``, ``return.pdf``, ``referrals/<id>.pdf``,
``validation.json`` and, last, ``manifest.json`` listing every file with its SHA-256 and size.
The directory is built beside its final place and swapped in whole, so a reader never sees a
half-rendered submission. Every file is a pure function of the input, the tool version and the
pseudonym key: rendering twice gives identical bytes.

The work comes in three steps so that a batch can spread one large submission's referral
packs over several workers: :func:`render_main_files`, :func:`render_referral_packs` (any
slice of the referrals) and :func:`write_manifest`.
"""

from __future__ import annotations

import dataclasses
import errno
import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from compliance.atomic import (
    PRIVATE,
    atomic_directory,
    atomic_target,
    private_directory,
    remove_leftovers,
    write_bytes_atomic,
)
from compliance.check import CheckResult
from compliance.config import DEFAULT_CONFIG, RuleConfig
from compliance.errors import ComplianceError
from compliance.figures import ReturnView, build_return_view
from compliance.json_text import file_bytes
from compliance.model import Submission
from compliance.pseudonyms import Pseudonymiser
from compliance.referral_check import ReferralCheckResult
from compliance.render.xlsx import write_return_xlsx
from compliance.terminal import safe
from compliance.versions import versions

BLOCKING_SUMMARY_LIMIT = 10


class NotRenderable(ComplianceError):
    """The submission cannot be rendered (not filing-ready without --draft, or unreadable)."""


@dataclass(frozen=True)
class OutputFile:
    path: str
    sha256: str
    size: int

    def to_json(self) -> dict[str, Any]:
        return {"path": self.path, "sha256": self.sha256, "size": self.size}

    @classmethod
    def of(cls, root: Path, relative: str) -> OutputFile:
        data = (root / relative).read_bytes()
        return cls(relative, hashlib.sha256(data).hexdigest(), len(data))


def json_bytes(data: Any) -> bytes:
    """A JSON output file's bytes; see :func:`compliance.json_text.file_bytes`."""
    return file_bytes(data)


def validation_report(
    result: CheckResult | ReferralCheckResult, input_name: str | None = None
) -> dict[str, Any]:
    """``validation.json``'s content: the check result, naming its input by ``input_name``.

    By default that is the file's name alone, as the manifest has it: the path as typed
    (``x.json`` or ``/home/me/x.json``) would make the same input render different bytes.
    """
    report = result.to_json()
    report["input"] = Path(result.input_name).name if input_name is None else input_name
    return report


def blocking_summary(result: CheckResult) -> str:
    """Why a submission is refused, for a terminal: untrusted pieces made safe to print."""
    blocking = result.report.blocking
    lines = [f"{safe(result.input_name)} is not filing-ready: {len(blocking)} blocking issue(s)."]
    for issue in blocking[:BLOCKING_SUMMARY_LIMIT]:
        lines.append(f"  {issue.code} {safe(issue.path or '/')}: {safe(issue.message)}")
    if len(blocking) > BLOCKING_SUMMARY_LIMIT:
        more = len(blocking) - BLOCKING_SUMMARY_LIMIT
        lines.append(f"  ... and {more} more (see compliance validate).")
    return "\n".join(lines)


def renderable_submission(result: CheckResult, *, draft: bool) -> Submission:
    """The submission to render, or :class:`NotRenderable` saying why not."""
    if result.submission is None:
        raise NotRenderable(
            f"{safe(result.input_name)} cannot be rendered: its envelope (platform, period, ids) "
            "is not readable.\n" + blocking_summary(result)
        )
    if not result.report.filing_ready and not draft:
        raise NotRenderable(
            blocking_summary(result)
            + "\nFix them and render again, or give --draft to render it marked DRAFT, "
            "not for submission."
        )
    return result.submission


def referral_file_names(referral_ids: list[str]) -> list[str]:
    """One file name per referral; a repeated id (only possible in a draft) gets a suffix."""
    names, used = [], set()
    for referral_id in referral_ids:
        name, n = f"{referral_id}.pdf", 1
        while name.casefold() in used:
            n += 1
            name = f"{referral_id}-{n}.pdf"
        used.add(name.casefold())
        names.append(name)
    return names


def return_view(
    result: CheckResult, pseudonymiser: Pseudonymiser, config: RuleConfig = DEFAULT_CONFIG
) -> ReturnView:
    return build_return_view(
        renderable_submission(result, draft=True),
        result.report,
        source_sha256=result.source_sha256,
        pseudonymiser=pseudonymiser,
        config=config,
    )


def render_main_files(
    result: CheckResult, view: ReturnView, directory: Path, *, draft: bool
) -> list[OutputFile]:
    """return.xlsx, return.pdf and validation.json into ``directory``."""
    from compliance.render.pdf import get_renderer  # the PDF stack loads only to render

    drafting = draft and not result.report.filing_ready
    with atomic_target(directory / "return.xlsx") as temporary:
        write_return_xlsx(view, temporary, draft=drafting)
    write_bytes_atomic(directory / "return.pdf", get_renderer().render_return(view, draft=drafting))
    # The platform's own validation report may quote identifiers: owner-only, like the packs.
    write_bytes_atomic(
        directory / "validation.json", json_bytes(validation_report(result)), PRIVATE
    )
    return [
        OutputFile.of(directory, name) for name in ("return.pdf", "return.xlsx", "validation.json")
    ]


def render_referral_packs(
    result: CheckResult,
    directory: Path,
    *,
    draft: bool,
    start: int = 0,
    stop: int | None = None,
    skip: frozenset[str] = frozenset(),
) -> list[OutputFile]:
    """The referral packs of referrals[start:stop] into ``directory/referrals/``, but for the
    referrals in ``skip`` (their packs were filed as they happened)."""
    from compliance.render.pdf import get_renderer

    submission = renderable_submission(result, draft=draft)
    drafting = draft and not result.report.filing_ready
    renderer = get_renderer()
    names = referral_file_names([r.referral_id for r in submission.referrals])
    outputs: list[OutputFile] = []
    for referral, name in list(zip(submission.referrals, names, strict=True))[start:stop]:
        if referral.referral_id in skip:
            continue
        if not outputs:  # made here, so that a submission without referrals has no folder
            private_directory(directory / "referrals")
        issues = [i for i in result.report.issues if i.referral_id == referral.referral_id]
        pack = renderer.render_referral_pack(referral, submission, issues, draft=drafting)
        relative = f"referrals/{name}"
        # Referral packs carry personal data for police: owner-only, and so is their folder.
        write_bytes_atomic(directory / relative, pack, PRIVATE)
        outputs.append(OutputFile.of(directory, relative))
    return outputs


@dataclass(frozen=True)
class FiledPack:
    """A referral's pack filed as it happened (DTR-1.1 10.4): not rendered again with its
    quarter; the manifest names it by its receipt and the SHA-256 on record."""

    referral_id: str
    receipt_id: str
    pack_sha256: str

    def to_json(self) -> dict[str, str]:
        return {
            "referral_id": self.referral_id,
            "receipt_id": self.receipt_id,
            "sha256": self.pack_sha256,
        }


@dataclass(frozen=True)
class ManifestFacts:
    """What a submission's manifest states besides its files."""

    submission_id: str
    period: str
    input_name: str
    input_sha256: str
    filing_ready: bool
    draft: bool
    counts: dict[str, int]
    key_fingerprint: str
    filed_packs: tuple[FiledPack, ...] = ()

    @classmethod
    def of(cls, result: CheckResult, *, draft: bool, key_fingerprint: str) -> ManifestFacts:
        submission = renderable_submission(result, draft=draft)
        return cls(
            submission.submission_id,
            submission.period,
            Path(result.input_name).name,
            result.source_sha256,
            result.report.filing_ready,
            draft and not result.report.filing_ready,
            result.report.counts,
            key_fingerprint,
        )


def write_manifest(directory: Path, outputs: list[OutputFile], facts: ManifestFacts) -> OutputFile:
    manifest = {
        "submission_id": facts.submission_id,
        "period": facts.period,
        "input": {"name": facts.input_name, "sha256": facts.input_sha256},
        "filing_ready": facts.filing_ready,
        "draft": facts.draft,
        "counts": facts.counts,
        "versions": versions(),
        "pseudonym_key_fingerprint": facts.key_fingerprint,
        "files": [output.to_json() for output in sorted(outputs, key=lambda o: o.path)],
    }
    if facts.filed_packs:
        manifest["filed_packs"] = [pack.to_json() for pack in facts.filed_packs]
    write_bytes_atomic(directory / "manifest.json", json_bytes(manifest))
    return OutputFile.of(directory, "manifest.json")


def render_submission(
    result: CheckResult,
    out_dir: Path,
    *,
    draft: bool = False,
    pseudonymiser: Pseudonymiser,
    config: RuleConfig = DEFAULT_CONFIG,
    filed_packs: Sequence[FiledPack] = (),
) -> list[OutputFile]:
    """Write the returns of one checked submission; returns the files written, manifest last.

    The packs of ``filed_packs`` (referrals filed as they happened) are not rendered again:
    the manifest lists them with their receipts instead.
    """
    from compliance.batch.journal import BatchLock  # the batch package loads only here

    submission = renderable_submission(result, draft=draft)
    view = return_view(result, pseudonymiser, config)
    filed = frozenset(pack.referral_id for pack in filed_packs)
    target = out_dir / submission.submission_id
    out_dir.mkdir(parents=True, exist_ok=True)
    # Shared: renders may run side by side, but not while a batch writes to the same folder.
    with BatchLock(out_dir, shared=True):
        # A render killed (kill -9) leaves its staging folder, referral packs and all.
        remove_leftovers(out_dir, only_of_gone_processes=True)
        _refuse_to_replace_what_is_not_a_submission(target, submission.submission_id)
        return _render_into(result, view, target, draft, pseudonymiser, filed_packs, filed)


def _refuse_to_replace_what_is_not_a_submission(target: Path, submission_id: str) -> None:
    """A folder is replaced only if it is this submission's earlier rendering: never a file
    or folder of the tool's own (a batch's ``manifest.json``, ``rejected/``) or anyone else's,
    nor another submission's whose id differs in case only (on a case-insensitive disk)."""
    if not (target.exists() or target.is_symlink()):
        return
    try:
        if target.is_symlink() or not target.is_dir():
            raise ValueError
        earlier = json.loads((target / "manifest.json").read_bytes())
        if not isinstance(earlier, dict) or earlier.get("submission_id") != submission_id:
            raise ValueError
    except (OSError, ValueError):
        raise FileExistsError(
            errno.EEXIST,
            "something that is not this submission's earlier returns is in the way "
            "(move it, or choose another --out)",
            str(target),
        ) from None


def _render_into(
    result: CheckResult,
    view: ReturnView,
    target: Path,
    draft: bool,
    pseudonymiser: Pseudonymiser,
    filed_packs: Sequence[FiledPack],
    filed: frozenset[str],
) -> list[OutputFile]:
    with atomic_directory(target) as staging:
        outputs = render_main_files(result, view, staging, draft=draft)
        outputs += render_referral_packs(result, staging, draft=draft, skip=filed)
        facts = dataclasses.replace(
            ManifestFacts.of(result, draft=draft, key_fingerprint=pseudonymiser.fingerprint),
            filed_packs=tuple(sorted(filed_packs, key=lambda pack: pack.referral_id)),
        )
        manifest = write_manifest(staging, outputs, facts)
    return [*sorted(outputs, key=lambda o: o.path), manifest]
