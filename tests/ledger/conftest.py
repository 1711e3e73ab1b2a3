"""Every ledger test runs on both back ends, each test in a ledger of its own.

SQLite: a file in the test's temporary folder. PostgreSQL: a schema of its own (created for
the test, named in the URL's search_path, dropped afterwards), on the server
``ledger_postgres.py`` finds or starts once per session. When there is none, the PostgreSQL
tests are skipped with the reason; under ``CI=true`` such a skip fails the run instead, so a
missing server can never pass for green.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from ledger_postgres import Server, Unavailable, find_or_start, with_search_path

from compliance.ledger import Ledger, open_ledger

BACKENDS = ("sqlite", "postgresql")


@pytest.fixture(scope="session")
def postgres_server(request: pytest.FixtureRequest) -> Iterator[Server | str]:
    """The session's server, or why there is none."""
    reporter = request.config.pluginmanager.get_plugin("terminalreporter")
    try:
        server = find_or_start()
    except Unavailable as error:
        reason = f"no PostgreSQL server for the ledger tests: {error}"
        if reporter:
            reporter.write_line(f"\nledger tests: {reason}", yellow=True, bold=True)
        yield reason
        return
    if reporter:
        reporter.write_line(f"\nledger tests: PostgreSQL is {server.origin}")
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def new_target(
    backend: str, request: pytest.FixtureRequest, tmp_path: Any
) -> Iterator[Callable[[], str]]:
    """Makes places for fresh, empty ledgers on the test's back end; cleans them up after."""
    if backend == "sqlite":
        counter = iter(range(1_000_000))
        yield lambda: str(tmp_path / f"ledger-{next(counter)}.db")
        return
    server = request.getfixturevalue("postgres_server")
    if isinstance(server, str):
        pytest.skip(server)
    import psycopg

    schemas: list[str] = []

    def make() -> str:
        schema = f"ledger_test_{uuid.uuid4().hex[:20]}"
        with psycopg.connect(server.url, autocommit=True) as connection:
            connection.execute(f'CREATE SCHEMA "{schema}"')
        schemas.append(schema)
        return with_search_path(server.url, schema)

    yield make
    with psycopg.connect(server.url, autocommit=True) as connection:
        for schema in schemas:
            connection.execute(f'DROP SCHEMA "{schema}" CASCADE')


@pytest.fixture
def target(new_target: Callable[[], str]) -> str:
    """The place of the test's own ledger (not yet created)."""
    return new_target()


@pytest.fixture
def ledger(target: str) -> Iterator[Ledger]:
    with open_ledger(target) as opened:
        yield opened


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[None]:
    outcome = yield
    report: pytest.TestReport = outcome.get_result()  # type: ignore[attr-defined]
    callspec = getattr(item, "callspec", None)
    if (
        report.skipped
        and callspec is not None
        and callspec.params.get("backend") == "postgresql"
        and os.environ.get("CI", "").lower() in ("true", "1")
    ):
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else report.longrepr
        report.outcome = "failed"
        report.longrepr = f"a PostgreSQL ledger test was skipped under CI=true: {reason}"
