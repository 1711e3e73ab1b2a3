"""The regulator's view of a submission: every number and row of the quarterly return, once.

:func:`build_return_view` is the single place where the return's figures are computed and the
single place where an account id becomes a keyed pseudonym. The view has no field that could
hold personal data, so the XLSX, the PDF and the embedded ``return.json`` (three renderings
of this one object) cannot leak any and cannot disagree.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from types import MappingProxyType
from typing import Any

from compliance.codes import Category, Priority
from compliance.config import DEFAULT_CONFIG, RuleConfig
from compliance.deadlines import assess_deadline, has_deadline
from compliance.durations import format_timestamp, hours, hours_between
from compliance.formats import SCHEMA_VERSION, STANDARD_VERSION
from compliance.issues import Issue, Report, Severity
from compliance.metrics import (
    IssueFacts,
    MetricValue,
    ReferralFacts,
    RemovalFacts,
    compute_figures,
)
from compliance.model import Referral, Submission
from compliance.pseudonyms import Pseudonymiser

Cell = str | int | float | bool | datetime | None


@dataclass(frozen=True)
class Sheet:
    """One table of the return: a name, its header and its rows (cells in header order)."""

    name: str
    header: tuple[str, ...]
    rows: tuple[tuple[Cell, ...], ...]

    def records(self) -> list[dict[str, Any]]:
        return [
            dict(zip(self.header, (_json_cell(c) for c in row), strict=True)) for row in self.rows
        ]


@dataclass(frozen=True)
class DeadlinePoint:
    referral_id: str
    priority: Priority
    hours_taken: float
    hours_allowed: float
    met: bool


@dataclass(frozen=True)
class ChartData:
    referrals_by_category: tuple[tuple[Category, int], ...]
    referrals_by_priority: tuple[tuple[Priority, int], ...]
    hours_to_referral: tuple[DeadlinePoint, ...]
    removals_referred: int
    removals_not_referred: int


@dataclass(frozen=True)
class AttestationView:
    name: str
    role: str
    signed_at: datetime
    statement: str


@dataclass(frozen=True)
class ReturnView:
    """The quarterly return (DTR-1 7.2-7.4), free of personal data by construction."""

    submission_id: str
    period: str
    generated_at: datetime
    platform_name: str
    nominated_officer_name: str
    nominated_officer_role: str
    filing_ready: bool
    sheets: tuple[Sheet, ...]
    metrics: tuple[tuple[str, MetricValue], ...]
    charts: ChartData
    attestation: AttestationView | None
    pseudonym_key_fingerprint: str

    def sheet(self, name: str) -> Sheet:
        return next(sheet for sheet in self.sheets if sheet.name == name)

    def metric(self, name: str) -> MetricValue:
        return dict(self.metrics)[name]

    def to_json_bytes(self) -> bytes:
        """``return.json``: deterministic bytes, so the PDF that embeds it is reproducible."""
        return (json.dumps(self.to_json(), indent=2, ensure_ascii=False) + "\n").encode("utf-8")

    def to_json(self) -> dict[str, Any]:
        """The workbook's content as JSON: the ``return.json`` embedded in the PDF."""
        content: dict[str, Any] = {
            "format": "DTR-1 quarterly return",
            "schema_version": SCHEMA_VERSION,
        }
        for sheet in self.sheets:
            if sheet.header == ("field", "value") or sheet.header == ("metric", "value"):
                content[sheet.name] = {row[0]: _json_cell(row[1]) for row in sheet.rows}
            else:
                content[sheet.name] = sheet.records()
        return content


def _json_cell(value: Cell) -> Any:
    return format_timestamp(value) if isinstance(value, datetime) else value


COVER_FIELDS = (
    "submission_id",
    "submission_type",
    "amends_submission_id",
    "period",
    "generated_at",
    "platform",
    "registration_number",
    "jurisdiction",
    "schema_version",
    "standard_version",
    "filing_ready",
    "source_sha256",
)
REFERRAL_COLUMNS = (
    "referral_id",
    "referral_type",
    "priority",
    "categories",
    "detected_at",
    "suspicion_formed_at",
    "referred_at",
    "hours_to_referral",
    "deadline_met",
    "subject_count",
    "content_item_count",
    "actions_taken",
    "authority_reference",
)
CONTENT_COLUMNS = (
    "referral_id",
    "content_id",
    "service_id",
    "content_type",
    "detection_source",
    "visibility",
    "posted_at",
    "detected_at",
    "removed_at",
    "hours_online",
    "view_count",
    "sha256",
)
REMOVAL_COLUMNS = (
    "action_id",
    "service_id",
    "account_ref",
    "category",
    "actioned_at",
    "referral_id",
    "referred",
)
VALIDATION_COLUMNS = ("code", "severity", "path", "referral_id", "message")
COLUMN_LABELS: Mapping[str, str] = MappingProxyType(
    {
        "submission_id": "Submission ID",
        "submission_type": "Submission type",
        "amends_submission_id": "Amends submission",
        "period": "Period",
        "generated_at": "Generated at",
        "platform": "Platform",
        "registration_number": "Registration number",
        "jurisdiction": "Jurisdiction",
        "schema_version": "Schema version",
        "standard_version": "Standard version",
        "filing_ready": "Filing-ready",
        "source_sha256": "Source SHA-256",
        "referral_id": "Referral ID",
        "referral_type": "Type",
        "priority": "Priority",
        "categories": "Categories",
        "detected_at": "Detected at",
        "suspicion_formed_at": "Suspicion formed at",
        "referred_at": "Referred at",
        "hours_to_referral": "Hours to referral",
        "deadline_met": "Deadline met",
        "subject_count": "Subjects",
        "content_item_count": "Content items",
        "actions_taken": "Actions taken",
        "authority_reference": "Authority reference",
        "content_id": "Content ID",
        "service_id": "Service ID",
        "content_type": "Content type",
        "detection_source": "Detection source",
        "visibility": "Visibility",
        "posted_at": "Posted at",
        "removed_at": "Removed at",
        "hours_online": "Hours online",
        "view_count": "Views",
        "sha256": "SHA-256",
        "action_id": "Action ID",
        "account_ref": "Account ref",
        "category": "Category",
        "actioned_at": "Actioned at",
        "referred": "Referred",
        "code": "Code",
        "severity": "Severity",
        "path": "Path",
        "message": "Message",
    }
)
"""What a person reads above each column of the return PDF, and beside each Cover field; the
workbook and return.json keep the machine names (the standard's), which receivers read."""


def column_label(name: str) -> str:
    """A return column's label; a column without one is a bug, not a bare name on paper."""
    return COLUMN_LABELS[name]


SHEET_NAMES = ("Cover", "Summary", "Referrals", "Content", "Removals", "Validation")


_DISCLOSURE_RANK = {Severity.BREACH: 0, Severity.FATAL: 1, Severity.ERROR: 1, Severity.WARNING: 2}


def disclosure_order(issues: Iterable[Issue]) -> list[Issue]:
    """Breaches first, then fatal and error issues, then warnings (DTR-1.1 7.2), each group in
    document order: a breach is what a regulator reads first."""
    return sorted(issues, key=lambda issue: _DISCLOSURE_RANK[issue.severity])


def _hours_to_referral(referral: Referral) -> float | None:
    if referral.referred_at is None:
        return None
    return round(hours_between(referral.suspicion_formed_at, referral.referred_at), 2)


def referral_facts(
    referral: Referral, generated_at: datetime, config: RuleConfig = DEFAULT_CONFIG
) -> ReferralFacts:
    """What the figures need of a referral, its deadline judged at ``generated_at``."""
    deadline = assess_deadline(
        referral.priority, referral.suspicion_formed_at, referral.referred_at, generated_at, config
    )
    return ReferralFacts(
        referral_id=referral.referral_id,
        referral_type=referral.referral_type.value,
        priority=referral.priority.value,
        categories=tuple(category.code for category in referral.categories),
        suspicion_formed_at=referral.suspicion_formed_at,
        referred_at=referral.referred_at,
        deadline_met=deadline.met if has_deadline(referral.referral_type) else None,
    )


def _joined(values: Any) -> str:
    return ";".join(values)


def _referral_row(referral: Referral, facts: ReferralFacts) -> tuple[Cell, ...]:
    return (
        referral.referral_id,
        referral.referral_type.value,
        referral.priority.value,
        _joined(category.code for category in referral.categories),
        referral.detected_at,
        referral.suspicion_formed_at,
        referral.referred_at,
        _hours_to_referral(referral),
        facts.deadline_met,
        len(referral.subjects),
        len(referral.content_items),
        _joined(action.value for action in referral.actions_taken),
        referral.authority_reference,
    )


def _content_rows(referral: Referral) -> list[tuple[Cell, ...]]:
    rows: list[tuple[Cell, ...]] = []
    for item in referral.content_items:
        sha256 = next((h.value for h in item.hashes if h.algorithm.value == "sha256"), None)
        online = (
            round(hours_between(item.posted_at, item.removed_at), 2)
            if item.removed_at is not None
            else None
        )
        rows.append(
            (
                referral.referral_id,
                item.content_id,
                item.service_id,
                item.content_type.value,
                item.detection_source.value,
                item.visibility.value,
                item.posted_at,
                item.detected_at,
                item.removed_at,
                online,
                item.view_count,
                sha256,
            )
        )
    return rows


def build_return_view(
    submission: Submission,
    report: Report,
    *,
    source_sha256: str,
    pseudonymiser: Pseudonymiser,
    config: RuleConfig = DEFAULT_CONFIG,
) -> ReturnView:
    referrals = submission.referrals
    referral_ids = {referral.referral_id for referral in referrals}
    filing_ready = report.filing_ready
    facts = [referral_facts(r, submission.generated_at, config) for r in referrals]
    removals = submission.moderation_log
    removal_facts = [RemovalFacts(m.category.code, m.referral_id in referral_ids) for m in removals]
    content_rows = [row for referral in referrals for row in _content_rows(referral)]
    figures = compute_figures(
        facts,
        len(content_rows),
        removal_facts,
        [IssueFacts(issue.code, issue.severity.value) for issue in report.issues],
    )
    metrics = figures.summary

    platform = submission.platform
    cover = (
        ("submission_id", submission.submission_id),
        ("submission_type", submission.submission_type.value),
        ("amends_submission_id", submission.amends_submission_id),
        ("period", submission.period),
        ("generated_at", submission.generated_at),
        ("platform", platform.legal_name),
        ("registration_number", platform.registration_number),
        ("jurisdiction", platform.jurisdiction),
        ("schema_version", SCHEMA_VERSION),
        ("standard_version", STANDARD_VERSION),
        ("filing_ready", filing_ready),
        ("source_sha256", source_sha256),
    )
    removal_rows = tuple(
        (
            m.action_id,
            m.service_id,
            pseudonymiser.account_ref(m.service_id, m.account_id),
            m.category.code,
            m.actioned_at,
            m.referral_id,
            m.referral_id in referral_ids,
        )
        for m in removals
    )
    validation_rows = tuple(
        (issue.code, issue.severity.value, issue.path, issue.referral_id, issue.message)
        for issue in disclosure_order(report.issues)
    )
    sheets = (
        Sheet("Cover", ("field", "value"), cover),
        Sheet("Summary", ("metric", "value"), metrics),
        Sheet(
            "Referrals",
            REFERRAL_COLUMNS,
            tuple(_referral_row(r, f) for r, f in zip(referrals, facts, strict=True)),
        ),
        Sheet("Content", CONTENT_COLUMNS, tuple(content_rows)),
        Sheet("Removals", REMOVAL_COLUMNS, removal_rows),
        Sheet("Validation", VALIDATION_COLUMNS, validation_rows),
    )
    by_category = dict(figures.referrals_by_category)
    charts = ChartData(
        referrals_by_category=tuple((c, by_category[c.code]) for c in Category),
        referrals_by_priority=tuple(
            (p, int(figures.metric(f"referrals_{p.value}") or 0)) for p in Priority
        ),
        hours_to_referral=tuple(
            DeadlinePoint(
                f.referral_id,
                r.priority,
                f.hours_to_referral,
                hours(config.deadline(r.priority)),
                f.deadline_met is True,
            )
            for r, f in zip(referrals, facts, strict=True)
            if f.hours_to_referral is not None
        ),
        removals_referred=int(figures.metric("removals_referred") or 0),
        removals_not_referred=int(figures.metric("removals_not_referred") or 0),
    )
    attestation = submission.attestation
    return ReturnView(
        submission_id=submission.submission_id,
        period=submission.period,
        generated_at=submission.generated_at,
        platform_name=platform.legal_name,
        nominated_officer_name=platform.nominated_officer.name,
        nominated_officer_role=platform.nominated_officer.role,
        filing_ready=filing_ready,
        sheets=sheets,
        metrics=metrics,
        charts=charts,
        attestation=AttestationView(
            attestation.name, attestation.role, attestation.signed_at, attestation.statement
        )
        if attestation
        else None,
        pseudonym_key_fingerprint=pseudonymiser.fingerprint,
    )
