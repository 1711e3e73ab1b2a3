"""The intake workbook's locator: from a JSON Pointer of the document to the cell it came from.

A value read from a cell is located at that cell. A field that has no value is located where
it belongs: in its record's row, in the column of its header, or in the column just past the
last header when the sheet has none for it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from compliance.issues import Source
from compliance.readers.json_reader import pointer_tokens
from compliance.structure_errors import json_pointer


@dataclass(frozen=True, slots=True)
class CellAddress:
    sheet: str
    row: int
    column: str
    """Column letters: ``"B"``."""

    def as_source(self) -> Source:
        return {"sheet": self.sheet, "row": self.row, "column": self.column}


@dataclass(frozen=True)
class RecordRow:
    """The row a record of a table sheet was read from."""

    sheet: str
    row: int
    columns: Mapping[str, str]
    """Field ("narrative", "preservation/reference", a child list) -> column letter."""
    missing: str
    """The column a field without a column would get (just past the last header)."""

    def address_of(self, field_tokens: tuple[str, ...]) -> CellAddress:
        """The cell of a field of the record (the row's first cell for the record itself)."""
        column = "A"
        if field_tokens:
            column = (
                self.columns.get("/".join(field_tokens[:2]))
                or self.columns.get(field_tokens[0])
                or self.missing
            )
        return CellAddress(self.sheet, self.row, column)


@dataclass
class WorkbookLocator:
    cells: dict[str, CellAddress] = field(default_factory=dict)
    """A value's pointer -> its cell (key/value sheets; a table sheet's list)."""
    records: dict[str, RecordRow] = field(default_factory=dict)
    """A record's pointer -> its row."""
    header_fields: dict[str, set[str]] = field(default_factory=dict)
    """Sheet -> fields ("detected_at") whose problem is reported once, at the header."""

    def locate(self, pointers: Iterable[str]) -> dict[str, Source]:
        found: dict[str, Source] = {}
        for pointer in pointers:
            address = self.address_of(pointer)
            if address is not None:
                found[pointer] = address.as_source()
        return found

    def address_of(self, pointer: str) -> CellAddress | None:
        """The cell of a value; for a missing field, the cell it belongs in."""
        tokens = pointer_tokens(pointer)
        for length in range(len(tokens), 0, -1):
            prefix = json_pointer(tokens[:length])
            if prefix in self.cells:
                return self.cells[prefix]
            record = self.records.get(prefix)
            if record is not None:
                return record.address_of(tokens[length:])
        return None

    def reported_by_header(self, pointer: str) -> bool:
        """A misspelt header would otherwise cost an issue on every row."""
        tokens = pointer_tokens(pointer)
        for length in range(len(tokens), 0, -1):
            record = self.records.get(json_pointer(tokens[:length]))
            if record is not None:
                rest = "/".join(tokens[length:])
                return rest in self.header_fields.get(record.sheet, set())
        return False
