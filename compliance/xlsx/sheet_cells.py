"""The cells of one sheet of an untrusted workbook, streamed once under a budget.

Formulas are read as formulas (``data_only=False``) and never evaluated; shared text is
unescaped exactly once. The budget is shared by all sheets of a workbook, and bounds the
reading time and memory of any file, however it was crafted.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import IO, Any

from compliance.xlsx.escapes import unescape_text
from compliance.xlsx.package import PackagePolicy


@dataclass
class CellBudget:
    """What all sheets may hold together: the bound on reading time and memory.

    Every cell element counts, with a value or not, and so does every row element: a sheet
    of millions of empty ``<c/>`` elements costs as much to parse as one of values.
    """

    policy: PackagePolicy
    cells: int = 0
    elements: int = 0

    def take(self, elements: int) -> None:
        self.elements += elements
        if self.elements > self.policy.max_elements:
            raise self.policy.refusal(
                f"The workbook has more than {self.policy.max_elements:,} cells and rows "
                f"(counting empty ones); that is far beyond {self.policy.beyond}"
            )

    def fill(self) -> None:
        self.cells += 1
        if self.cells > self.policy.max_cells:
            raise self.policy.refusal(
                f"The workbook has more than {self.policy.max_cells:,} filled cells; that is "
                f"far beyond {self.policy.beyond}"
            )


@dataclass(slots=True)
class FilledCell:
    row: int
    column: int
    value: Any
    kind: str
    """openpyxl's data type: n number, s text, d date-time, b boolean, e error, f formula."""
    style: int = 0
    """The cell's style (an index into the workbook's cell formats): its number format."""


class SheetCells:
    """The cells of one sheet that hold a value, streamed once, shared text unescaped; every
    element is charged to the budget. ``merged`` is known once the cells have been read."""

    def __init__(
        self, workbook: Any, source: IO[bytes], strings: list[str], budget: CellBudget
    ) -> None:
        from openpyxl.worksheet._reader import WorkSheetParser

        self._budget = budget
        self._parser = WorkSheetParser(
            source,
            strings,
            data_only=False,
            epoch=workbook.epoch,
            date_formats=workbook._date_formats,
            timedelta_formats=workbook._timedelta_formats,
        )

    def __iter__(self) -> Iterator[FilledCell]:
        for row_number, row in self._parser.parse():
            self._budget.take(1 + len(row))
            for cell in row:
                value = cell["value"]
                if value is None or value == "":
                    continue
                kind = cell["data_type"]
                if kind == "s" and isinstance(value, str):
                    value = unescape_text(value)
                self._budget.fill()
                yield FilledCell(
                    cell["row"] or row_number, cell["column"], value, kind, cell["style_id"] or 0
                )

    @property
    def merged(self) -> list[str]:
        merged = self._parser.merged_cells
        return [] if merged is None else [str(area.ref) for area in merged.mergeCell]

    @property
    def hidden_rows(self) -> list[int]:
        """Rows a reader does not see: hidden, or of zero height (known once read)."""
        return sorted(
            int(number)
            for number, attributes in self._parser.row_dimensions.items()
            if _hides(attributes, "ht")
        )

    @property
    def hidden_columns(self) -> list[str]:
        """Columns (their first letter) a reader does not see: hidden, or of zero width."""
        return [
            str(letter)
            for letter, attributes in self._parser.column_dimensions.items()
            if _hides(attributes, "width")
        ]

    @property
    def hyperlinks(self) -> int:
        """How many hyperlinks the sheet has (to anywhere: a URL, a file, another cell)."""
        return len(self._parser.hyperlinks.hyperlink)


def _hides(attributes: dict[str, Any], size: str) -> bool:
    if str(attributes.get("hidden", "")).lower() in ("1", "true"):
        return True
    try:
        return float(attributes.get(size, 1)) <= 0
    except (TypeError, ValueError):
        return False
