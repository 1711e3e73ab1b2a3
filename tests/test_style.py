"""The code base stays ruff-clean, ruff-formatted and type-checked; CI runs this with the rest
of the tests."""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _ruff() -> str:
    # The project's own ruff first: another one on PATH may be a different version.
    ruff = str(Path(sys.executable).parent / "ruff")
    if not Path(ruff).exists():
        ruff = shutil.which("ruff") or ruff
    if not Path(ruff).exists():
        pytest.skip("ruff is not installed (pip install -e '.[test]')")
    return ruff


@pytest.mark.parametrize("command", [["check"], ["format", "--check"]])
def test_ruff_is_clean(command: list[str]) -> None:
    result = subprocess.run(
        [_ruff(), *command, "compliance", "tests", "benchmarks", "scripts"],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_types_check() -> None:
    """mypy over compliance/ (pyproject's [tool.mypy]: strict on the core), clean."""
    mypy = Path(sys.executable).parent / "mypy"
    if not mypy.exists():
        pytest.fail("mypy is not installed: pip install -e '.[test]'")
    result = subprocess.run([str(mypy)], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
