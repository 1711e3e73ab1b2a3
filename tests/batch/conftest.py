from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
# Test modules import helpers from returns_fixture, not from here: another test folder's
# conftest module has the same name, and a run collecting both would find that one.
from returns_fixture import broken_submission, ready_submission, write_json


@pytest.fixture
def batch_dir(tmp_path: Path) -> Path:
    """Two filing-ready submissions, one with errors, one unreadable, one of another period."""
    source = tmp_path / "in"
    write_json(source / "alpha.json", ready_submission("ALPHA-2026-Q3"))
    write_json(source / "nested" / "beta.json", ready_submission("BETA-2026-Q3"))
    write_json(source / "broken.json", broken_submission("BROKEN-2026-Q3"))
    (source / "garbage.json").write_bytes(b"{not json at all")
    earlier = ready_submission("GAMMA-2026-Q2")
    earlier["period"] = "2026-Q2"
    write_json(source / "earlier.json", earlier)
    (source / "notes.txt").write_text("not a submission")
    return source
