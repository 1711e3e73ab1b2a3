"""Writing values into XLSX cells: the one writer behind return.xlsx and the intake workbook.

A workbook is made with every automatic conversion off, and text is only ever written with
``write_string``, so no submitted text can become a formula, a link or a number. Each type
of value is written one way (below), and the limits that spreadsheet programs enforce
silently, or by cutting text short, are checked here and raise :class:`XlsxLimitError`.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import xlsxwriter
from xlsxwriter.format import Format
from xlsxwriter.worksheet import Worksheet

from compliance.errors import ComplianceError

MAX_ROWS = 1_048_576
"""The last row of a sheet, in Excel and LibreOffice."""
MAX_CELL_CHARS = 32_767
MAX_EXACT_INTEGER = 2**53
"""Beyond this a spreadsheet number (a double) no longer holds every whole number."""
FIRST_DATE_CELL = date(1900, 3, 1)
"""Excel's serial dates start in 1900, with its 1900-02-29 bug: earlier dates are unsafe."""
HEADER_STYLE: dict[str, Any] = {"bold": True, "bg_color": "#D9E1F2", "bottom": 1}

PlainValue = str | int | float | bool | datetime | None


class XlsxLimitError(ComplianceError, ValueError):
    """A value that no spreadsheet cell can hold (the message says why, not where)."""


def new_workbook(path: Path, *, constant_memory: bool = False) -> xlsxwriter.Workbook:
    """A workbook that writes text as text: no formulas, links or numbers made of it."""
    return xlsxwriter.Workbook(
        str(path),
        {
            "constant_memory": constant_memory,
            "strings_to_formulas": False,
            "strings_to_urls": False,
            "strings_to_numbers": False,
            "nan_inf_to_errors": False,
        },
    )


def write_value(
    worksheet: Worksheet, row: int, column: int, value: PlainValue, timestamp: Format
) -> None:
    """A value as the cell of its type; None leaves the cell empty."""
    if value is None:
        return
    if isinstance(value, bool):
        write_boolean(worksheet, row, column, value)
    elif isinstance(value, int | float):
        write_number(worksheet, row, column, value)
    elif isinstance(value, datetime):
        write_moment(worksheet, row, column, value, timestamp)
    else:
        write_text(worksheet, row, column, value)


def write_text(
    worksheet: Worksheet, row: int, column: int, text: str, cell_format: Format | None = None
) -> None:
    if len(text) > MAX_CELL_CHARS:
        raise XlsxLimitError(
            f"{len(text)} characters do not fit one spreadsheet cell (at most {MAX_CELL_CHARS})"
        )
    if not text.isascii():  # isascii is free; encoding only non-ASCII text costs anything
        try:
            text.encode("utf-8")
        except UnicodeEncodeError:
            raise XlsxLimitError("contains a lone surrogate, which no workbook can hold") from None
    _written(worksheet.write_string(row, column, text, cell_format), row)


def write_number(
    worksheet: Worksheet,
    row: int,
    column: int,
    number: int | float,
    cell_format: Format | None = None,
) -> None:
    _written(worksheet.write_number(row, column, number, cell_format), row)


def write_boolean(worksheet: Worksheet, row: int, column: int, value: bool) -> None:
    _written(worksheet.write_boolean(row, column, value), row)


def write_moment(
    worksheet: Worksheet, row: int, column: int, moment: datetime, cell_format: Format
) -> None:
    _written(worksheet.write_datetime(row, column, _cell_moment(moment), cell_format), row)


def fits_date_cell(moment: datetime) -> bool:
    """Whether a date-time cell holds ``moment`` exactly: cells are exact to the millisecond,
    and only from :data:`FIRST_DATE_CELL` on."""
    held = _cell_moment(moment)
    return not held.microsecond % 1000 and held.date() >= FIRST_DATE_CELL


def _cell_moment(moment: datetime) -> datetime:
    """Spreadsheets have no time zones: a cell holds the UTC date-time, without an offset."""
    return moment if moment.tzinfo is None else moment.astimezone(UTC).replace(tzinfo=None)


def _written(status: int, row: int) -> None:
    if status < 0:
        raise XlsxLimitError(
            f"the workbook writer refused a cell in row {row + 1} (status {status})"
        )
