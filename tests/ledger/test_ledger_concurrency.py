"""Many processes on one ledger at once: nothing lost, doubled or interleaved (spec 10.2).

Each test starts real processes (``ledger_worker.py``), lets them get ready (imported, and
connected where the test allows), then releases them together with a go file.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from ledger_documents import PLATFORM

from compliance.ledger import LATEST_VERSION, Ledger, open_ledger

WORKER = Path(__file__).with_name("ledger_worker.py")
Q3 = (datetime(2026, 7, 1, tzinfo=UTC), datetime(2026, 10, 1, tzinfo=UTC))

pytestmark = pytest.mark.slow


def _together(commands: list[list[str]], go: Path) -> tuple[list[Any], float]:
    """Run the workers, release them at once; their printed results and the seconds taken."""
    processes = [
        subprocess.Popen(
            [sys.executable, str(WORKER), command[0], command[1], str(go), *command[2:]],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for command in commands
    ]
    try:
        deadline = time.monotonic() + 120
        while len(list(go.parent.glob(f"{go.name}.ready.*"))) < len(processes):
            failed = [p for p in processes if p.poll() is not None]
            if failed:
                raise AssertionError(f"a worker ended before the start: {failed[0].stderr.read()}")  # type: ignore[union-attr]
            assert time.monotonic() < deadline, "the workers never got ready"
            time.sleep(0.01)
        started = time.perf_counter()
        go.touch()
        outputs = [process.communicate(timeout=600) for process in processes]
        elapsed = time.perf_counter() - started
    finally:
        for process in processes:
            if process.poll() is None:
                process.kill()
    for process, (_out, error) in zip(processes, outputs, strict=True):
        assert process.returncode == 0, error
    return [json.loads(out) for out, _error in outputs], elapsed


def _receipt_ids(ledger: Ledger) -> list[tuple[str, str]]:
    with ledger._database.transaction(write=False) as transaction:
        rows = transaction.rows("SELECT referral_id, receipt_id FROM referral_versions")
    return sorted((str(referral_id), str(receipt_id)) for referral_id, receipt_id in rows)


def test_eight_processes_file_a_thousand_referrals(
    target: str, tmp_path: Path, backend: str
) -> None:
    open_ledger(target).close()
    workers = 8
    results, elapsed = _together(
        [["file", target, str(first), "1000", str(workers)] for first in range(workers)],
        tmp_path / "go",
    )
    print(f"\n{backend}: {workers} processes filed 1,000 referrals in {elapsed:.2f} s")
    reported = sorted((rid, receipt) for result in results for rid, _outcome, receipt in result)
    assert {outcome for result in results for _rid, outcome, _receipt in result} == {"filed"}
    with open_ledger(target) as ledger:
        stored = _receipt_ids(ledger)
        assert stored == reported
        assert len(stored) == 1000
        assert len({receipt for _rid, receipt in stored}) == 1000
        assert [rid for rid, _receipt in stored] == [f"R-{n:05d}" for n in range(1000)]
        assert len(ledger.latest_documents(PLATFORM, *Q3)) == 1000


def test_one_document_filed_by_two_processes_at_once_gets_one_receipt(
    target: str, tmp_path: Path
) -> None:
    open_ledger(target).close()
    results, _elapsed = _together(
        [["file", target, "0", "200", "1"], ["file", target, "0", "200", "1"]], tmp_path / "go"
    )
    first, second = results
    assert [receipt for _rid, _outcome, receipt in first] == [
        receipt for _rid, _outcome, receipt in second
    ]
    outcomes = sorted(
        (a_outcome, b_outcome)
        for (_rid, a_outcome, _a), (_rid2, b_outcome, _b) in zip(first, second, strict=True)
    )
    # For each document one process filed it, and the other found it filed.
    assert {tuple(sorted(pair)) for pair in outcomes} == {("filed", "unchanged")}
    with open_ledger(target) as ledger:
        assert len(_receipt_ids(ledger)) == 200


def test_processes_opening_a_fresh_ledger_at_once_migrate_it_once(
    new_target: Callable[[], str], tmp_path: Path
) -> None:
    for round_ in range(3):
        target = new_target()
        results, _elapsed = _together(
            [["open", target] for _ in range(4)], tmp_path / f"go-{round_}"
        )
        applied = sorted(version for result in results for version in result)
        assert applied == list(range(1, LATEST_VERSION + 1)), results
        assert sum(1 for result in results if result) == 1, results
        with open_ledger(target) as ledger:
            with ledger._database.transaction(write=False) as transaction:
                rows = transaction.rows("SELECT version FROM schema_migrations ORDER BY version")
            assert [row[0] for row in rows] == list(range(1, LATEST_VERSION + 1))


def test_one_return_received_by_two_processes_at_once_is_acknowledged_once(
    target: str, tmp_path: Path
) -> None:
    open_ledger(target).close()
    results, _elapsed = _together(
        [["acknowledge", target, "50"], ["acknowledge", target, "50"]], tmp_path / "go"
    )
    first, second = results
    assert [ack for _outcome, ack in first] == [ack for _outcome, ack in second]
    with open_ledger(target) as ledger:
        assert len(ledger.acknowledgements("2026-Q3")) == 50
