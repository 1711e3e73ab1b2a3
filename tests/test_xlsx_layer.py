"""The shared XLSX layer: one cell writer with one set of limits behind both writers, and one
raw-workbook reader behind both readers."""

from __future__ import annotations

import copy
import io
import json
import re
import zipfile
from datetime import UTC, date, datetime, time
from pathlib import Path

import openpyxl
import pytest

from compliance.figures import Cell, Sheet
from compliance.intake.template import IntakeWriteError, write_intake
from compliance.render.xlsx import write_workbook
from compliance.xlsx.cells import MAX_CELL_CHARS, XlsxLimitError
from compliance.xlsx.package import MIB, PackagePolicy, RefusedPackage
from compliance.xlsx.raw_workbook import read_raw_workbook
from compliance.xlsx.sheet_cells import FilledCell

ROOT = Path(__file__).resolve().parent.parent
BASE = json.loads((ROOT / "tests" / "intake" / "data" / "base.json").read_text("utf-8"))
CREATED = {"created": datetime(2026, 1, 1)}
POLICY = PackagePolicy(
    expected="a test workbook",
    values_only="a test workbook holds values only",
    advice="",
    beyond="any test",
    max_uncompressed_bytes=10 * MIB,
    max_cells=1_000,
    max_elements=2_000,
)


def _return_with(value: Cell, path: Path) -> None:
    write_workbook([Sheet("Notes", ("note",), ((value,),))], path, properties=CREATED)


def _intake_with_narrative(text: str, path: Path) -> list[str]:
    document = copy.deepcopy(BASE)
    document["referrals"][0]["narrative"] = text
    return write_intake(path, document)


def test_a_cell_holds_at_most_32767_characters_in_both_writers(tmp_path: Path) -> None:
    fitting, too_long = "x" * MAX_CELL_CHARS, "x" * (MAX_CELL_CHARS + 1)
    _return_with(fitting, tmp_path / "fits.xlsx")
    assert _intake_with_narrative(fitting, tmp_path / "fits-intake.xlsx") == []
    expected = "32768 characters do not fit one spreadsheet cell (at most 32767)"
    with pytest.raises(XlsxLimitError, match=f"^{re.escape(expected)}$"):
        _return_with(too_long, tmp_path / "long.xlsx")
    with pytest.raises(IntakeWriteError, match=f"^/referrals/0/narrative: {re.escape(expected)}$"):
        _intake_with_narrative(too_long, tmp_path / "long-intake.xlsx")


def test_a_lone_surrogate_is_refused_by_both_writers(tmp_path: Path) -> None:
    expected = "contains a lone surrogate, which no workbook can hold"
    with pytest.raises(XlsxLimitError, match=f"^{expected}$"):
        _return_with("ok \ud800", tmp_path / "return.xlsx")
    with pytest.raises(IntakeWriteError, match=f"^/referrals/0/narrative: {expected}$"):
        _intake_with_narrative("ok \ud800", tmp_path / "intake.xlsx")


def test_each_type_is_written_one_way_and_read_back_raw(tmp_path: Path) -> None:
    path = tmp_path / "values.xlsx"
    moment = datetime(2026, 8, 14, 9, 30, tzinfo=UTC)
    row = ("=1+1", 7, 2.5, True, moment, None, "plain")
    write_workbook([Sheet("Values", tuple("abcdefg"), (row,))], path, properties=CREATED)
    workbook = read_raw_workbook(path.read_bytes(), POLICY, lambda cell: None)
    (sheet,) = workbook.sheets
    # Text that looks like a formula stays text; the date-time is the UTC one, without offset.
    assert sheet.rows[2] == ("=1+1", 7, 2.5, True, datetime(2026, 8, 14, 9, 30), None, "plain")
    assert workbook.properties == {}


def _not_data(cell: FilledCell) -> str | None:
    if cell.kind == "f":
        return "a formula"
    if isinstance(cell.value, time | date) and not isinstance(cell.value, datetime):
        return "a date or time alone"
    return None


def test_cells_that_hold_no_data_are_set_aside_in_their_place() -> None:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "Data"
    sheet.append(["name", "when", "sum"])
    sheet.append(["a", time(10, 30), "=1+1"])
    sheet.append([None, None, "=A2"])
    sheet.merge_cells("A4:B4")
    workbook.properties.title = "A title"
    buffer = io.BytesIO()
    workbook.save(buffer)

    raw = read_raw_workbook(buffer.getvalue(), POLICY, _not_data)
    (data,) = raw.sheets
    assert data.rows == {1: ("name", "when", "sum"), 2: ("a",)}
    assert [(odd.row, odd.column, odd.what) for odd in data.odd] == [
        (2, 2, "a date or time alone"),
        (2, 3, "a formula"),
        (3, 3, "a formula"),
    ]
    assert data.merged == ["A4:B4"]
    assert raw.properties["title"] == "A title"


def test_the_caller_chooses_the_sheets_and_the_budget_counts_only_those(tmp_path: Path) -> None:
    path = tmp_path / "two.xlsx"
    # 1,200 filled cells in 400 rows: within the 2,000 elements, beyond the 1,000 cells.
    many = tuple(("a", "b", "c") for _number in range(400))
    write_workbook(
        [Sheet("Small", ("a",), (("x",),)), Sheet("Large", ("a", "b", "c"), many)],
        path,
        properties=CREATED,
    )
    data = path.read_bytes()
    small = read_raw_workbook(
        data,
        POLICY,
        _not_data,
        choose_sheets=lambda parts: [part for part in parts if part.name == "Small"],
    )
    assert small.sheet_names == ["Small"]
    with pytest.raises(RefusedPackage, match="more than 1,000 filled cells"):
        read_raw_workbook(data, POLICY, _not_data)


def test_a_sheet_whose_contents_are_missing_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "one.xlsx"
    _return_with("x", path)
    damaged = tmp_path / "damaged.xlsx"
    with zipfile.ZipFile(path) as source, zipfile.ZipFile(damaged, "w") as target:
        for info in source.infolist():
            if info.filename != "xl/worksheets/sheet1.xml":
                target.writestr(info, source.read(info.filename))
    with pytest.raises(RefusedPackage, match="the contents of the sheet Notes are missing"):
        read_raw_workbook(damaged.read_bytes(), POLICY, _not_data)


def test_a_formula_hidden_behind_a_repeated_cell_reference_is_still_set_aside(
    tmp_path: Path,
) -> None:
    """A crafted sheet may give one cell twice; the later value does not hide the formula."""
    path = tmp_path / "one.xlsx"
    _return_with("x", path)
    buffer = io.BytesIO()
    with zipfile.ZipFile(path) as source, zipfile.ZipFile(buffer, "w") as target:
        for info in source.infolist():
            body = source.read(info.filename)
            if info.filename == "xl/worksheets/sheet1.xml":
                body = re.sub(
                    rb'<c r="A2"[^>]*>.*?</c>',
                    b'<c r="A2"><f>1+1</f><v>2</v></c><c r="A2"><v>7</v></c>',
                    body,
                )
            target.writestr(info, body)
    (sheet,) = read_raw_workbook(buffer.getvalue(), POLICY, _not_data).sheets
    assert sheet.rows[2] == (7,)
    assert [(odd.row, odd.column, odd.what) for odd in sheet.odd] == [(2, 1, "a formula")]
