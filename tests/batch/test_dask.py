"""The same batch on a Dask LocalCluster, or with packs split over tasks, gives the same files."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from click.testing import CliRunner
from returns_fixture import broken_submission, ready_submission, submission, write_json

from compliance.batch import run as batch_run
from compliance.cli import cli

KEY_ENV = {"COMPLIANCE_PSEUDONYM_KEY": "dask-test-key-0123456789abcdef01"}
# A LocalCluster and its worker processes take seconds to start, and each test renders a quarter.
pytestmark = pytest.mark.slow


def three_referral_submission(submission_id: str) -> dict:
    """Filing-ready with three referrals, so that packs can be spread over several tasks."""
    document = submission()
    document["submission_id"] = submission_id
    late = document["referrals"][1]
    late["referred_at"] = late["suspicion_formed_at"][:11] + "23:59:00Z"  # now on time
    return document


@pytest.fixture
def quarter(tmp_path: Path) -> Path:
    source = tmp_path / "in"
    write_json(source / "a.json", three_referral_submission("ALPHA-2026-Q3"))
    write_json(source / "b" / "b.json", ready_submission("BETA-2026-Q3"))
    write_json(source / "broken.json", broken_submission("BROKEN-2026-Q3"))
    (source / "garbage.json").write_bytes(b"\xff\xfe not json")
    return source


def fingerprints(out: Path) -> dict[str, str]:
    """SHA-256 of every file a user sees (the resume journal under .batch/ is not output)."""
    return {
        path.relative_to(out).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(out.rglob("*"))
        if path.is_file() and ".batch" not in path.relative_to(out).parts
    }


def run(source: Path, out: Path, *extra: str) -> dict[str, str]:
    result = CliRunner().invoke(
        cli,
        ["batch", str(source), "--period", "2026-Q3", "--out", str(out), "--quiet", *extra],
        env=KEY_ENV,
    )
    assert result.exit_code == 1, result.output  # the broken and the garbage inputs
    return fingerprints(out)


def test_packs_split_over_tasks_give_the_same_files(
    quarter: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    whole = run(quarter, tmp_path / "whole", "--workers", "2")
    monkeypatch.setattr(batch_run, "PACKS_PER_TASK", 1)
    split = run(quarter, tmp_path / "split", "--workers", "2")
    assert split == whole
    packs = [name for name in whole if name.startswith("submissions/ALPHA-2026-Q3/referrals/")]
    assert len(packs) == 3


def test_a_dask_local_cluster_produces_the_local_files(
    quarter: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    distributed = pytest.importorskip("distributed", reason="the dask extra is not installed")
    local = run(quarter, tmp_path / "local", "--workers", "2")
    monkeypatch.setattr(batch_run, "PACKS_PER_TASK", 1)  # pack tasks go to the cluster too
    with distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
    ) as cluster:
        on_cluster = run(quarter, tmp_path / "dask", "--scheduler", cluster.scheduler_address)
    assert on_cluster == local
    expected = {"manifest.json", "batch-summary.xlsx", "submissions/ALPHA-2026-Q3/return.pdf"}
    assert expected <= set(local)
