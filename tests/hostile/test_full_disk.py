"""A disk that fills up under `render` or `batch`: one line and exit status 2 (or, in a batch,
the inputs it cost rejected with the reason), never a traceback or an "Exception ignored",
and nothing half-written left behind.

Writes fail for real, in a process of its own: either on a small tmpfs (ENOSPC, when this
test may mount one) or under a file-size limit (EFBIG, everywhere), which fails the same
write and close calls of the same code with the same kind of error.
"""

from __future__ import annotations

import contextlib
import os
import resource
import shutil
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from returns_fixture import broken_submission, ready_submission, write_json

KEY = "full-disk-test-key-0123456789abcdef"
LEFTOVER_SUFFIXES = (".part", ".staging", ".old")


def _limit_file_size(limit: int) -> None:
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past the limit fails with EFBIG
    resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))


def _compliance(*arguments: str, limit: int | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "compliance", *arguments],
        capture_output=True,
        text=True,
        env=dict(os.environ, COMPLIANCE_PSEUDONYM_KEY=KEY),
        preexec_fn=(lambda: _limit_file_size(limit)) if limit else None,
        timeout=600,
    )


def _assert_clean_end(finished: subprocess.CompletedProcess[str], out: Path) -> None:
    for marker in ("Traceback", "Exception ignored", "Error in atexit"):
        assert marker not in finished.stderr, finished.stderr
    if finished.returncode == 2:
        lines = finished.stderr.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("Error: cannot write"), lines
    leftovers = [p for p in out.rglob("*") if p.name.endswith(LEFTOVER_SUFFIXES)]
    assert not leftovers
    assert not (out / ".batch" / "staging").exists()


@pytest.fixture
def submissions(tmp_path: Path) -> Path:
    source = tmp_path / "in"
    write_json(source / "a.json", ready_submission("FULL-A-2026-Q3"))
    write_json(source / "b.json", ready_submission("FULL-B-2026-Q3"))
    write_json(source / "broken.json", broken_submission("FULL-C-2026-Q3"))
    return source


@pytest.mark.slow
@pytest.mark.parametrize("limit", [1_000, 5_000, 20_000])
def test_render_on_a_full_disk_is_one_line_and_exit_two(
    submissions: Path, tmp_path: Path, limit: int
) -> None:
    out = tmp_path / "out"
    finished = _compliance("render", str(submissions / "a.json"), "--out", str(out), limit=limit)
    assert finished.returncode == 2, finished.stderr
    _assert_clean_end(finished, out)
    assert not (out / "FULL-A-2026-Q3").exists()


@pytest.mark.slow
@pytest.mark.parametrize("limit", [2_000, 5_000, 12_000])
def test_batch_on_a_full_disk_ends_cleanly_and_the_rerun_completes(
    submissions: Path, tmp_path: Path, limit: int
) -> None:
    out = tmp_path / "out"
    arguments = ["batch", str(submissions), "--period", "2026-Q3", "--out", str(out)]
    finished = _compliance(*arguments, "--workers", "2", limit=limit)
    assert finished.returncode in (1, 2), finished.stderr
    _assert_clean_end(finished, out)
    again = _compliance(*arguments, "--workers", "2")
    assert again.returncode == 1, again.stderr  # broken.json only
    assert (out / "submissions" / "FULL-A-2026-Q3" / "return.pdf").is_file()


@contextlib.contextmanager
def _small_tmpfs(where: Path, size: str) -> Iterator[Path]:
    where.mkdir()
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(where)],
        capture_output=True,
    )
    if mounted.returncode != 0 or not shutil.which("umount"):
        pytest.skip("cannot mount a tmpfs here (needs root)")
    try:
        yield where
    finally:
        subprocess.run(["umount", str(where)], check=False)


@pytest.mark.slow
@pytest.mark.skipif(os.geteuid() != 0, reason="mounting a tmpfs needs root")
@pytest.mark.parametrize("size", ["8k", "24k", "60k"])
def test_a_real_enospc_ends_cleanly(submissions: Path, tmp_path: Path, size: str) -> None:
    with _small_tmpfs(tmp_path / "disk", size) as disk:
        out = disk / "out"
        rendered = _compliance("render", str(submissions / "a.json"), "--out", str(out))
        assert rendered.returncode in (0, 2), rendered.stderr
        _assert_clean_end(rendered, out)
        shutil.rmtree(out, ignore_errors=True)
        arguments = ["batch", str(submissions), "--period", "2026-Q3", "--out", str(out)]
        finished = _compliance(*arguments, "--workers", "2")
        assert finished.returncode in (1, 2), finished.stderr
        _assert_clean_end(finished, out)
