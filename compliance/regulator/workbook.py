"""An untrusted XLSX workbook, read cell by cell without ever raising at the caller.

A received return may be anything: not a zip, a zip bomb, a macro workbook, a damaged
archive, a workbook saved by another program. The archive is inspected before any XML is
parsed (number of parts, uncompressed size, compression ratio, macro and external-link
parts); the XML is parsed by openpyxl, which uses defusedxml (no entity expansion, no external
entities), and reading is refused if it would not. Every failure becomes
:class:`UnreadableWorkbook` with one sentence for the receipt.

Cells are read with openpyxl's sheet parser directly rather than through its read-only
worksheets: those trust the ``<dimension>`` element, so a tampered sheet could hide rows
beyond the range it declares. Shared strings are read here too, kept ``_xHHHH_``-escaped as
stored and unescaped once per cell, as the intake reader does (openpyxl's own list alters text
containing ``_x005F_``).
"""

from __future__ import annotations

import io
import re
import warnings
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

MAX_PARTS = 1_000
MAX_UNCOMPRESSED_BYTES = 1024 * 1024 * 1024
"""A return of a very large platform (100,000 referrals) expands to about 150 MB."""
MAX_COMPRESSION_RATIO = 200
RATIO_CHECK_FROM_BYTES = 1024 * 1024
MAX_CELLS = 30_000_000

_SHARED_STRINGS_TYPE = (
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"
)
_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_ESCAPE = re.compile(r"_x([0-9A-Fa-f]{4})_")
_REFUSED_PARTS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"(^|/)vbaproject\.bin$|(^|/)vbadata\.xml$"), "a VBA macro project"),
    (re.compile(r"^xl/macrosheets/"), "Excel 4 macro sheets"),
    (re.compile(r"^xl/dialogsheets/"), "dialog sheets"),
    (re.compile(r"^xl/externallinks/"), "links to other workbooks"),
    (re.compile(r"^xl/activex/"), "ActiveX controls"),
)
# What reading a damaged archive raises: a broken deflate stream is a zlib.error, a CRC
# mismatch a BadZipFile, a truncated one EOFError, an unknown method NotImplementedError.
_ZIP_ERRORS = (
    zipfile.BadZipFile,
    zipfile.LargeZipFile,
    zlib.error,
    OSError,
    ValueError,
    EOFError,
    NotImplementedError,
)


class UnreadableWorkbook(Exception):
    """The bytes are not a readable, safe XLSX workbook; the message says why."""


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
    """Every sheet's cells and the document properties; :class:`UnreadableWorkbook` if not."""
    archive = _inspect_archive(data)
    import openpyxl
    from openpyxl.xml import DEFUSEDXML

    if not DEFUSEDXML:
        raise UnreadableWorkbook(
            "this installation cannot parse workbooks safely (openpyxl is not using "
            "defusedxml), so the workbook is not read"
        )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            workbook = openpyxl.load_workbook(
                io.BytesIO(data), read_only=True, data_only=False, keep_links=False
            )
        except Exception as error:  # any parser failure of untrusted bytes: unreadable
            raise _damaged(error) from None
        try:
            strings = _shared_strings(archive)
            sheets = _read_sheets(workbook, strings)
            properties = _properties(workbook)
        except UnreadableWorkbook:
            raise
        except Exception as error:  # any failure while reading cells: unreadable
            raise _damaged(error) from None
        finally:
            workbook.close()
    return RawWorkbook(sheets, properties, archive, strings)


def _inspect_archive(data: bytes) -> zipfile.ZipFile:
    if not data.startswith(b"PK"):
        raise UnreadableWorkbook("the file is not an XLSX workbook (it is not a zip archive)")
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        members = archive.infolist()
    except _ZIP_ERRORS:
        raise UnreadableWorkbook(
            "the file is a damaged zip archive, not an XLSX workbook"
        ) from None
    if len(members) > MAX_PARTS:
        raise UnreadableWorkbook(f"the workbook has {len(members)} parts; a return has far fewer")
    total = 0
    for member in members:
        name = member.filename.lower()
        for pattern, what in _REFUSED_PARTS:
            if pattern.search(name):
                raise UnreadableWorkbook(
                    f"the workbook contains {what}; a return holds values only"
                )
        if member.flag_bits & 0x1:
            raise UnreadableWorkbook("the workbook is encrypted")
        if member.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            raise UnreadableWorkbook("the workbook uses a zip method that XLSX files do not use")
        total += member.file_size
        if (
            member.file_size >= RATIO_CHECK_FROM_BYTES
            and member.file_size > MAX_COMPRESSION_RATIO * max(member.compress_size, 1)
        ):
            raise UnreadableWorkbook(
                f"a part of the workbook expands more than {MAX_COMPRESSION_RATIO} times "
                "(a zip bomb, not a spreadsheet)"
            )
    if total > MAX_UNCOMPRESSED_BYTES:
        raise UnreadableWorkbook(
            f"the workbook expands to {total // (1024 * 1024)} MB; at most "
            f"{MAX_UNCOMPRESSED_BYTES // (1024 * 1024)} MB are read"
        )
    try:
        content_types = archive.read("[Content_Types].xml")
    except KeyError:
        raise UnreadableWorkbook("the zip archive is not an XLSX workbook") from None
    except _ZIP_ERRORS:
        raise UnreadableWorkbook("the workbook's zip archive is damaged") from None
    if b"macroenabled" in content_types.lower():
        raise UnreadableWorkbook("the workbook is macro-enabled; a return holds values only")
    return archive


def _causes(error: BaseException) -> Iterator[BaseException]:
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        yield current
        current = current.__cause__ or current.__context__


def _damaged(error: Exception) -> UnreadableWorkbook:
    for cause in _causes(error):
        if type(cause).__name__ in {
            "DTDForbidden",
            "EntitiesForbidden",
            "ExternalReferenceForbidden",
        }:
            return UnreadableWorkbook(
                "the workbook's XML declares entities or external references, which are refused"
            )
        if isinstance(cause, MemoryError | RecursionError):
            return UnreadableWorkbook("the workbook is too large or too deeply nested to read")
    return UnreadableWorkbook(
        f"the file cannot be read as an XLSX workbook: it is damaged ({type(error).__name__})"
    )


def _shared_strings(archive: zipfile.ZipFile) -> list[str]:
    from openpyxl.packaging.manifest import Manifest
    from openpyxl.xml.functions import fromstring, iterparse

    manifest = Manifest.from_tree(fromstring(archive.read("[Content_Types].xml")))
    part = manifest.find(_SHARED_STRINGS_TYPE)
    if part is None:
        return []
    strings: list[str] = []
    with archive.open(part.PartName.lstrip("/")) as source:
        for _event, node in iterparse(source):
            if node.tag != f"{_MAIN}si":
                continue
            pieces = []
            for child in node:
                if child.tag == f"{_MAIN}t":
                    pieces.append(child.text or "")
                elif child.tag == f"{_MAIN}r":
                    text = child.find(f"{_MAIN}t")
                    if text is not None:
                        pieces.append(text.text or "")
            strings.append("".join(pieces))
            node.clear()
    return strings


def _read_sheets(workbook: Any, strings: list[str]) -> list[RawSheet]:
    from openpyxl.worksheet._read_only import ReadOnlyWorksheet
    from openpyxl.worksheet._reader import WorkSheetParser

    sheets: list[RawSheet] = []
    cells = 0
    for worksheet in workbook.worksheets + list(getattr(workbook, "chartsheets", [])):
        sheet = RawSheet(str(worksheet.title))
        sheets.append(sheet)
        if not isinstance(worksheet, ReadOnlyWorksheet):
            sheet.chart = True
            continue
        with worksheet._get_source() as source:
            parser = WorkSheetParser(
                source,
                strings,
                data_only=False,
                epoch=workbook.epoch,
                date_formats=workbook._date_formats,
                timedelta_formats=workbook._timedelta_formats,
            )
            for row_number, row in parser.parse():
                values: dict[int, Any] = {}
                for cell in row:
                    value, kind = cell["value"], cell["data_type"]
                    if value is None or value == "":
                        continue
                    cells += 1
                    if cells > MAX_CELLS:
                        raise UnreadableWorkbook(
                            f"the workbook has more than {MAX_CELLS:,} filled cells"
                        )
                    number = cell["row"] or row_number
                    column = cell["column"]
                    odd = _odd(value, kind)
                    if odd:
                        sheet.odd.append(OddCell(number, column, odd))
                        continue
                    if kind == "s" and isinstance(value, str):
                        value = _unescape(value)
                    values[column] = value
                if values:
                    width = max(values)
                    number = row[0]["row"] or row_number
                    sheet.rows[number] = tuple(values.get(c) for c in range(1, width + 1))
    # openpyxl lists worksheets and chart sheets apart; the workbook's own order is theirs.
    order = {name: index for index, name in enumerate(workbook.sheetnames)}
    sheets.sort(key=lambda sheet: order.get(sheet.name, len(order)))
    return sheets


def _unescape(text: str) -> str:
    """Undo OOXML's ``_xHHHH_`` escapes, once (a literal ``_x0041_`` is ``_x005F_x0041_``);
    the same rule as the intake reader's."""
    if "_x" not in text:
        return text
    return _ESCAPE.sub(lambda match: chr(int(match.group(1), 16)), text)


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
