"""Reading an intake workbook: the raw document, its cell locator, and the reader's issues.

A workbook is untrusted input: :mod:`compliance.xlsx.raw_workbook` inspects, opens and reads
it under the :data:`INTAKE` limits, and any refusal is DTR-S000. Only the DTR-1 sheets are
read; the Instructions sheet is the tool's own text.
"""

from __future__ import annotations

from typing import Any

from compliance.intake.layout import INSTRUCTIONS, SHEETS
from compliance.issues import Issue
from compliance.readers.errors import UnreadableDocument
from compliance.readers.intake_xlsx.cells import not_intake_data
from compliance.readers.intake_xlsx.document import build_document
from compliance.readers.intake_xlsx.grid import SheetGrid
from compliance.readers.intake_xlsx.locator import WorkbookLocator
from compliance.xlsx.package import MIB, PackagePolicy, RefusedPackage, SheetPart
from compliance.xlsx.raw_workbook import read_raw_workbook

INTAKE = PackagePolicy(
    expected="an intake workbook",
    values_only="intake workbooks must hold values only",
    advice=" Save it as a plain .xlsx.",
    beyond="any submission",
    max_uncompressed_bytes=200 * MIB,
    max_cells=2_000_000,  # far above any real quarter's submission
    max_elements=3_000_000,
)


def read_intake_workbook(data: bytes) -> tuple[dict[str, Any], WorkbookLocator, list[Issue]]:
    """The raw document, its cell locator, and the reader's issues.

    Raises :class:`UnreadableDocument` (DTR-S000) for anything that is not a readable, safe
    intake workbook; every other problem is a located issue in the returned list.
    """
    try:
        workbook = read_raw_workbook(data, INTAKE, not_intake_data, choose_sheets=_intake_sheets)
    except RefusedPackage as refused:
        raise UnreadableDocument(str(refused)) from None
    return build_document({sheet.name: SheetGrid.of(sheet) for sheet in workbook.sheets})


def _intake_sheets(parts: list[SheetPart]) -> list[SheetPart]:
    """The DTR-1 sheets, in their order; a workbook with others, or without one, is refused."""
    expected = [sheet.name for sheet in SHEETS]
    names = [part.name for part in parts]
    missing = [name for name in expected if name not in names]
    unexpected = [name for name in names if name not in expected and name != INSTRUCTIONS]
    if {"Cover", "Summary", "Validation"} <= set(names):
        # A quarterly return handed to the platform's checker: say what it is and what to use.
        raise RefusedPackage(
            "This is a DTR-1 quarterly return (return.xlsx), not a submission: a regulator "
            "checks a received return with `compliance receive`."
        )
    if missing or unexpected:
        reasons = []
        if missing:
            reasons.append("it has no sheet " + ", ".join(missing))
        if unexpected:
            reasons.append("it has sheets that are not part of it: " + ", ".join(unexpected)[:200])
        raise RefusedPackage(
            "This is not a DTR-1 intake workbook: "
            + "; ".join(reasons)
            + ". Start from `compliance template`."
        )
    twice = sorted({name for name in names if names.count(name) > 1})
    if twice:
        raise RefusedPackage(f"The workbook is damaged: it has two sheets named {twice[0][:40]}.")
    part_of = {part.name: part for part in parts}
    for name in expected:
        if part_of[name].part is None:
            raise RefusedPackage(f"The sheet {name} is a chart, not a sheet of cells.")
    return [part_of[name] for name in expected]
