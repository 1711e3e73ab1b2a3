"""An untrusted return workbook, read cell by cell without ever raising at the caller.

A received return may be anything: not a zip, a zip bomb, a macro workbook, a damaged
archive, a workbook saved by another program. :mod:`compliance.xlsx.raw_workbook` reads it
under the :data:`RETURN` limits, the same way the intake reader reads its workbooks; every
failure is :class:`RefusedPackage` with one sentence for the receipt.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from compliance.readers.file_kind import is_workbook
from compliance.xlsx.package import MIB, PackagePolicy, RefusedPackage
from compliance.xlsx.raw_workbook import RawWorkbook, read_raw_workbook
from compliance.xlsx.sheet_cells import FilledCell

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


def read_workbook(data: bytes) -> RawWorkbook:
    """Every sheet's cells and the document properties; :class:`RefusedPackage` if not."""
    if not is_workbook(data):
        raise RefusedPackage("The file is not an XLSX workbook (it is not a zip archive).")
    return read_raw_workbook(data, RETURN, _not_return_data)


def _not_return_data(cell: FilledCell) -> str | None:
    """Why a cell holds nothing a return's column takes; None for a value to check."""
    value = cell.value
    if cell.kind == "f":
        return "holds a formula; a return holds values only"
    if cell.kind == "e":
        return "holds a spreadsheet error value"
    if isinstance(value, timedelta):
        return "holds a duration, which no column of a return takes"
    if isinstance(value, time) or (isinstance(value, date) and not isinstance(value, datetime)):
        return "holds a date or time of day where a full date-time or another value belongs"
    return None
