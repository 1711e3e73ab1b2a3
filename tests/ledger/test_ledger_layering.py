"""Data flows one way: the ledger imports neither checking nor rendering, nor they the ledger."""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "compliance"
CHECKING_AND_RENDERING = ["check.py", "figures.py", "model.py", "rules", "readers", "render"]


def _imports(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names.add(node.module)
    return names


def test_the_ledger_imports_only_itself_the_standard_library_and_psycopg() -> None:
    # And compliance.errors, the package's one exception base, which imports nothing.
    for path in sorted((PACKAGE / "ledger").glob("*.py")):
        for name in _imports(path):
            top = name.partition(".")[0]
            allowed = (
                name in ("compliance.ledger", "compliance.errors")
                or name.startswith("compliance.ledger.")
                or top in sys.stdlib_module_names
                or top == "psycopg"
            )
            assert allowed, f"{path.name} imports {name}"


@pytest.mark.parametrize("part", CHECKING_AND_RENDERING)
def test_checking_and_rendering_never_import_the_ledger(part: str) -> None:
    paths = [PACKAGE / part] if part.endswith(".py") else sorted((PACKAGE / part).rglob("*.py"))
    for path in paths:
        assert not any(name.startswith("compliance.ledger") for name in _imports(path)), path


def test_importing_the_ledger_and_opening_a_sqlite_one_loads_nothing_else(tmp_path: Path) -> None:
    program = (
        "import sys, json\n"
        "from compliance.ledger import open_ledger\n"
        f"open_ledger({str(tmp_path / 'ledger.db')!r}).close()\n"
        "print(json.dumps(sorted(m for m in sys.modules if m.startswith(('compliance', 'psycopg'))"
        " and not m.startswith('compliance.ledger'))))\n"
    )
    loaded = subprocess.run(
        [sys.executable, "-c", program], capture_output=True, text=True, check=True
    ).stdout
    # Not even psycopg: a SQLite ledger needs no libpq.
    assert json.loads(loaded) == ["compliance", "compliance.errors"]
