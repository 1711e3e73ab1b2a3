"""Workbooks saved by LibreOffice read back as the same submission, with the same issues.

A user fills the intake workbook in a spreadsheet program, which rewrites every part of the
file its own way (shared strings, styles, date cells, empty rows, drop-downs). Here headless
LibreOffice re-saves workbooks the tool wrote, and the reader must find in them exactly what
it finds in the originals. Skipped, with the reason, where LibreOffice is not installed.
"""

from __future__ import annotations

import io
import json
import shutil
import subprocess
import zipfile
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from intake_helpers import base, issue_keys, same_submission

from compliance.check import check_bytes
from compliance.intake.template import iter_code_columns, write_intake
from compliance.readers.intake_xlsx.reader import read_intake_workbook
from compliance.xlsx.addresses import column_letter

SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")
pytestmark = [
    pytest.mark.slow,  # LibreOffice starts for every workbook it saves
    pytest.mark.skipif(
        SOFFICE is None,
        reason="LibreOffice (soffice) is not installed; install libreoffice-calc-nogui to run "
        "the intake round trip through a real spreadsheet program",
    ),
]
SAMPLES = Path(__file__).resolve().parents[2] / "sample_inputs"

# Free text as people paste it. Left out: text holding an escaped escape such as
# "_x005F_x0041_", which LibreOffice 7.4 itself reads back as "_x0041_" (the tool writes it
# as the standard says, and reads it back exactly: see test_intake_roundtrip).
TRICKY = [
    '=HYPERLINK("http://evil.example","click")',
    "+SUM(A1)",
    "-1+2",
    "@cmd",
    "=cmd|' /C calc'!A0",
    "المهندس اردو متن",
    "Ибрагим 東京都 😀👩\u200d👩\u200d👧",
    "\u202eevil\u202c e\u0301\u0301 \u200f\u0627\u0644",
    "_x0041_ and _xFFFE_",
    "<b>markup</b> &amp; 'quotes' \"double\"",
]


def tricky_submission() -> dict[str, Any]:
    document = base()
    referral = document["referrals"][0]
    referral["narrative"] = "\n".join(TRICKY) + "\n\tindented line\n" + referral["narrative"]
    referral["authority_reference"] = "+SUM(A1)"
    referral["referred_to"] = "=1+1"
    referral["detected_at"] = "2026-08-14T09:12:00.250Z"  # milliseconds: a date-time cell
    subject = referral["subjects"][0]
    subject["ip_events"][0]["observed_at"] = "2026-08-14T09:04:51.123456Z"  # finer: text
    subject["account_created_at"] = "1899-12-31T23:00:00Z"  # before date cells: text
    subject["account_id"] = "000123"  # digits with leading zeros stay text
    subject["display_name"] = TRICKY[6]
    referral["content_items"][0]["excerpt"] = TRICKY[0]
    document["platform"]["registration_number"] = "09172244"
    document["platform"]["legal_name"] = TRICKY[5]
    document["moderation_log"][0]["content_id"] = "1e5"  # looks like a number
    document["attestation"]["statement"] = TRICKY[7] + "\n" + TRICKY[9]
    return document


def broken_submission() -> dict[str, Any]:
    document = base()
    referral = document["referrals"][0]
    referral["priority"] = "soonish"
    referral["detected_at"] = "2026-08-14T09:12:00"  # no offset
    referral["categories"] = ["threat", "threat"]
    referral["surprise"] = "an unknown field"
    del referral["narrative"]
    referral["subjects"][0]["ip_events"][0]["port"] = "443"
    document["moderation_log"][0]["service_id"] = "not an id!"
    document["attestation"] = None
    return document


@pytest.fixture(scope="module")
def resaved(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[bytes, bytes]]:
    """Each workbook as the tool wrote it and as LibreOffice saved it again."""
    folder = tmp_path_factory.mktemp("libreoffice")
    written = folder / "written"
    written.mkdir()
    documents: dict[str, dict[str, Any] | None] = {
        "template": None,
        "tricky": tricky_submission(),
        "broken": broken_submission(),
    }
    for sample in sorted(SAMPLES.glob("*.json")):
        documents[sample.stem] = json.loads(sample.read_text(encoding="utf-8"))
    for name, document in documents.items():
        write_intake(written / f"{name}.xlsx", document)
    out = folder / "saved"
    assert SOFFICE is not None
    # A private profile: a shared one would clash with a LibreOffice the user has open, or
    # with another test run, and would leave state behind.
    profile = (folder / "profile").as_uri()
    finished = subprocess.run(
        [
            SOFFICE,
            f"-env:UserInstallation={profile}",
            "--headless",
            "--norestore",
            "--convert-to",
            "xlsx:Calc MS Excel 2007 XML",
            "--outdir",
            str(out),
            *(str(written / f"{name}.xlsx") for name in documents),
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert finished.returncode == 0, finished.stderr
    pairs = {}
    for name in documents:
        saved = out / f"{name}.xlsx"
        assert saved.exists(), f"LibreOffice did not write {name}.xlsx: {finished.stderr}"
        pairs[name] = ((written / f"{name}.xlsx").read_bytes(), saved.read_bytes())
    return pairs


def test_libreoffice_really_rewrote_the_files(resaved: dict[str, tuple[bytes, bytes]]) -> None:
    for original, saved in resaved.values():
        assert original != saved
        application = zipfile.ZipFile(io.BytesIO(saved)).read("docProps/app.xml")
        assert b"LibreOffice" in application


@pytest.mark.parametrize(
    "name",
    [
        "template",
        "tricky",
        "harbourlight-2026-Q3",
        "meridian-chat-2026-Q3",
        "ostrava-social-2026-Q3",
    ],
)
def test_saved_workbook_reads_back_the_same(
    name: str, resaved: dict[str, tuple[bytes, bytes]]
) -> None:
    original, saved = resaved[name]
    expected, _, expected_issues = read_intake_workbook(original)
    back, _, issues = read_intake_workbook(saved)
    assert issues == expected_issues == []
    assert back == expected
    assert issue_keys(check_bytes(saved)) == issue_keys(check_bytes(original))
    sample = SAMPLES / f"{name}.json"
    if sample.exists():
        # And the same as the JSON the workbook was made from (its errors included).
        data = sample.read_bytes()
        assert issue_keys(check_bytes(saved)) == issue_keys(check_bytes(data))
        if check_bytes(data).report.filing_ready:
            assert same_submission(back, json.loads(data))


def test_tricky_text_survives_exactly(resaved: dict[str, tuple[bytes, bytes]]) -> None:
    back, _, _ = read_intake_workbook(resaved["tricky"][1])
    document = tricky_submission()
    assert same_submission(back, document)
    referral = back["referrals"][0]
    assert referral["narrative"] == document["referrals"][0]["narrative"]
    assert referral["subjects"][0]["account_id"] == "000123"
    assert referral["detected_at"] == "2026-08-14T09:12:00.250Z"
    assert back["platform"]["registration_number"] == "09172244"
    assert back["moderation_log"][0]["content_id"] == "1e5"
    assert back["attestation"]["statement"] == document["attestation"]["statement"]


def test_broken_workbook_gives_the_same_located_issues(
    resaved: dict[str, tuple[bytes, bytes]],
) -> None:
    original, saved = resaved["broken"]
    before = check_bytes(original).report.issues
    after = check_bytes(saved).report.issues
    assert {issue.code for issue in before} >= {"DTR-S001", "DTR-S002", "DTR-S003", "DTR-S004"}
    assert [(i.code, i.path, i.message, i.source) for i in after] == [
        (i.code, i.path, i.message, i.source) for i in before
    ]


def test_drop_downs_and_notes_survive(resaved: dict[str, tuple[bytes, bytes]]) -> None:
    """Someone who saves the template in LibreOffice and hands it on keeps the drop-downs."""
    workbook = openpyxl.load_workbook(io.BytesIO(resaved["template"][1]))
    for sheet_name, column in iter_code_columns():
        sheet = workbook[sheet_name]
        if sheet_name in ("Platform", "Attestation"):
            row = next(
                r for r in range(2, sheet.max_row + 1) if sheet.cell(r, 1).value == column.name
            )
            cell = f"B{row}"
        else:
            headers = [cell.value for cell in sheet[1]]
            cell = f"{column_letter(headers.index(column.name) + 1)}2"
        rules = [rule for rule in sheet.data_validations.dataValidation if cell in rule.sqref]
        assert len(rules) == 1, (sheet_name, column.name)
        assert rules[0].formula1 == '"' + ",".join(column.codes) + '"'
    notes = [cell.comment for cell in workbook["Referrals"][1]]
    assert all(note is not None and note.text for note in notes)
