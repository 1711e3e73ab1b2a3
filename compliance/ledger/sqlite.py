"""The embedded back end: one SQLite file, owner-only, in WAL mode.

WAL lets readers (``due`` in a monitor) run while one process files. Every writing
transaction starts with ``BEGIN IMMEDIATE``: it takes the database's write lock before it
reads anything, so a read-then-write decision (is this referral filed yet?) can never be
overtaken by another process, and two writers never deadlock by upgrading read locks. Others
wait for the lock up to the busy timeout rather than failing at once.
"""

from __future__ import annotations

import os
import sqlite3
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from types import MappingProxyType

from compliance.ledger.database import Database, Row, Transaction
from compliance.ledger.errors import LedgerError

BUSY_TIMEOUT_SECONDS = 60.0
"""How long a writer waits for another's transaction: filings are milliseconds each, so only
a stuck process makes anyone wait this long."""

OWNER_ONLY = 0o600
"""The ledger holds personal data (spec 10.2); SQLite gives its -wal and -shm the same mode."""


class SqliteDatabase(Database):
    dialect = "sqlite"
    column_types = MappingProxyType(
        {"timestamp": "TEXT", "bytes": "BLOB", "boolean": "INTEGER", "key": "TEXT"}
    )

    def __init__(self, path: Path) -> None:
        self.location = str(path)
        _create_owner_only(path)
        self._connection = sqlite3.connect(
            path, timeout=BUSY_TIMEOUT_SECONDS, isolation_level=None, check_same_thread=True
        )
        try:
            _use_wal(self._connection, path)
            # FULL: a receipt handed out must survive a power cut, which NORMAL does not promise
            # in WAL mode.
            self._connection.execute("PRAGMA synchronous = FULL")
            self._connection.execute("PRAGMA foreign_keys = ON")
        except BaseException:
            self._connection.close()
            raise

    @contextmanager
    def transaction(self, *, write: bool) -> Iterator[Transaction]:
        # A reading transaction is deferred: it sees one snapshot and never blocks a writer.
        self._connection.execute("BEGIN IMMEDIATE" if write else "BEGIN")
        try:
            yield _SqliteTransaction(self._connection)
        except BaseException:
            self._connection.execute("ROLLBACK")
            raise
        self._connection.execute("COMMIT")

    def close(self) -> None:
        self._connection.close()


class _SqliteTransaction(Transaction):
    def __init__(self, connection: sqlite3.Connection) -> None:
        self._connection = connection

    def execute(self, sql: str, params: Sequence[object] = ()) -> None:
        self._connection.execute(sql, _stored(params))

    def rows(self, sql: str, params: Sequence[object] = ()) -> list[Row]:
        return [tuple(row) for row in self._connection.execute(sql, _stored(params))]

    def lock(self, resource: str) -> None:
        # BEGIN IMMEDIATE already holds the one write lock SQLite has, for every resource.
        pass

    def clock(self) -> datetime:
        # An embedded database's clock is its host's: Python reads the same clock as SQLite's
        # 'now', to the microsecond instead of the millisecond.
        return datetime.now(UTC)

    def has_table(self, name: str) -> bool:
        found = self._connection.execute(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (name,)
        ).fetchone()
        return found is not None


def _use_wal(connection: sqlite3.Connection, path: Path) -> None:
    """Switch the file to WAL (it stays so), retrying while other openers hold it.

    Switching needs the file to itself, and SQLite answers BUSY at once there instead of
    calling the busy handler: several processes opening a fresh ledger together would fail.
    """
    deadline = time.monotonic() + BUSY_TIMEOUT_SECONDS
    pause = 0.001
    while True:
        try:
            mode = connection.execute("PRAGMA journal_mode = WAL").fetchone()[0]
        except sqlite3.OperationalError as error:
            busy = error.sqlite_errorcode in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED)
            if not busy or time.monotonic() > deadline:
                raise
            time.sleep(pause)
            pause = min(2 * pause, 0.05)
            continue
        if str(mode).lower() != "wal":
            raise LedgerError(f"ledger {path}: SQLite cannot use WAL mode there ({mode})")
        return


def stored_timestamp(moment: datetime) -> str:
    """Fixed width, always six fraction digits, UTC: text that sorts as the instants do."""
    if moment.tzinfo is None:
        raise ValueError(f"timestamp {moment.isoformat()} has no UTC offset")
    moment = moment.astimezone(UTC)
    return f"{moment.year:04d}-{moment.strftime('%m-%dT%H:%M:%S.%f')}Z"


def _stored(params: Sequence[object]) -> tuple[object, ...]:
    return tuple(stored_timestamp(p) if isinstance(p, datetime) else p for p in params)


def _create_owner_only(path: Path) -> None:
    """Create the file 0600 before SQLite opens it: SQLite itself would follow the umask."""
    if not path.parent.is_dir():
        raise LedgerError(f"ledger {path}: the folder {path.parent} does not exist")
    try:
        descriptor = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, OWNER_ONLY)
    except FileExistsError:
        return
    except OSError as error:
        raise LedgerError(f"ledger {path}: cannot create it ({error.strerror})") from error
    try:
        # The umask may have taken bits away from os.open's mode; it never adds any here.
        os.fchmod(descriptor, OWNER_ONLY)
    finally:
        os.close(descriptor)
