"""What every reader gives the checker beside the raw document: where its values came from."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Protocol

from compliance.issues import Source


class Locator(Protocol):
    def locate(self, pointers: Iterable[str]) -> dict[str, Source]:
        """The source of each JSON Pointer that can be located (a line, or a cell)."""
        ...

    def reported_by_header(self, pointer: str) -> bool:
        """Whether a missing or unknown field at ``pointer`` is already reported once for
        its whole column, so the checker need not report it again on every row."""
        ...
