"""Filing a referral as it happens (DTR-1.1 10): suspect, refer, withdraw, due, compile.

A library over the filing ledger, so that a platform's own service does from Python what the
commands do (the commands in :mod:`compliance.filing_commands` are thin wrappers)::

    with FilingLedger.open("ledger.db") as ledger:
        filed = ledger.refer(Path("R-1.json").read_bytes(), out_dir=Path("packs"))
        print(filed.receipt.receipt_id if filed.receipt else filed.refusal)

Filing is all or nothing, in the order of 10.2: the pack is rendered to a temporary name in
the out folder, the ledger row and its receipt are committed in one transaction, then
``<referral_id>.receipt.json`` is written and the pack renamed into place. A crash at any
moment leaves no record and no file under its final name, or a record whose files the same
command, run again, completes: the same document filed again is answered with the receipt
on record, and any file missing from the out folder is written again, checked against the
recorded SHA-256 (the pack is reproducible from the document).

The ledger rules (10.3) are decided here, with the ledger's answers: DTR-L001 (a filed
referral never changes, except for the later facts of 10.2), DTR-L004 (the deadline is fixed
when a suspicion is first recorded), DTR-L005 (a document from the future of the ledger's
clock); and, for a quarter checked against the ledger, DTR-L002 and DTR-L003
(:func:`ledger_issues`).
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os
import tempfile
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from compliance.atomic import PRIVATE, private_directory, write_bytes_atomic
from compliance.check import CheckResult
from compliance.config import DEFAULT_CONFIG, RULESET_VERSION, RuleConfig
from compliance.deadlines import assess_deadline, due_at
from compliance.durations import format_timestamp
from compliance.errors import ComplianceError
from compliance.issues import Issue, Report, Severity
from compliance.ledger import (
    Filing,
    FilingOutcome,
    Ledger,
    PlatformKey,
    Receipt,
    RecordOutcome,
    ReferralState,
    Suspicion,
    ToolVersions,
    WithdrawalOutcome,
    canonical_bytes,
    differs_only_in_later_facts,
    open_ledger,
    utc_text,
)
from compliance.model import ReferralDocument, Removal, Submission
from compliance.period import Period
from compliance.referral_check import ReferralCheckResult, check_referral_bytes
from compliance.returns import FiledPack
from compliance.statuses import DeadlineState
from compliance.versions import tool_version

CLOCK_SKEW = timedelta(minutes=5)
"""DTR-L005: how far a document's ``generated_at`` may run ahead of the ledger's clock."""

STALE_PART_AGE = 3600.0
"""Seconds after which any temporary pack is taken for a leftover, even if a process of the
same id lives (ids are reused); a live filing renames its pack within seconds."""


class FilingError(ComplianceError):
    """A filing that cannot start: a ledger that cannot be opened, an ambiguous platform, an
    out folder that would hold the ledger. One line for the user, exit status 2."""


def ledger_issue(code: str, message: str, path: str, referral_id: str | None) -> Issue:
    return Issue(code, Severity.ERROR, message, path, referral_id)


@dataclass
class FilingReport:
    """What ``suspect`` or ``refer`` did with one referral document."""

    check: ReferralCheckResult
    issues: list[Issue] = field(default_factory=list)
    """The document's issues and the ledger rules' (L001, L004, L005)."""
    receipt: Receipt | None = None
    """The receipt on record: new, or the existing one of a retry."""
    outcome: str | None = None
    """What the ledger did: filed, new_version, unchanged, recorded, updated ..."""
    refusal: str | None = None
    """Why nothing was recorded, in one sentence, when it was refused."""
    deadline: datetime | None = None
    written: list[Path] = field(default_factory=list)
    kept: list[Path] = field(default_factory=list)
    """Files already in place with the recorded content (a retry)."""

    @property
    def filed(self) -> bool:
        return self.receipt is not None and self.refusal is None

    @property
    def report(self) -> Report:
        return Report(list(self.issues))

    def to_json(self) -> dict[str, Any]:
        return {
            "input": self.check.input_name,
            "referral_id": self.check.referral_id,
            "filed": self.filed,
            "outcome": self.outcome,
            "refusal": self.refusal,
            "deadline": format_timestamp(self.deadline) if self.deadline else None,
            "receipt": self.receipt.to_json() if self.receipt else None,
            "counts": self.report.counts,
            "issues": self.report.to_json(),
        }


@dataclass(frozen=True)
class DueSuspicion:
    """An open suspicion and where it stands at the moment asked about."""

    platform: PlatformKey
    referral_id: str
    priority: str
    suspicion_formed_at: datetime
    deadline: datetime
    at: datetime

    @property
    def overdue(self) -> bool:
        """Overdue means the moment is after the deadline (exactly on it is still in time)."""
        return self.at > self.deadline

    @property
    def remaining(self) -> timedelta:
        """Time left (negative: time overdue)."""
        return self.deadline - self.at

    def to_json(self) -> dict[str, Any]:
        return {
            "registration_number": self.platform.registration_number,
            "jurisdiction": self.platform.jurisdiction,
            "referral_id": self.referral_id,
            "priority": self.priority,
            "suspicion_formed_at": format_timestamp(self.suspicion_formed_at),
            "deadline": format_timestamp(self.deadline),
            "overdue": self.overdue,
            "seconds_left": int(self.remaining.total_seconds()),
        }


class FilingLedger:
    """A platform's filing ledger, opened by path (SQLite) or ``postgresql://`` URL."""

    def __init__(self, ledger: Ledger, config: RuleConfig = DEFAULT_CONFIG) -> None:
        self.ledger = ledger
        self.config = config
        self.versions = ToolVersions(tool_version(), RULESET_VERSION)

    @classmethod
    def open(
        cls, target: str | os.PathLike[str], config: RuleConfig = DEFAULT_CONFIG
    ) -> FilingLedger:
        return cls(open_ledger(target), config)

    def close(self) -> None:
        self.ledger.close()

    def __enter__(self) -> FilingLedger:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ------------------------------------------------------------------ suspect and refer

    def suspect(self, data: bytes, *, name: str = "") -> FilingReport:
        """Record a suspicion before it is referred: an open record with its deadline."""
        report, prepared = self._prepared(data, name, referred=False)
        if prepared is None:
            return report
        document, platform, canonical, deadline = prepared
        referral = document.referral
        result = self.ledger.record_suspicion(
            Suspicion(
                platform=platform,
                referral_id=referral.referral_id,
                priority=referral.priority.value,
                suspicion_formed_at=referral.suspicion_formed_at,
                deadline=deadline,
                generated_at=document.generated_at,
                canonical=canonical,
                versions=self.versions,
                breach_codes=_breach_codes(report.check),
            )
        )
        report.deadline = result.deadline
        report.outcome = str(result.outcome)
        if result.outcome is RecordOutcome.ALREADY_REFERRED:
            return self._l001(report, referral.referral_id, "it was filed as referred already")
        if result.outcome is RecordOutcome.WITHDRAWN:
            return _refuse(report, "it was withdrawn; a withdrawn suspicion stays closed")
        report.receipt = result.receipt
        return report

    def refer(
        self, data: bytes, *, out_dir: Path, name: str = "", force: bool = False
    ) -> FilingReport:
        """File a referral that was made: its pack and receipt, recorded in the ledger."""
        report, prepared = self._prepared(data, name, referred=True)
        if prepared is None:
            return report
        document, platform, canonical, deadline = prepared
        referral = document.referral
        if referral.referred_at is None or referral.referred_to is None:  # _prepared saw to it
            return report
        judged = assess_deadline(
            referral.priority,
            referral.suspicion_formed_at,
            referral.referred_at,
            document.generated_at,
            self.config,
        )
        pack = _render_pack(document, report.check.report.issues, self.config)
        pack_sha256 = hashlib.sha256(pack).hexdigest()
        filing = Filing(
            platform=platform,
            referral_id=referral.referral_id,
            priority=referral.priority.value,
            suspicion_formed_at=referral.suspicion_formed_at,
            deadline=deadline,
            generated_at=document.generated_at,
            referred_at=referral.referred_at,
            referred_to=referral.referred_to,
            canonical=canonical,
            pack_sha256=pack_sha256,
            on_time=judged.state is DeadlineState.MET,
            versions=self.versions,
            breach_codes=_breach_codes(report.check),
        )
        record = self.ledger.referral(platform, referral.referral_id)
        later_facts = (
            record is not None
            and record.state is ReferralState.REFERRED
            and differs_only_in_later_facts(record.latest.canonical, canonical)
        )
        _remove_stale_parts(out_dir, referral.referral_id)
        pack_path = out_dir / f"{referral.referral_id}.pdf"
        with _pack_in_waiting(out_dir, pack_path, pack) as waiting:
            result = self.ledger.file_referral(filing, later_facts=later_facts)
            report.outcome = str(result.outcome)
            report.deadline = result.deadline
            if result.outcome is FilingOutcome.CONFLICT:
                return self._l001(
                    report, referral.referral_id, "it was filed already with another document"
                )
            if result.outcome is FilingOutcome.WITHDRAWN:
                return _refuse(report, "it was withdrawn as recorded in error")
            report.receipt = receipt = result.receipt
            self._place_files(
                report, receipt, out_dir, pack_path, waiting, pack_sha256, force=force
            )
        return report

    def _prepared(
        self, data: bytes, name: str, *, referred: bool
    ) -> tuple[FilingReport, tuple[ReferralDocument, PlatformKey, bytes, datetime] | None]:
        """The document checked, of the right kind (referred for refer, not for suspect), and
        passed by the ledger rules that refuse before anything is written; else the report
        says why, and nothing is returned to file."""
        report = self._checked(data, name)
        document = report.check.document
        if document is None or report.refusal:
            return report, None
        referral = document.referral
        if referred and (referral.referred_at is None or referral.referred_to is None):
            why = "it is not referred yet (referred_at is empty): record it with suspect"
            return _refuse(report, why), None
        if not referred and referral.referred_at is not None:
            why = "it is referred already (referred_at is set): file it with refer"
            return _refuse(report, why), None
        platform = _platform_of(document)
        canonical = canonical_bytes(document.model_dump(mode="python"))
        deadline = due_at(referral.priority, referral.suspicion_formed_at, self.config)
        if self._ledger_rules(report, document, platform, canonical, deadline):
            return report, None
        return report, (document, platform, canonical, deadline)

    def _checked(self, data: bytes, name: str) -> FilingReport:
        check = check_referral_bytes(data, name=name, config=self.config)
        report = FilingReport(check, issues=list(check.report.issues))
        if check.document is None or not check.report.filing_ready:
            blocking = len(check.report.blocking)
            report.refusal = (
                f"it is not filing-ready ({blocking} blocking issue"
                f"{'' if blocking == 1 else 's'}); nothing was recorded"
            )
        return report

    def _ledger_rules(
        self,
        report: FilingReport,
        document: ReferralDocument,
        platform: PlatformKey,
        canonical: bytes,
        deadline: datetime,
    ) -> bool:
        """L005 and L004 before anything is written; True when one refuses the document."""
        referral = document.referral
        clock = self.ledger.clock()
        if document.generated_at - clock > CLOCK_SKEW:
            report.issues.append(
                ledger_issue(
                    "DTR-L005",
                    f"The document was generated at {format_timestamp(document.generated_at)}, "
                    f"more than 5 minutes after the ledger's clock ({format_timestamp(clock)}).",
                    "/generated_at",
                    referral.referral_id,
                )
            )
        record = self.ledger.referral(platform, referral.referral_id)
        if record is not None and deadline > record.deadline:
            report.issues.append(
                ledger_issue(
                    "DTR-L004",
                    f"Referral {referral.referral_id} was recorded due at "
                    f"{format_timestamp(record.deadline)}; this document would move its deadline "
                    f"to {format_timestamp(deadline)} (a later suspicion_formed_at or a lower "
                    "priority), but a deadline is fixed when the suspicion is first recorded.",
                    "/referral/suspicion_formed_at",
                    referral.referral_id,
                )
            )
        if any(issue.code in ("DTR-L004", "DTR-L005") for issue in report.issues):
            report.refusal = "a ledger rule refuses it; nothing was recorded"
            return True
        return False

    def _l001(self, report: FilingReport, referral_id: str, why: str) -> FilingReport:
        report.issues.append(
            ledger_issue(
                "DTR-L001",
                f"Referral {referral_id} cannot be filed with this document: {why}. A filed "
                "referral never changes (only authority_reference, and removed_at with its "
                "preservation, may follow later); file a correction referral instead.",
                "/referral",
                referral_id,
            )
        )
        return _refuse(report, "a filed referral never changes (DTR-L001); nothing was recorded")

    def _place_files(
        self,
        report: FilingReport,
        receipt: Receipt,
        out_dir: Path,
        pack_path: Path,
        waiting: Path,
        waiting_sha256: str,
        *,
        force: bool,
    ) -> None:
        """``receipt.json``, then the pack renamed into place (spec 10.2's order)."""
        receipt_path = out_dir / f"{receipt.referral_id}.receipt.json"
        receipt_bytes = (json.dumps(receipt.to_json(), indent=2) + "\n").encode("utf-8")
        self._place(report, receipt_path, receipt_bytes, force=force)
        ours = {
            r.receipt.pack_sha256
            for r in self.ledger.versions(receipt.platform, receipt.referral_id)
        }
        if receipt.pack_sha256 != waiting_sha256:
            # A retry with another tool version renders another pack: keep the one on record.
            if pack_path.exists() and _sha256_file(pack_path) == receipt.pack_sha256:
                report.kept.append(pack_path)
                return
            raise FilingError(
                f"{pack_path.name}: the pack on record (sha256 {receipt.pack_sha256}) was "
                "rendered by another version of the tool, and this one renders it differently; "
                "restore the file from where it was sent"
            )
        if pack_path.exists():
            current = _sha256_file(pack_path)
            if current == receipt.pack_sha256:
                report.kept.append(pack_path)
                return
            if current not in ours and not force:
                raise FilingError(
                    f"{pack_path} exists and is not a pack this ledger filed; move it away, or "
                    "give --force to replace it"
                )
        os.replace(waiting, pack_path)
        report.written.append(pack_path)

    def _place(self, report: FilingReport, path: Path, data: bytes, *, force: bool) -> None:
        if path.exists():
            current = path.read_bytes()
            if current == data:
                report.kept.append(path)
                return
            if not force and not _is_receipt_of_same_referral(current, path):
                raise FilingError(
                    f"{path} exists with other content; move it away, or give --force"
                )
        write_bytes_atomic(path, data, PRIVATE)
        report.written.append(path)

    # ------------------------------------------------------------------ withdraw and due

    def withdraw(
        self, referral_id: str, reason: str, *, platform: PlatformKey | None = None
    ) -> WithdrawalOutcome:
        """Close an open suspicion recorded in error; the ledger keeps it, with the reason."""
        return self.ledger.withdraw(self.platform(platform), referral_id, reason).outcome

    def due(
        self, at: datetime | None = None, *, platform: PlatformKey | None = None
    ) -> list[DueSuspicion]:
        """Every open suspicion, the nearest deadline first (ties by referral_id)."""
        moment = at or self.ledger.clock()
        due = [
            DueSuspicion(
                record.platform,
                record.referral_id,
                record.latest.priority,
                record.latest.suspicion_formed_at,
                record.deadline,
                moment,
            )
            for record in self.ledger.open_suspicions(platform)
        ]
        due.sort(key=lambda item: (item.deadline, item.referral_id))
        return due

    def platform(self, given: PlatformKey | None) -> PlatformKey:
        """The platform a command acts on: the one given, or the ledger's only one."""
        if given is not None:
            return given
        known = self.ledger.platforms()
        if len(known) == 1:
            return known[0]
        if not known:
            raise FilingError("the ledger holds no platform yet: nothing has been filed")
        listed = ", ".join(str(key) for key in known)
        raise FilingError(
            f"the ledger holds several platforms ({listed}); name one with "
            "--platform REGISTRATION:JURISDICTION"
        )

    # ------------------------------------------------------------------ compile

    def compile(
        self,
        period: Period,
        moderation_log: list[dict[str, Any]],
        *,
        at: datetime | None = None,
        platform: PlatformKey | None = None,
        submission_id: str | None = None,
        amends: str | None = None,
        attestation: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        """The quarter's submission as the ledger stood at ``at`` (its ``generated_at``)."""
        key = self.platform(platform)
        # Now, rounded up to the second: generated_at reads plainly, and nothing filed in the
        # fraction of the second before is left out of the ledger as it stood.
        moment = at or _whole_second_after(self.ledger.clock())
        last = self.ledger.last_document(key, as_of=moment)
        if last is None:
            raise FilingError(
                f"the ledger holds nothing filed for {key} by {format_timestamp(moment)}"
            )
        documents = [
            json.loads(recorded.canonical)
            for recorded in self.ledger.latest_documents(
                key, period.start, period.end, as_of=moment
            )
        ]
        platform_fields = json.loads(last.canonical)["platform"]
        services: dict[str, Any] = {s["service_id"]: s for s in platform_fields["services"]}
        for document in documents:
            for service in document["platform"]["services"]:
                services.setdefault(service["service_id"], service)
        platform_fields = {**platform_fields, "services": list(services.values())}
        return {
            "schema_version": "1.0",
            "submission_id": submission_id or f"{key.registration_number}-{period}",
            "submission_type": "amendment" if amends else "initial",
            "amends_submission_id": amends,
            "period": str(period),
            "generated_at": utc_text(moment),
            "platform": platform_fields,
            "referrals": [document["referral"] for document in documents],
            "moderation_log": moderation_log,
            "attestation": attestation,
        }

    # ------------------------------------------------------------------ a quarter checked

    def filed_subject_accounts(self, platform: PlatformKey) -> frozenset[tuple[str, str]]:
        """(service_id, account_id) of every subject of a referral filed in the ledger: they
        cover their accounts for DTR-D001, whatever quarter they were filed in."""
        accounts: set[tuple[str, str]] = set()
        for recorded in self.ledger.latest_documents(
            platform, _FAR_PAST, _FAR_FUTURE, state=ReferralState.REFERRED
        ):
            referral = json.loads(recorded.canonical)["referral"]
            accounts.update((s["service_id"], s["account_id"]) for s in referral["subjects"])
        return frozenset(accounts)

    def check_quarter(self, result: CheckResult) -> CheckResult:
        """A quarter's check widened by the ledger (10.4): DTR-L002 and DTR-L003 added; a
        DTR-D001 account covered by a subject of a referral filed in any quarter is no breach;
        a DTR-D003 removal whose referral the ledger confirms is no warning."""
        submission = result.submission
        if submission is None:
            return result
        key = _platform_key(
            submission.platform.registration_number, submission.platform.jurisdiction
        )
        covered = self.filed_subject_accounts(key)
        log = submission.moderation_log
        kept = []
        for issue in result.report.issues:
            index = _log_index(issue.path)
            removal = log[index] if index is not None and index < len(log) else None
            if removal is not None and self._settled(issue.code, removal, key, covered):
                continue
            kept.append(issue)
        report = Report(kept + self.ledger_issues(submission, result.report))
        return CheckResult(result.input_name, result.source_sha256, report, submission)

    def filed_packs(self, submission: Submission) -> list[FiledPack]:
        """The packs of the submission's referrals filed as they happened, exactly as filed."""
        key = _platform_key(
            submission.platform.registration_number, submission.platform.jurisdiction
        )
        packs = []
        for referral in submission.referrals:
            record = self.ledger.referral(key, referral.referral_id)
            if record is None or record.state is not ReferralState.REFERRED:
                continue
            receipt = record.latest.receipt
            on_record = json.loads(record.latest.canonical)["referral"]
            same = canonical_bytes(referral.model_dump(mode="python")) == canonical_bytes(on_record)
            if same and receipt.pack_sha256 is not None:
                packs.append(
                    FiledPack(referral.referral_id, receipt.receipt_id, receipt.pack_sha256)
                )
        return packs

    def _settled(
        self,
        code: str,
        removal: Removal,
        key: PlatformKey,
        covered: frozenset[tuple[str, str]],
    ) -> bool:
        """Whether the ledger settles a removal's D001 or D003 issue."""
        if code == "DTR-D001":
            return (removal.service_id, removal.account_id) in covered
        if code == "DTR-D003" and removal.referral_id is not None:
            return self.ledger.is_referred(key, removal.referral_id)
        return False

    def ledger_issues(self, submission: Submission, report: Report) -> list[Issue]:
        """DTR-L002 and DTR-L003 of a quarterly submission checked against this ledger."""
        key = _platform_key(
            submission.platform.registration_number, submission.platform.jurisdiction
        )
        issues: list[Issue] = []
        for index, referral in enumerate(submission.referrals):
            for j, related in enumerate(referral.related_referral_ids):
                if not self.ledger.is_referred(key, related):
                    issues.append(
                        ledger_issue(
                            "DTR-L002",
                            f"Referral {referral.referral_id} follows referral {related}, which "
                            "the ledger holds no filed referral of.",
                            f"/referrals/{index}/related_referral_ids/{j}",
                            referral.referral_id,
                        )
                    )
        for index, removal in enumerate(submission.moderation_log):
            if removal.referral_id is not None and not self.ledger.is_referred(
                key, removal.referral_id
            ):
                issues.append(
                    ledger_issue(
                        "DTR-L002",
                        f"Removal {removal.action_id} names referral {removal.referral_id}, "
                        "which the ledger holds no filed referral of.",
                        f"/moderation_log/{index}/referral_id",
                        None,
                    )
                )
        period = Period.parse(submission.period)
        filed = {
            recorded.receipt.referral_id.casefold(): recorded
            for recorded in self.ledger.latest_documents(
                key, period.start, period.end, as_of=submission.generated_at
            )
        }
        carried: set[str] = set()
        for index, referral in enumerate(submission.referrals):
            recorded = filed.get(referral.referral_id.casefold())
            carried.add(referral.referral_id.casefold())
            if recorded is None:
                continue
            on_record = json.loads(recorded.canonical)["referral"]
            if canonical_bytes(referral.model_dump(mode="python")) != canonical_bytes(on_record):
                issues.append(
                    ledger_issue(
                        "DTR-L003",
                        f"Referral {referral.referral_id} differs from its latest version in "
                        f"the ledger (receipt {recorded.receipt.receipt_id}); a quarter carries "
                        "each referral as it was filed.",
                        f"/referrals/{index}",
                        referral.referral_id,
                    )
                )
        for folded, recorded in sorted(filed.items()):
            if folded not in carried:
                issues.append(
                    ledger_issue(
                        "DTR-L003",
                        f"Referral {recorded.receipt.referral_id}, filed in the ledger for "
                        f"{submission.period} (receipt {recorded.receipt.receipt_id}), is not "
                        "in the submission.",
                        "/referrals",
                        recorded.receipt.referral_id,
                    )
                )
        return issues


# ---------------------------------------------------------------------- helpers

_FAR_PAST = datetime.min.replace(tzinfo=UTC)
_FAR_FUTURE = datetime.max.replace(tzinfo=UTC)


def _platform_key(registration_number: str, jurisdiction: str) -> PlatformKey:
    return PlatformKey(registration_number, jurisdiction)


def _platform_of(document: ReferralDocument) -> PlatformKey:
    return _platform_key(document.platform.registration_number, document.platform.jurisdiction)


def _whole_second_after(moment: datetime) -> datetime:
    if moment.microsecond == 0:
        return moment
    return moment.replace(microsecond=0) + timedelta(seconds=1)


def _log_index(path: str) -> int | None:
    parts = path.split("/")
    if len(parts) >= 3 and parts[1] == "moderation_log" and parts[2].isdigit():
        return int(parts[2])
    return None


def _refuse(report: FilingReport, why: str) -> FilingReport:
    report.refusal = why
    report.receipt = None
    return report


def _breach_codes(check: ReferralCheckResult) -> tuple[str, ...]:
    return tuple(sorted({issue.code for issue in check.report.breaches}))


def _render_pack(document: ReferralDocument, issues: Sequence[Issue], config: RuleConfig) -> bytes:
    from compliance.render.pdf import PackOrigin, get_renderer  # the PDF stack, only to render

    origin = PackOrigin.filed_as_it_happens(
        document.platform, document.generated_at, document.referral
    )
    return get_renderer().render_referral_pack(
        document.referral, origin, list(issues), draft=False, config=config
    )


def _sha256_file(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _is_receipt_of_same_referral(current: bytes, path: Path) -> bool:
    """A receipt.json this tool wrote for the same referral (an earlier version's): ours to
    replace with the newer receipt, unlike a file a person put there."""
    try:
        earlier = json.loads(current)
    except ValueError:
        return False
    return isinstance(earlier, dict) and f"{earlier.get('referral_id')}.receipt.json" == path.name


@contextmanager
def _pack_in_waiting(out_dir: Path, final: Path, pack: bytes) -> Iterator[Path]:
    """The pack under a temporary name beside its final one, owner-only, removed unless it
    was renamed into place (spec 10.2: rendered before the ledger commits)."""
    private_directory(out_dir)
    descriptor, name = _temporary(out_dir, final.name)
    path = Path(name)
    try:
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(pack)
            handle.flush()
            os.fsync(handle.fileno())
        yield path
    finally:
        path.unlink(missing_ok=True)


def _temporary(directory: Path, name: str) -> tuple[int, str]:
    # The process id in the name tells a later run whether its writer is still alive.
    return tempfile.mkstemp(prefix=f".{name}.{os.getpid()}.", suffix=".part", dir=directory)


def _remove_stale_parts(out_dir: Path, referral_id: str) -> None:
    """Temporary packs of this referral that a killed ``refer`` left (they hold personal
    data): those whose process is gone, or that are older than :data:`STALE_PART_AGE`."""
    if not out_dir.is_dir():
        return
    now = time.time()
    for leftover in out_dir.glob(f".{referral_id}.pdf.*.part"):
        writer = leftover.name.removeprefix(f".{referral_id}.pdf.").split(".", 1)[0]
        # Another process may rename or remove it first: then there is nothing to clean.
        with suppress(FileNotFoundError):
            if not _alive(writer) or now - leftover.stat().st_mtime > STALE_PART_AGE:
                leftover.unlink()


def _alive(pid_text: str) -> bool:
    if not pid_text.isdigit():
        return False
    pid = int(pid_text)
    if pid == os.getpid():
        return False  # this process has no pack in waiting yet
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


# ---------------------------------------------------------------------- moderation logs

REMOVAL_FIELDS = (
    "action_id",
    "service_id",
    "account_id",
    "content_id",
    "category",
    "actioned_at",
    "referral_id",
)


def read_moderation_log(data: bytes, name: str) -> list[dict[str, Any]]:
    """A moderation log for ``compile``: a JSON array of Removals, or CSV with the Removal's
    field names as headers (an empty cell is null). Raises :class:`FilingError` when it is
    neither; the values themselves are checked when the compiled quarter is validated."""
    text = _text_of(data, name)
    stripped = text.lstrip()
    if stripped.startswith("["):
        try:
            rows = json.loads(text)
        except ValueError as error:
            raise FilingError(f"{name} is not valid JSON: {error}") from None
        if not all(isinstance(row, dict) for row in rows):
            raise FilingError(f"{name}: every item of the array must be a Removal object")
        return list(rows)
    reader = csv.DictReader(io.StringIO(text, newline=""))
    header = reader.fieldnames or []
    missing = [name for name in REMOVAL_FIELDS if name not in header]
    unknown = [column for column in header if column not in REMOVAL_FIELDS]
    if missing or unknown:
        raise FilingError(
            f"{name} is neither a JSON array nor a CSV with the Removal's fields as headers"
            + (f" (missing: {', '.join(missing)})" if missing else "")
            + (f" (unknown: {', '.join(unknown)})" if unknown else "")
        )
    return [{key: (value if value != "" else None) for key, value in row.items()} for row in reader]


def _text_of(data: bytes, name: str) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise FilingError(f"{name} is not UTF-8 text") from None
