"""The out folder of `batch` and `render`: no input's name or identifier can break it, and no
run, killed or sharing the folder with another, leaves it in a bad state."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner
from returns_fixture import broken_submission, ready_submission, write_json

from compliance.batch.journal import BatchLock
from compliance.cli import cli
from compliance.statuses import BatchStatus

KEY = "out-folder-test-key-0123456789abcdef"


@pytest.fixture(autouse=True)
def pseudonym_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COMPLIANCE_PSEUDONYM_KEY", KEY)


def batch(source: Path, out: Path):
    return CliRunner().invoke(
        cli, ["batch", str(source), "--period", "2026-Q3", "--out", str(out), "--workers", "1"]
    )


def render(file: Path, out: Path):
    return CliRunner().invoke(cli, ["render", str(file), "--out", str(out)])


def entries(out: Path) -> dict[str, dict]:
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    return {entry["input"]: entry for entry in manifest["inputs"]}


@pytest.mark.slow
def test_names_that_are_not_utf8_are_recorded_escaped_run_after_run(tmp_path: Path) -> None:
    source = tmp_path / "in"
    source.mkdir()
    write_json(source / os.fsdecode(b"caf\xe9.json"), ready_submission("LATIN1-2026-Q3"))
    (source / os.fsdecode(b"broken-\xff\xfe.json")).write_bytes(b"{not json")
    # A name really holding a backslash and "xff" must not read like the undecodable one.
    (source / "broken-\\xff\\xfe.json").write_bytes(b"{not json either")
    out = tmp_path / "out"
    for _run in range(2):
        result = batch(source, out)
        assert result.exit_code == 1, result.output
        assert "Traceback" not in result.output
        assert set(entries(out)) == {
            "caf\\xe9.json",
            "broken-\\xff\\xfe.json",
            "broken-\\\\xff\\\\xfe.json",
        }
        assert entries(out)["caf\\xe9.json"]["status"] == BatchStatus.RENDERED
        summary = openpyxl.load_workbook(out / "batch-summary.xlsx")["Submissions"]
        assert "caf\\xe9.json" in [row[0] for row in summary.iter_rows(values_only=True)]
    submission_manifest = out / "submissions" / "LATIN1-2026-Q3" / "manifest.json"
    assert json.loads(submission_manifest.read_bytes())["input"]["name"] == "caf\\xe9.json"


@pytest.mark.slow
@pytest.mark.parametrize(
    "submission_id", ["rejected", "manifest.json", "batch-summary.xlsx", "submissions"]
)
def test_no_submission_id_replaces_or_blocks_the_batchs_own_files(
    tmp_path: Path, submission_id: str
) -> None:
    source = tmp_path / "in"
    write_json(source / "a.json", ready_submission(submission_id))
    write_json(source / "broken.json", broken_submission("BROKEN-2026-Q3"))  # fills rejected/
    out = tmp_path / "out"
    for _run in range(2):  # and the next run is not blocked by what the first one wrote
        result = batch(source, out)
        assert result.exit_code == 1, result.output
        assert entries(out)["a.json"]["status"] == BatchStatus.RENDERED
        assert entries(out)["broken.json"]["status"] == BatchStatus.REJECTED
        assert (out / "manifest.json").is_file() and (out / "batch-summary.xlsx").is_file()
        assert (out / "rejected").is_dir()
        report = entries(out)["broken.json"]["outputs"][0]["path"]
        assert (out / report).is_file()
        assert (out / "submissions" / submission_id / "return.pdf").is_file()


@pytest.mark.slow
def test_render_into_a_batch_folder_never_replaces_the_batchs_own_files(tmp_path: Path) -> None:
    source = tmp_path / "in"
    write_json(source / "broken.json", broken_submission("BROKEN-2026-Q3"))
    out = tmp_path / "out"
    batch(source, out)
    before = {name: (out / name).stat().st_ino for name in ("manifest.json", "rejected")}
    for submission_id in ("manifest.json", "rejected", "submissions"):
        file = write_json(tmp_path / f"{submission_id}.in.json", ready_submission(submission_id))
        (out / "submissions").mkdir(exist_ok=True)
        result = render(file, out)
        assert result.exit_code == 2, result.output
        assert "in the way" in result.output and "Traceback" not in result.output
    assert {name: (out / name).stat().st_ino for name in before} == before
    assert (out / "manifest.json").is_file()
    # Its own earlier returns it does replace.
    file = write_json(tmp_path / "own.json", ready_submission("OWN-2026-Q3"))
    assert render(file, out).exit_code == 0
    assert render(file, out).exit_code == 0


@pytest.mark.slow
def test_ids_equal_regardless_of_case_are_a_conflict(tmp_path: Path) -> None:
    source = tmp_path / "in"
    write_json(source / "a.json", ready_submission("CASE-2026-Q3"))
    out = tmp_path / "out"
    assert batch(source, out).exit_code == 0
    assert (out / "submissions" / "CASE-2026-Q3").is_dir()
    # A second input whose id differs in case only: both are rejected, each naming the other,
    # and the folder the first run made goes (it could be either's on a case-insensitive disk).
    write_json(source / "b.json", ready_submission("case-2026-q3"))
    assert batch(source, out).exit_code == 1
    found = entries(out)
    assert found["a.json"]["status"] == found["b.json"]["status"] == BatchStatus.REJECTED
    assert "also comes from b.json (as case-2026-q3)" in found["a.json"]["reason"]
    assert "also comes from a.json (as CASE-2026-Q3)" in found["b.json"]["reason"]
    assert not (out / "submissions").exists() or not list((out / "submissions").iterdir())
    (source / "b.json").unlink()
    assert batch(source, out).exit_code == 0
    assert entries(out)["a.json"]["status"] == BatchStatus.RENDERED
    assert (out / "submissions" / "CASE-2026-Q3" / "return.pdf").is_file()


def test_ids_differing_in_case_from_a_rendered_folder_are_not_rendered_over_it(
    tmp_path: Path,
) -> None:
    out = tmp_path / "out"
    (out / "CASE-ID").mkdir(parents=True)
    (out / "CASE-ID" / "manifest.json").write_text('{"submission_id": "CASE-ID"}')
    from compliance.returns import _refuse_to_replace_what_is_not_a_submission

    with pytest.raises(FileExistsError):
        # What a case-insensitive disk would show for out/case-id.
        _refuse_to_replace_what_is_not_a_submission(out / "CASE-ID", "case-id")
    _refuse_to_replace_what_is_not_a_submission(out / "CASE-ID", "CASE-ID")


def test_render_respects_a_running_batchs_lock_and_a_batch_a_running_render(
    tmp_path: Path,
) -> None:
    file = write_json(tmp_path / "a.json", ready_submission("LOCKED-2026-Q3"))
    out = tmp_path / "out"
    with BatchLock(out):
        result = render(file, out)
    assert result.exit_code == 2, result.output
    assert "another batch" in result.output
    assert not (out / "LOCKED-2026-Q3").exists()
    with BatchLock(out, shared=True):  # a render at work
        result = batch(tmp_path, out)
    assert result.exit_code == 2, result.output
    assert "another batch or a render" in result.output


def _start_render_that_hangs(file: Path, out: Path) -> subprocess.Popen[bytes]:
    """`compliance render` in a process of its own that stops once its referral packs are in
    its staging folder, just before the manifest, to be killed there."""
    code = (
        "import sys, time, compliance.returns as r\n"
        "r.write_manifest = lambda *a, **k: time.sleep(600)\n"
        "from compliance.cli import main\n"
        "sys.argv = ['compliance', *sys.argv[1:]]\n"
        "main()\n"
    )
    return subprocess.Popen(
        [sys.executable, "-c", code, "render", str(file), "--out", str(out)],
        env=dict(os.environ, COMPLIANCE_PSEUDONYM_KEY=KEY),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def _killed_render_leaves_packs(tmp_path: Path, out: Path) -> list[Path]:
    file = write_json(tmp_path / "killed.json", ready_submission("KILLED-2026-Q3"))
    process = _start_render_that_hangs(file, out)
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and not list(out.glob(".*.staging/referrals/*.pdf")):
            time.sleep(0.1)
        packs = list(out.glob(".*.staging/referrals/*.pdf"))
        assert packs, "the render never reached its referral packs"
        # The render is still running: another render must leave its staging folder alone.
        other = write_json(tmp_path / "other.json", ready_submission("OTHER-2026-Q3"))
        assert render(other, out).exit_code == 0
        assert all(pack.exists() for pack in packs)
    finally:
        process.send_signal(signal.SIGKILL)
        process.wait()
    assert all(pack.exists() for pack in packs)  # what kill -9 leaves: personal data
    return packs


@pytest.mark.slow
def test_the_next_render_removes_what_a_killed_render_left(tmp_path: Path) -> None:
    out = tmp_path / "out"
    _killed_render_leaves_packs(tmp_path, out)
    again = write_json(tmp_path / "again.json", ready_submission("AGAIN-2026-Q3"))
    assert render(again, out).exit_code == 0
    assert not list(out.glob(".*")) or [p.name for p in out.glob(".*")] == [".batch"]
    assert not list(out.rglob("*.staging"))


@pytest.mark.slow
def test_the_next_batch_removes_what_a_killed_render_left(tmp_path: Path) -> None:
    out = tmp_path / "out"
    _killed_render_leaves_packs(tmp_path, out)
    source = tmp_path / "in"
    write_json(source / "a.json", ready_submission("BATCH-2026-Q3"))
    assert batch(source, out).exit_code == 0
    assert not list(out.rglob("*.staging"))
