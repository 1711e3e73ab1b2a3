"""A table sheet's rows as records: each filled row's values by field, its parent keys, and
what could not be read, before the record has a place in the document."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from compliance.intake.layout import TableSheet, list_pointer_tokens
from compliance.readers.intake_xlsx.cells import CellProblem, cell_text, json_value
from compliance.readers.intake_xlsx.grid import SheetGrid
from compliance.readers.intake_xlsx.headers import Headers
from compliance.readers.intake_xlsx.issues import ReaderIssues
from compliance.readers.intake_xlsx.locator import CellAddress
from compliance.structure_errors import json_pointer
from compliance.xlsx.addresses import column_letter


@dataclass
class Record:
    """One data row of a table sheet."""

    sheet: TableSheet
    row: int
    values: dict[tuple[str, ...], Any] = field(default_factory=dict)
    """Field path -> JSON value."""
    keys: dict[str, str | None] = field(default_factory=dict)
    """Parent key column ("referral_id") -> the parent it names."""
    key_cells: dict[str, str] = field(default_factory=dict)
    """Parent key column -> its column letter."""
    key_problems: dict[str, str] = field(default_factory=dict)
    problems: list[tuple[tuple[str, ...], str, str]] = field(default_factory=list)
    """(field path, column letter, message)."""
    stray: list[str] = field(default_factory=list)
    """Columns with a value but no header."""

    @property
    def empty(self) -> bool:
        return not (self.values or self.keys or self.key_problems or self.problems)


def read_records(
    sheet: TableSheet, grid: SheetGrid, headers: Headers, issues: ReaderIssues
) -> Iterator[Record]:
    """Every row below the header that holds a record, in row order. A row with values only
    in columns without a header holds none: those values are reported here."""
    list_pointer = json_pointer(list_pointer_tokens(sheet))
    for row_number in sorted(grid.rows):
        if row_number == 1:
            continue
        record = Record(sheet, row_number)
        for index, value in sorted(grid.rows[row_number].items()):
            letter = column_letter(index)
            column = headers.known.get(index)
            if column is None and index not in headers.unknown:
                record.stray.append(letter)
                continue
            if column is not None and column.parent_key:
                record.key_cells[column.name] = letter
                key = cell_text(value)
                if isinstance(key, CellProblem):
                    record.key_problems[column.name] = key.message
                else:
                    record.keys[column.name] = key
                continue
            converted = json_value(column.kind if column else None, value)
            path = column.path if column else headers.unknown[index]
            if column is None:
                headers.unknown_used[index] = headers.unknown_used.get(index, 0) + 1
            if isinstance(converted, CellProblem):
                record.problems.append((path, letter, converted.message))
            else:
                record.values[path] = converted
        if record.empty:
            for letter in record.stray:
                issues.add(
                    f"{sheet.name}!{letter}{row_number} has a value but its column has no "
                    "header, so it is not read.",
                    list_pointer,
                    CellAddress(sheet.name, row_number, letter),
                )
            continue
        headers.records += 1
        yield record
