"""What a reviewer sees of a return: nothing hidden, nothing shown otherwise than it is held.

A workbook can show a person something other than the values the receiver checks: a number
format shows 1.4 as ``1`` (``0``) or hides a value altogether (``;;;``); a hidden or
very hidden sheet, a hidden row or column (or one of zero height or width) is never looked at;
a hyperlink takes a reviewer elsewhere, and an external relationship makes a spreadsheet
program fetch something. None of these is in a return the tool writes, so each is refused:

- a cell's number format must be one the tool writes (:data:`ALLOWED_FORMATS`);
- every sheet is visible, and so is every row and column;
- no sheet has a hyperlink, and no part of the package has an external relationship.
"""

from __future__ import annotations

import re

from compliance.regulator import reason_codes
from compliance.regulator.reasons import Reason
from compliance.xlsx.addresses import column_letter
from compliance.xlsx.raw_workbook import RawWorkbook

TIMESTAMP_FORMAT = "yyyy-mm-dd hh:mm:ss"
"""The date-time format of :mod:`compliance.render.xlsx` (a test keeps the two equal)."""
ALLOWED_FORMATS = frozenset({"General", TIMESTAMP_FORMAT, "@"})
"""General (every number, text and boolean the tool writes), its date-time format, and text."""
_EXTERNAL = re.compile(rb"""TargetMode\s*=\s*["']External["']""", re.IGNORECASE)
MAX_LISTED = 5


def check_presentation(workbook: RawWorkbook) -> list[Reason]:
    """A reason for each hidden sheet, row or column, misleading format and link."""
    reasons: list[Reason] = []
    for sheet in workbook.sheets:
        if sheet.state != "visible":
            reasons.append(
                Reason(
                    reason_codes.HIDDEN_SHEET,
                    f"the sheet is {sheet.state}; every sheet of a return is visible, so a "
                    "reviewer sees what the regulator receives",
                    sheet=sheet.name,
                )
            )
        if sheet.hidden_rows:
            reasons.append(
                Reason(
                    reason_codes.HIDDEN_ROWS_OR_COLUMNS,
                    f"{len(sheet.hidden_rows)} hidden row(s) (a row hidden or of zero height); "
                    "a reviewer would not see them",
                    sheet=sheet.name,
                    row=sheet.hidden_rows[0],
                )
            )
        if sheet.hidden_columns:
            reasons.append(
                Reason(
                    reason_codes.HIDDEN_ROWS_OR_COLUMNS,
                    f"{len(sheet.hidden_columns)} hidden column(s) (a column hidden or of zero "
                    "width); a reviewer would not see them",
                    sheet=sheet.name,
                    column=sheet.hidden_columns[0],
                )
            )
        odd = [(code, at) for code, at in sheet.formats.items() if code not in ALLOWED_FORMATS]
        for _code, (row, column) in odd[:MAX_LISTED]:
            reasons.append(
                Reason(
                    reason_codes.CELL_FORMAT_MISLEADS,
                    "has a number format the tool never writes, which can show another value "
                    "than the cell holds, or hide it (allowed: General, "
                    f"{TIMESTAMP_FORMAT}, @)",
                    sheet=sheet.name,
                    row=row,
                    column=column_letter(column),
                )
            )
        if sheet.hyperlinks:
            reasons.append(
                Reason(
                    reason_codes.LINK,
                    f"{sheet.hyperlinks} hyperlink(s); a return links to nothing",
                    sheet=sheet.name,
                )
            )
    for info in workbook.archive.infolist()[:2_000]:
        if not info.filename.lower().endswith(".rels"):
            continue
        try:
            data = workbook.archive.read(info)
        except Exception:  # an unreadable part: the package checks report it
            continue
        if _EXTERNAL.search(data):
            reasons.append(
                Reason(
                    reason_codes.LINK,
                    "an external relationship (a link a spreadsheet program may follow); a "
                    "return refers to nothing outside itself",
                    part=info.filename[:120],
                )
            )
    return reasons
