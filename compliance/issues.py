"""Issues and the report that gathers them (spec section 5)."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from compliance.json_text import escape_surrogates


class Severity(StrEnum):
    """How much an issue matters (DTR-1 5), most serious first."""

    FATAL = "fatal"
    """The input is no DTR-1 document at all."""
    ERROR = "error"
    """The data is wrong or incomplete: not filing-ready until corrected."""
    BREACH = "breach"
    """The data is right and records a failure of the duty itself: disclosed, never blocking."""
    WARNING = "warning"
    """Filing-ready, but weak."""

    @property
    def blocks_filing(self) -> bool:
        """Whether an issue of this severity keeps a submission from being filing-ready: the
        one definition of "filing-ready" that every command, output and receiver asks."""
        return self in _BLOCKING


_BLOCKING = frozenset({Severity.FATAL, Severity.ERROR})


Source = dict[str, Any]
"""Where a value came from: ``{"line": n}`` for JSON, ``{"sheet", "row", "column"}`` for XLSX."""

MESSAGE_MAX_CHARS = 1000
"""The longest message an issue keeps: a message is one sentence (DTR-1 5), and every output
must hold it, a spreadsheet cell (32,767 characters) included. Builders keep well within it
(they quote nothing longer than 64 characters, see compliance.quoting); this is the bound
for whatever they missed."""


@dataclass(frozen=True, slots=True)
class Issue:
    code: str
    severity: Severity
    message: str
    path: str
    referral_id: str | None = None
    source: Source | None = None

    def __post_init__(self) -> None:
        # The last guard between hostile input and every output: whatever a message builder
        # missed, an issue's text is bounded and encodable, a lone surrogate written as its
        # escape \udXXX (frozen, hence object.__setattr__).
        message = self.message
        if len(message) > MESSAGE_MAX_CHARS:
            message = message[: MESSAGE_MAX_CHARS - 1] + "\u2026"
        if not message.isascii():
            message = escape_surrogates(message)
        if message is not self.message:
            object.__setattr__(self, "message", message)
        if not self.path.isascii():
            object.__setattr__(self, "path", escape_surrogates(self.path))
        if self.referral_id is not None and not self.referral_id.isascii():
            object.__setattr__(self, "referral_id", escape_surrogates(self.referral_id))

    def to_json(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "severity": self.severity.value,
            "message": self.message,
            "path": self.path,
            "referral_id": self.referral_id,
            "source": self.source,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Issue:
        return cls(
            code=data["code"],
            severity=Severity(data["severity"]),
            message=data["message"],
            path=data["path"],
            referral_id=data.get("referral_id"),
            source=data.get("source"),
        )


_INDEX = re.compile(r"\d+")


def _document_order(issue: Issue) -> tuple[Any, ...]:
    # Sort by position in the document: array indexes numerically, then by code.
    tokens = tuple(
        (0, int(token), "") if _INDEX.fullmatch(token) else (1, 0, token)
        for token in issue.path.split("/")[1:]
    )
    return (tokens, issue.code)


@dataclass
class Report:
    """Every issue found in one input, in document order."""

    issues: list[Issue] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.issues.sort(key=_document_order)

    @property
    def counts(self) -> dict[str, int]:
        tally = Counter(issue.severity for issue in self.issues)
        return {severity.value: tally.get(severity, 0) for severity in Severity}

    @property
    def is_fatal(self) -> bool:
        return any(issue.severity is Severity.FATAL for issue in self.issues)

    @property
    def filing_ready(self) -> bool:
        """No fatal and no error issue; breaches and warnings may remain (DTR-1 5)."""
        return not self.blocking

    @property
    def blocking(self) -> list[Issue]:
        """The issues that keep the input from being filing-ready."""
        return [issue for issue in self.issues if issue.severity.blocks_filing]

    @property
    def breaches(self) -> list[Issue]:
        return [issue for issue in self.issues if issue.severity is Severity.BREACH]

    def to_json(self) -> list[dict[str, Any]]:
        return [issue.to_json() for issue in self.issues]

    @classmethod
    def from_json(cls, data: list[dict[str, Any]]) -> Report:
        return cls([Issue.from_json(item) for item in data])
