"""The filing ledger: what a platform filed, and what a regulator received (spec 10.2, 11).

One storage layer serves both ledgers. It sits below the commands: filing, compiling and
receiving import it; checking and rendering never do, and it imports neither of them.

Opening. ``open_ledger(target)`` takes a file path (SQLite, the default: one file, created
owner-only 0600 because it holds personal data, in WAL mode with a busy timeout) or a
``postgresql://`` URL (a team's shared ledger, through psycopg 3). Opening upgrades an older
ledger to the current schema in one transaction, under a lock, so two processes opening a
fresh ledger at once migrate it once (``migrations.py``).

Plain drivers, not SQLAlchemy. The SQL the ledger needs is a handful of tables and
statements, and both sqlite3 and PostgreSQL speak it alike, ``ON CONFLICT`` included; it is
written once with ``?`` placeholders. What differs between the two is exactly what SQLAlchemy
Core would not hide: how a writer excludes others before it decides (SQLite
``BEGIN IMMEDIATE``, a PostgreSQL advisory lock per referral), whose clock is the ledger's,
and how a timestamp is stored. Those sit in one small adapter (``database.py``, with
``sqlite.py`` and ``postgres.py``). SQLAlchemy would add a large dependency, its own
transaction handling layered over sqlite3's (which needs event hooks to issue
``BEGIN IMMEDIATE`` at all), and Alembic for migrations that here are an ordered list of SQL.

What the ledger decides, and what it does not. The caller (filing, receiving) checks a
document, computes its deadline, breaches and canonical form, and renders its pack; the
ledger records it idempotently and answers with an outcome: recorded, unchanged (a retry:
the existing receipt), or a conflict the caller turns into its own issue (``DTR-L001``). It
keeps every version of every referral and the deadline first recorded.

The API, in one place:

- ``open_ledger``, ``Ledger`` (``store.py``): ``record_suspicion``, ``file_referral``,
  ``withdraw``; ``referral``, ``versions``, ``is_referred``, ``open_suspicions``,
  ``latest_documents``, ``last_document``, ``platforms``, ``clock``;
  ``record_acknowledgement``, ``acknowledgement``, ``acknowledgement_for_files``,
  ``acknowledgement_for_values``, ``acknowledgements_for_submission``, ``acknowledgements``.
- Inputs and outputs (``records.py``, ``acknowledgements.py``): frozen dataclasses and
  outcome enums.
- ``canonical_bytes``, ``canonical_sha256`` (``canonical.py``): the canonical form.
- ``differs_only_in_later_facts`` (``later_facts.py``): when a filed referral may get a new
  version.
- ``mint_receipt_id``, ``mint_acknowledgement_id`` (``ids.py``): ULID-shaped ids, sortable by
  time, and DTR-1 identifiers.
"""

from compliance.ledger.acknowledgements import (
    Acknowledgement,
    AcknowledgementOutcome,
    AcknowledgementResult,
    AcknowledgementStatus,
    ReceivedFile,
    ReceivedReturn,
    files_key,
)
from compliance.ledger.canonical import canonical_bytes, canonical_sha256, sha256_hex, utc_text
from compliance.ledger.errors import LedgerError
from compliance.ledger.identity import PlatformKey, identifier_key
from compliance.ledger.ids import mint_acknowledgement_id, mint_receipt_id, minted_at
from compliance.ledger.later_facts import differs_only_in_later_facts
from compliance.ledger.migrations import LATEST_VERSION
from compliance.ledger.records import (
    Filing,
    FilingOutcome,
    FilingResult,
    Receipt,
    RecordedDocument,
    RecordOutcome,
    RecordResult,
    ReferralRecord,
    ReferralState,
    Suspicion,
    ToolVersions,
    WithdrawalOutcome,
    WithdrawalResult,
)
from compliance.ledger.store import Ledger, open_ledger

__all__ = [
    "LATEST_VERSION",
    "Acknowledgement",
    "AcknowledgementOutcome",
    "AcknowledgementResult",
    "AcknowledgementStatus",
    "Filing",
    "FilingOutcome",
    "FilingResult",
    "Ledger",
    "LedgerError",
    "PlatformKey",
    "Receipt",
    "ReceivedFile",
    "ReceivedReturn",
    "RecordOutcome",
    "RecordResult",
    "RecordedDocument",
    "ReferralRecord",
    "ReferralState",
    "Suspicion",
    "ToolVersions",
    "WithdrawalOutcome",
    "WithdrawalResult",
    "canonical_bytes",
    "canonical_sha256",
    "differs_only_in_later_facts",
    "files_key",
    "identifier_key",
    "mint_acknowledgement_id",
    "mint_receipt_id",
    "minted_at",
    "open_ledger",
    "sha256_hex",
    "utc_text",
]
