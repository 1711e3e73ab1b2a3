"""An untrusted return workbook, read cell by cell without ever raising at the caller.

A received return may be anything: not a zip, a zip bomb, a macro workbook, a damaged
archive, a workbook saved by another program. :mod:`compliance.xlsx.package` inspects
and opens it under the :data:`RETURN` limits, the same way the intake reader does; every
failure is :class:`RefusedPackage` with one sentence for the receipt.

Each sheet is parsed once, directly, rather than through openpyxl's read-only worksheets:
those trust the ``<dimension>`` element, so a tampered sheet could hide rows beyond the range
it declares, and without one they parse the whole sheet an extra time to size it.
"""

from __future__ import annotations

import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from compliance.readers.file_kind import is_workbook
from compliance.xlsx.package import (
    MIB,
    PackagePolicy,
    RefusedPackage,
    SheetPart,
    open_package,
    open_workbook,
    reading_untrusted,
    shared_strings,
)
from compliance.xlsx.sheet_cells import CellBudget, SheetCells

RETURN = PackagePolicy(
    expected="a return",
    values_only="a return holds values only",
    advice="",
    beyond="any return",
    # A return of a very large platform (100,000 referrals) expands to about 150 MB and has
    # about 6.7 million cells.
    max_uncompressed_bytes=1024 * MIB,
    max_cells=30_000_000,
    max_elements=40_000_000,
)


@dataclass(frozen=True, slots=True)
class OddCell:
    """A cell whose value is not data: a formula, a spreadsheet error, a time or duration."""

    row: int
    column: int
    what: str


@dataclass
class RawSheet:
    name: str
    rows: dict[int, tuple[Any, ...]] = field(default_factory=dict)
    """Row number -> the row's values from column A on (None where empty); filled rows only."""
    odd: list[OddCell] = field(default_factory=list)
    chart: bool = False
    """A chart sheet: it has no cells."""


@dataclass
class RawWorkbook:
    sheets: list[RawSheet]
    properties: dict[str, str]
    """The document properties that hold text (title, author, ...), by name."""
    archive: zipfile.ZipFile
    shared_strings: list[str]

    @property
    def sheet_names(self) -> list[str]:
        return [sheet.name for sheet in self.sheets]

    def xml_parts(self) -> Iterator[str]:
        for info in self.archive.infolist():
            lowered = info.filename.lower()
            if lowered.endswith((".xml", ".rels", ".vml")):
                yield info.filename


def read_workbook(data: bytes) -> RawWorkbook:
    """Every sheet's cells and the document properties; :class:`RefusedPackage` if not."""
    if not is_workbook(data):
        raise RefusedPackage("The file is not an XLSX workbook (it is not a zip archive).")
    archive = open_package(data, RETURN)
    with reading_untrusted():
        workbook, parts = open_workbook(data)
        strings = shared_strings(archive)
        budget = CellBudget(RETURN)
        sheets = [_read_sheet(workbook, archive, part, strings, budget) for part in parts]
        properties = _properties(workbook)
    return RawWorkbook(sheets, properties, archive, strings)


def _read_sheet(
    workbook: Any,
    archive: zipfile.ZipFile,
    part: SheetPart,
    strings: list[str],
    budget: CellBudget,
) -> RawSheet:
    sheet = RawSheet(part.name)
    if part.part is None:
        sheet.chart = True
        return sheet
    try:
        source = archive.open(part.part)
    except KeyError:
        raise RefusedPackage(
            f"The workbook is damaged: the contents of the sheet {part.name[:40]} are missing."
        ) from None
    rows: dict[int, dict[int, Any]] = {}
    with source:
        for cell in SheetCells(workbook, source, strings, budget):
            odd = _odd(cell.value, cell.kind)
            if odd:
                sheet.odd.append(OddCell(cell.row, cell.column, odd))
            else:
                rows.setdefault(cell.row, {})[cell.column] = cell.value
    for number, values in rows.items():
        sheet.rows[number] = tuple(values.get(c) for c in range(1, max(values) + 1))
    return sheet


def _odd(value: Any, kind: str) -> str | None:
    if kind == "f":
        return "holds a formula; a return holds values only"
    if kind == "e":
        return "holds a spreadsheet error value"
    if isinstance(value, timedelta):
        return "holds a duration, which no column of a return takes"
    if isinstance(value, time) or (isinstance(value, date) and not isinstance(value, datetime)):
        return "holds a date or time of day where a full date-time or another value belongs"
    return None


_PROPERTY_NAMES = (
    "title",
    "subject",
    "creator",
    "keywords",
    "description",
    "lastModifiedBy",
    "category",
    "contentStatus",
    "identifier",
    "language",
    "version",
    "revision",
)


def _properties(workbook: Any) -> dict[str, str]:
    properties = workbook.properties
    found = {}
    for name in _PROPERTY_NAMES:
        value = getattr(properties, name, None)
        if isinstance(value, str) and value:
            found[name] = value
    return found
