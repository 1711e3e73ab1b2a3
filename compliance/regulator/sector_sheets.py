"""The sector report as tables: the sheets of ``sector.xlsx``, the ``sector.json`` embedded in
``sector.pdf`` and the tables the PDF prints are this one set of :class:`Sheet` objects.

Per metric family one sheet, one row per platform and a last row for the sector (``scope``
says which, so a machine can filter the totals out and a person finds them at the bottom).
The sector row is computed from the pooled rows, like every platform row: counts are sums,
medians and ratios are recomputed, never averaged.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from compliance.codes import Category
from compliance.durations import format_timestamp
from compliance.figures import Cell, Sheet
from compliance.metrics import FAMILIES, METRIC_NAMES, Family, Figures
from compliance.regulator.aggregate import PlatformFigures, SectorReport
from compliance.statuses import SelectionStatus
from compliance.versions import tool_version

REPORT_FORMAT = "DTR-1 sector report"
SECTOR_NAME = "All platforms"
METHOD = (
    "Every return under the folder is verified on receipt; amendments supersede the return "
    "they amend and duplicates count once. Counts are sums of the returns' rows; medians and "
    "ratios are recomputed from the pooled rows of the period, never averaged."
)

ID_COLUMNS = ("scope", "platform", "registration_number", "jurisdiction")
CATEGORY_COLUMNS = tuple(f"{category.code}_{category.value}" for category in Category)
FAMILY_SHEETS: tuple[tuple[str, tuple[str, ...]], ...] = (
    (Family.REFERRALS.value, FAMILIES[Family.REFERRALS]),
    (Family.TIMELINESS.value, FAMILIES[Family.TIMELINESS]),
    ("Categories", CATEGORY_COLUMNS),
    (Family.REMOVALS.value, FAMILIES[Family.REMOVALS]),
    (Family.VALIDATION.value, FAMILIES[Family.VALIDATION]),
)
"""The family sheets in order: the metric table's families, and the category counts."""
PLATFORM_COLUMNS = (
    *ID_COLUMNS,
    "quarters_filed",
    "quarters_missing",
    "returns_used",
    "returns_not_filing_ready",
    *METRIC_NAMES,
)
QUARTER_COLUMNS = (
    "platform",
    "registration_number",
    "jurisdiction",
    "period",
    "submission_id",
    "submission_type",
    "filing_ready",
    *METRIC_NAMES,
)
RETURN_COLUMNS = (
    "file",
    "status",
    "note",
    "platform",
    "registration_number",
    "jurisdiction",
    "period",
    "submission_id",
    "submission_type",
    "amends_submission_id",
    "generated_at",
    "filing_ready",
    "sha256",
    "pdf",
    "pdf_sha256",
)


def _value(figures: Figures, column: str) -> Cell:
    """A family column of a platform or the sector, from its recomputed figures."""
    if column in CATEGORY_COLUMNS:
        return dict(figures.referrals_by_category)[column.split("_", 1)[0]]
    return figures.metric(column)


def _identity(platform: PlatformFigures | None) -> tuple[Cell, ...]:
    if platform is None:
        return ("sector", SECTOR_NAME, None, None)
    return ("platform", platform.name, platform.registration_number, platform.jurisdiction)


def _family(report: SectorReport, name: str, columns: tuple[str, ...]) -> Sheet:
    rows = [(*_identity(p), *(_value(p.figures, c) for c in columns)) for p in report.platforms]
    rows.append((*_identity(None), *(_value(report.sector, c) for c in columns)))
    return Sheet(name, (*ID_COLUMNS, *columns), tuple(rows))


def _platforms(report: SectorReport) -> Sheet:
    rows: list[tuple[Cell, ...]] = []
    for p in report.platforms:
        rows.append(
            (
                *_identity(p),
                ";".join(p.quarters_filed),
                ";".join(p.quarters_missing) or None,
                len(p.returns),
                p.not_filing_ready,
                *(value for _, value in p.figures.summary),
            )
        )
    filed = sorted({q for p in report.platforms for q in p.quarters_filed})
    rows.append(
        (
            *_identity(None),
            ";".join(filed) or None,
            None,
            sum(len(p.returns) for p in report.platforms),
            sum(p.not_filing_ready for p in report.platforms),
            *(value for _, value in report.sector.summary),
        )
    )
    return Sheet("Platforms", PLATFORM_COLUMNS, tuple(rows))


def _quarters(report: SectorReport) -> Sheet:
    rows = []
    for p in report.platforms:
        for r in p.returns:
            rows.append(
                (
                    p.name,
                    p.registration_number,
                    p.jurisdiction,
                    r.cover.period,
                    r.cover.submission_id,
                    r.cover.submission_type,
                    r.cover.filing_ready,
                    *(value for _, value in r.metrics),
                )
            )
    return Sheet("Quarters", QUARTER_COLUMNS, tuple(rows))


def _returns(report: SectorReport) -> Sheet:
    rows = []
    for entry in report.entries:
        receipt, cover = entry.receipt, entry.receipt.cover
        rows.append(
            (
                receipt.input,
                entry.status,
                entry.note or None,
                cover.get("platform"),
                cover.get("registration_number"),
                cover.get("jurisdiction"),
                cover.get("period"),
                cover.get("submission_id"),
                cover.get("submission_type"),
                cover.get("amends_submission_id"),
                cover.get("generated_at"),
                cover.get("filing_ready"),
                receipt.sha256,
                receipt.pdf.state,
                receipt.pdf.sha256,
            )
        )
    return Sheet("Returns", RETURN_COLUMNS, tuple(rows))


def _cover(report: SectorReport) -> Sheet:
    period = report.period
    fields: tuple[tuple[str, Cell], ...] = (
        ("report", REPORT_FORMAT),
        ("period", period.label),
        ("period_start", period.start),
        ("period_end", period.end),
        ("quarters", ";".join(report.quarters)),
        ("as_of", report.as_of),
        ("platforms", len(report.platforms)),
        ("returns_used", report.count(SelectionStatus.USED)),
        ("returns_superseded", report.count(SelectionStatus.SUPERSEDED)),
        ("returns_duplicate", report.count(SelectionStatus.DUPLICATE)),
        ("returns_conflict", report.count(SelectionStatus.CONFLICT)),
        ("returns_rejected", report.count(SelectionStatus.REJECTED)),
        ("complete", report.complete),
        ("method", METHOD),
        ("tool_version", tool_version()),
    )
    return Sheet("Cover", ("field", "value"), fields)


FILING_SHEET = "Filing status"
FILING_COLUMNS = (
    "period",
    "registration_number",
    "jurisdiction",
    "legal_name",
    "status",
    "due",
    "late_days",
    "amended",
    "acknowledgement_id",
    "received_at",
)


def _filing(report: SectorReport) -> Sheet:
    """With a register: each expected platform's status for each quarter (DTR-1 11)."""
    assert report.filing is not None
    rows = tuple(
        (
            row.quarter,
            row.platform.registration_number,
            row.platform.jurisdiction,
            row.name or None,
            str(row.status),
            row.due,
            row.late_days,
            row.amended if report.filing.with_ledger else None,
            row.acknowledgement_id,
            row.received_at,
        )
        for row in report.filing.rows
    )
    return Sheet(FILING_SHEET, FILING_COLUMNS, rows)


def sector_sheets(report: SectorReport) -> tuple[Sheet, ...]:
    """Every sheet of sector.xlsx, in order (the filing status only with a register)."""
    sheets = (
        _cover(report),
        _platforms(report),
        *(_family(report, name, columns) for name, columns in FAMILY_SHEETS),
        _quarters(report),
        _returns(report),
    )
    return sheets if report.filing is None else (*sheets, _filing(report))


def _json_cell(value: Any) -> Any:
    return format_timestamp(value) if isinstance(value, datetime) else value


def sector_json_bytes(sheets: tuple[Sheet, ...]) -> bytes:
    """``sector.json``: the workbook's content, deterministic bytes (embedded in sector.pdf)."""
    content: dict[str, Any] = {"format": REPORT_FORMAT}
    for sheet in sheets:
        if sheet.header == ("field", "value"):
            content[sheet.name] = {row[0]: _json_cell(row[1]) for row in sheet.rows}
        else:
            content[sheet.name] = sheet.records()
    return (json.dumps(content, indent=2, ensure_ascii=False) + "\n").encode("utf-8")
