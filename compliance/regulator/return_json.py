"""The ``return.json`` a return's PDF embeds, against the workbook it must repeat.

``return.pdf`` carries the workbook's content as ``return.json`` (DTR-1 7.3), so a receiving
system never scrapes the PDF. The receiver rebuilds that JSON from the workbook it was given,
exactly as the project writes it (:meth:`compliance.figures.ReturnView.to_json`), and compares
value by value. A difference is reported at the workbook cell it concerns: an edit to either
file shows where the two stopped agreeing.
"""

from __future__ import annotations

import json
import math
from datetime import datetime
from typing import Any

from compliance.durations import format_timestamp
from compliance.formats import SCHEMA_VERSION
from compliance.regulator import reason_codes
from compliance.regulator.layout import RETURN_FORMAT, TABLE_HEADERS
from compliance.regulator.reason_codes import ReasonCode
from compliance.regulator.reasons import CappedReasons, Reason
from compliance.regulator.structure import KeyValues, ParsedReturn
from compliance.xlsx.addresses import column_letter

MAX_DIFFERENCES = 10
MAX_JSON_BYTES = 512 * 1024 * 1024


def _json_cell(value: Any) -> Any:
    if isinstance(value, datetime):
        return format_timestamp(value)
    if isinstance(value, tuple):  # categories and actions, read as tuples of codes
        return ";".join(value)
    return value


def _same(left: Any, right: Any) -> bool:
    if left in (None, "") and right in (None, ""):
        return True  # an empty cell is how a spreadsheet keeps an empty text
    if isinstance(left, bool) or isinstance(right, bool):
        return type(left) is type(right) and left == right
    if isinstance(left, int | float) and isinstance(right, int | float):
        return math.isclose(left, right, rel_tol=1e-12, abs_tol=1e-12)
    return type(left) is type(right) and left == right


class _Differences(CappedReasons):
    """The first differences between the embedded return.json and the workbook, and how
    many more there are."""

    def __init__(self, pdf_name: str) -> None:
        super().__init__(MAX_DIFFERENCES)
        self.pdf_name = pdf_name

    def difference(self, message: str, **where: Any) -> None:
        """The embedded return.json says something other than the workbook."""
        self._add(reason_codes.RETURN_JSON_DIFFERS, message, **where)

    def unreadable(self, message: str) -> None:
        """The embedded file is not a return.json to compare at all."""
        self._add(reason_codes.RETURN_JSON_UNREADABLE, message)

    def _add(self, code: ReasonCode, message: str, **where: Any) -> None:
        self.add_capped(
            "",
            Reason(code, f"{self.pdf_name} embeds a return.json that {message}", **where),
            lambda more: Reason(
                reason_codes.MORE_DIFFERENCES,
                f"and {more} more difference(s) between {self.pdf_name} and the workbook",
            ),
        )


def compare_return_json(parsed: ParsedReturn, content: bytes, pdf_name: str) -> list[Reason]:
    """Reasons why ``content`` (the embedded return.json) is not the workbook's content."""
    found = _Differences(pdf_name)
    if len(content) > MAX_JSON_BYTES:
        found.unreadable("is too large to read")
        return found.finish()
    try:
        document = json.loads(content.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        found.unreadable("is not valid JSON")
        return found.finish()
    if not isinstance(document, dict):
        found.unreadable("is not a JSON object")
        return found.finish()
    if document.get("format") != RETURN_FORMAT or document.get("schema_version") != SCHEMA_VERSION:
        found.unreadable(f"is not a {RETURN_FORMAT} of schema version {SCHEMA_VERSION}")
    expected_keys = {"format", "schema_version", "Cover", "Summary", *TABLE_HEADERS}
    for key in sorted(set(document) - expected_keys):
        found.difference(
            "has a member the workbook has no sheet for", part=pdf_name, header=key[:64]
        )
    _compare_key_values(parsed.cover, document.get("Cover"), found)
    _compare_key_values(parsed.summary, document.get("Summary"), found)
    for name, table in parsed.tables.items():
        records = document.get(name)
        if not isinstance(records, list):
            found.difference(f"has no {name} table", sheet=name)
            continue
        if len(records) != len(table.rows):
            found.difference(
                f"has {len(records)} {name} row(s) where the workbook has {len(table.rows)}",
                sheet=name,
            )
        for index, (values, record) in enumerate(zip(table.rows, records, strict=False)):
            sheet, row = table.places[index]
            if not isinstance(record, dict) or set(record) != set(table.header):
                found.difference("has a row with other columns", sheet=sheet, row=row)
                continue
            for position, column in enumerate(table.header):
                if not _same(_json_cell(values[position]), record[column]):
                    found.difference(
                        "says otherwise",
                        sheet=sheet,
                        row=row,
                        column=column_letter(position + 1),
                        header=column,
                    )
    return found.finish()


def _compare_key_values(sheet: KeyValues, members: Any, found: _Differences) -> None:
    if not isinstance(members, dict):
        found.difference(f"has no {sheet.name}", sheet=sheet.name)
        return
    extra = set(members) - set(sheet.values)
    if extra:
        found.difference(
            f"has {len(extra)} {sheet.name} entries the workbook does not have", sheet=sheet.name
        )
    for key, value in sheet.values.items():
        if key not in members:
            found.difference("lacks this entry", sheet=sheet.name, row=sheet.rows[key], header=key)
        elif not _same(_json_cell(value), members[key]):
            found.difference(
                "says otherwise",
                sheet=sheet.name,
                row=sheet.rows[key],
                column="B",
                header=key,
            )
