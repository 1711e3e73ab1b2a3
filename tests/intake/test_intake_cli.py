"""The intake workbook on the command line: template, convert, validate, render and batch.

What a user does: generate the template, fill it in, validate it, convert it, render it. A
filing-ready workbook must render to the same return as the JSON it is equivalent to; only
the SHA-256 of the input file (which is a workbook, not JSON) may differ.
"""

from __future__ import annotations

import hashlib
import io
import json
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from click.testing import CliRunner, Result
from intake_helpers import base, same_submission
from pypdf import PdfReader

from compliance.cli import cli
from compliance.intake.convert import document_json
from compliance.intake.layout import SHEET_NAMES
from compliance.intake.template import iter_code_columns
from compliance.readers.intake_xlsx.reader import read_intake_workbook
from compliance.statuses import BatchStatus


def run(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args))


@pytest.fixture
def pseudonym_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COMPLIANCE_PSEUDONYM_KEY", "intake-test-key-0123456789abcdef")


def test_template_is_a_blank_workbook_with_drop_downs(tmp_path: Path) -> None:
    path = tmp_path / "intake.xlsx"
    result = run("template", "--out", str(path))
    assert result.exit_code == 0, result.output
    workbook = openpyxl.load_workbook(path)
    assert tuple(workbook.sheetnames) == SHEET_NAMES
    assert "UTC" in " ".join(str(row[0]) for row in workbook["Instructions"].values)
    for sheet_name, column in iter_code_columns():
        rules = workbook[sheet_name].data_validations.dataValidation
        assert any(rule.formula1 == '"' + ",".join(column.codes) + '"' for rule in rules), (
            sheet_name,
            column.name,
        )
    for sheet_name in SHEET_NAMES[1:]:
        sheet = workbook[sheet_name]
        assert sheet.freeze_panes == "A2"
        assert all(cell.value for cell in sheet[1])
    referrals = workbook["Referrals"]
    assert all(cell.comment is not None for cell in referrals[1])
    headers = [cell.value for cell in referrals[1]]
    # Date-time columns show date-times in the ISO form the instructions describe.
    detected = referrals.column_dimensions[
        openpyxl.utils.get_column_letter(headers.index("detected_at") + 1)
    ]
    assert detected.number_format == 'yyyy-mm-dd"T"hh:mm:ss"Z"'


def test_blank_template_is_not_filing_ready_and_says_where(tmp_path: Path) -> None:
    path = tmp_path / "intake.xlsx"
    run("template", "--out", str(path))
    result = run("validate", str(path), "--format", "json")
    assert result.exit_code == 1
    (printed,) = json.loads(result.output)
    assert printed["counts"]["fatal"] == 0 and printed["counts"]["error"] > 0
    missing = {issue["path"]: issue["source"] for issue in printed["issues"]}
    assert missing["/platform/legal_name"] == {"sheet": "Platform", "row": 8, "column": "B"}
    assert missing["/attestation"]["sheet"] == "Attestation"


def test_convert_round_trip_on_the_command_line(tmp_path: Path) -> None:
    source = tmp_path / "submission.json"
    source.write_bytes(document_json(base()))
    workbook = tmp_path / "submission.xlsx"
    back = tmp_path / "back.json"
    first = run("convert", str(source), "--to", "xlsx", "--out", str(workbook))
    assert first.exit_code == 0, first.output
    second = run("convert", str(workbook), "--to", "json", "--out", str(back))
    assert second.exit_code == 0, second.output
    assert same_submission(json.loads(back.read_text(encoding="utf-8")), base())
    document, _, _ = read_intake_workbook(workbook.read_bytes())
    assert json.loads(back.read_text(encoding="utf-8")) == document


def embedded_return(pdf: Path) -> dict[str, Any]:
    (content,) = PdfReader(pdf).attachments["return.json"]
    result: dict[str, Any] = json.loads(content)
    return result


@pytest.mark.slow
def test_render_of_a_workbook_equals_render_of_its_json(
    tmp_path: Path, pseudonym_key: None
) -> None:
    source = tmp_path / "submission.json"
    source.write_bytes(document_json(base()))
    workbook = tmp_path / "submission.xlsx"
    assert run("convert", str(source), "--to", "xlsx", "--out", str(workbook)).exit_code == 0
    outputs = {}
    for name, path in (("json", source), ("xlsx", workbook)):
        result = run("render", str(path), "--out", str(tmp_path / name))
        assert result.exit_code == 0, result.output
        outputs[name] = tmp_path / name / "NVS-2026-Q3"
    returns = {name: embedded_return(folder / "return.pdf") for name, folder in outputs.items()}
    for name, path in (("json", source), ("xlsx", workbook)):
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
        assert returns[name]["Cover"].pop("source_sha256") == digest
    assert returns["xlsx"] == returns["json"]
    # The referral packs do not name their input at all: byte for byte the same.
    packs = {
        name: {p.name: p.read_bytes() for p in (folder / "referrals").iterdir()}
        for name, folder in outputs.items()
    }
    assert packs["xlsx"] == packs["json"] and len(packs["json"]) == 3
    sheets = {
        name: openpyxl.load_workbook(io.BytesIO((folder / "return.xlsx").read_bytes()))
        for name, folder in outputs.items()
    }
    for sheet_name in ("Summary", "Referrals", "Content", "Removals", "Validation"):
        assert list(sheets["xlsx"][sheet_name].values) == list(sheets["json"][sheet_name].values)


@pytest.mark.slow
def test_batch_takes_intake_workbooks(tmp_path: Path, pseudonym_key: None) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    source = tmp_path / "ready.json"
    source.write_bytes(document_json(base()))
    run("convert", str(source), "--to", "xlsx", "--out", str(inbox / "ready.xlsx"))
    broken = base()
    broken["submission_id"] = "NVS-2026-Q3-B"
    broken["referrals"][0]["priority"] = "soonish"
    source.write_bytes(document_json(broken))
    run("convert", str(source), "--to", "xlsx", "--out", str(inbox / "broken.xlsx"))
    out = tmp_path / "out"
    result = run("batch", str(inbox), "--period", "2026-Q3", "--out", str(out), "--workers", "1")
    assert result.exit_code == 1, result.output
    manifest = json.loads((out / "manifest.json").read_text())
    statuses = {entry["input"]: entry["status"] for entry in manifest["inputs"]}
    assert statuses == {"ready.xlsx": BatchStatus.RENDERED, "broken.xlsx": BatchStatus.REJECTED}
    assert (out / "submissions" / "NVS-2026-Q3" / "return.pdf").exists()
    rejected = next(e for e in manifest["inputs"] if e["input"] == "broken.xlsx")
    report = json.loads((out / rejected["outputs"][0]["path"]).read_text())
    (issue,) = [i for i in report["issues"] if i["code"] == "DTR-S004"]
    assert issue["source"] == {"sheet": "Referrals", "row": 2, "column": "D"}


def test_template_and_convert_never_overwrite_without_force(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from compliance.cli import cli

    filled = tmp_path / "intake.xlsx"
    filled.write_bytes(b"a workbook someone spent a day filling in")
    refused = CliRunner().invoke(cli, ["template", "--out", str(filled)])
    assert refused.exit_code == 2 and "give --force to replace it" in refused.output
    assert filled.read_bytes() == b"a workbook someone spent a day filling in"
    source = tmp_path / "s.json"
    source.write_text((Path(__file__).parents[1] / "conformance/base.json").read_text())
    again = CliRunner().invoke(cli, ["convert", str(source), "--to", "xlsx", "--out", str(filled)])
    assert again.exit_code == 2 and filled.read_bytes().startswith(b"a workbook")
    forced = CliRunner().invoke(cli, ["template", "--out", str(filled), "--force"])
    assert forced.exit_code == 0, forced.output
    assert filled.read_bytes().startswith(b"PK")
