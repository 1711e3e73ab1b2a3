"""DTR-1.1 breaches: disclosed everywhere, blocking nowhere (render, batch, receive)."""

from __future__ import annotations

import json
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner
from pypdf import PdfReader
from returns_fixture import submission, submission_bytes

from compliance.cli import cli
from compliance.render.pdf import BREACHES_PER_CODE

pytestmark = pytest.mark.usefixtures("pseudonym_key")


@pytest.fixture
def pseudonym_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COMPLIANCE_PSEUDONYM_KEY", "breach-tests-key-0123456789abcdef")


def run(*args: str):  # type: ignore[no-untyped-def]
    return CliRunner().invoke(cli, list(args))


def first_page(pdf: Path) -> str:
    return " ".join(PdfReader(pdf).pages[0].extract_text().split())


def test_a_quarter_whose_only_findings_are_breaches_renders_without_draft(tmp_path: Path) -> None:
    source = tmp_path / "late.json"
    source.write_bytes(submission_bytes())  # R2 referred 30 h after an urgent suspicion
    result = run("render", str(source), "--out", str(tmp_path / "out"))
    assert result.exit_code == 0, result.output
    folder = tmp_path / "out" / submission()["submission_id"]
    page = first_page(folder / "return.pdf")
    assert "BREACHES DISCLOSED" in page.upper()
    assert "DTR-T005" in page and "Referral R2" in page
    assert "30 hours after suspicion was formed" in page
    assert "DRAFT" not in page
    validation = openpyxl.load_workbook(folder / "return.xlsx")["Validation"]
    severities = [row[1] for row in validation.iter_rows(min_row=2, values_only=True)]
    assert severities[0] == "breach"  # breaches first
    summary = dict(
        openpyxl.load_workbook(folder / "return.xlsx")["Summary"].iter_rows(
            min_row=2, values_only=True
        )
    )
    assert summary["issues_breach"] == 1 and summary["issues_error"] == 0


def test_a_quarter_without_breaches_says_so_in_one_line(tmp_path: Path) -> None:
    document = submission()
    document["referrals"] = document["referrals"][:1]
    document["moderation_log"] = document["moderation_log"][:1]
    source = tmp_path / "clean.json"
    source.write_bytes(submission_bytes(document))
    result = run("render", str(source), "--out", str(tmp_path / "out"))
    assert result.exit_code == 0, result.output
    page = first_page(tmp_path / "out" / document["submission_id"] / "return.pdf")
    assert "No breach of the duty to report is recorded in this quarter's data." in page


def test_more_breaches_than_a_page_lists_are_counted(tmp_path: Path) -> None:
    document = submission()
    grave = [dict(document["moderation_log"][0]) for _ in range(BREACHES_PER_CODE + 3)]
    for number, row in enumerate(grave):
        row.update(
            action_id=f"G{number}",
            account_id=f"acc-g{number}",
            category="threat",
            referral_id=None,
        )
    document["moderation_log"] += grave
    source = tmp_path / "grave.json"
    source.write_bytes(submission_bytes(document))
    result = run("render", str(source), "--out", str(tmp_path / "out"))
    assert result.exit_code == 0, result.output
    pdf = tmp_path / "out" / document["submission_id"] / "return.pdf"
    text = " ".join(" ".join(page.extract_text().split()) for page in PdfReader(pdf).pages[:3])
    assert "3 more DTR-D002 breaches are not printed here" in text
    assert f"Log row {len(document['moderation_log'])} (G{BREACHES_PER_CODE + 2})" not in text
    assert "(G0)" in text


def test_batch_renders_breaches_and_its_summary_counts_them(tmp_path: Path) -> None:
    source = tmp_path / "in"
    source.mkdir()
    (source / "late.json").write_bytes(submission_bytes())
    # The period as typed in a hurry: lower-case q (a command-line argument, not a document).
    result = run("batch", str(source), "--period", "2026-q3", "--out", str(tmp_path / "out"))
    assert result.exit_code == 0, result.output
    manifest = json.loads((tmp_path / "out" / "manifest.json").read_text())
    assert manifest["counts"]["rendered"] == 1
    sheet = openpyxl.load_workbook(tmp_path / "out" / "batch-summary.xlsx")["Submissions"]
    rows = list(sheet.iter_rows(values_only=True))
    record = dict(zip(rows[0], rows[1], strict=True))
    assert record["status"] == "rendered"
    assert record["breaches"] == 1 and record["issues_breach"] == 1


def test_a_refused_render_says_that_draft_exists(tmp_path: Path) -> None:
    from returns_fixture import broken_submission

    source = tmp_path / "broken.json"
    source.write_bytes(submission_bytes(broken_submission("BROKEN-2026-Q3")))
    result = CliRunner().invoke(cli, ["render", str(source), "--out", str(tmp_path / "out")])
    assert result.exit_code == 1
    assert "DTR-I008" in result.output and "give --draft" in result.output
