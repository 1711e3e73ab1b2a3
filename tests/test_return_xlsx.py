"""return.xlsx read back by openpyxl: sheets, headers, types, no formulas, no personal data."""

from __future__ import annotations

import hashlib
import zipfile
from datetime import datetime
from pathlib import Path

import openpyxl
import pytest
from returns_fixture import PERSONAL_VALUES, submission
from test_figures import view_of

from compliance.figures import SHEET_NAMES, Sheet
from compliance.render.xlsx import sheet_parts, write_return_xlsx

HOSTILE_IDS = ['=HYPERLINK("http://x")', "+SUM(A1)", "@cmd", "-2+3"]


@pytest.fixture
def workbook_path(tmp_path: Path) -> Path:
    path = tmp_path / "return.xlsx"
    write_return_xlsx(view_of(), path)
    return path


def test_sheets_and_headers(workbook_path: Path) -> None:
    workbook = openpyxl.load_workbook(workbook_path)
    assert tuple(workbook.sheetnames) == SHEET_NAMES
    assert [c.value for c in workbook["Referrals"][1]][:4] == [
        "referral_id",
        "referral_type",
        "priority",
        "categories",
    ]
    assert [c.value for c in workbook["Removals"][1]] == [
        "action_id",
        "service_id",
        "account_ref",
        "category",
        "actioned_at",
        "referral_id",
        "referred",
    ]
    for sheet in workbook:
        assert sheet.freeze_panes == "A2"
        assert sheet.auto_filter.ref is not None


def test_cell_types(workbook_path: Path) -> None:
    workbook = openpyxl.load_workbook(workbook_path)
    summary = {row[0].value: row[1].value for row in workbook["Summary"].iter_rows(min_row=2)}
    assert summary["referrals_total"] == 3 and summary["median_hours_to_referral"] == 15.25
    assert summary["removals_referred_ratio"] == 0.75
    referrals = workbook["Referrals"]
    assert isinstance(referrals["E2"].value, datetime)
    assert referrals["E2"].value == datetime(2026, 7, 31, 9, 0)
    assert referrals["I2"].value is True and referrals["I3"].value is False
    assert referrals["I4"].value is None  # not referred: deadline_met left empty
    cover = {row[0].value: row[1].value for row in workbook["Cover"].iter_rows(min_row=2)}
    assert cover["filing_ready"] is True  # a breach (DTR-T005) is disclosed, not blocking


def test_formula_looking_text_stays_text(tmp_path: Path) -> None:
    document = submission()
    for referral, hostile in zip(document["referrals"], HOSTILE_IDS, strict=False):
        referral["authority_reference"] = hostile
    path = tmp_path / "return.xlsx"
    write_return_xlsx(view_of(document), path)
    sheet = openpyxl.load_workbook(path)["Referrals"]
    for row, hostile in zip(range(2, 5), HOSTILE_IDS, strict=False):
        cell = sheet.cell(row=row, column=13)
        assert cell.value == hostile and cell.data_type == "s"
    with zipfile.ZipFile(path) as archive:
        for name in archive.namelist():
            if name.startswith("xl/worksheets/"):
                assert b"<f>" not in archive.read(name)


def test_no_personal_data_anywhere_in_the_workbook(workbook_path: Path) -> None:
    with zipfile.ZipFile(workbook_path) as archive:
        text = b"".join(archive.read(name) for name in archive.namelist()).decode(
            "utf-8", "replace"
        )
    for value in PERSONAL_VALUES:
        assert value not in text


def test_rendering_twice_gives_identical_bytes(tmp_path: Path) -> None:
    digests = set()
    for n in range(2):
        path = tmp_path / f"{n}.xlsx"
        write_return_xlsx(view_of(), path)
        digests.add(hashlib.sha256(path.read_bytes()).hexdigest())
    assert len(digests) == 1


def test_long_sheets_continue_on_numbered_sheets() -> None:
    sheet = Sheet("Content", ("n",), tuple((n,) for n in range(7)))
    parts = sheet_parts(sheet, max_rows=3)
    assert [name for name, _ in parts] == ["Content", "Content 2", "Content 3"]
    assert [len(rows) for _, rows in parts] == [3, 3, 1]
    assert [row for _, rows in parts for row in rows] == list(sheet.rows)


def test_workbook_splits_a_sheet_past_the_row_limit(tmp_path: Path, monkeypatch) -> None:
    from compliance.render import xlsx

    monkeypatch.setattr(xlsx, "MAX_DATA_ROWS", 2)
    path = tmp_path / "split.xlsx"
    write_return_xlsx(view_of(), path)
    workbook = openpyxl.load_workbook(path)
    assert workbook.sheetnames[:3] == ["Cover", "Cover 2", "Cover 3"]  # 11 rows, 2 a sheet
    assert "Summary 8" in workbook.sheetnames and "Summary 9" not in workbook.sheetnames
    assert "Content 2" in workbook.sheetnames and "Removals 2" in workbook.sheetnames
    assert workbook["Content 2"]["A1"].value == "referral_id"
    assert workbook["Content 2"]["B2"].value == "v-7702"
