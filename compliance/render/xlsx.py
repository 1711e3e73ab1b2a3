"""return.xlsx: the regulator's workbook, streamed with XlsxWriter (DTR-1 7.2).

XlsxWriter in constant-memory mode was the fastest writer measured here with flat memory, and
with a pinned creation date its output is byte-identical across runs. Every value goes
through :mod:`compliance.xlsx.cells`, so no submitted text can ever become a formula or a
link, and a value beyond a cell's limits raises :class:`XlsxLimitError`.
"""

from __future__ import annotations

import contextlib
import errno
import io
import zipfile
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from types import TracebackType
from typing import Any

import xlsxwriter
from xlsxwriter.exceptions import FileCreateError

from compliance.figures import Cell, ReturnView, Sheet
from compliance.xlsx.cells import (
    HEADER_STYLE,
    MAX_ROWS,
    new_workbook,
    write_text,
    write_value,
)

MAX_DATA_ROWS = MAX_ROWS - 1  # row 1 is the header
TIMESTAMP_FORMAT = "yyyy-mm-dd hh:mm:ss"

_WIDTHS = {
    "message": 90,
    "path": 44,
    "value": 68,
    "field": 24,
    "metric": 36,
    "sha256": 66,
    "categories": 22,
    "actions_taken": 48,
}


def _width(column: str, sample: Cell) -> float:
    if column in _WIDTHS:
        return _WIDTHS[column]
    if isinstance(sample, datetime) or column.endswith("_at"):
        return 20
    return max(12, len(column) + 3)


def sheet_parts(sheet: Sheet, max_rows: int | None = None) -> list[tuple[str, tuple[Any, ...]]]:
    """A sheet's rows cut into parts that fit: ``Content``, ``Content 2``, ``Content 3`` ..."""
    max_rows = max_rows or MAX_DATA_ROWS
    if len(sheet.rows) <= max_rows:
        return [(sheet.name, sheet.rows)]
    return [
        (
            sheet.name if start == 0 else f"{sheet.name} {start // max_rows + 1}",
            sheet.rows[start : start + max_rows],
        )
        for start in range(0, len(sheet.rows), max_rows)
    ]


def write_workbook(
    sheets: tuple[Sheet, ...] | list[Sheet],
    path: Path,
    *,
    properties: dict[str, Any],
    page_header: str | None = None,
) -> None:
    """Write tables as sheets (header row, frozen, filtered), splitting any that is too long.

    ``properties`` must carry a fixed ``created`` date: that keeps the bytes reproducible.
    """
    workbook = new_workbook(path, constant_memory=True)
    try:
        _fill(workbook, sheets, properties, page_header)
        workbook.close()
    except (OSError, FileCreateError) as error:
        # A full disk: XlsxWriter leaves its zip archive and the sheets' temporary files
        # open, to be closed when collected, where the same error is printed as "Exception
        # ignored" (a traceback after the tool has said what happened). Close them now.
        _close_what_was_left_open(workbook, error)
        cause = error.args[0] if isinstance(error, FileCreateError) and error.args else error
        if isinstance(cause, OSError):
            raise OSError(cause.errno, cause.strerror, str(path)) from None
        raise OSError(errno.EIO, str(cause), str(path)) from None


def _close_what_was_left_open(workbook: xlsxwriter.Workbook, error: BaseException) -> None:
    left = [getattr(sheet, "fh", None) for sheet in workbook.worksheets()]
    left += list(_locals_of(error))
    for handle in left:
        if isinstance(handle, zipfile.ZipFile | io.IOBase):
            with contextlib.suppress(Exception):
                handle.close()


def _locals_of(error: BaseException | None) -> Iterator[Any]:
    """Every local variable of the frames an exception (and those it arose from) went
    through."""
    seen: set[int] = set()
    while error is not None and id(error) not in seen:
        seen.add(id(error))
        trace: TracebackType | None = error.__traceback__
        while trace is not None:
            yield from trace.tb_frame.f_locals.values()
            trace = trace.tb_next
        error = error.__context__


def _fill(
    workbook: xlsxwriter.Workbook,
    sheets: tuple[Sheet, ...] | list[Sheet],
    properties: dict[str, Any],
    page_header: str | None,
) -> None:
    workbook.set_properties(properties)
    timestamp = workbook.add_format({"num_format": TIMESTAMP_FORMAT})
    header_format = workbook.add_format(HEADER_STYLE)
    for sheet in sheets:
        for name, rows in sheet_parts(sheet):
            worksheet = workbook.add_worksheet(name)
            if page_header:
                worksheet.set_header(page_header)
            first = rows[0] if rows else (None,) * len(sheet.header)
            for column, header in enumerate(sheet.header):
                worksheet.set_column(column, column, _width(header, first[column]))
            worksheet.freeze_panes(1, 0)
            worksheet.autofilter(0, 0, max(len(rows), 1), len(sheet.header) - 1)
            for column, header in enumerate(sheet.header):
                write_text(worksheet, 0, column, header, header_format)
            for row_number, row in enumerate(rows, start=1):
                for column, value in enumerate(row):
                    write_value(worksheet, row_number, column, value, timestamp)


def write_return_xlsx(view: ReturnView, path: Path, *, draft: bool = False) -> None:
    """Write the six sheets of the return to ``path`` (callers pass a temporary path)."""
    write_workbook(
        view.sheets,
        path,
        properties={
            "title": f"DTR-1 quarterly return {view.submission_id}",
            "subject": f"{view.platform_name}, {view.period}",
            "author": view.platform_name,
            "created": view.generated_at.replace(tzinfo=None),
            "comments": "DRAFT - not filing-ready" if draft else "",
        },
        page_header='&C&"-,Bold"DRAFT - not filing-ready' if draft else None,
    )
