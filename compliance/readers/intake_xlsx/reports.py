"""Issues about a sheet as a whole, raised once the records are placed: a misspelt, unknown or
missing column, reported once at its header; merged cells, at their first cell."""

from __future__ import annotations

import difflib

from compliance.intake.layout import (
    LIST_KINDS,
    SHEETS,
    KeyValueSheet,
    TableSheet,
    list_pointer_tokens,
)
from compliance.readers.intake_xlsx.grid import SheetGrid
from compliance.readers.intake_xlsx.headers import Headers
from compliance.readers.intake_xlsx.issues import ReaderIssues
from compliance.readers.intake_xlsx.locator import CellAddress, WorkbookLocator
from compliance.readers.json_reader import pointer_tokens
from compliance.structure_errors import json_pointer
from compliance.xlsx.addresses import column_index, column_letter, first_cell


def report_headers(
    headers: dict[str, Headers], locator: WorkbookLocator, issues: ReaderIssues
) -> None:
    """One issue per misspelt, unknown or missing column, at the header, rather than the same
    issue on every row. A problem of a single row stays on that row, where its path and
    referral say more; the locator learns which fields the header issues cover."""
    for sheet in SHEETS:
        found = headers.get(sheet.name)
        if not isinstance(sheet, TableSheet) or found is None:
            continue
        covered = locator.header_fields.setdefault(sheet.name, set())
        list_pointer = json_pointer(list_pointer_tokens(sheet))
        present = set(found.known.values())
        absent = [
            column
            for column in sheet.columns
            if column not in present
            and column.required
            and len(column.path) == 1
            and column.kind not in LIST_KINDS
            and not column.parent_key
        ]
        # A misspelt header is most likely one of the columns the sheet lacks.
        unused = [column.name for column in sheet.columns if column not in present]
        for index, used in sorted(found.unknown_used.items()):
            if used < 2:
                continue
            name = ".".join(found.unknown[index])
            guess = difflib.get_close_matches(name, unused, n=1, cutoff=0.7)
            hint = f"; did you mean {guess[0]}?" if guess else "."
            issues.add(
                f"The {sheet.name} sheet has a column headed {name!r} "
                f"({column_letter(index)}1), which DTR-1 does not define here{hint} "
                f"Its values in {_rows(used)} are refused until the header is corrected "
                "or the column removed.",
                list_pointer,
                CellAddress(sheet.name, 1, column_letter(index)),
                code="DTR-S003",
            )
            covered.add("/".join(found.unknown[index]))
        for column in absent if found.records >= 2 else ():
            issues.add(
                f"The {sheet.name} sheet has no {column.name} column, which DTR-1 requires "
                f"for every row; add it (headed {column.name}) and fill it in for "
                f"its {_rows(found.records)}.",
                list_pointer,
                CellAddress(sheet.name, 1, found.missing),
                code="DTR-S001",
            )
            covered.add(column.path[0])


def report_merges(
    grids: dict[str, SheetGrid],
    headers: dict[str, Headers],
    placed_rows: dict[tuple[str, int], str],
    issues: ReaderIssues,
) -> None:
    """Merged cells hide which cell holds a value; each range is reported at its first cell,
    with the pointer of the field that cell holds, as far as it is known."""
    for sheet in SHEETS:
        for ref in grids[sheet.name].merged:
            column, row = first_cell(ref)
            if isinstance(sheet, KeyValueSheet):
                pointer = _key_value_pointer(sheet, grids[sheet.name], row)
            else:
                pointer = _table_pointer(sheet, headers[sheet.name], placed_rows, column, row)
            issues.add(
                f"Cells {ref} on the {sheet.name} sheet are merged; unmerge them and give "
                "each cell its own value.",
                pointer,
                CellAddress(sheet.name, row, column),
            )


def _key_value_pointer(sheet: KeyValueSheet, grid: SheetGrid, row: int) -> str:
    key_cell = grid.rows.get(row, {}).get(1)
    for entry in sheet.entries:
        if key_cell is not None and key_cell == entry.name:
            return json_pointer(entry.path)
    return json_pointer(sheet.entries[0].path[:-1]) or "/"


def _table_pointer(
    sheet: TableSheet,
    headers: Headers,
    placed_rows: dict[tuple[str, int], str],
    column: str,
    row: int,
) -> str:
    record_pointer = placed_rows.get((sheet.name, row))
    if record_pointer is None:
        return json_pointer(list_pointer_tokens(sheet))
    header = headers.known.get(column_index(column))
    if header is None:
        return record_pointer
    return json_pointer((*pointer_tokens(record_pointer), *header.path))


def _rows(count: int) -> str:
    return "1 row" if count == 1 else f"{count} rows"
