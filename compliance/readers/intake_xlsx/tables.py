"""Table sheets into the document: each record placed in its list, a child row under the
parent its keys name (a subject under its referral), or reported when there is none."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from compliance.intake.layout import LIST_KINDS, TableSheet, ancestors, list_pointer_tokens
from compliance.readers.intake_xlsx.grid import SheetGrid
from compliance.readers.intake_xlsx.headers import Headers, read_headers
from compliance.readers.intake_xlsx.issues import ReaderIssues
from compliance.readers.intake_xlsx.json_tree import container, ordered, put
from compliance.readers.intake_xlsx.locator import CellAddress, RecordRow, WorkbookLocator
from compliance.readers.intake_xlsx.records import Record, read_records
from compliance.readers.json_reader import pointer_tokens
from compliance.structure_errors import json_pointer

_RECORD_NOUNS: dict[str, str] = {
    "Referrals": "referral",
    "Subjects": "subject",
    "ContentItems": "content item",
}
"""What one row of a parent sheet is, in messages."""
_Keys = tuple[str | None, ...]
"""The ids that name a record: a child row's may lack one (None), a placed record's never."""


class TableReader:
    """Reads the table sheets, parents before children, into one document."""

    def __init__(
        self, grids: dict[str, SheetGrid], locator: WorkbookLocator, issues: ReaderIssues
    ) -> None:
        self.grids = grids
        self.locator = locator
        self.issues = issues
        self.headers: dict[str, Headers] = {}
        self.placed_rows: dict[tuple[str, int], str] = {}
        """(sheet, row) -> the pointer of the record read from it."""
        self._placed: dict[str, dict[_Keys, dict[str, Any]]] = {}
        """Sheet -> its keys (a referral's id, then a subject's) -> the placed record."""
        self._pointers: dict[int, str] = {}
        """id() of a placed record -> its pointer."""

    def top_list(self, sheet: TableSheet) -> list[Any]:
        """The records of a sheet whose list belongs to the document or the platform."""
        list_pointer = json_pointer(sheet.list_path)
        self.locator.cells[list_pointer] = CellAddress(sheet.name, 1, "A")
        items: list[Any] = []
        by_key = self._placed.setdefault(sheet.name, {})
        for record in self._records(sheet):
            pointer = f"{list_pointer}/{len(items)}"
            item = self._place(record, pointer)
            items.append(item)
            self._pointers[id(item)] = pointer
            identifier = item.get(sheet.id_field) if sheet.id_field else None
            if isinstance(identifier, str):
                by_key.setdefault((identifier,), item)
        return items

    def child_list(self, sheet: TableSheet) -> None:
        """Each record of a child sheet appended to the list of the parent its keys name."""
        chain = ancestors(sheet)
        parents = self._placed.get(chain[-1].name, {})
        list_name = sheet.list_path[-1]
        by_key = self._placed.setdefault(sheet.name, {})
        for record in self._records(sheet):
            key = tuple(record.keys.get(column.name) for column in sheet.key_columns)
            parent = parents.get(key) if all(part is not None for part in key) else None
            if parent is None:
                self._orphan(sheet, record, key)
                continue
            children = parent.setdefault(list_name, [])
            pointer = f"{self._pointers[id(parent)]}/{list_name}/{len(children)}"
            item = self._place(record, pointer)
            children.append(item)
            self._pointers[id(item)] = pointer
            identifier = item.get(sheet.id_field) if sheet.id_field else None
            if isinstance(identifier, str):
                by_key.setdefault((*key, identifier), item)

    def _records(self, sheet: TableSheet) -> Iterator[Record]:
        headers = self.headers[sheet.name] = read_headers(
            sheet, self.grids[sheet.name], self.issues
        )
        return read_records(sheet, self.grids[sheet.name], headers, self.issues)

    def _orphan(self, sheet: TableSheet, record: Record, key: _Keys) -> None:
        """Report the first ancestor a child row's keys fail to name."""
        chain = ancestors(sheet)
        names = [column.name for column in sheet.key_columns]
        list_pointer = json_pointer(list_pointer_tokens(sheet))
        for depth, owner in enumerate(chain, start=1):
            if key[:depth] in self._placed.get(owner.name, {}) and None not in key[:depth]:
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
                grandparent = self._placed[chain[depth - 2].name][key[: depth - 1]]
                pointer = f"{self._pointers[id(grandparent)]}/{owner.list_path[-1]}"
            self.issues.add(
                f"{sheet.name} row {record.row} {what}; the row belongs to no "
                f"{_RECORD_NOUNS.get(owner.name, owner.name)} and is not read.",
                pointer,
                CellAddress(sheet.name, record.row, column),
            )
            return

    def _place(self, record: Record, pointer: str) -> dict[str, Any]:
        """The record as a JSON object at ``pointer``; its issues and cells are noted."""
        sheet = record.sheet
        headers = self.headers[sheet.name]
        self.locator.records[pointer] = RecordRow(
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
                container(item, column.path[:-1])
                continue  # absent: a required field is reported missing (DTR-S001)
            elif column.kind in LIST_KINDS:
                value = []
            else:
                value = None
            put(item, column.path, value)
        for group in sheet.groups:
            if group not in used_groups and not sheet.model.model_fields[group].is_required():
                item[group] = None
        for path, value in record.values.items():  # fields the schema does not define
            if len(path) > 1 and not isinstance(item.get(path[0]), dict):
                item[path[0]] = {}
            put(item, path, value)
        for child in sheet.children:
            item[child] = []
        for path, letter, message in record.problems:
            self.issues.add(
                f"{'.'.join(path)} ({sheet.name}!{letter}{record.row}) {message}.",
                json_pointer((*pointer_tokens(pointer), *path)),
                CellAddress(sheet.name, record.row, letter),
            )
        for letter in record.stray:
            self.issues.add(
                f"{sheet.name}!{letter}{record.row} has a value but its column has no header, "
                "so it is not read.",
                pointer,
                CellAddress(sheet.name, record.row, letter),
            )
        return ordered(item, sheet.model)
