"""Reading an XLSX intake workbook into the raw document the JSON reader would give.

The result is a JSON-like dict, so the checker runs unchanged, plus a locator from JSON
Pointers to the cell each value came from (``{"sheet", "row", "column"}``), plus the issues
that only a workbook can have (a formula, merged cells, a row naming a parent that does not
exist, a cell of a type no field takes). Those are located DTR-S002 issues, never exceptions.

A workbook is untrusted input: :mod:`compliance.xlsx.package` inspects and opens it
under the :data:`INTAKE` limits, and any refusal is DTR-S000.
"""

from __future__ import annotations

import difflib
import math
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from pydantic import BaseModel

from compliance.intake.layout import (
    LIST_KINDS,
    LIST_SEPARATOR,
    RESERVED_PATHS,
    SHEETS,
    Column,
    KeyValueSheet,
    Kind,
    TableSheet,
    ancestors,
    list_pointer_tokens,
    nested_models,
)
from compliance.issues import Issue, Severity, Source
from compliance.model import Submission, referral_id_of
from compliance.readers.errors import UnreadableDocument
from compliance.readers.json_reader import pointer_tokens
from compliance.structure_errors import json_pointer
from compliance.xlsx.addresses import column_index, column_letter, first_cell
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
from compliance.xlsx.sheet_cells import CellBudget, FilledCell, SheetCells

INTAKE = PackagePolicy(
    expected="an intake workbook",
    values_only="intake workbooks must hold values only",
    advice=" Save it as a plain .xlsx.",
    beyond="any submission",
    max_uncompressed_bytes=200 * MIB,
    max_cells=2_000_000,  # far above any real quarter's submission
    max_elements=3_000_000,
)


# ----------------------------------------------------------------------------------------
# Public entry point
# ----------------------------------------------------------------------------------------


def read_workbook(data: bytes) -> tuple[dict[str, Any], _CellLocator, list[Issue]]:
    """Read an intake workbook: the raw document, its cell locator, and the reader's issues.

    Raises :class:`UnreadableDocument` (DTR-S000) for anything that is not a readable, safe
    intake workbook; every other problem is a located issue in the returned list.
    """
    try:
        archive = open_package(data, INTAKE)
        with reading_untrusted(UnreadableDocument):
            workbook, sheet_parts = open_workbook(data)
            sheets = _sheets_of(workbook, sheet_parts, archive)
    except RefusedPackage as refused:
        raise UnreadableDocument(str(refused)) from None
    builder = _Builder(sheets)
    document = builder.build()
    return document, builder.locator, builder.finished_issues(document)


# ----------------------------------------------------------------------------------------
# The sheets (the package itself is opened by compliance.xlsx.package)
# ----------------------------------------------------------------------------------------


@dataclass
class _SheetCells:
    name: str
    rows: dict[int, dict[int, FilledCell]] = field(default_factory=dict)
    merged: list[str] = field(default_factory=list)


def _sheets_of(
    workbook: Any, sheet_parts: list[SheetPart], archive: zipfile.ZipFile
) -> dict[str, _SheetCells]:
    expected = [sheet.name for sheet in SHEETS]
    names = [sheet.name for sheet in sheet_parts]
    missing = [name for name in expected if name not in names]
    unexpected = [name for name in names if name not in expected and name != "Instructions"]
    if missing or unexpected:
        parts = []
        if missing:
            parts.append("it has no sheet " + ", ".join(missing))
        if unexpected:
            parts.append("it has sheets that are not part of it: " + ", ".join(unexpected)[:200])
        raise UnreadableDocument(
            "This is not a DTR-1 intake workbook: "
            + "; ".join(parts)
            + ". Start from `compliance template`."
        )
    twice = sorted({name for name in names if names.count(name) > 1})
    if twice:
        raise UnreadableDocument(
            f"The workbook is damaged: it has two sheets named {twice[0][:40]}."
        )
    part_of = {sheet.name: sheet.part for sheet in sheet_parts}
    strings = shared_strings(archive)
    budget = CellBudget(INTAKE)
    sheets: dict[str, _SheetCells] = {}
    for name in expected:
        part = part_of[name]
        if part is None:
            raise UnreadableDocument(f"The sheet {name} is a chart, not a sheet of cells.")
        try:
            source = archive.open(part)
        except KeyError:
            raise UnreadableDocument(
                f"The workbook is damaged: the contents of the sheet {name} are missing."
            ) from None
        sheet = sheets[name] = _SheetCells(name)
        with source:
            cells = SheetCells(workbook, source, strings, budget)
            for cell in cells:
                sheet.rows.setdefault(cell.row, {})[cell.column] = cell
            sheet.merged = cells.merged
    return sheets


# ----------------------------------------------------------------------------------------
# Cell values
# ----------------------------------------------------------------------------------------


class _Problem:
    __slots__ = ("message",)

    def __init__(self, message: str) -> None:
        self.message = message


def _iso_timestamp(moment: datetime) -> str:
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC).replace(tzinfo=None)
    spec = "seconds" if not moment.microsecond else "milliseconds"
    if moment.microsecond % 1000:
        spec = "microseconds"
    return moment.isoformat(timespec=spec) + "Z"


def _number_text(value: int | float) -> str | float | _Problem:
    if isinstance(value, int):
        return str(value)
    if not math.isfinite(value):
        return _Problem("holds a number too large to represent")
    if value.is_integer():
        return str(int(value))
    return value  # a fraction where text belongs: the checker reports the wrong type


def _time_value(value: Any) -> Any:
    """A date-time cell as ISO text, or a problem for times of day and durations."""
    if isinstance(value, datetime):
        return _iso_timestamp(value)
    if isinstance(value, date):
        return value.isoformat() + "T00:00:00Z"
    if isinstance(value, timedelta):
        return _Problem("holds a duration, which no DTR-1 field takes")
    if isinstance(value, time):
        return _Problem("holds a time of day without a date")
    return _Problem("holds a value of an unknown type")


def _convert(kind: Kind | None, cell: FilledCell) -> Any:
    """A cell's value as the JSON value for a field of ``kind`` (None: an unknown field)."""
    value, data_type = cell.value, cell.kind
    if data_type == "f":
        return _Problem(
            "holds a formula; DTR-1 values are typed, not calculated, so it is not read "
            "(copy the cell and paste it as a value)"
        )
    if data_type == "e":
        return _Problem(f"holds the spreadsheet error {str(value)[:12]}")
    if data_type == "b" or isinstance(value, bool):
        return _Problem("holds TRUE or FALSE, which no DTR-1 field takes")
    if kind in LIST_KINDS:
        text = _convert(Kind.TEXT, cell)
        if not isinstance(text, str):
            return text
        return [item.strip() for item in text.split(LIST_SEPARATOR) if item.strip()]
    if data_type == "d" or isinstance(value, datetime | date | time | timedelta):
        converted = _time_value(value)
        if isinstance(converted, str) and kind is Kind.DATE and converted.endswith("T00:00:00Z"):
            return converted[:10]
        if isinstance(converted, str) and kind is Kind.INTEGER:
            return _Problem("holds a date where a whole number belongs")
        return converted
    if isinstance(value, str):
        return value
    if isinstance(value, int | float):
        if kind is Kind.INTEGER or kind is None:
            if isinstance(value, float):
                if not math.isfinite(value):
                    return _Problem("holds a number too large to represent")
                if value.is_integer():
                    return int(value)
            return value
        return _number_text(value)
    return _Problem("holds a value of an unknown type")


# ----------------------------------------------------------------------------------------
# Building the document
# ----------------------------------------------------------------------------------------


@dataclass
class _Record:
    """One data row of a table sheet, before it has a place in the document."""

    sheet: TableSheet
    row: int
    values: dict[tuple[str, ...], Any] = field(default_factory=dict)
    keys: dict[str, str | None] = field(default_factory=dict)
    key_cells: dict[str, str] = field(default_factory=dict)
    key_problems: dict[str, str] = field(default_factory=dict)
    problems: list[tuple[tuple[str, ...], str, str]] = field(default_factory=list)
    """(field path, column letter, message)."""
    stray: list[str] = field(default_factory=list)
    """Columns with a value but no header."""

    @property
    def empty(self) -> bool:
        return not (self.values or self.keys or self.key_problems or self.problems)


@dataclass
class _Located:
    sheet: str
    row: int
    columns: dict[str, str]
    """Field ("narrative", "preservation/reference", a child list) -> column letter."""
    missing: str
    """The column a field without a column would get (just past the last header)."""


class _CellLocator:
    def __init__(self) -> None:
        self.cells: dict[str, Source] = {}
        self.records: dict[str, _Located] = {}
        self.header_fields: dict[str, set[str]] = {}
        """Sheet -> fields ("detected_at") whose problem is reported once, at the header."""

    def reported_by_header(self, pointer: str) -> bool:
        """Whether a missing or unknown field at ``pointer`` is already reported at its
        sheet's header: a misspelt header would otherwise cost an issue on every row."""
        tokens = pointer_tokens(pointer)
        for length in range(len(tokens), 0, -1):
            record = self.records.get(json_pointer(tokens[:length]))
            if record is not None:
                rest = "/".join(tokens[length:])
                return rest in self.header_fields.get(record.sheet, set())
        return False

    def locate(self, pointers: Iterable[str]) -> dict[str, Source]:
        found: dict[str, Source] = {}
        for pointer in pointers:
            source = self.source_of(pointer)
            if source is not None:
                found[pointer] = source
        return found

    def source_of(self, pointer: str) -> Source | None:
        """The cell of a value; for a missing field, the cell it belongs in."""
        tokens = pointer_tokens(pointer)
        for length in range(len(tokens), 0, -1):
            prefix = json_pointer(tokens[:length])
            if prefix in self.cells:
                return dict(self.cells[prefix])
            record = self.records.get(prefix)
            if record is not None:
                rest = tokens[length:]
                column = "A"
                if rest:
                    column = (
                        record.columns.get("/".join(rest[:2]))
                        or record.columns.get(rest[0])
                        or record.missing
                    )
                return {"sheet": record.sheet, "row": record.row, "column": column}
        return None


@dataclass
class _Headers:
    known: dict[int, Column]
    unknown: dict[int, tuple[str, ...]]
    """Column index -> the path of a field the schema does not define (kept for DTR-S003)."""
    missing: str
    columns: dict[str, str]
    """For the locator: field path joined by "/" -> column letter."""
    unknown_used: dict[int, int] = field(default_factory=dict)
    """Column index of an unknown header -> how many rows have a value in it."""
    records: int = 0


class _Builder:
    def __init__(self, sheets: dict[str, _SheetCells]) -> None:
        self.sheets = sheets
        self.locator = _CellLocator()
        self.issues: list[Issue] = []
        self.headers: dict[str, _Headers] = {}
        self.placed_rows: dict[tuple[str, int], str] = {}
        """(sheet, row) -> the record's pointer."""

    # -- issues ---------------------------------------------------------------------------

    def issue(
        self, message: str, pointer: str, sheet: str, row: int, column: str, code: str = "DTR-S002"
    ) -> None:
        source = {"sheet": sheet, "row": row, "column": column}
        self.issues.append(Issue(code, Severity.ERROR, message, pointer, None, source))

    def finished_issues(self, document: dict[str, Any]) -> list[Issue]:
        """The reader's issues, each with the referral it concerns."""
        referrals = document.get("referrals") or []
        result = []
        for issue in self.issues:
            referral_id = None
            tokens = pointer_tokens(issue.path)
            if len(tokens) >= 2 and tokens[0] == "referrals" and tokens[1].isdigit():
                index = int(tokens[1])
                if index < len(referrals):
                    referral_id = referral_id_of(referrals[index])
            result.append(
                Issue(
                    issue.code,
                    issue.severity,
                    issue.message,
                    issue.path,
                    referral_id,
                    issue.source,
                )
            )
        return result

    # -- the whole document -----------------------------------------------------------------

    def build(self) -> dict[str, Any]:
        document: dict[str, Any] = {}
        for sheet in SHEETS:
            if isinstance(sheet, KeyValueSheet):
                self._key_value(sheet, document)
        placed: dict[str, dict[tuple[str, ...], dict[str, Any]]] = {}
        pointers: dict[int, str] = {}
        for sheet in SHEETS:
            if not isinstance(sheet, TableSheet):
                continue
            if sheet.parent is None:
                items = self._top_list(sheet, placed, pointers)
                _put(document, sheet.list_path, items)
            else:
                self._child_list(sheet, placed, pointers)
        self._report_merges()
        self._report_headers()
        return _ordered(document, Submission)

    # -- key/value sheets -----------------------------------------------------------------

    def _key_value(self, sheet: KeyValueSheet, document: dict[str, Any]) -> None:
        cells = self.sheets[sheet.name]
        entries = {entry.name: entry for entry in sheet.entries}
        owner_pointer = json_pointer(sheet.entries[0].path[:-1]) or "/"
        values: dict[tuple[str, ...], Any] = {}
        seen: dict[str, int] = {}
        trouble = False
        for row_number in sorted(cells.rows):
            if row_number == 1:
                continue
            row = cells.rows[row_number]
            key_cell, value_cell = row.get(1), row.get(2)
            if key_cell is None:
                if value_cell is not None:
                    trouble = True
                    self.issue(
                        f"{sheet.name} row {row_number} has a value but no field name in "
                        "column A, so it is not read.",
                        owner_pointer,
                        sheet.name,
                        row_number,
                        "B",
                    )
                continue
            key = _convert(Kind.TEXT, key_cell)
            if not isinstance(key, str):
                trouble = True
                reason = key.message if isinstance(key, _Problem) else "is not text"
                self.issue(
                    f"The field name in {sheet.name} row {row_number} {reason}.",
                    owner_pointer,
                    sheet.name,
                    row_number,
                    "A",
                )
                continue
            key = key.strip()
            entry = entries.get(key)
            path = entry.path if entry else sheet.path_of_extra(key)
            pointer = json_pointer(path)
            if key in seen:
                trouble = True
                self.issue(
                    f"{key} is given twice on the {sheet.name} sheet (rows {seen[key]} and "
                    f"{row_number}); only row {seen[key]} is read.",
                    pointer,
                    sheet.name,
                    row_number,
                    "A",
                )
                continue
            seen[key] = row_number
            if entry is None and path in RESERVED_PATHS:
                trouble = True
                self.issue(
                    f"{key} on the {sheet.name} sheet names a part of the submission that "
                    "other rows or sheets hold, so it is not read.",
                    pointer,
                    sheet.name,
                    row_number,
                    "A",
                )
                continue
            self.locator.cells[pointer] = {"sheet": sheet.name, "row": row_number, "column": "B"}
            if value_cell is None:
                continue
            value = _convert(entry.kind if entry else None, value_cell)
            if isinstance(value, _Problem):
                trouble = True
                self.issue(
                    f"{key} (cell B{row_number}) {value.message}.",
                    pointer,
                    sheet.name,
                    row_number,
                    "B",
                )
                continue
            values[path] = value
        # A field without a row belongs in the row after the last one.
        after = {"sheet": sheet.name, "row": max(cells.rows, default=1) + 1, "column": "B"}
        for entry in sheet.entries:
            self.locator.cells.setdefault(json_pointer(entry.path), dict(after))
        for entry in sheet.entries:
            for length in range(1, len(entry.path)):
                owner = json_pointer(entry.path[:length])
                self.locator.cells.setdefault(owner, self.locator.cells[json_pointer(entry.path)])
        group = sheet.optional_group
        if group is not None and not values and not trouble:
            _put(document, group, None)
            return
        for entry in sheet.entries:
            if entry.path in values:
                _put(document, entry.path, values.pop(entry.path))
            elif entry.kind in LIST_KINDS:
                _put(document, entry.path, [])
            elif not entry.required:
                _put(document, entry.path, None)
            else:
                _container(document, entry.path[:-1])
        for path, value in values.items():
            _put(document, path, value)

    # -- table sheets -----------------------------------------------------------------------

    def _top_list(
        self,
        sheet: TableSheet,
        placed: dict[str, dict[tuple[str, ...], dict[str, Any]]],
        pointers: dict[int, str],
    ) -> list[Any]:
        list_pointer = json_pointer(sheet.list_path)
        self.locator.cells[list_pointer] = {"sheet": sheet.name, "row": 1, "column": "A"}
        items: list[Any] = []
        by_key = placed.setdefault(sheet.name, {})
        for record in self._records(sheet):
            pointer = f"{list_pointer}/{len(items)}"
            item = self._place(record, pointer)
            items.append(item)
            pointers[id(item)] = pointer
            identifier = item.get(sheet.id_field) if sheet.id_field else None
            if isinstance(identifier, str):
                by_key.setdefault((identifier,), item)
        return items

    def _child_list(
        self,
        sheet: TableSheet,
        placed: dict[str, dict[tuple[str, ...], dict[str, Any]]],
        pointers: dict[int, str],
    ) -> None:
        chain = ancestors(sheet)
        parents = placed.get(chain[-1].name, {})
        list_name = sheet.list_path[-1]
        by_key = placed.setdefault(sheet.name, {})
        for record in self._records(sheet):
            key = tuple(record.keys.get(column.name) for column in sheet.key_columns)
            parent = parents.get(key) if all(part is not None for part in key) else None
            if parent is None:
                self._orphan(sheet, record, key, placed, pointers)
                continue
            children = parent.setdefault(list_name, [])
            pointer = f"{pointers[id(parent)]}/{list_name}/{len(children)}"
            item = self._place(record, pointer)
            children.append(item)
            pointers[id(item)] = pointer
            identifier = item.get(sheet.id_field) if sheet.id_field else None
            if isinstance(identifier, str):
                by_key.setdefault((*key, identifier), item)

    def _orphan(
        self,
        sheet: TableSheet,
        record: _Record,
        key: tuple[str | None, ...],
        placed: dict[str, dict[tuple[str, ...], dict[str, Any]]],
        pointers: dict[int, str],
    ) -> None:
        chain = ancestors(sheet)
        names = [column.name for column in sheet.key_columns]
        list_pointer = json_pointer(list_pointer_tokens(sheet))
        for depth, owner in enumerate(chain, start=1):
            if key[:depth] in placed.get(owner.name, {}) and None not in key[:depth]:
                continue
            name, value = names[depth - 1], key[depth - 1]
            column = record.key_cells.get(name, "A")
            if name in record.key_problems:
                what = f"has a {name} cell that {record.key_problems[name]}"
            elif value is None:
                what = f"has no {name}"
            else:
                what = f"names {name} {value[:64]!r}, which is not a row of the {owner.name} sheet"
                if depth > 1:
                    what += f" for {names[0]} {key[0]!r}"
            pointer = list_pointer
            if depth > 1:
                grandparent = placed[chain[depth - 2].name][key[: depth - 1]]
                pointer = f"{pointers[id(grandparent)]}/{owner.list_path[-1]}"
            self.issue(
                f"{sheet.name} row {record.row} {what}; the row belongs to no "
                f"{_RECORD_NOUNS.get(owner.name, owner.name)} and is not read.",
                pointer,
                sheet.name,
                record.row,
                column,
            )
            return

    def _report_headers(self) -> None:
        """One issue per misspelt, unknown or missing column, at the header, rather than the
        same issue on every row. A problem of a single row stays on that row, where its path
        and referral say more."""
        for sheet in SHEETS:
            headers = self.headers.get(sheet.name)
            if not isinstance(sheet, TableSheet) or headers is None:
                continue
            covered = self.locator.header_fields.setdefault(sheet.name, set())
            list_pointer = json_pointer(list_pointer_tokens(sheet))
            present = set(headers.known.values())
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
            for index, used in sorted(headers.unknown_used.items()):
                if used < 2:
                    continue
                name = ".".join(headers.unknown[index])
                guess = difflib.get_close_matches(name, unused, n=1, cutoff=0.7)
                hint = f"; did you mean {guess[0]}?" if guess else "."
                self.issue(
                    f"The {sheet.name} sheet has a column headed {name!r} "
                    f"({column_letter(index)}1), which DTR-1 does not define here{hint} "
                    f"Its values in {_rows(used)} are refused until the header is corrected "
                    "or the column removed.",
                    list_pointer,
                    sheet.name,
                    1,
                    column_letter(index),
                    code="DTR-S003",
                )
                covered.add("/".join(headers.unknown[index]))
            for column in absent if headers.records >= 2 else ():
                self.issue(
                    f"The {sheet.name} sheet has no {column.name} column, which DTR-1 requires "
                    f"for every row; add it (headed {column.name}) and fill it in for "
                    f"its {_rows(headers.records)}.",
                    list_pointer,
                    sheet.name,
                    1,
                    headers.missing,
                    code="DTR-S001",
                )
                covered.add(column.path[0])

    def _report_merges(self) -> None:
        for sheet in SHEETS:
            for ref in self.sheets[sheet.name].merged:
                column, row = first_cell(ref)
                pointer = self._merge_pointer(sheet, column, row)
                self.issue(
                    f"Cells {ref} on the {sheet.name} sheet are merged; unmerge them and give "
                    "each cell its own value.",
                    pointer,
                    sheet.name,
                    row,
                    column,
                )

    def _merge_pointer(self, sheet: TableSheet | KeyValueSheet, column: str, row: int) -> str:
        if isinstance(sheet, KeyValueSheet):
            key_cell = self.sheets[sheet.name].rows.get(row, {}).get(1)
            for entry in sheet.entries:
                if key_cell is not None and key_cell.value == entry.name:
                    return json_pointer(entry.path)
            return json_pointer(sheet.entries[0].path[:-1]) or "/"
        record_pointer = self.placed_rows.get((sheet.name, row))
        if record_pointer is None:
            return json_pointer(list_pointer_tokens(sheet))
        header = self._headers(sheet).known.get(column_index(column))
        if header is None:
            return record_pointer
        return json_pointer((*pointer_tokens(record_pointer), *header.path))

    # -- rows -------------------------------------------------------------------------------

    def _headers(self, sheet: TableSheet) -> _Headers:
        if sheet.name in self.headers:
            return self.headers[sheet.name]
        by_name: dict[str, Column] = {}
        for column in sheet.columns:
            by_name[column.name] = column
            by_name.setdefault(".".join(column.path), column)
        known: dict[int, Column] = {}
        unknown: dict[int, tuple[str, ...]] = {}
        taken: dict[str, int] = {}
        list_pointer = json_pointer(list_pointer_tokens(sheet))
        header_row = self.sheets[sheet.name].rows.get(1, {})
        for index in sorted(header_row):
            text = _convert(Kind.TEXT, header_row[index])
            letter = column_letter(index)
            if not isinstance(text, str):
                reason = text.message if isinstance(text, _Problem) else "is not text"
                self.issue(
                    f"The header {letter}1 on the {sheet.name} sheet {reason}; "
                    "the column is not read.",
                    list_pointer,
                    sheet.name,
                    1,
                    letter,
                )
                continue
            name = text.strip()
            if name in taken:
                self.issue(
                    f"The {sheet.name} sheet has two {name} columns "
                    f"({column_letter(taken[name])} and {letter}); only the first is read.",
                    list_pointer,
                    sheet.name,
                    1,
                    letter,
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
        id_letter = columns.get(sheet.id_field or "", "A")
        for child in sheet.children:
            columns[child] = id_letter
        for index, path in unknown.items():
            columns.setdefault("/".join(path), column_letter(index))
        headers = _Headers(known, unknown, missing, columns)
        self.headers[sheet.name] = headers
        return headers

    def _records(self, sheet: TableSheet) -> Iterator[_Record]:
        headers = self._headers(sheet)
        list_pointer = json_pointer(list_pointer_tokens(sheet))
        rows = self.sheets[sheet.name].rows
        for row_number in sorted(rows):
            if row_number == 1:
                continue
            record = _Record(sheet, row_number)
            for index, cell in sorted(rows[row_number].items()):
                letter = column_letter(index)
                column = headers.known.get(index)
                if column is None and index not in headers.unknown:
                    record.stray.append(letter)
                    continue
                value = _convert(column.kind if column else None, cell)
                if column is not None and column.parent_key:
                    record.key_cells[column.name] = letter
                    if isinstance(value, str):
                        record.keys[column.name] = value
                    elif isinstance(value, _Problem):
                        record.key_problems[column.name] = value.message
                    else:
                        record.key_problems[column.name] = "is not text"
                    continue
                path = column.path if column else headers.unknown[index]
                if column is None:
                    headers.unknown_used[index] = headers.unknown_used.get(index, 0) + 1
                if isinstance(value, _Problem):
                    record.problems.append((path, letter, value.message))
                else:
                    record.values[path] = value
            if record.empty:
                for letter in record.stray:
                    self.issue(
                        f"{sheet.name}!{letter}{row_number} has a value but its column has no "
                        "header, so it is not read.",
                        list_pointer,
                        sheet.name,
                        row_number,
                        letter,
                    )
                continue
            headers.records += 1
            yield record

    def _place(self, record: _Record, pointer: str) -> dict[str, Any]:
        """The record as a JSON object at ``pointer``; its issues and cells are noted."""
        sheet = record.sheet
        headers = self._headers(sheet)
        self.locator.records[pointer] = _Located(
            sheet.name, record.row, headers.columns, headers.missing
        )
        self.placed_rows[(sheet.name, record.row)] = pointer
        troubled = {path for path, _letter, _message in record.problems}
        used_groups = {path[0] for path in (*record.values, *troubled) if len(path) > 1}
        item: dict[str, Any] = {}
        for column in sheet.field_columns:
            group = column.path[0] if len(column.path) > 1 else None
            if group is not None and group not in used_groups:
                continue
            if column.path in record.values:
                value = record.values.pop(column.path)
            elif column.path in troubled or (column.required and column.kind not in LIST_KINDS):
                _container(item, column.path[:-1])
                continue  # absent: a required field is reported missing (DTR-S001)
            elif column.kind in LIST_KINDS:
                value = []
            else:
                value = None
            _put(item, column.path, value)
        for group in sheet.groups:
            if group not in used_groups and not sheet.model.model_fields[group].is_required():
                item[group] = None
        for path, value in record.values.items():  # fields the schema does not define
            if len(path) > 1 and not isinstance(item.get(path[0]), dict):
                item[path[0]] = {}
            _put(item, path, value)
        for child in sheet.children:
            item[child] = []
        for path, letter, message in record.problems:
            self.issue(
                f"{'.'.join(path)} ({sheet.name}!{letter}{record.row}) {message}.",
                json_pointer((*pointer_tokens(pointer), *path)),
                sheet.name,
                record.row,
                letter,
            )
        for letter in record.stray:
            self.issue(
                f"{sheet.name}!{letter}{record.row} has a value but its column has no header, "
                "so it is not read.",
                pointer,
                sheet.name,
                record.row,
                letter,
            )
        return _ordered(item, sheet.model)


_RECORD_NOUNS: dict[str, str] = {
    "Referrals": "referral",
    "Subjects": "subject",
    "ContentItems": "content item",
}
"""What one row of a parent sheet is, in messages."""


def _rows(count: int) -> str:
    return "1 row" if count == 1 else f"{count} rows"


def _extra_path(sheet: TableSheet, header: str) -> tuple[str, ...]:
    """An unknown header: ``group.x`` is a field x of a flattened record, else a field."""
    group, dot, rest = header.partition(".")
    if dot and group in sheet.groups and rest:
        return (group, rest)
    return (header,)


def _container(document: dict[str, Any], path: tuple[str, ...]) -> dict[str, Any]:
    target = document
    for token in path:
        nested = target.get(token)
        if not isinstance(nested, dict):
            nested = target[token] = {}
        target = nested
    return target


def _put(document: dict[str, Any], path: tuple[str, ...], value: Any) -> None:
    _container(document, path[:-1])[path[-1]] = value


def _ordered(value: dict[str, Any], model: type[BaseModel]) -> dict[str, Any]:
    """Members in the order of the model's fields (unknown members last), recursively."""
    nested = nested_models(model)
    ordered: dict[str, Any] = {}
    for name in (*model.model_fields, *value):
        if name in ordered or name not in value:
            continue
        member = value[name]
        if name in nested and isinstance(member, dict):
            member = _ordered(member, nested[name])
        ordered[name] = member
    return ordered
