"""A short coverage-guided fuzz run of the checker in CI (the long run is the same script)."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "fuzz_checker.py"
pytestmark = pytest.mark.slow


def test_fuzzing_the_checker_finds_no_crash(tmp_path: Path) -> None:
    pytest.importorskip("atheris", reason="atheris is in the test extras")
    finished = subprocess.run(
        [sys.executable, str(SCRIPT), "-runs=3000", "-seed=1"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
    )
    reports = re.findall(r"fuzz: inputs tried (\d+), crashes (\d+)", finished.stdout)
    assert finished.returncode == 0, finished.stdout[-2000:] + finished.stderr[-2000:]
    assert reports and int(reports[-1][0]) >= 3000 and reports[-1][1] == "0"
    assert not (tmp_path / "fuzz-crashes").exists()
