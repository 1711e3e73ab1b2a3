"""Soak: a batch of 1,000 small submissions with faults injected at random (fixed seed).

Unreadable entries, read errors, workers killed (once, and every time), a full disk on an
output, on a submission's manifest and on the journal: every input must end accounted for
exactly once with a status and reason that fit, every listed output must exist with its
SHA-256, nothing half-written may stay behind, and a second run must complete what failed
for a passing reason while reusing the rest. ``scripts/soak_batch.py`` runs any size.
"""

from __future__ import annotations

import errno
import json
from pathlib import Path

import pytest
from soak_helpers import (
    FAULT_KINDS,
    PERSISTENT_FAULTS,
    audit,
    build_plan,
    disk_full_once,
    injected_faults,
    run,
)

from compliance.statuses import BatchStatus


def entries(out: Path) -> list[dict]:
    return json.loads((out / "manifest.json").read_text(encoding="utf-8"))["inputs"]


@pytest.mark.slow
def test_a_thousand_inputs_with_faults_all_end_accounted_for(tmp_path: Path) -> None:
    plan = build_plan(tmp_path, 1000)
    assert set(plan.faults()) == set(FAULT_KINDS)
    with injected_faults(plan):
        first = run(plan)
    assert audit(plan, 1) == []
    assert sum(first.counts.values()) == 1000
    first_entries = entries(plan.out)

    with injected_faults(plan):  # the faults that fire every time are still there
        second = run(plan)
    assert audit(plan, 2) == []
    assert second.reused == plan.reusable(first_entries)
    ready = [i for i in plan.inputs if i.kind == "ready" and i.fault not in PERSISTENT_FAULTS]
    assert second.counts[BatchStatus.RENDERED] == len(ready)


def test_a_full_disk_on_the_batch_manifest_fails_the_run_cleanly(tmp_path: Path) -> None:
    """The batch's own manifest cannot be given up like one input's output: the run fails,
    leaving no partial file and no stale manifest, and running it again completes it."""
    plan = build_plan(tmp_path, 40, ready_share=0, fault_share=0)
    with (
        disk_full_once([(f"{plan.out}/manifest.json", "batch-manifest")], plan.markers),
        pytest.raises(OSError) as failure,
    ):
        run(plan)
    assert failure.value.errno == errno.ENOSPC
    assert not (plan.out / "manifest.json").exists()
    assert [p for p in plan.out.rglob("*") if p.name.endswith(".part")] == []
    again = run(plan)
    assert again.reused == 40  # every input was finished and journaled before the failure
    assert audit(plan, 2) == []
