"""Opening a ledger: by path or URL, created owner-only, upgraded to the current schema."""

from __future__ import annotations

import os
import sqlite3
import stat
import threading
import time
from pathlib import Path

import pytest
from ledger_documents import PLATFORM, filing, suspicion

from compliance.ledger import LATEST_VERSION, Ledger, LedgerError, open_ledger


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.mark.parametrize("umask", [0o022, 0o000])
def test_a_sqlite_ledger_and_its_wal_and_shm_are_owner_only(tmp_path: Path, umask: int) -> None:
    path = tmp_path / "ledger.db"
    previous = os.umask(umask)
    try:
        with open_ledger(path) as ledger:
            ledger.record_suspicion(suspicion("R-1"))
            files = sorted(tmp_path.iterdir())
            assert [file.name for file in files] == ["ledger.db", "ledger.db-shm", "ledger.db-wal"]
            assert {file.name: _mode(file) for file in files} == {
                file.name: 0o600 for file in files
            }
    finally:
        os.umask(previous)


def test_a_sqlite_ledger_is_in_wal_mode(tmp_path: Path) -> None:
    open_ledger(tmp_path / "ledger.db").close()
    with sqlite3.connect(tmp_path / "ledger.db") as connection:
        assert connection.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_a_writer_waits_for_another_instead_of_failing(tmp_path: Path) -> None:
    path = tmp_path / "ledger.db"
    open_ledger(path).close()
    holder = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    holder.execute("BEGIN IMMEDIATE")
    released = threading.Timer(0.5, lambda: holder.execute("COMMIT"))
    released.start()
    try:
        with open_ledger(path) as ledger:
            started = time.monotonic()
            result = ledger.file_referral(filing("R-1"))
            waited = time.monotonic() - started
    finally:
        released.join()
        holder.close()
    assert str(result.outcome) == "filed"
    assert waited >= 0.3


def test_a_ledger_in_a_missing_folder_is_refused(tmp_path: Path) -> None:
    with pytest.raises(LedgerError, match="does not exist"):
        open_ledger(tmp_path / "nowhere" / "ledger.db")
    assert not (tmp_path / "nowhere").exists()


@pytest.mark.parametrize("url", ["mysql://db/ledger", "sqlite:///tmp/ledger.db", "http://x/y"])
def test_a_url_other_than_postgresql_is_refused(url: str) -> None:
    with pytest.raises(LedgerError, match="SQLite file path or a postgresql:// URL"):
        open_ledger(url)


def test_a_postgresql_ledger_that_cannot_be_reached_is_named_without_its_password() -> None:
    with pytest.raises(LedgerError) as raised:
        open_ledger("postgresql://officer:s3cret-word@127.0.0.1:1/ledger?connect_timeout=2")
    assert "s3cret-word" not in str(raised.value)
    assert "postgresql://officer:***@127.0.0.1:1/ledger" in str(raised.value)


def test_opening_creates_the_schema_once_and_keeps_what_was_recorded(target: str) -> None:
    with open_ledger(target) as ledger:
        assert ledger.applied_migrations == tuple(range(1, LATEST_VERSION + 1))
        assert ledger.schema_version == LATEST_VERSION
        receipt = ledger.file_referral(filing("R-1")).receipt
    with open_ledger(target) as ledger:
        assert ledger.applied_migrations == ()
        assert ledger.schema_version == LATEST_VERSION
        record = ledger.referral(PLATFORM, "R-1")
        assert record is not None
        assert record.latest.receipt == receipt


def test_a_ledger_of_a_newer_tool_is_refused(ledger: Ledger, target: str) -> None:
    with ledger._database.transaction(write=True) as transaction:
        transaction.execute(
            "INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)",
            (LATEST_VERSION + 1, "from the future", transaction.clock()),
        )
    with pytest.raises(LedgerError, match=f"schema version {LATEST_VERSION + 1}.*newer"):
        open_ledger(target)


def test_the_dialect_is_named(ledger: Ledger, backend: str) -> None:
    assert ledger.dialect == backend
