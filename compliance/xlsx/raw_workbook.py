"""An untrusted workbook's sheets read into one plain type, for every kind of workbook.

The package is inspected and opened by :mod:`compliance.xlsx.package` under the caller's
:class:`PackagePolicy`, and each sheet is parsed once by :mod:`compliance.xlsx.sheet_cells`
rather than through openpyxl's read-only worksheets: those trust the ``<dimension>`` element,
so a tampered sheet could hide rows beyond the range it declares, and without one they parse
the whole sheet an extra time to size it. Every failure is :class:`RefusedPackage`.

What a cell may hold differs by workbook (a return takes no date without a time, an intake
workbook no TRUE or FALSE): the caller says which cells hold no data, and why, and those are
set aside as :class:`OddCell` instead of being read as values.
"""

from __future__ import annotations

import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from compliance.xlsx.package import (
    PackagePolicy,
    RefusedPackage,
    SheetPart,
    open_package,
    open_workbook,
    reading_untrusted,
    shared_strings,
)
from compliance.xlsx.sheet_cells import CellBudget, FilledCell, SheetCells

NotData = Callable[[FilledCell], str | None]
"""Why a cell holds no data for this kind of workbook (a formula, an error ...), or None."""
SheetChoice = Callable[[list[SheetPart]], list[SheetPart]]
"""The sheets to read, in order, from all the workbook has; raises RefusedPackage to refuse."""


@dataclass(frozen=True, slots=True)
class OddCell:
    """A cell set aside: it holds no data for this kind of workbook; ``what`` says why."""

    row: int
    column: int
    what: str


@dataclass
class RawSheet:
    name: str
    rows: dict[int, tuple[Any, ...]] = field(default_factory=dict)
    """Row number -> the row's values from column A on (None where empty or set aside);
    filled rows only."""
    odd: list[OddCell] = field(default_factory=list)
    merged: list[str] = field(default_factory=list)
    """The sheet's merged ranges (``"B2:C3"``)."""
    chart: bool = False
    """A chart sheet: it has no cells."""
    state: str = "visible"
    """``visible``, ``hidden`` or ``veryHidden``."""
    formats: dict[str, tuple[int, int]] = field(default_factory=dict)
    """Each number format the sheet's filled cells use, with the first cell (row, column)."""
    hidden_rows: list[int] = field(default_factory=list)
    hidden_columns: list[str] = field(default_factory=list)
    hyperlinks: int = 0


@dataclass
class RawWorkbook:
    sheets: list[RawSheet]
    properties: dict[str, str]
    """The document properties that hold text (title, creator, ...), by name."""
    archive: zipfile.ZipFile

    @property
    def sheet_names(self) -> list[str]:
        return [sheet.name for sheet in self.sheets]

    def xml_parts(self) -> Iterator[str]:
        for info in self.archive.infolist():
            lowered = info.filename.lower()
            if lowered.endswith((".xml", ".rels", ".vml")):
                yield info.filename


def every_sheet(parts: list[SheetPart]) -> list[SheetPart]:
    return parts


def read_raw_workbook(
    data: bytes,
    policy: PackagePolicy,
    not_data: NotData,
    *,
    choose_sheets: SheetChoice = every_sheet,
) -> RawWorkbook:
    """The chosen sheets' cells and the document properties; :class:`RefusedPackage` if the
    bytes are not a readable, safe workbook within ``policy``'s limits."""
    archive = open_package(data, policy)
    with reading_untrusted():
        workbook, parts = open_workbook(data)
        chosen = choose_sheets(parts)
        strings = shared_strings(archive)
        budget = CellBudget(policy)
        sheets = [
            _read_sheet(workbook, archive, part, strings, budget, not_data) for part in chosen
        ]
        properties = _text_properties(workbook.properties)
    return RawWorkbook(sheets, properties, archive)


def _read_sheet(
    workbook: Any,
    archive: zipfile.ZipFile,
    part: SheetPart,
    strings: list[str],
    budget: CellBudget,
    not_data: NotData,
) -> RawSheet:
    sheet = RawSheet(part.name, state=part.state)
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
        cells = SheetCells(workbook, source, strings, budget)
        formats = _NumberFormats(workbook)
        for cell in cells:
            sheet.formats.setdefault(formats.of(cell.style), (cell.row, cell.column))
            odd = not_data(cell)
            if odd:
                sheet.odd.append(OddCell(cell.row, cell.column, odd))
            else:
                rows.setdefault(cell.row, {})[cell.column] = cell.value
        sheet.merged = cells.merged
        sheet.hidden_rows = cells.hidden_rows
        sheet.hidden_columns = cells.hidden_columns
        sheet.hyperlinks = cells.hyperlinks
    for number, values in rows.items():
        sheet.rows[number] = tuple(values.get(c) for c in range(1, max(values) + 1))
    return sheet


class _NumberFormats:
    """A cell style's number format code (``General``, ``0.00`` ...), looked up once per style."""

    def __init__(self, workbook: Any) -> None:
        self._workbook = workbook
        self._known: dict[int, str] = {}

    def of(self, style: int) -> str:
        code = self._known.get(style)
        if code is None:
            code = self._known[style] = self._lookup(style)
        return code

    def _lookup(self, style: int) -> str:
        from openpyxl.styles.numbers import BUILTIN_FORMATS, BUILTIN_FORMATS_MAX_SIZE

        styles = self._workbook._cell_styles
        if not 0 <= style < len(styles):
            return f"(unknown style {style})"
        number = styles[style].numFmtId
        if number < BUILTIN_FORMATS_MAX_SIZE:
            return str(BUILTIN_FORMATS.get(number, f"(unknown built-in format {number})"))
        custom = self._workbook._number_formats
        index = number - BUILTIN_FORMATS_MAX_SIZE
        return str(custom[index]) if index < len(custom) else f"(unknown format {number})"


def _text_properties(properties: Any) -> dict[str, str]:
    """openpyxl's document properties, those that hold text, by their OOXML names."""
    candidates = {
        "title": properties.title,
        "subject": properties.subject,
        "creator": properties.creator,
        "keywords": properties.keywords,
        "description": properties.description,
        "lastModifiedBy": properties.lastModifiedBy,
        "category": properties.category,
        "contentStatus": properties.contentStatus,
        "identifier": properties.identifier,
        "language": properties.language,
        "version": properties.version,
        "revision": properties.revision,
    }
    return {name: value for name, value in candidates.items() if isinstance(value, str) and value}
