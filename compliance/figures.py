"""The regulator's view of a submission: every number and row of the quarterly return, once.

:func:`build_return_view` is the single place where the return's figures are computed and the
single place where an account id becomes a keyed pseudonym. The view has no field that could
hold personal data, so the XLSX, the PDF and the embedded ``return.json`` (three renderings
of this one object) cannot leak any and cannot disagree.
"""

from __future__ import annotations

import json
import statistics
from collections import Counter
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from compliance.codes import Category, Priority
from compliance.config import DEFAULT_CONFIG, RuleConfig
from compliance.durations import format_timestamp, hours, hours_between
from compliance.formats import SCHEMA_VERSION
from compliance.issues import Report, Severity
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

    @property
    def met(self) -> bool:
        return self.hours_taken <= self.hours_allowed


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
    metrics: tuple[tuple[str, float | int | None], ...]
    charts: ChartData
    attestation: AttestationView | None
    pseudonym_key_fingerprint: str

    def sheet(self, name: str) -> Sheet:
        return next(sheet for sheet in self.sheets if sheet.name == name)

    def metric(self, name: str) -> float | int | None:
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
    "filing_ready",
    "source_sha256",
)
METRIC_NAMES = (
    "referrals_total",
    "referrals_threat_to_life",
    "referrals_urgent",
    "referrals_routine",
    "referrals_on_time",
    "referrals_late",
    "referrals_outstanding",
    "median_hours_to_referral",
    "content_items_total",
    "removals_total",
    "removals_referred",
    "removals_referred_ratio",
    "accounts_duty_triggered_unreferred",
    "issues_error",
    "issues_warning",
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
SHEET_NAMES = ("Cover", "Summary", "Referrals", "Content", "Removals", "Validation")


def _hours_to_referral(referral: Referral) -> float | None:
    if referral.referred_at is None:
        return None
    return round(hours_between(referral.suspicion_formed_at, referral.referred_at), 2)


def _deadline_met(referral: Referral, config: RuleConfig) -> bool | None:
    if referral.referred_at is None:
        return None
    return referral.referred_at - referral.suspicion_formed_at <= config.deadline(referral.priority)


def _joined(values: Any) -> str:
    return ";".join(values)


def _referral_row(referral: Referral, config: RuleConfig) -> tuple[Cell, ...]:
    return (
        referral.referral_id,
        referral.referral_type.value,
        referral.priority.value,
        _joined(category.code for category in referral.categories),
        referral.detected_at,
        referral.suspicion_formed_at,
        referral.referred_at,
        _hours_to_referral(referral),
        _deadline_met(referral, config),
        len(referral.subjects),
        len(referral.content_items),
        _joined(action.value for action in referral.actions_taken),
        referral.authority_reference,
    )


def _content_rows(referral: Referral) -> list[tuple[Cell, ...]]:
    rows = []
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
    counts = report.counts
    filing_ready = report.filing_ready

    referred = [r for r in referrals if r.referred_at is not None]
    on_time = sum(1 for r in referred if _deadline_met(r, config))
    hours_taken = [hours(r.referred_at - r.suspicion_formed_at) for r in referred if r.referred_at]
    by_priority = Counter(r.priority for r in referrals)
    removals = submission.moderation_log
    removals_referred = sum(1 for m in removals if m.referral_id in referral_ids)
    content_rows = [row for referral in referrals for row in _content_rows(referral)]

    metrics: tuple[tuple[str, float | int | None], ...] = (
        ("referrals_total", len(referrals)),
        ("referrals_threat_to_life", by_priority[Priority.THREAT_TO_LIFE]),
        ("referrals_urgent", by_priority[Priority.URGENT]),
        ("referrals_routine", by_priority[Priority.ROUTINE]),
        ("referrals_on_time", on_time),
        ("referrals_late", len(referred) - on_time),
        ("referrals_outstanding", len(referrals) - len(referred)),
        (
            "median_hours_to_referral",
            round(statistics.median(hours_taken), 2) if hours_taken else None,
        ),
        ("content_items_total", len(content_rows)),
        ("removals_total", len(removals)),
        ("removals_referred", removals_referred),
        (
            "removals_referred_ratio",
            round(removals_referred / len(removals), 4) if removals else None,
        ),
        (
            "accounts_duty_triggered_unreferred",
            sum(1 for issue in report.issues if issue.code == "DTR-D001"),
        ),
        ("issues_error", counts[Severity.FATAL.value] + counts[Severity.ERROR.value]),
        ("issues_warning", counts[Severity.WARNING.value]),
    )

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
        for issue in report.issues
    )
    sheets = (
        Sheet("Cover", ("field", "value"), cover),
        Sheet("Summary", ("metric", "value"), metrics),
        Sheet("Referrals", REFERRAL_COLUMNS, tuple(_referral_row(r, config) for r in referrals)),
        Sheet("Content", CONTENT_COLUMNS, tuple(content_rows)),
        Sheet("Removals", REMOVAL_COLUMNS, removal_rows),
        Sheet("Validation", VALIDATION_COLUMNS, validation_rows),
    )
    category_counts = Counter(c for r in referrals for c in r.categories)
    charts = ChartData(
        referrals_by_category=tuple((c, category_counts[c]) for c in Category),
        referrals_by_priority=tuple((p, by_priority[p]) for p in Priority),
        hours_to_referral=tuple(
            DeadlinePoint(
                r.referral_id,
                r.priority,
                hours(r.referred_at - r.suspicion_formed_at),
                hours(config.deadline(r.priority)),
            )
            for r in referred
            if r.referred_at is not None
        ),
        removals_referred=removals_referred,
        removals_not_referred=len(removals) - removals_referred,
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
