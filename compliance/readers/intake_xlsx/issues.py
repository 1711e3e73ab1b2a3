"""The issues only a workbook can have, each at its cell: a formula, merged cells, an orphan
row, a misspelt header. They are located DTR-S002 issues (DTR-S001, DTR-S003 at a header),
never exceptions."""

from __future__ import annotations

from typing import Any

from compliance.issues import Issue, Severity
from compliance.model import referral_id_of
from compliance.readers.intake_xlsx.locator import CellAddress
from compliance.readers.json_reader import pointer_tokens


class ReaderIssues:
    def __init__(self) -> None:
        self._issues: list[Issue] = []

    def add(self, message: str, pointer: str, cell: CellAddress, code: str = "DTR-S002") -> None:
        self._issues.append(Issue(code, Severity.ERROR, message, pointer, None, cell.as_source()))

    def finished(self, document: dict[str, Any]) -> list[Issue]:
        """The issues, each with the referral it concerns (known once the document is built)."""
        referrals = document.get("referrals") or []
        result = []
        for issue in self._issues:
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
