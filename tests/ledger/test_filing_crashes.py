"""`refer` killed with SIGKILL at random moments, then run again: the ledger and the out
folder agree, no pack is half-written, and no temporary pack is left behind."""

from __future__ import annotations

import hashlib
import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from filing_documents import numbered, referral_document, write

from compliance.ledger import PlatformKey, open_ledger

KILLS = 20


def _refer(source: Path, target: str, out: Path) -> subprocess.Popen[bytes]:
    environment = dict(os.environ, COMPLIANCE_PSEUDONYM_KEY="crash-tests-key-0123456789abcdef")
    return subprocess.Popen(
        [sys.executable, "-m", "compliance", "refer", str(source), "--ledger", target,
         "--out", str(out)],
        env=environment,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )  # fmt: skip


@pytest.mark.slow
def test_refer_killed_at_random_moments_then_run_again(target: str, tmp_path: Path) -> None:
    chance = random.Random(20261201)
    out = tmp_path / "packs"
    sources = [
        write(tmp_path / f"doc-{n}.json", numbered(referral_document(0), n)) for n in range(KILLS)
    ]
    killed = 0
    for source in sources:
        process = _refer(source, target, out)
        time.sleep(chance.uniform(0.05, 2.5))  # from import to after the commit
        if process.poll() is None:
            process.send_signal(signal.SIGKILL)
            killed += 1
        process.wait()
    assert killed >= KILLS // 4, f"only {killed} of {KILLS} runs were killed before finishing"
    for source in sources:
        assert _refer(source, target, out).wait() == 0, source
    platform = PlatformKey("09876543", "GB")
    with open_ledger(target) as ledger:
        for n in range(KILLS):
            referral_id = f"R1-{n:04d}"
            versions = ledger.versions(platform, referral_id)
            assert len(versions) == 1, referral_id  # none lost, none doubled
            receipt = versions[0].receipt
            pack = out / f"{referral_id}.pdf"
            assert hashlib.sha256(pack.read_bytes()).hexdigest() == receipt.pack_sha256
            on_disk = json.loads((out / f"{referral_id}.receipt.json").read_text())
            assert on_disk["receipt_id"] == receipt.receipt_id
    assert sorted(path.name for path in out.iterdir()) == sorted(
        [f"R1-{n:04d}.pdf" for n in range(KILLS)]
        + [f"R1-{n:04d}.receipt.json" for n in range(KILLS)]
    ), "a temporary or half-written file was left in the out folder"


@pytest.mark.slow
def test_one_document_filed_by_two_processes_at_once_has_one_receipt(
    target: str, tmp_path: Path
) -> None:
    out = tmp_path / "packs"
    source = write(tmp_path / "r1.json", referral_document(0))
    processes = [_refer(source, target, out) for _ in range(2)]
    assert [process.wait() for process in processes] == [0, 0]
    with open_ledger(target) as ledger:
        [version] = ledger.versions(PlatformKey("09876543", "GB"), "R1")
    on_disk = json.loads((out / "R1.receipt.json").read_text())
    assert on_disk["receipt_id"] == version.receipt.receipt_id
    assert sorted(path.name for path in out.iterdir()) == ["R1.pdf", "R1.receipt.json"]
