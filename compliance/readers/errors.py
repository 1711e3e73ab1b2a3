"""The one error a reader raises: the input is not a readable DTR-1 document (DTR-S000)."""

from __future__ import annotations

from compliance.errors import ComplianceError
from compliance.issues import Source


class UnreadableDocument(ComplianceError):
    """Raised by a reader for input that cannot be read as a document at all."""

    def __init__(self, message: str, source: Source | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.source = source
