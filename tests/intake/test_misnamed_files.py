"""Files that claim to be workbooks and are not: each gets a message saying what to do,
not a JSON parser's complaint; lock files beside an open workbook are not submissions."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from compliance.batch.discovery import discover_inputs
from compliance.check import check_path
from compliance.cli import cli

OLE_HEADER = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504)


@pytest.mark.parametrize(
    ("name", "data", "says"),
    [
        ("return.xlsx", b"\x00\xff random bytes", "not an XLSX workbook"),
        ("return.xlsx", b'{"schema_version": "DTR-1.0"}', "not an XLSX workbook"),
        ("return.XLSX", b"plain text", "not an XLSX workbook"),
        ("return.xls", OLE_HEADER, "Excel 97-2003 workbook or a password-protected"),
        ("locked.xlsx", OLE_HEADER, "password-protected"),
        ("odd-name.json", OLE_HEADER, "password-protected"),
    ],
)
def test_a_file_that_is_not_a_workbook_says_how_to_save_it(
    tmp_path: Path, name: str, data: bytes, says: str
) -> None:
    path = tmp_path / name
    path.write_bytes(data)
    (issue,) = check_path(path).report.issues
    assert (issue.code, issue.severity.value) == ("DTR-S000", "fatal")
    assert says in issue.message
    assert "JSON" not in issue.message.split(".")[0]  # not a JSON parser's complaint


def test_json_named_json_is_still_read_as_json(tmp_path: Path) -> None:
    path = tmp_path / "x.json"
    path.write_text("[1, 2]")
    (issue,) = check_path(path).report.issues
    assert "XLSX" not in issue.message


def test_convert_refuses_a_misnamed_workbook_in_one_line(tmp_path: Path) -> None:
    path = tmp_path / "return.xlsx"
    path.write_bytes(b"definitely not a zip")
    result = CliRunner().invoke(
        cli, ["convert", str(path), "--to", "json", "--out", str(tmp_path / "out.json")]
    )
    assert result.exit_code != 0
    assert "not an XLSX workbook" in result.output
    assert "Traceback" not in result.output
    assert not (tmp_path / "out.json").exists()


def test_batch_discovery_skips_office_lock_files_but_finds_old_workbooks(tmp_path: Path) -> None:
    (tmp_path / "a.json").write_text(json.dumps({}))
    (tmp_path / "b.xlsx").write_bytes(b"PK\x03\x04")
    (tmp_path / "~$b.xlsx").write_bytes(b"\x0bcompliance officer")
    (tmp_path / "c.xls").write_bytes(OLE_HEADER)
    (tmp_path / "notes.txt").write_text("not a submission")
    found = [path.name for path in discover_inputs(tmp_path)]
    assert found == ["a.json", "b.xlsx", "c.xls"]
