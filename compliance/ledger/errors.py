"""The one exception the ledger raises for a ledger that cannot be used as asked."""

from __future__ import annotations

from compliance.errors import ComplianceError


class LedgerError(ComplianceError):
    """A ledger that cannot be opened, or is newer than this tool: one sentence for a person.

    Database errors of a ledger that was opened (a lost connection, a full disk) are not
    wrapped: they are rare, and their own messages say more than a rewording would.
    """
