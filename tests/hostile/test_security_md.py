"""SECURITY.md names, for every promise, tests that exist: a renamed or deleted test fails here
instead of leaving a promise that points at nothing."""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
NODE_ID = re.compile(r"`(tests/[\w/]+\.py)::(\w+)`")


def _test_functions(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return {
        node.name
        for node in tree.body
        if isinstance(node, ast.FunctionDef) and node.name.startswith("test_")
    }


def test_every_promise_names_tests_that_exist() -> None:
    text = (ROOT / "SECURITY.md").read_text(encoding="utf-8")
    promises = re.split(r"^### ", text, flags=re.MULTILINE)[1:]
    assert len(promises) >= 6
    for promise in promises:
        title = promise.splitlines()[0]
        named = NODE_ID.findall(promise)
        assert named, f"promise {title!r} names no test"
        for file, function in named:
            path = ROOT / file
            assert path.is_file(), f"{title}: {file} does not exist"
            assert function in _test_functions(path), f"{title}: {file}::{function} is not a test"
