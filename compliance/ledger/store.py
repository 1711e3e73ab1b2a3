"""The ledger as a library: open it by path or URL, then file, withdraw, query, acknowledge.

Each method is one transaction: a write commits whole or not at all, and a read sees one
state of the ledger. A ``Ledger`` holds one connection; use one per thread, and as many
processes as you like.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable
from datetime import datetime
from pathlib import Path
from types import TracebackType

from compliance.ledger import acknowledgements, filing, queries
from compliance.ledger.acknowledgements import (
    Acknowledgement,
    AcknowledgementResult,
    ReceivedReturn,
)
from compliance.ledger.database import Database
from compliance.ledger.errors import LedgerError
from compliance.ledger.identity import PlatformKey
from compliance.ledger.migrations import LATEST_VERSION, migrate, schema_version
from compliance.ledger.postgres import PostgresDatabase, is_postgres_url
from compliance.ledger.records import (
    Filing,
    FilingResult,
    RecordedDocument,
    RecordResult,
    ReferralRecord,
    ReferralState,
    Suspicion,
    WithdrawalResult,
)
from compliance.ledger.sqlite import SqliteDatabase

_URL = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://")


def open_ledger(target: str | os.PathLike[str], *, upgrade_to: int = LATEST_VERSION) -> Ledger:
    """Open (creating or upgrading as needed) the ledger at a file path or a PostgreSQL URL.

    ``upgrade_to`` stops the upgrade at an older schema version: for testing upgrades only.
    """
    text = os.fspath(target)
    database: Database
    if is_postgres_url(text):
        database = PostgresDatabase(text)
    elif _URL.match(text):
        raise LedgerError(
            f"ledger {text.partition('://')[0]}://...: a ledger is a SQLite file path or a"
            " postgresql:// URL"
        )
    else:
        database = SqliteDatabase(Path(text))
    try:
        applied = migrate(database, upto=upgrade_to)
        version = schema_version(database)
    except BaseException:
        database.close()
        raise
    return Ledger(database, version=version, applied=applied)


class Ledger:
    def __init__(self, database: Database, *, version: int, applied: tuple[int, ...]) -> None:
        self._database = database
        self.schema_version = version
        self.applied_migrations = applied
        """The schema versions this opening applied (none when the ledger was current)."""

    @property
    def location(self) -> str:
        """The file path or URL (without its password) of the ledger."""
        return self._database.location

    @property
    def dialect(self) -> str:
        """``sqlite`` or ``postgresql``."""
        return self._database.dialect

    def close(self) -> None:
        self._database.close()

    def __enter__(self) -> Ledger:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    # Filing (spec 10.2, 10.4).

    def record_suspicion(self, suspicion: Suspicion) -> RecordResult:
        with self._database.transaction(write=True) as transaction:
            return filing.record_suspicion(transaction, suspicion)

    def file_referral(self, referral: Filing, *, later_facts: bool = False) -> FilingResult:
        """File a referral. ``later_facts``: the caller found that the document differs from
        the filed one only in facts that arrive after filing (``later_facts.py``), so it is
        recorded as a new version instead of answered with CONFLICT."""
        with self._database.transaction(write=True) as transaction:
            return filing.file_referral(transaction, referral, later_facts=later_facts)

    def withdraw(self, platform: PlatformKey, referral_id: str, reason: str) -> WithdrawalResult:
        with self._database.transaction(write=True) as transaction:
            return filing.withdraw(transaction, platform, referral_id, reason)

    # Reading.

    def clock(self) -> datetime:
        """The ledger's clock, UTC (the database server's, for PostgreSQL)."""
        with self._database.transaction(write=False) as transaction:
            return transaction.clock()

    def platforms(self) -> list[PlatformKey]:
        with self._database.transaction(write=False) as transaction:
            return queries.platforms(transaction)

    def referral(self, platform: PlatformKey, referral_id: str) -> ReferralRecord | None:
        with self._database.transaction(write=False) as transaction:
            return queries.referral(transaction, platform, referral_id)

    def versions(self, platform: PlatformKey, referral_id: str) -> list[RecordedDocument]:
        with self._database.transaction(write=False) as transaction:
            return queries.versions(transaction, platform, referral_id)

    def is_referred(self, platform: PlatformKey, referral_id: str) -> bool:
        with self._database.transaction(write=False) as transaction:
            return queries.is_referred(transaction, platform, referral_id)

    def open_suspicions(self, platform: PlatformKey | None = None) -> list[ReferralRecord]:
        with self._database.transaction(write=False) as transaction:
            return queries.open_suspicions(transaction, platform)

    def latest_documents(
        self,
        platform: PlatformKey,
        start: datetime,
        end: datetime,
        *,
        as_of: datetime | None = None,
        state: ReferralState | None = None,
    ) -> list[RecordedDocument]:
        with self._database.transaction(write=False) as transaction:
            return queries.latest_documents(
                transaction, platform, start, end, as_of=as_of, state=state
            )

    def last_document(
        self, platform: PlatformKey, *, as_of: datetime | None = None
    ) -> RecordedDocument | None:
        with self._database.transaction(write=False) as transaction:
            return queries.last_document(transaction, platform, as_of=as_of)

    # The regulator's acknowledgements (spec 11).

    def record_acknowledgement(
        self, received: ReceivedReturn, *, decide: acknowledgements.Decide | None = None
    ) -> AcknowledgementResult:
        """Record ``received`` once; ``decide`` (called under the lock, only when it was not
        received before) may change it, e.g. reject it, from what it finds recorded."""
        with self._database.transaction(write=True) as transaction:
            return acknowledgements.record(transaction, received, decide)

    def acknowledgement(self, acknowledgement_id: str) -> Acknowledgement | None:
        with self._database.transaction(write=False) as transaction:
            return acknowledgements.by_id(transaction, acknowledgement_id)

    def acknowledgement_for_files(self, sha256s: Iterable[str]) -> Acknowledgement | None:
        with self._database.transaction(write=False) as transaction:
            return acknowledgements.by_files(transaction, sha256s)

    def acknowledgement_for_values(
        self, platform: PlatformKey, period: str, submission_id: str, values_digest: str
    ) -> Acknowledgement | None:
        with self._database.transaction(write=False) as transaction:
            return acknowledgements.by_values(
                transaction, platform, period, submission_id, values_digest
            )

    def acknowledgements_for_submission(
        self, platform: PlatformKey, period: str, submission_id: str
    ) -> list[Acknowledgement]:
        with self._database.transaction(write=False) as transaction:
            return acknowledgements.for_submission(transaction, platform, period, submission_id)

    def acknowledgements(self, period: str) -> list[Acknowledgement]:
        """The acknowledgements of returns for ``period``, in the order received."""
        with self._database.transaction(write=False) as transaction:
            return acknowledgements.for_period(transaction, period)
