"""Write the sector report: ``sector.xlsx`` and ``sector.pdf`` (charts, tables, returns used).

Both are pure functions of the returns used: the workbook's creation date and the PDF's dates
are the report's ``as_of`` (the latest ``generated_at`` among them), file paths are relative
to the returns folder and every list is sorted, so the same folder gives the same bytes. Each
file is written to a temporary name and renamed into place. The PDF is PDF/A-3a (tagged), like the
returns, and embeds ``sector.json`` (the workbook's content) so that no system has to scrape it.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

from compliance.atomic import atomic_target, write_bytes_atomic
from compliance.codes import Category, Priority
from compliance.config import DEFAULT_CONFIG
from compliance.durations import describe_span, hours
from compliance.figures import Sheet
from compliance.metrics import METRIC_BY_NAME, Figures
from compliance.regulator import sector_charts as charts
from compliance.regulator.aggregate import SectorReport
from compliance.regulator.sector_sheets import (
    CATEGORY_COLUMNS,
    FAMILY_SHEETS,
    FILING_SHEET,
    REPORT_FORMAT,
    SECTOR_NAME,
    sector_json_bytes,
    sector_sheets,
)
from compliance.render.svg_drawing import PRIORITY_COLOURS
from compliance.render.xlsx import write_workbook
from compliance.statuses import SelectionStatus


@dataclass(frozen=True)
class Written:
    """A file of the report: its name under the output folder, SHA-256 and size."""

    path: str
    sha256: str
    size: int

    @classmethod
    def of(cls, folder: Path, name: str) -> Written:
        data = (folder / name).read_bytes()
        return cls(name, hashlib.sha256(data).hexdigest(), len(data))


XLSX_NAME = "sector.xlsx"
PDF_NAME = "sector.pdf"
TEMPLATE = "sector.html.j2"


COLUMN_HEADINGS: dict[str, str] = {
    "platform": "platform",
    "jurisdiction": "jurisdiction",
    "registration_number": "registration",
    "quarters_filed": "quarters used",
    "quarters_missing": "quarters missing",
    "returns_used": "returns used",
    "file": "file",
    "status": "status",
    "submission_id": "submission id",
    "period": "period",
    "sha256": "sha256",
    "note": "note",
    "legal_name": "legal name",
    "due": "due",
    "late_days": "late days",
    "amended": "amended",
    "acknowledgement_id": "acknowledgement id",
    "received_at": "received",
}
"""Headings of the printed tables' columns that are not figures (a figure's heading is in
:data:`compliance.metrics.METRICS`). The sheets (and sector.json) keep the machine names."""


@dataclass(frozen=True)
class Printed:
    """A table as the PDF prints it: some columns of a sheet, the sector row marked."""

    name: str
    header: tuple[str, ...]
    labels: tuple[str, ...]
    rows: tuple[tuple[Any, ...], ...]
    sector_rows: frozenset[int]


def _label(column: str) -> str:
    if column in CATEGORY_COLUMNS:
        return column.split("_", 1)[0]  # TC01 ...: the legend under the charts names them
    if column in METRIC_BY_NAME:
        return METRIC_BY_NAME[column].heading
    return COLUMN_HEADINGS[column]


def _printed(sheet: Sheet, columns: tuple[str, ...]) -> Printed:
    positions = [sheet.header.index(column) for column in columns]
    scope = sheet.header.index("scope") if "scope" in sheet.header else None
    rows = tuple(tuple(row[p] for p in positions) for row in sheet.rows)
    sector = frozenset(
        index
        for index, row in enumerate(sheet.rows)
        if scope is not None and row[scope] == "sector"
    )
    return Printed(sheet.name, columns, tuple(_label(c) for c in columns), rows, sector)


def _hours_text(value: float | None) -> str:
    if value is None:
        return "\u2014"
    return f"{value * 60:.0f} min" if value < 1 else f"{value:g} h"


def _rows(report: SectorReport, draw: Any, note: Any) -> tuple[charts.ChartRow, ...]:
    """The sector first, then each platform."""
    subjects: list[tuple[str, bool, Figures]] = [(SECTOR_NAME, True, report.sector)]
    subjects += [(p.name, False, p.figures) for p in report.platforms]
    return tuple(
        charts.ChartRow(name, sector, draw(figures), note(figures))
        for name, sector, figures in subjects
    )


def build_charts(report: SectorReport) -> dict[str, charts.Chart]:
    def timeliness(f: Figures) -> list[charts.Segment]:
        return [
            charts.Segment(
                "referred on time", int(f.metric("referrals_on_time") or 0), charts.ON_TIME
            ),
            charts.Segment("referred late", int(f.metric("referrals_late") or 0), charts.LATE),
            charts.Segment(
                "not yet referred", int(f.metric("referrals_outstanding") or 0), charts.OUTSTANDING
            ),
        ]

    def removals(f: Figures) -> list[charts.Segment]:
        return [
            charts.Segment("referred", int(f.metric("removals_referred") or 0), charts.BAR),
            charts.Segment("not referred", f.count("removals_not_referred"), charts.NOT_REFERRED),
        ]

    def categories(f: Figures) -> list[charts.Segment]:
        return [
            charts.Segment(code, count, charts.CATEGORY_COLOURS[code])
            for code, count in f.referrals_by_category
        ]

    def removals_note(f: Figures) -> str:
        total = int(f.metric("removals_total") or 0)
        if not total:
            return "no removals"
        share = float(f.metric("removals_referred_ratio") or 0)
        return f"{f.metric('removals_referred')} of {total} referred ({share:.1%})"

    deadlines = {priority.value: hours(DEFAULT_CONFIG.deadline(priority)) for priority in Priority}
    return {
        "timeliness": charts.Chart(
            charts.share_axis(),
            tuple(timeliness(report.sector)),
            _rows(
                report,
                lambda f: charts.stacked_share(timeliness(f)),
                lambda f: (
                    f"{f.metric('referrals_total')} referrals; median "
                    f"{_hours_text(f.metric('median_hours_to_referral'))}"
                ),
            ),
        ),
        "hours": charts.Chart(
            charts.hours_axis(),
            tuple(
                charts.Segment(
                    f"{priority.label} (deadline {_hours_text(deadlines[priority.value])})",
                    0,
                    PRIORITY_COLOURS[priority],
                )
                for priority in Priority
            ),
            _rows(
                report,
                lambda f: charts.median_hours(f.median_hours_by_priority, deadlines),
                lambda f: " \u00b7 ".join(
                    _hours_text(value) for _, value in f.median_hours_by_priority
                ),
            ),
        ),
        "removals": charts.Chart(
            charts.share_axis(),
            tuple(removals(report.sector)),
            _rows(report, lambda f: charts.stacked_share(removals(f)), removals_note),
        ),
        "categories": charts.Chart(
            charts.share_axis(),
            tuple(categories(report.sector)),
            _rows(
                report,
                lambda f: charts.stacked_share(categories(f)),
                lambda f: (
                    f"{sum(c for _, c in f.referrals_by_category)} in "
                    f"{f.metric('referrals_total')} referrals"
                ),
            ),
        ),
    }


def due_chart(report: SectorReport) -> charts.Chart | None:
    """Returns received against their due date, one row per platform: only with the ledger,
    which knows when each was received."""
    filing = report.filing
    if filing is None or not filing.with_ledger:
        return None
    by_platform: dict[Any, list[Any]] = {}
    for row in filing.rows:
        by_platform.setdefault(row.platform, []).append(row)
    rows = []
    for platform, found in by_platform.items():
        marks = [
            charts.DueMark(
                row.quarter,
                None
                if row.received_at is None
                else (row.received_at - row.due) / timedelta(days=1),
                str(row.status),
                row.late_days,
            )
            for row in found
        ]
        name = next((row.name for row in found if row.name), str(platform))
        note = "; ".join(
            f"{row.quarter[5:]} "
            + (
                f"{row.late_days} day{'s' if row.late_days != 1 else ''} late"
                if row.late_days
                else "on time"
                if row.late_days == 0
                else str(row.status).replace("_", " ")
            )
            for row in found
        )
        rows.append(charts.ChartRow(name, False, charts.received_against_due(marks), note))
    legend = (
        charts.Segment("received on time", 0, charts.ON_TIME),
        charts.Segment("received late", 0, charts.LATE),
        charts.Segment("missing or rejected (ring)", 0, charts.MISSING_COLOUR),
    )
    return charts.Chart(charts.due_axis(), legend, tuple(rows))


def sector_html(report: SectorReport, sheets: tuple[Sheet, ...], renderer: Any) -> str:
    by_name = {sheet.name: sheet for sheet in sheets}
    families = [_printed(by_name[name], ("platform", *columns)) for name, columns in FAMILY_SHEETS]
    coverage = _printed(
        by_name["Platforms"],
        (
            "platform",
            "jurisdiction",
            "registration_number",
            "quarters_filed",
            "quarters_missing",
            "returns_used",
            "returns_not_filing_ready",
        ),
    )
    returns = _printed(
        by_name["Returns"],
        ("file", "status", "submission_id", "period", "platform", "sha256", "note"),
    )
    chart_data = build_charts(report)
    filing = filing_chart = None
    if report.filing is not None:
        filing = _printed(
            by_name[FILING_SHEET],
            ("period", "registration_number", "jurisdiction", "legal_name", "status",
             "late_days", "acknowledgement_id"),
        )  # fmt: skip
        filing_chart = due_chart(report)
    markup: str = renderer.environment.get_template(TEMPLATE).render(
        draft=False,
        title=f"DTR-1 sector report {report.period.label}",
        author="DTR-1 sector report",
        description=(
            f"DTR-1 sector report for {report.period.label}: {len(report.platforms)} platforms, "
            f"{report.count(SelectionStatus.USED)} returns"
        ),
        created=report.as_of.strftime("%Y-%m-%dT%H:%M:%SZ"),
        span=(
            f"{report.period.start:%d %b %Y} to {report.period.end - timedelta(days=1):%d %b %Y}"
        ),
        report=report,
        status=SelectionStatus,
        counts={status: report.count(status) for status in SelectionStatus},
        metrics=[
            (name, METRIC_BY_NAME[name].report_label, value)
            for name, value in report.sector.summary
        ],
        charts=chart_data,
        legend=charts.legend,
        categories=[(category.code, category.label) for category in Category],
        families=families,
        coverage=coverage,
        returns=returns,
        filing=filing,
        filing_chart=filing_chart,
        filing_status=report.filing,
        return_due_text=describe_span(DEFAULT_CONFIG.return_due_after),
        sector_name=SECTOR_NAME,
        deadlines_text=", ".join(
            f"{priority.label} {describe_span(DEFAULT_CONFIG.deadline(priority))}"
            for priority in Priority
        ),
    )
    return markup


def write_sector_report(report: SectorReport, out_dir: Path) -> list[Written]:
    """sector.xlsx and sector.pdf under ``out_dir``; the files written, with SHA-256."""
    from compliance.render.pdf import get_renderer  # the PDF stack loads only to render

    sheets = sector_sheets(report)
    created = report.as_of.replace(tzinfo=None)
    with atomic_target(out_dir / XLSX_NAME) as temporary:
        write_workbook(
            sheets,
            temporary,
            properties={
                "title": f"{REPORT_FORMAT} {report.period.label}",
                "subject": f"{len(report.platforms)} platforms, {report.period.label}",
                "author": REPORT_FORMAT,
                "created": created,
                "comments": "" if report.complete else "Some returns were rejected or conflict",
            },
        )
    renderer = get_renderer()
    markup = sector_html(report, sheets, renderer)
    attachment = (
        "sector.json",
        sector_json_bytes(sheets),
        f"{REPORT_FORMAT} {report.period.label}: the workbook's content as JSON",
    )
    write_bytes_atomic(out_dir / PDF_NAME, renderer.write_pdf(markup, [attachment], report.as_of))
    return [Written.of(out_dir, XLSX_NAME), Written.of(out_dir, PDF_NAME)]
