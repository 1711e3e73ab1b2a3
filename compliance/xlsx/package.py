"""An untrusted XLSX package, opened safely: shared by the intake reader and the return reader.

Before any XML is parsed the zip is inspected: too many parts, too much uncompressed data or an
absurd compression ratio (a zip bomb), encryption, and any macro, ActiveX or external-link
part are refused. The XML is parsed by openpyxl, which uses defusedxml (no entity expansion,
no external entities); reading is refused if it would not. Only the workbook part, styles and
document properties are read through openpyxl's loader; each sheet is parsed once, by
:mod:`compliance.xlsx.sheet_cells`, under a budget that counts every cell and row element.

Every refusal is :class:`RefusedPackage` with one sentence; a :class:`PackagePolicy` gives the
limits and the words for what the workbook should have been.
"""

from __future__ import annotations

import contextlib
import io
import re
import warnings
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from compliance.errors import ComplianceError

MIB = 1024 * 1024
_REFUSED_PARTS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"(^|/)vbaproject\.bin$|(^|/)vbadata\.xml$"), "a VBA macro project"),
    (re.compile(r"^xl/macrosheets/"), "Excel 4 macro sheets"),
    (re.compile(r"^xl/dialogsheets/"), "dialog sheets"),
    (re.compile(r"^xl/externallinks/"), "links to other workbooks"),
    (re.compile(r"^xl/activex/"), "ActiveX controls"),
)
_SHARED_STRINGS_TYPE = (
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"
)
_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
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


class RefusedPackage(ComplianceError):
    """The bytes are not a readable, safe XLSX workbook of the expected kind; the message says
    why, in a sentence."""


@dataclass(frozen=True)
class PackagePolicy:
    """The limits for one kind of workbook, and the words its refusals use."""

    expected: str
    """What the workbook should be: "an intake workbook", "a return"."""
    values_only: str
    """Why active content is refused: "a return holds values only"."""
    advice: str
    """Said after refusing active content ("Save it as a plain .xlsx."), or ""."""
    beyond: str
    """What no legitimate workbook exceeds: "any submission"."""
    max_uncompressed_bytes: int
    max_cells: int
    """Cells holding a value, over all sheets."""
    max_elements: int
    """Cell and row elements, empty or not, over all sheets (see
    :class:`compliance.xlsx.sheet_cells.CellBudget`)."""
    max_parts: int = 1_000
    max_compression_ratio: int = 200
    ratio_check_from_bytes: int = MIB
    """Tiny parts compress absurdly well without harm; the ratio is judged from 1 MiB up."""

    def refusal(self, reason: str) -> RefusedPackage:
        return RefusedPackage(f"{reason}, so it is refused.")


def open_package(data: bytes, policy: PackagePolicy) -> zipfile.ZipFile:
    """The zip archive, once its parts have been inspected and found safe to read."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        members = archive.infolist()
    except _ZIP_ERRORS:
        raise RefusedPackage(
            f"The file is a damaged zip archive, so it cannot be {policy.expected}."
        ) from None
    if len(members) > policy.max_parts:
        raise policy.refusal(
            f"The workbook has {len(members)} parts; {policy.expected} has far fewer "
            f"(at most {policy.max_parts} are read)"
        )
    names = [member.filename for member in members]
    if len(set(names)) != len(names):
        duplicate = next(name for name in names if names.count(name) > 1)
        raise policy.refusal(
            f"The workbook's zip archive holds two parts named {duplicate[:80]}; which one a "
            "program reads cannot be told"
        )
    total = 0
    for member in members:
        name = member.filename.lower()
        for pattern, what in _REFUSED_PARTS:
            if pattern.search(name):
                raise RefusedPackage(
                    f"The workbook contains {what} ({member.filename[:80]}); "
                    f"{policy.values_only}, so it is refused.{policy.advice}"
                )
        if member.flag_bits & 0x1:
            raise RefusedPackage("The workbook is encrypted, so it cannot be read.")
        if member.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            raise RefusedPackage(
                "The workbook uses a zip compression method that XLSX files do not use."
            )
        total += member.file_size
        if (
            member.file_size >= policy.ratio_check_from_bytes
            and member.file_size > policy.max_compression_ratio * max(member.compress_size, 1)
        ):
            raise policy.refusal(
                f"A part of the workbook ({member.filename[:80]}) expands more than "
                f"{policy.max_compression_ratio} times; that is a zip bomb, not a spreadsheet"
            )
    if total > policy.max_uncompressed_bytes:
        raise policy.refusal(
            f"The workbook expands to {total // MIB} MB; at most "
            f"{policy.max_uncompressed_bytes // MIB} MB are read"
        )
    try:
        content_types = archive.read("[Content_Types].xml")
    except KeyError:
        raise RefusedPackage(
            "The zip archive is not an XLSX workbook (it has no [Content_Types].xml)."
        ) from None
    except _ZIP_ERRORS:
        raise RefusedPackage("The workbook's zip archive is damaged.") from None
    if b"macroenabled" in content_types.lower():
        raise RefusedPackage(
            f"The workbook is macro-enabled (.xlsm); {policy.values_only}, so it is "
            f"refused.{policy.advice}"
        )
    return archive


@contextlib.contextmanager
def reading_untrusted() -> Iterator[None]:
    """Any failure while parsing untrusted XML becomes :class:`RefusedPackage` with a reason."""
    from openpyxl.xml import DEFUSEDXML

    if not DEFUSEDXML:
        raise RefusedPackage(
            "This installation cannot parse workbooks safely (openpyxl is not using "
            "defusedxml; check that defusedxml is installed and OPENPYXL_DEFUSEDXML is not "
            "False), so the workbook is not read."
        )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            yield
        except RefusedPackage:
            raise
        except Exception as error:  # any parser failure of untrusted bytes: unreadable
            raise _damaged(error) from None


def _causes(error: BaseException) -> Iterator[BaseException]:
    """The error and what caused it: openpyxl wraps parser errors in a ValueError."""
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        yield current
        current = current.__cause__ or current.__context__


def _damaged(error: Exception) -> RefusedPackage:
    for cause in _causes(error):
        if type(cause).__name__ in {
            "DTDForbidden",
            "EntitiesForbidden",
            "ExternalReferenceForbidden",
        }:
            return RefusedPackage(
                "The workbook's XML declares entities or external references, which are refused."
            )
        if isinstance(cause, MemoryError | RecursionError):
            return RefusedPackage("The workbook is too large or too deeply nested to read.")
        if isinstance(cause, zipfile.BadZipFile | zlib.error):
            # Also a part that holds more, or other, data than its header declares.
            return RefusedPackage(
                "The workbook's zip archive is damaged: a part's data does not match its "
                "recorded size or checksum."
            )
    return RefusedPackage(
        "The file cannot be read as an XLSX workbook: its contents are damaged "
        f"({type(error).__name__})."
    )


@dataclass(frozen=True)
class SheetPart:
    name: str
    part: str | None
    """The sheet's part in the archive; None for a chart sheet, which has no cells."""
    state: str = "visible"
    """``visible``, ``hidden`` or ``veryHidden`` (only a macro can show the last)."""


def open_workbook(data: bytes) -> tuple[Any, list[SheetPart]]:
    """The workbook (epoch, number formats, document properties) and its sheets in order.

    openpyxl's ``load_workbook(read_only=True)`` is not used: for a sheet without a
    ``<dimension>`` element it parses the whole sheet once just to size it, before any cell
    limit can apply, so a crafted sheet costs a full extra pass. Only the workbook part, the
    styles and the properties are read here; each sheet is parsed once, by
    :class:`compliance.xlsx.sheet_cells.SheetCells`.
    """
    from openpyxl.reader.excel import ExcelReader
    from openpyxl.styles.stylesheet import apply_stylesheet

    reader = ExcelReader(
        io.BytesIO(data), read_only=True, keep_vba=False, data_only=False, keep_links=False
    )
    try:
        reader.read_manifest()
        reader.read_workbook()
        reader.read_properties()
        apply_stylesheet(reader.archive, reader.wb)
        parts = [
            SheetPart(
                str(sheet.name),
                None if "chartsheet" in (relation.Type or "") else relation.target,
                str(sheet.state or "visible"),
            )
            for sheet, relation in reader.parser.find_sheets()
        ]
    finally:
        reader.archive.close()
    return reader.wb, parts


def shared_strings(archive: zipfile.ZipFile) -> list[str]:
    """The shared strings as stored (still _xHHHH_-escaped); openpyxl's own list loses text.

    openpyxl deletes every ``x005F_`` it finds, which changes text that contains it; the
    escapes are undone exactly, once, per cell instead
    (see :func:`compliance.xlsx.escapes.unescape_text`).
    """
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
