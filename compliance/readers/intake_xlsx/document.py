"""The raw document of an intake workbook, as the JSON reader would give it, from its sheets.

Key/value sheets first (the envelope, the platform), then the table sheets, parents before
children, so that a child row finds the record its keys name; issues about whole columns and
merged cells last, when every record has its place.
"""

from __future__ import annotations

from typing import Any

from compliance.intake.layout import SHEETS, KeyValueSheet, TableSheet
from compliance.issues import Issue
from compliance.model import Submission
from compliance.readers.intake_xlsx.grid import SheetGrid
from compliance.readers.intake_xlsx.issues import ReaderIssues
from compliance.readers.intake_xlsx.json_tree import ordered, put
from compliance.readers.intake_xlsx.key_values import read_key_values
from compliance.readers.intake_xlsx.locator import WorkbookLocator
from compliance.readers.intake_xlsx.reports import report_headers, report_merges
from compliance.readers.intake_xlsx.tables import TableReader


def build_document(
    grids: dict[str, SheetGrid],
) -> tuple[dict[str, Any], WorkbookLocator, list[Issue]]:
    """The document, its locator, and the issues of cells that could not be read."""
    locator = WorkbookLocator()
    issues = ReaderIssues()
    document: dict[str, Any] = {}
    for sheet in SHEETS:
        if isinstance(sheet, KeyValueSheet):
            read_key_values(sheet, grids[sheet.name], document, locator, issues)
    tables = TableReader(grids, locator, issues)
    for sheet in SHEETS:
        if not isinstance(sheet, TableSheet):
            continue
        if sheet.parent is None:
            put(document, sheet.list_path, tables.top_list(sheet))
        else:
            tables.child_list(sheet)
    report_merges(grids, tables.headers, tables.placed_rows, issues)
    report_headers(tables.headers, locator, issues)
    document = ordered(document, Submission)
    return document, locator, issues.finished(document)
