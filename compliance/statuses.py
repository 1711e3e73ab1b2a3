"""Every status word the tool writes, defined once as a ``StrEnum``.

A status is part of the contract: machines read ``manifest.json``, receipts and the sector
report by these words. As ``StrEnum`` members they are the words themselves (equal to them,
``str()`` and JSON give them unchanged), so outputs stay byte-identical, while code that
compares or counts them names a member rather than retyping the word, and a typo fails at
import instead of matching nothing.

This module imports nothing of the package, so that the command line can use it without
loading the batch or the regulator.
"""

from __future__ import annotations

from enum import StrEnum, unique


@unique
class BatchStatus(StrEnum):
    """What became of one input of a batch (DTR-1 §9), in ``manifest.json`` and
    ``batch-summary.xlsx``."""

    RENDERED = "rendered"
    REJECTED = "rejected"  # not filing-ready, unreadable, or its rendering failed
    SKIPPED = "skipped"  # a readable submission of another period, or a referral document


@unique
class ReceiptStatus(StrEnum):
    """What ``receive`` says of one return (DTR-1.1 §11), as FinCEN acknowledges a filing.
    Breaches win over warnings: a regulator reads a breach first."""

    ACCEPTED = "accepted"
    ACCEPTED_WITH_BREACHES = "accepted_with_breaches"
    ACCEPTED_WITH_WARNINGS = "accepted_with_warnings"
    REJECTED = "rejected"


@unique
class PdfState(StrEnum):
    """What became of the ``return.pdf`` beside a received return."""

    MATCHES = "matches"  # embeds exactly the workbook's content
    DIFFERS = "differs"
    UNREADABLE = "unreadable"
    NOT_COMPARED = "not compared"  # the workbook itself could not be read as a return
    ABSENT = "absent"


@unique
class SelectionStatus(StrEnum):
    """What ``aggregate`` did with one received return of the period (its Returns sheet)."""

    USED = "used"
    SUPERSEDED = "superseded"  # an amendment of it was received
    DUPLICATE = "duplicate"  # the same submission received again; counted once
    CONFLICT = "conflict"  # competes with the return used, and no amendment decides
    REJECTED = "rejected"  # its receipt rejected it


@unique
class DeadlineState(StrEnum):
    """Where a referral stands against its deadline at a given moment (DTR-1 6.1)."""

    MET = "met"  # referred, within the deadline (exactly on it counts as in time)
    LATE = "late"  # referred after the deadline: DTR-T005
    OVERDUE = "overdue"  # not referred, and the deadline passed: DTR-T006
    PENDING = "pending"  # not referred, the deadline still ahead: DTR-T007


@unique
class FilerStatus(StrEnum):
    """Where a platform stands for a quarter, by the regulator's register and ledger
    (DTR-1 §11, ``compliance filers``)."""

    FILED = "filed"  # a return was accepted (with late_days of the first accepted)
    REJECTED = "rejected"  # returns received, none accepted yet
    MISSING = "missing"  # nothing received, and the due date passed
    NOT_YET_DUE = "not_yet_due"  # nothing received, and the due date still ahead
    UNREGISTERED = "unregistered"  # filed, but not expected by the register for the quarter
