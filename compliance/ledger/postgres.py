"""The shared back end: a PostgreSQL database named by URL, through psycopg 3.

Transactions run at READ COMMITTED. A writer first takes a transaction-scoped advisory lock
on what it is about to decide (one referral, the acknowledgements, the migrations), so two
processes filing the same referral take turns, while filings of different referrals run side
by side. Lock keys include the schema the ledger lives in, so ledgers in two schemas of one
database never wait for each other. Reading transactions are REPEATABLE READ and READ ONLY:
one snapshot for a query that reads several tables.

The tables go into the first schema of the connection's ``search_path``; a team that keeps
the ledger beside other tables names its schema in the URL, e.g.
``postgresql://host/db?options=-csearch_path%3Dledger``.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from functools import cache
from types import MappingProxyType
from typing import TYPE_CHECKING
from urllib.parse import urlsplit, urlunsplit

from compliance.ledger.database import Database, Row, Transaction
from compliance.ledger.errors import LedgerError

if TYPE_CHECKING:
    import psycopg

LOCK_TIMEOUT = "60s"
"""As SQLite's busy timeout: only a stuck process holds a ledger lock this long."""

URL_SCHEMES = ("postgresql", "postgres")


class PostgresDatabase(Database):
    dialect = "postgresql"
    # COLLATE "C": identifiers sort by their bytes, as in SQLite, whatever the database's locale.
    column_types = MappingProxyType(
        {
            "timestamp": "TIMESTAMPTZ",
            "bytes": "BYTEA",
            "boolean": "BOOLEAN",
            "key": 'TEXT COLLATE "C"',
        }
    )

    def __init__(self, url: str) -> None:
        # Imported here: a SQLite ledger needs neither psycopg nor libpq loaded.
        import psycopg

        self.location = redacted(url)
        try:
            self._connection = psycopg.connect(url, autocommit=True)
        except psycopg.Error as error:
            raise LedgerError(f"ledger {self.location}: cannot connect ({error})") from error
        try:
            self._connection.execute(f"SET lock_timeout = '{LOCK_TIMEOUT}'")
            found = self._connection.execute("SELECT current_schema()").fetchone()
        except BaseException:
            self._connection.close()
            raise
        self._schema = str(found[0]) if found and found[0] is not None else ""
        if not self._schema:
            self._connection.close()
            raise LedgerError(
                f"ledger {self.location}: no schema of the search_path exists to hold the ledger"
            )

    @contextmanager
    def transaction(self, *, write: bool) -> Iterator[Transaction]:
        with self._connection.transaction(), self._connection.cursor() as cursor:
            if not write:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            yield _PostgresTransaction(cursor, self._schema)

    def close(self) -> None:
        self._connection.close()


class _PostgresTransaction(Transaction):
    def __init__(self, cursor: psycopg.Cursor[Row], schema: str) -> None:
        self._cursor = cursor
        self._schema = schema

    def execute(self, sql: str, params: Sequence[object] = ()) -> None:
        self._cursor.execute(_placeholders(sql), params)

    def rows(self, sql: str, params: Sequence[object] = ()) -> list[Row]:
        self._cursor.execute(_placeholders(sql), params)
        return self._cursor.fetchall()

    def lock(self, resource: str) -> None:
        self._cursor.execute(
            "SELECT pg_advisory_xact_lock(%s)", (_lock_key(self._schema, resource),)
        )

    def clock(self) -> datetime:
        # clock_timestamp(), not now(): now() is when the transaction began, before it waited
        # for its lock, so a later filing could carry an earlier time.
        self._cursor.execute("SELECT clock_timestamp()")
        found = self._cursor.fetchone()
        assert found is not None
        moment: datetime = found[0]
        return moment.astimezone(UTC)

    def has_table(self, name: str) -> bool:
        # A query of the catalog tables, not to_regclass(): that looks names up in this
        # session's cache, which may still hold "no such table" from before another process
        # committed the migration this transaction waited for, and so migrate a second time.
        self._cursor.execute(
            "SELECT EXISTS (SELECT 1 FROM pg_catalog.pg_class c"
            " JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace"
            " WHERE n.nspname = current_schema() AND c.relname = %s)",
            (name,),
        )
        found = self._cursor.fetchone()
        return bool(found and found[0])


def is_postgres_url(target: str) -> bool:
    return urlsplit(target).scheme in URL_SCHEMES


def redacted(url: str) -> str:
    """The URL with its password (if any) replaced by ``***``: safe for messages and logs."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    host = parts.netloc.rpartition("@")[2]
    return urlunsplit(parts._replace(netloc=f"{parts.username or ''}:***@{host}"))


@cache
def _placeholders(sql: str) -> str:
    # The ledger's SQL has no literal % or ?, so the translation is a plain replacement.
    return sql.replace("%", "%%").replace("?", "%s")


def _lock_key(schema: str, resource: str) -> int:
    """A signed 64-bit advisory-lock key; a rare collision only makes two writers take turns."""
    digest = hashlib.sha256(f"compliance-ledger\0{schema}\0{resource}".encode()).digest()
    return int.from_bytes(digest[:8], "big", signed=True)
