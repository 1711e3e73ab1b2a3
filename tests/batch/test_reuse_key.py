"""A batch reuses an input's outputs only if the same code would write them again."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest
from returns_fixture import ready_submission, write_json

import compliance
from compliance.render.assets import TEMPLATE_DIR
from compliance.versions import code_fingerprint

# The label changed in the copy: the title written into return.xlsx's (and return.pdf's)
# document properties.
LABEL = 'f"DTR-1 quarterly return {'
CHANGED_LABEL = 'f"DTR-1 quarterly return (changed code) {'
PRINT_FINGERPRINT = "from compliance.versions import code_fingerprint; print(code_fingerprint())"


def _copy_package(target: Path) -> Path:
    """A copy of the installed package laid out as a regular install: templates inside."""
    package = target / "compliance"
    ignore = shutil.ignore_patterns("__pycache__")
    shutil.copytree(Path(compliance.__file__).parent, package, ignore=ignore)
    if not (package / "templates").exists():  # an editable install maps them from templates/
        shutil.copytree(TEMPLATE_DIR, package / "templates", ignore=ignore)
    return package


def _batch(code: Path, source: Path, out: Path) -> str:
    """Run ``compliance batch`` on the package under ``code``, not the installed one."""
    environment = {
        **os.environ,
        "PYTHONPATH": str(code),
        "COMPLIANCE_PSEUDONYM_KEY": "batch-test-key-0123456789abcdef01",
    }
    command = [sys.executable, "-m", "compliance", "batch", str(source)]
    command += ["--period", "2026-Q3", "--out", str(out), "--workers", "1"]
    # Run from ``code``: ``-m`` puts the working directory first on the path, and the
    # repository's own package there would shadow the copy.
    finished = subprocess.run(command, env=environment, cwd=code, capture_output=True, text=True)
    assert finished.returncode == 0, finished.stdout + finished.stderr
    return finished.stdout


def _title(workbook: Path) -> str:
    return openpyxl.load_workbook(workbook, read_only=True).properties.title


@pytest.mark.slow
def test_a_change_to_the_code_renders_again_instead_of_reusing(tmp_path: Path) -> None:
    package = _copy_package(tmp_path / "code")
    source, out = tmp_path / "in", tmp_path / "out"
    write_json(source / "alpha.json", ready_submission("ALPHA-2026-Q3"))
    workbook = out / "submissions" / "ALPHA-2026-Q3" / "return.xlsx"

    first = _batch(tmp_path / "code", source, out)
    assert "reused          0" in first
    assert _title(workbook) == "DTR-1 quarterly return ALPHA-2026-Q3"
    # The same code again (its __pycache__ now written beside it) reuses everything.
    assert "reused          1" in _batch(tmp_path / "code", source, out)

    holders = [path for path in package.rglob("*.py") if LABEL in path.read_text()]
    assert holders, "the return's title label has moved: update this test"
    for path in holders:  # the workbook's title, and the PDF's
        path.write_text(path.read_text().replace(LABEL, CHANGED_LABEL))
    # Same version number, same templates, same rule set: only the code differs.
    changed = _batch(tmp_path / "code", source, out)
    assert "reused          0" in changed
    assert _title(workbook) == "DTR-1 quarterly return (changed code) ALPHA-2026-Q3"


def _fingerprint(code: Path) -> str:
    """``code_fingerprint()`` of the package under ``code``, in a process of its own."""
    command = [sys.executable, "-c", PRINT_FINGERPRINT]
    environment = {**os.environ, "PYTHONPATH": str(code)}
    finished = subprocess.run(command, env=environment, cwd=code, capture_output=True, text=True)
    assert finished.returncode == 0, finished.stderr
    return finished.stdout.strip()


def test_the_code_fingerprint_covers_every_file_and_only_the_package(tmp_path: Path) -> None:
    package = _copy_package(tmp_path)
    # An editable install keeps the templates outside the package: the same files give the
    # same digest in either layout, so the names hashed are the package's, not the disk's.
    assert _fingerprint(tmp_path) == code_fingerprint()
    (package / "__pycache__").mkdir(exist_ok=True)
    (package / "__pycache__" / "extra.cpython-311.pyc").write_bytes(b"compiled")
    assert _fingerprint(tmp_path) == code_fingerprint()
    stylesheet = package / "templates" / "style.css"
    stylesheet.write_bytes(stylesheet.read_bytes() + b"\n")
    with_stylesheet = _fingerprint(tmp_path)
    assert with_stylesheet != code_fingerprint()
    (package / "data" / "notes.txt").write_text("any file of the package counts")
    assert _fingerprint(tmp_path) not in {with_stylesheet, code_fingerprint()}
