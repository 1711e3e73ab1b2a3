"""`compliance batch`: every input accounted for, resumable, parallel, kill-safe."""

from __future__ import annotations

import hashlib
import json
import os
import signal
import subprocess
import sys
import time
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from click.testing import CliRunner
from returns_fixture import ready_submission, write_json

from compliance.batch.executor import LocalBackend, WorkerCrash, run_isolated
from compliance.batch.journal import BatchLock
from compliance.cli import cli
from compliance.statuses import BatchStatus

KEY_ENV = {"COMPLIANCE_PSEUDONYM_KEY": "batch-test-key-0123456789abcdef01"}


@pytest.fixture(autouse=True)
def pseudonym_key(monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in KEY_ENV.items():
        monkeypatch.setenv(name, value)


def run_batch(source: Path, out: Path, *extra: str):
    return CliRunner().invoke(
        cli, ["batch", str(source), "--period", "2026-Q3", "--out", str(out), *extra]
    )


def manifest(out: Path) -> dict:
    return json.loads((out / "manifest.json").read_text())


def statuses(out: Path) -> dict[str, str]:
    return {entry["input"]: entry["status"] for entry in manifest(out)["inputs"]}


def test_every_input_is_accounted_for(batch_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = run_batch(batch_dir, out, "--workers", "2")
    assert result.exit_code == 1, result.output
    assert statuses(out) == {
        "alpha.json": BatchStatus.RENDERED,
        "nested/beta.json": BatchStatus.RENDERED,
        "broken.json": BatchStatus.REJECTED,
        "garbage.json": BatchStatus.REJECTED,
        "earlier.json": BatchStatus.SKIPPED,
    }
    for submission_id in ("ALPHA-2026-Q3", "BETA-2026-Q3"):
        folder = out / "submissions" / submission_id
        names = {p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file()}
        assert names == {
            "return.xlsx",
            "return.pdf",
            "validation.json",
            "manifest.json",
            "referrals/R1.pdf",
        }
    assert not (out / "submissions" / "BROKEN-2026-Q3").exists()
    assert not (out / "submissions" / "GAMMA-2026-Q2").exists()
    entries = {entry["input"]: entry for entry in manifest(out)["inputs"]}
    broken = entries["broken.json"]
    assert broken["counts"] == {"fatal": 0, "error": 1, "breach": 1, "warning": 2}
    report = json.loads((out / broken["outputs"][0]["path"]).read_text())
    codes = {issue["code"]: issue["severity"] for issue in report["issues"]}
    assert codes["DTR-I008"] == "error" and codes["DTR-T005"] == "breach"
    assert entries["garbage.json"]["counts"]["fatal"] == 1
    for entry in entries.values():
        for output in entry["outputs"]:
            data = (out / output["path"]).read_bytes()
            assert hashlib.sha256(data).hexdigest() == output["sha256"]
    assert not list(out.rglob("*.part")) and not list(out.rglob("*.staging"))


@pytest.mark.slow
def test_summary_workbook_has_a_row_per_submission(batch_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    run_batch(batch_dir, out)
    sheet = openpyxl.load_workbook(out / "batch-summary.xlsx")["Submissions"]
    rows = list(sheet.iter_rows(values_only=True))
    header = rows[0]
    assert header[:4] == ("input", "submission_id", "platform", "status")
    by_input = {row[0]: dict(zip(header, row, strict=True)) for row in rows[1:]}
    assert set(by_input) == {
        "alpha.json",
        "nested/beta.json",
        "broken.json",
        "garbage.json",
        "earlier.json",
    }
    assert by_input["alpha.json"]["referrals_total"] == 1
    assert by_input["alpha.json"]["platform"] == "Harbour Video Ltd"
    assert by_input["broken.json"]["referrals_late"] == 1
    assert by_input["garbage.json"]["referrals_total"] is None


@pytest.mark.slow
def test_rerun_redoes_nothing_and_a_changed_input_only_itself(
    batch_dir: Path, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    run_batch(batch_dir, out)
    first = manifest(out)
    pdf = out / "submissions" / "ALPHA-2026-Q3" / "return.pdf"
    beta_pdf = out / "submissions" / "BETA-2026-Q3" / "return.pdf"
    stamps = (pdf.stat().st_mtime_ns, beta_pdf.stat().st_mtime_ns)
    again = run_batch(batch_dir, out)
    assert "reused          5" in again.output
    assert manifest(out) == first
    assert (pdf.stat().st_mtime_ns, beta_pdf.stat().st_mtime_ns) == stamps
    changed = ready_submission("ALPHA-2026-Q3")
    changed["platform"]["legal_name"] = "Harbour Video Group Ltd"
    write_json(batch_dir / "alpha.json", changed)
    third = run_batch(batch_dir, out)
    assert "reused          4" in third.output
    assert pdf.stat().st_mtime_ns != stamps[0]
    assert beta_pdf.stat().st_mtime_ns == stamps[1]


@pytest.mark.slow
def test_duplicate_submission_ids_are_rejected_not_overwritten(tmp_path: Path) -> None:
    source = tmp_path / "in"
    write_json(source / "a.json", ready_submission("SAME-ID"))
    write_json(source / "b.json", ready_submission("SAME-ID"))
    out = tmp_path / "out"
    assert run_batch(source, out).exit_code == 1
    entries = {e["input"]: e for e in manifest(out)["inputs"]}
    # DTR-1 9: each is rejected, naming the other, and neither has a folder.
    assert entries["a.json"]["status"] == BatchStatus.REJECTED
    assert entries["b.json"]["status"] == BatchStatus.REJECTED
    assert "also comes from b.json" in entries["a.json"]["reason"]
    assert "also comes from a.json" in entries["b.json"]["reason"]
    assert not (out / "submissions" / "SAME-ID").exists()
    # The verdict on b.json depended on a.json: once a.json is gone, b.json is filed.
    (source / "a.json").unlink()
    assert run_batch(source, out).exit_code == 0
    entries = {e["input"]: e for e in manifest(out)["inputs"]}
    assert list(entries) == ["b.json"] and entries["b.json"]["status"] == BatchStatus.RENDERED


def test_a_second_batch_on_the_same_output_is_refused(batch_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    with BatchLock(out):
        result = run_batch(batch_dir, out)
    assert result.exit_code == 2
    assert "another batch" in result.output


def _die_on_poison(item: str) -> str:
    if item == "poison":
        os._exit(9)
    return item.upper()


def test_a_dying_worker_costs_only_its_own_input() -> None:
    items = ["a", "poison", "b", "c"]
    results = dict(run_isolated(LocalBackend(2), _die_on_poison, items))
    assert results["a"] == "A" and results["b"] == "B" and results["c"] == "C"
    assert isinstance(results["poison"], WorkerCrash)


class _BreaksWhileQueueing(LocalBackend):
    """A pool that breaks after two tasks are queued, as when a worker dies while the rest
    of a large batch is still being submitted (seen once in a soak run)."""

    def __init__(self) -> None:
        super().__init__(2)
        self.pools = 0

    def executor(self, workers: int | None = None) -> Any:
        pool = super().executor(workers)
        self.pools += 1
        if self.pools > 1:
            return pool
        submit, queued = pool.submit, []

        def submit_until_broken(*args: Any) -> Any:
            if len(queued) == 2:
                raise BrokenProcessPool("a worker died")
            queued.append(args)
            return submit(*args)

        pool.submit = submit_until_broken  # type: ignore[method-assign]
        return pool


def test_a_pool_that_breaks_while_tasks_are_queued_still_runs_every_task() -> None:
    items = ["a", "b", "c", "d", "e"]
    results = dict(run_isolated(_BreaksWhileQueueing(), str.upper, items))
    assert results == {item: item.upper() for item in items}


def test_usage_errors_exit_two(tmp_path: Path) -> None:
    assert run_batch(tmp_path / "missing", tmp_path / "out").exit_code == 2
    result = CliRunner().invoke(
        cli, ["batch", str(tmp_path), "--period", "2026-13", "--out", str(tmp_path / "o")]
    )
    assert result.exit_code == 2


@pytest.mark.slow
def test_killed_batch_completes_when_run_again(tmp_path: Path) -> None:
    source = tmp_path / "in"
    for n in range(8):
        write_json(source / f"s{n}.json", ready_submission(f"S{n}-2026-Q3"))
    out = tmp_path / "out"
    command = [
        sys.executable,
        "-m",
        "compliance",
        "batch",
        str(source),
        "--period",
        "2026-Q3",
        "--out",
        str(out),
        "--workers",
        "1",
        "--quiet",
    ]
    environment = {**os.environ, **KEY_ENV}
    process = subprocess.Popen(command, env=environment, start_new_session=True)
    deadline = time.monotonic() + 60
    staged = out / ".batch" / "staged"
    while time.monotonic() < deadline and len(list(staged.glob("*.json"))) < 3:
        time.sleep(0.05)
    os.killpg(process.pid, signal.SIGKILL)  # the batch and its workers, mid-run
    process.wait()
    assert not (out / "manifest.json").exists()
    finished = subprocess.run(command, env=environment, capture_output=True, text=True)
    assert finished.returncode == 0, finished.stderr
    assert set(statuses(out).values()) == {BatchStatus.RENDERED} and len(statuses(out)) == 8
    assert not list(out.rglob("*.part")) and not list(out.glob(".*.staging"))
    for entry in manifest(out)["inputs"]:
        for output in entry["outputs"]:
            data = (out / output["path"]).read_bytes()
            assert hashlib.sha256(data).hexdigest() == output["sha256"]


def test_a_task_restarted_after_a_kill_discards_its_half_written_files(tmp_path: Path) -> None:
    """What a killed worker left in its staging folder never reaches the final folder."""
    from compliance.batch.tasks import SubmissionTask, check_and_render

    source = write_json(tmp_path / "in" / "s.json", ready_submission("S-2026-Q3"))
    staging = tmp_path / "out" / ".batch" / "staging" / "key"
    staging.mkdir(parents=True)
    (staging / ".return.xlsx.abc.part").write_bytes(b"half a workbook")
    (staging / "referrals").mkdir()
    (staging / "referrals" / "OLD-REFERRAL.pdf").write_bytes(b"from an older input")
    task = SubmissionTask(
        input_path=str(source),
        relative="s.json",
        period="2026-Q3",
        out_dir=str(tmp_path / "out"),
        staging=str(staging),
        rejection_report="r.json",
        key=b"batch-test-key-0123456789abcdef01",
        packs_here=25,
    )
    outcome = check_and_render(task)
    assert outcome.status == BatchStatus.RENDERED
    left = {p.relative_to(staging).as_posix() for p in staging.rglob("*") if p.is_file()}
    assert left == {o.path for o in outcome.outputs}


def test_an_unwritable_batch_manifest_is_one_line_and_the_rerun_completes(
    batch_dir: Path, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    # A folder where the batch's manifest goes: the final rename fails with EISDIR.
    (out / "manifest.json" / "in-the-way").mkdir(parents=True)
    result = run_batch(batch_dir, out)
    assert result.exit_code == 2
    assert f"cannot write {out / 'manifest.json'}:" in result.output
    assert "Traceback" not in result.output
    assert not list(out.glob("*.part")) and not list(out.glob(".*.part"))
    # The lock was released and the work done is reused.
    (out / "manifest.json" / "in-the-way").rmdir()
    (out / "manifest.json").rmdir()
    again = run_batch(batch_dir, out)
    assert again.exit_code == 1, again.output
    assert statuses(out)["alpha.json"] == BatchStatus.RENDERED
