"""Why a return is rejected: a registered code, one sentence, and where in the workbook
(sheet, row, column). The codes and what each means are in
:mod:`compliance.regulator.reason_codes`."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from compliance.regulator.reason_codes import Kind, ReasonCode


@dataclass(frozen=True)
class Reason:
    code: ReasonCode
    """The catalogue entry; it also says what the reason is about (:attr:`kind`)."""
    message: str
    sheet: str | None = None
    row: int | None = None
    column: str | None = None
    """The column letter, as a spreadsheet shows it."""
    header: str | None = None
    """The column's header (or, on Cover and Summary, the field or metric of the row)."""
    part: str | None = None
    """A file or a part of the XLSX package, when the reason is not about one cell."""

    @property
    def kind(self) -> Kind:
        return self.code.kind

    def where(self) -> str:
        """``sheet Summary, row 2, column B (referrals_total)``; empty when not located."""
        parts = []
        if self.part:
            parts.append(self.part)
        if self.sheet:
            parts.append(f"sheet {self.sheet}")
        if self.row is not None:
            parts.append(f"row {self.row}")
        if self.column:
            parts.append(f"column {self.column}")
        text = ", ".join(parts)
        if self.header:
            text += f" ({self.header})" if text else self.header
        return text

    def text(self) -> str:
        where = self.where()
        return f"{where}: {self.message}" if where else self.message

    def to_json(self) -> dict[str, Any]:
        return {
            "code": self.code.code,
            "kind": self.kind.value,
            "message": self.message,
            "sheet": self.sheet,
            "row": self.row,
            "column": self.column,
            "header": self.header,
            "part": self.part,
        }


class CappedReasons:
    """Reasons in the order found, where a place's repeated ones are listed up to ``limit``
    and the rest counted in one closing reason: a tampered return of 100,000 rows must give
    a readable receipt, not 100,000 lines."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.reasons: list[Reason] = []
        self._counts: dict[str, int] = {}
        self._overflow: dict[str, Callable[[int], Reason]] = {}

    def add(self, reason: Reason) -> None:
        """A reason that is always listed."""
        self.reasons.append(reason)

    def add_capped(self, place: str, reason: Reason, more: Callable[[int], Reason]) -> None:
        """A reason listed only among the first ``limit`` of ``place``; ``more(n)`` words
        the closing reason for the ``n`` left out."""
        count = self._counts[place] = self._counts.get(place, 0) + 1
        if count <= self.limit:
            self.reasons.append(reason)
        else:
            self._overflow.setdefault(place, more)

    def finish(self) -> list[Reason]:
        for place, more in self._overflow.items():
            self.reasons.append(more(self._counts[place] - self.limit))
        self._overflow = {}
        return self.reasons
