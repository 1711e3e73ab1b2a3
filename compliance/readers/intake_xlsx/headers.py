"""A table sheet's header row: which column holds which field.

Columns may be in any order. A header DTR-1 does not define is kept (its values go to a
field of that name, for the checker's DTR-S003); a header that is not text, or the second of
two equal headers, is reported and its column not read.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from compliance.intake.layout import Column, TableSheet, list_pointer_tokens
from compliance.readers.intake_xlsx.cells import CellProblem, cell_text
from compliance.readers.intake_xlsx.grid import SheetGrid
from compliance.readers.intake_xlsx.issues import ReaderIssues
from compliance.readers.intake_xlsx.locator import CellAddress
from compliance.structure_errors import json_pointer
from compliance.xlsx.addresses import column_index, column_letter


@dataclass
class Headers:
    known: dict[int, Column]
    """Column number -> the field its header names."""
    unknown: dict[int, tuple[str, ...]]
    """Column number -> the path of a field the schema does not define (kept for DTR-S003)."""
    missing: str
    """The column a field without a header would get (just past the last header)."""
    columns: dict[str, str]
    """For the locator: field path joined by "/" -> column letter."""
    unknown_used: dict[int, int] = field(default_factory=dict)
    """Column number of an unknown header -> how many rows have a value in it."""
    records: int = 0
    """How many rows of the sheet hold a record."""


def read_headers(sheet: TableSheet, grid: SheetGrid, issues: ReaderIssues) -> Headers:
    by_name: dict[str, Column] = {}
    for column in sheet.columns:
        by_name[column.name] = column
        by_name.setdefault(".".join(column.path), column)
    known: dict[int, Column] = {}
    unknown: dict[int, tuple[str, ...]] = {}
    taken: dict[str, int] = {}
    list_pointer = json_pointer(list_pointer_tokens(sheet))
    header_row = grid.rows.get(1, {})
    for index in sorted(header_row):
        text = cell_text(header_row[index])
        letter = column_letter(index)
        if isinstance(text, CellProblem):
            issues.add(
                f"The header {letter}1 on the {sheet.name} sheet {text.message}; "
                "the column is not read.",
                list_pointer,
                CellAddress(sheet.name, 1, letter),
            )
            continue
        name = text.strip()
        if name in taken:
            issues.add(
                f"The {sheet.name} sheet has two {name} columns "
                f"({column_letter(taken[name])} and {letter}); only the first is read.",
                list_pointer,
                CellAddress(sheet.name, 1, letter),
            )
            continue
        taken[name] = index
        if name in by_name and by_name[name] not in known.values():
            known[index] = by_name[name]
        else:
            unknown[index] = _extra_path(sheet, name)
    missing = column_letter(max(header_row, default=0) + 1)
    columns = {"/".join(column.path): column_letter(i) for i, column in known.items()}
    for group in sheet.groups:
        letters = [letter for path, letter in columns.items() if path.startswith(group + "/")]
        columns.setdefault(group, min(letters, key=column_index, default=missing))
    # A child list (a referral's subjects) is located at the id its child rows name.
    id_letter = columns.get(sheet.id_field or "", "A")
    for child in sheet.children:
        columns[child] = id_letter
    for index, path in unknown.items():
        columns.setdefault("/".join(path), column_letter(index))
    return Headers(known, unknown, missing, columns)


def _extra_path(sheet: TableSheet, header: str) -> tuple[str, ...]:
    """An unknown header: ``group.x`` is a field x of a flattened record, else a field."""
    group, dot, rest = header.partition(".")
    if dot and group in sheet.groups and rest:
        return (group, rest)
    return (header,)
