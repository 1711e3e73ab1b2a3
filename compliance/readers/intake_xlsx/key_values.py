"""A key/value sheet (Platform, Attestation): one field per row, its name in column A and its
value in column B, read into the document."""

from __future__ import annotations

from typing import Any

from compliance.intake.layout import LIST_KINDS, RESERVED_PATHS, KeyValueSheet
from compliance.readers.intake_xlsx.cells import CellProblem, cell_text, json_value
from compliance.readers.intake_xlsx.grid import SheetGrid
from compliance.readers.intake_xlsx.issues import ReaderIssues
from compliance.readers.intake_xlsx.json_tree import container, put
from compliance.readers.intake_xlsx.locator import CellAddress, WorkbookLocator
from compliance.structure_errors import json_pointer


def read_key_values(
    sheet: KeyValueSheet,
    grid: SheetGrid,
    document: dict[str, Any],
    locator: WorkbookLocator,
    issues: ReaderIssues,
) -> None:
    """Put the sheet's fields into ``document``, each located at its value's cell."""
    entries = {entry.name: entry for entry in sheet.entries}
    owner_pointer = json_pointer(sheet.entries[0].path[:-1]) or "/"
    values: dict[tuple[str, ...], Any] = {}
    seen: dict[str, int] = {}
    trouble = False
    for row_number in sorted(grid.rows):
        if row_number == 1:
            continue
        row = grid.rows[row_number]
        key_cell, value_cell = row.get(1), row.get(2)
        if key_cell is None:
            if value_cell is not None:
                trouble = True
                issues.add(
                    f"{sheet.name} row {row_number} has a value but no field name in "
                    "column A, so it is not read.",
                    owner_pointer,
                    CellAddress(sheet.name, row_number, "B"),
                )
            continue
        key = cell_text(key_cell)
        if isinstance(key, CellProblem):
            trouble = True
            issues.add(
                f"The field name in {sheet.name} row {row_number} {key.message}.",
                owner_pointer,
                CellAddress(sheet.name, row_number, "A"),
            )
            continue
        key = key.strip()
        entry = entries.get(key)
        path = entry.path if entry else sheet.path_of_extra(key)
        pointer = json_pointer(path)
        if key in seen:
            trouble = True
            issues.add(
                f"{key} is given twice on the {sheet.name} sheet (rows {seen[key]} and "
                f"{row_number}); only row {seen[key]} is read.",
                pointer,
                CellAddress(sheet.name, row_number, "A"),
            )
            continue
        seen[key] = row_number
        if entry is None and path in RESERVED_PATHS:
            trouble = True
            issues.add(
                f"{key} on the {sheet.name} sheet names a part of the submission that "
                "other rows or sheets hold, so it is not read.",
                pointer,
                CellAddress(sheet.name, row_number, "A"),
            )
            continue
        locator.cells[pointer] = CellAddress(sheet.name, row_number, "B")
        if value_cell is None:
            continue
        value = json_value(entry.kind if entry else None, value_cell)
        if isinstance(value, CellProblem):
            trouble = True
            issues.add(
                f"{key} (cell B{row_number}) {value.message}.",
                pointer,
                CellAddress(sheet.name, row_number, "B"),
            )
            continue
        values[path] = value
    _locate_rowless_fields(sheet, grid, locator)
    group = sheet.optional_group
    if group is not None and not values and not trouble:
        put(document, group, None)
        return
    for entry in sheet.entries:
        if entry.path in values:
            put(document, entry.path, values.pop(entry.path))
        elif entry.kind in LIST_KINDS:
            put(document, entry.path, [])
        elif not entry.required:
            put(document, entry.path, None)
        else:
            container(document, entry.path[:-1])
    for path, value in values.items():
        put(document, path, value)


def _locate_rowless_fields(sheet: KeyValueSheet, grid: SheetGrid, locator: WorkbookLocator) -> None:
    """A field without a row belongs in the row after the last one; the object that holds
    fields (the platform, its officer) is where its first field is."""
    after = CellAddress(sheet.name, max(grid.rows, default=1) + 1, "B")
    for entry in sheet.entries:
        locator.cells.setdefault(json_pointer(entry.path), after)
    for entry in sheet.entries:
        for length in range(1, len(entry.path)):
            owner = json_pointer(entry.path[:length])
            locator.cells.setdefault(owner, locator.cells[json_pointer(entry.path)])
