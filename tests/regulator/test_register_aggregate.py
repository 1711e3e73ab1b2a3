"""``aggregate --register`` (DTR-1 section 11), one platform however its number is spaced, and
named pipes or devices among the returns refused instead of read."""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from regulator_helpers import PLATFORMS, make_submission, render, sheet_records

from compliance.cli import cli

KESTREL, LUMEN, TERN = PLATFORMS
REGISTER = (
    "registration_number,jurisdiction,legal_name,first_period,last_period\n"
    "SC612345,GB,Kestrel Forums plc,2026-Q1,\n"
    "ie654321 ,ie,Lumen Video Teoranta,2026-Q1,\n"
    "GB0000001,GB,Silent Owl Ltd,2026-Q1,\n"
)


def run(*args: str) -> Any:
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Lumen's Q1 and Q2, the Q2 return with a trailing space after its registration
    number; Kestrel's Q1."""
    root = tmp_path_factory.mktemp("register-aggregate")
    render(make_submission(LUMEN, "2026-Q1", seed=51), root / "lumen-q1")
    spaced = make_submission(LUMEN, "2026-Q2", seed=52)
    spaced["platform"]["registration_number"] = "IE654321 "
    render(spaced, root / "lumen-q2")
    render(make_submission(KESTREL, "2026-Q1", seed=53), root / "kestrel-q1")
    return root


def test_a_trailing_space_does_not_split_a_platform(folder: Path, tmp_path: Path) -> None:
    result = run("aggregate", str(folder), "--period", "2026-H1", "--out", str(tmp_path / "s"))
    assert result.exit_code == 0, result.output
    assert result.output.startswith("2026-H1: 2 platforms, 3 returns used")
    platforms = sheet_records(tmp_path / "s" / "sector.xlsx", "Platforms")
    lumen = [p for p in platforms if p["jurisdiction"] == "IE"]
    assert len(lumen) == 1
    assert lumen[0]["registration_number"] == "IE654321"
    assert lumen[0]["quarters_filed"] == "2026-Q1;2026-Q2"


def test_coverage_counts_a_registered_platform_that_never_filed(
    folder: Path, tmp_path: Path
) -> None:
    register = tmp_path / "register.csv"
    register.write_text(REGISTER)
    out = tmp_path / "s"
    result = run(
        "aggregate", str(folder), "--period", "2026-Q1", "--out", str(out),
        "--register", str(register), "--at", "2026-06-01T00:00:00Z",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "missing: Silent Owl Ltd (GB0000001:GB) for 2026-Q1" in result.output
    rows = sheet_records(out / "sector.xlsx", "Filing status")
    statuses = {(r["registration_number"], r["period"]): r["status"] for r in rows}
    assert statuses == {
        ("SC612345", "2026-Q1"): "filed",
        ("IE654321", "2026-Q1"): "filed",
        ("GB0000001", "2026-Q1"): "missing",
    }


def test_a_quarter_not_yet_due_is_never_missing(folder: Path, tmp_path: Path) -> None:
    register = tmp_path / "register.csv"
    register.write_text(REGISTER)
    out = tmp_path / "s"
    result = run(
        "aggregate", str(folder), "--period", "2026-H1", "--out", str(out),
        "--register", str(register), "--at", "2026-07-15T00:00:00Z",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    rows = sheet_records(out / "sector.xlsx", "Filing status")
    statuses = {(r["registration_number"], r["period"]): r["status"] for r in rows}
    assert statuses[("SC612345", "2026-Q2")] == "not_yet_due"
    assert statuses[("GB0000001", "2026-Q2")] == "not_yet_due"
    assert statuses[("GB0000001", "2026-Q1")] == "missing"
    assert statuses[("IE654321", "2026-Q2")] == "filed"
    assert "2026-Q2" not in "".join(
        line for line in result.output.splitlines() if line.startswith("missing")
    )


def test_with_the_ledger_the_report_shows_acknowledgements(folder: Path, tmp_path: Path) -> None:
    register = tmp_path / "register.csv"
    register.write_text(REGISTER)
    ledger = str(tmp_path / "register.db")
    received = run(
        "receive", str(folder / "lumen-q1" / "return.xlsx"), "--ledger", ledger,
        "--at", "2026-05-03T10:00:00Z", "--format", "json",
    )  # fmt: skip
    assert received.exit_code == 0, received.output
    out = tmp_path / "s"
    result = run(
        "aggregate", str(folder), "--period", "2026-Q1", "--out", str(out),
        "--register", str(register), "--ledger", ledger, "--at", "2026-06-01T00:00:00Z",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    rows = {
        r["registration_number"]: r for r in sheet_records(out / "sector.xlsx", "Filing status")
    }
    assert rows["IE654321"]["status"] == "filed"
    assert rows["IE654321"]["late_days"] == 3
    assert rows["IE654321"]["acknowledgement_id"].startswith("A-")
    assert rows["SC612345"]["status"] == "missing"  # in the folder, never received via the ledger
    from pypdf import PdfReader

    text = "".join(page.extract_text() for page in PdfReader(out / "sector.pdf").pages)
    assert "filing status" in text.lower()
    assert rows["IE654321"]["acknowledgement_id"] in text.replace("\n", "")
    assert "Returns received against their due date" in text


def test_without_a_register_there_is_no_filing_status(folder: Path, tmp_path: Path) -> None:
    result = run("aggregate", str(folder), "--period", "2026-Q1", "--out", str(tmp_path / "s"))
    assert result.exit_code == 0
    import openpyxl

    assert "Filing status" not in openpyxl.load_workbook(tmp_path / "s" / "sector.xlsx").sheetnames
    refused = run("aggregate", str(folder), "--period", "2026-Q1", "--out", str(tmp_path / "t"),
                  "--ledger", str(tmp_path / "l.db"))  # fmt: skip
    assert refused.exit_code == 2 and "need --register" in refused.output


def test_a_bad_register_is_one_line_and_exit_2(folder: Path, tmp_path: Path) -> None:
    register = tmp_path / "register.csv"
    register.write_text("registration_number,jurisdiction\nSC1,GB\n")
    result = run(
        "aggregate", str(folder), "--period", "2026-Q1", "--out", str(tmp_path / "s"),
        "--register", str(register),
    )  # fmt: skip
    assert result.exit_code == 2
    assert "line 1: no column legal_name" in result.output
    assert not (tmp_path / "s").exists()


@pytest.mark.parametrize("kind", ["fifo", "device"])
def test_a_pipe_or_a_device_among_the_returns_is_refused(
    folder: Path, tmp_path: Path, kind: str
) -> None:
    returns = tmp_path / "returns"
    shutil.copytree(folder, returns)
    odd = returns / "odd" / "return.xlsx"
    odd.parent.mkdir()
    if kind == "fifo":
        os.mkfifo(odd)
    else:
        odd.symlink_to("/dev/zero")
    received = run("receive", str(odd))
    assert received.exit_code == 2
    assert "not a regular file" in received.output
    result = run("aggregate", str(returns), "--period", "2026-Q1", "--out", str(tmp_path / "s"))
    assert result.exit_code == 1  # a return of the folder was rejected; the report is written
    assert "rejected: odd/return.xlsx: not a regular file" in result.output
    returns_sheet = sheet_records(tmp_path / "s" / "sector.xlsx", "Returns")
    assert [r["status"] for r in returns_sheet if r["file"] == "odd/return.xlsx"] == ["rejected"]
