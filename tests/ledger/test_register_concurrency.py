"""Four processes receive the same returns at once: each return is acknowledged once, and
every process is told the same acknowledgement (SQLite and PostgreSQL)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from register_returns import KESTREL, LUMEN, TERN, rendered_return

from compliance.ledger import open_ledger

pytestmark = pytest.mark.slow
PROCESSES = 4


def test_acknowledgements_are_idempotent_across_processes(target: str, tmp_path: Path) -> None:
    files = [
        rendered_return(tmp_path / spec.slug, spec, "2026-Q3", seed=30 + number)
        for number, spec in enumerate((KESTREL, LUMEN, TERN))
    ]
    with open_ledger(target):
        pass  # created and migrated: the race is over the acknowledgements, not the schema
    command = [
        sys.executable,
        "-m",
        "compliance",
        "receive",
        *map(str, files),
        "--ledger",
        target,
        "--at",
        "2026-10-20T12:00:00Z",
        "--format",
        "json",
    ]
    processes = [
        subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for _ in range(PROCESSES)
    ]
    outputs = [process.communicate(timeout=300) for process in processes]
    for process, (_out, error) in zip(processes, outputs, strict=True):
        assert process.returncode == 0, error
    seen = [[r["acknowledgement_id"] for r in json.loads(out)] for out, _error in outputs]
    assert all(ids == seen[0] for ids in seen)
    assert len(set(seen[0])) == 3
    fresh = [sum(not r["received_before"] for r in json.loads(out)) for out, _error in outputs]
    assert sum(fresh) == 3  # each return recorded by exactly one process
    with open_ledger(target) as ledger:
        recorded = ledger.acknowledgements("2026-Q3")
    assert sorted(a.acknowledgement_id for a in recorded) == sorted(seen[0])
