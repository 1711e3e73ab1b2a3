"""One sheet of an intake workbook as a grid: row -> column -> what the cell holds."""

from __future__ import annotations

from dataclasses import dataclass, field

from compliance.readers.intake_xlsx.cells import CellProblem, CellValue
from compliance.xlsx.raw_workbook import RawSheet

Row = dict[int, CellValue]
"""Column number (1 is A) -> the filled cell's value; empty cells are absent."""


@dataclass
class SheetGrid:
    name: str
    rows: dict[int, Row] = field(default_factory=dict)
    """Filled rows only; row 1 is a table sheet's header."""
    merged: list[str] = field(default_factory=list)

    @classmethod
    def of(cls, sheet: RawSheet) -> SheetGrid:
        """The raw sheet's values, and its set-aside cells as problems in their places."""
        rows = {
            number: {column: value for column, value in enumerate(values, 1) if value is not None}
            for number, values in sheet.rows.items()
        }
        for odd in sheet.odd:
            rows.setdefault(odd.row, {})[odd.column] = CellProblem(odd.what)
        return cls(sheet.name, rows, sheet.merged)
