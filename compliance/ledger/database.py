"""The small dialect adapter: what the ledger asks of a database, and nothing more.

The ledger's SQL is written once, with ``?`` placeholders and ``ON CONFLICT``, which both
SQLite and PostgreSQL understand. What differs sits behind this interface: how a writer
takes its lock, where the clock is, how a timestamp travels, and a few column types.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping, Sequence
from contextlib import AbstractContextManager
from datetime import UTC, datetime
from typing import Any

Row = tuple[Any, ...]


class Transaction(ABC):
    """One open transaction; it commits when its block ends and rolls back on an exception."""

    @abstractmethod
    def execute(self, sql: str, params: Sequence[object] = ()) -> None: ...

    @abstractmethod
    def rows(self, sql: str, params: Sequence[object] = ()) -> list[Row]: ...

    def row(self, sql: str, params: Sequence[object] = ()) -> Row | None:
        found = self.rows(sql, params)
        return found[0] if found else None

    @abstractmethod
    def lock(self, resource: str) -> None:
        """Hold ``resource`` until the transaction ends: writers of one resource take turns."""

    @abstractmethod
    def clock(self) -> datetime:
        """The ledger's clock, UTC, read after the locks taken so far are held."""

    @abstractmethod
    def has_table(self, name: str) -> bool: ...


class Database(ABC):
    """One connection to a ledger; used by one thread at a time."""

    dialect: str
    column_types: Mapping[str, str]
    """What the migrations' ``{timestamp}``, ``{bytes}``, ``{boolean}`` and ``{key}`` become."""
    location: str
    """Where the ledger is, for messages (a URL without its password)."""

    @abstractmethod
    def transaction(self, *, write: bool) -> AbstractContextManager[Transaction]:
        """A transaction; a writing one waits for (and then excludes) other writers."""

    @abstractmethod
    def close(self) -> None: ...


def as_datetime(value: object) -> datetime:
    """A timestamp read back from either database, as an aware UTC datetime."""
    if isinstance(value, datetime):
        return value.astimezone(UTC)
    if isinstance(value, str):
        return datetime.fromisoformat(value).astimezone(UTC)
    raise TypeError(f"{value!r} is not a stored timestamp")


def as_optional_datetime(value: object) -> datetime | None:
    return None if value is None else as_datetime(value)


def as_optional_bool(value: object) -> bool | None:
    # SQLite keeps booleans as the integers 0 and 1.
    return None if value is None else bool(value)


def as_bytes(value: object) -> bytes:
    if isinstance(value, bytes | bytearray | memoryview):
        return bytes(value)
    raise TypeError(f"{type(value).__name__} is not stored bytes")
