"""Hand-made broken intake workbooks: each gives the expected issue at its sheet, row, column.

Every case starts from the filing-ready base submission written as a workbook, breaks one
thing the way a person with a spreadsheet program would (or, for what openpyxl cannot write,
by editing the sheet's XML), and asserts the complete list of issues: code, JSON Pointer and
cell. ``compliance validate --format json`` must print the same issues for the same file.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime, time
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from intake_helpers import base, edited, with_cell_xml, workbook_bytes

from compliance.check import check_bytes
from compliance.cli import cli
from compliance.readers.intake_xlsx.reader import read_intake_workbook

Expected = list[tuple[str, str, str, int, str]]
"""(code, path, sheet, row, column) of every issue (compared in any order)."""


@pytest.fixture(scope="module")
def good(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    data = workbook_bytes(base(), tmp_path_factory.mktemp("good"))
    assert check_bytes(data).report.issues == []
    return data


def located(data: bytes) -> Expected:
    issues = check_bytes(data).report.issues
    return [
        (
            issue.code,
            issue.path,
            *(
                (issue.source["sheet"], issue.source["row"], issue.source["column"])
                if issue.source
                else ("", 0, "")
            ),
        )
        for issue in issues
    ]


def set_cell(sheet: str, ref: str, value: Any) -> Callable[[Any], None]:
    def edit(workbook: Any) -> None:
        workbook[sheet][ref] = value

    return edit


def append_row(sheet: str, values: list[Any]) -> Callable[[Any], None]:
    def edit(workbook: Any) -> None:
        workbook[sheet].append(values)

    return edit


def merge(sheet: str, cells: str) -> Callable[[Any], None]:
    def edit(workbook: Any) -> None:
        workbook[sheet].merge_cells(cells)

    return edit


def rename_sheet(old: str, new: str) -> Callable[[Any], None]:
    def edit(workbook: Any) -> None:
        workbook[old].title = new

    return edit


def delete_sheet(name: str) -> Callable[[Any], None]:
    def edit(workbook: Any) -> None:
        del workbook[name]

    return edit


def delete_column(sheet: str, index: int) -> Callable[[Any], None]:
    def edit(workbook: Any) -> None:
        workbook[sheet].delete_cols(index)

    return edit


# Edits made with openpyxl, as a spreadsheet program would save them.
EDITS: dict[str, tuple[Callable[[Any], None], Expected]] = {
    "formula in a text cell": (
        set_cell("Referrals", "K2", '=A2&"-ref"'),
        [("DTR-S002", "/referrals/0/authority_reference", "Referrals", 2, "K")],
    ),
    "formula in a date-time cell": (
        set_cell("ContentItems", "I3", "=NOW()"),
        [("DTR-S002", "/referrals/0/content_items/1/removed_at", "ContentItems", 3, "I")],
    ),
    "formula in a parent key": (
        # The row cannot be placed; its subject and its IP events are lost with it.
        set_cell("Subjects", "A5", "=Referrals!A4"),
        [
            ("DTR-S002", "/referrals", "Subjects", 5, "A"),
            ("DTR-S002", "/referrals/2/subjects", "IPEvents", 6, "B"),
            ("DTR-I003", "/referrals/2/content_items/0/subject_id", "ContentItems", 5, "D"),
        ],
    ),
    "merged cells in a table": (
        merge("ContentItems", "M2:N2"),  # N2 (language, optional) is emptied by the merge
        [("DTR-S002", "/referrals/0/content_items/0/excerpt", "ContentItems", 2, "M")],
    ),
    "merged cells on the Platform sheet": (
        merge("Platform", "B8:C8"),
        [("DTR-S002", "/platform/legal_name", "Platform", 8, "B")],
    ),
    "an IP event of a referral that does not exist": (
        append_row("IPEvents", ["NVS-26Q3-404", "S1", "192.0.2.1", 443, None, "login"]),
        [("DTR-S002", "/referrals", "IPEvents", 7, "A")],
    ),
    "a hash of a content item that does not exist": (
        append_row("Hashes", ["NVS-26Q3-001", "post-000000", "md5", "0" * 32]),
        [("DTR-S002", "/referrals/0/content_items", "Hashes", 7, "B")],
    ),
    "a subject row without its referral_id": (
        append_row("Subjects", [None, "S9", "nv-talk", "nt-1", None]),
        [("DTR-S002", "/referrals", "Subjects", 6, "A")],
    ),
    "text in a date-time column": (
        set_cell("Referrals", "G2", "yesterday"),
        [("DTR-S002", "/referrals/0/suspicion_formed_at", "Referrals", 2, "G")],
    ),
    "a date-time without its offset, typed as text": (
        set_cell("ModerationLog", "F3", "2026-07-22 18:45"),
        [("DTR-S002", "/moderation_log/1/actioned_at", "ModerationLog", 3, "F")],
    ),
    "a time of day in a date-time column": (
        set_cell("IPEvents", "E3", time(21, 17)),
        [
            (
                "DTR-S002",
                "/referrals/0/subjects/0/ip_events/1/observed_at",
                "IPEvents",
                3,
                "E",
            )
        ],
    ),
    "a fraction where text is expected": (
        set_cell("Referrals", "K2", 12.5),
        [("DTR-S002", "/referrals/0/authority_reference", "Referrals", 2, "K")],
    ),
    "text in a whole-number column": (
        set_cell("IPEvents", "D2", "many"),
        [("DTR-S002", "/referrals/0/subjects/0/ip_events/0/port", "IPEvents", 2, "D")],
    ),
    "a date in a whole-number column": (
        set_cell("ContentItems", "L2", datetime(2026, 1, 1)),
        [("DTR-S002", "/referrals/0/content_items/0/view_count", "ContentItems", 2, "L")],
    ),
    "TRUE in a text column": (
        set_cell("Subjects", "E2", True),
        [("DTR-S002", "/referrals/0/subjects/0/username", "Subjects", 2, "E")],
    ),
    "a value not in its drop-down": (
        set_cell("Referrals", "D3", "soonish"),
        [("DTR-S004", "/referrals/1/priority", "Referrals", 3, "D")],
    ),
    "a value not in its drop-down, in a list cell": (
        set_cell("Referrals", "E2", "threat; bombing"),
        [("DTR-S004", "/referrals/0/categories/1", "Referrals", 2, "E")],
    ),
    "an empty required cell": (
        set_cell("Referrals", "L3", None),
        [("DTR-S001", "/referrals/1/narrative", "Referrals", 3, "L")],
    ),
    "an empty required cell on the Platform sheet": (
        set_cell("Platform", "B8", None),
        [("DTR-S001", "/platform/legal_name", "Platform", 8, "B")],
    ),
    "a value in a column without a header": (
        set_cell("ModerationLog", "H4", "note to self"),
        [("DTR-S002", "/moderation_log/2", "ModerationLog", 4, "H")],
    ),
    "a misspelt header": (
        # Reported once at the header, not on each of the three rows: the unknown column
        # where it is, the missing one where it belongs (the first free column, Q).
        set_cell("Referrals", "L1", "narative"),
        [
            ("DTR-S003", "/referrals", "Referrals", 1, "L"),
            ("DTR-S001", "/referrals", "Referrals", 1, "Q"),
        ],
    ),
    "a deleted column": (
        delete_column("Services", 3),  # service_type; the first free column is then D
        [("DTR-S001", "/platform/services", "Services", 1, "D")],
    ),
    "a misspelt field on the Platform sheet": (
        set_cell("Platform", "A8", "legal_nam"),
        [
            ("DTR-S003", "/legal_nam", "Platform", 8, "B"),
            ("DTR-S001", "/platform/legal_name", "Platform", 15, "B"),
        ],
    ),
    "a field given twice on the Attestation sheet": (
        append_row("Attestation", ["role", "Someone else"]),
        [("DTR-S002", "/attestation/role", "Attestation", 6, "A")],
    ),
}

# Cells that only a spreadsheet program writes: raw XML of one cell.
CELL_XML: dict[str, tuple[str, str, str, Expected]] = {
    "a formula with its cached result": (
        # The cached "x" must not be read: no cell value is ever taken from a calculation.
        "Platform",
        "B8",
        '<c r="B8" t="str"><f>"x"&amp;"y"</f><v>xy</v></c>',
        [("DTR-S002", "/platform/legal_name", "Platform", 8, "B")],
    ),
    "a DDE formula": (
        "ContentItems",
        "M2",
        '<c r="M2" t="str"><f>cmd|\' /C calc\'!A0</f><v>0</v></c>',
        [("DTR-S002", "/referrals/0/content_items/0/excerpt", "ContentItems", 2, "M")],
    ),
    "a shared formula": (
        "ModerationLog",
        "C2",
        '<c r="C2"><f t="shared" ref="C2:C3" si="0">1+1</f><v>2</v></c>',
        [("DTR-S002", "/moderation_log/0/account_id", "ModerationLog", 2, "C")],
    ),
    "a spreadsheet error": (
        "Services",
        "B3",
        '<c r="B3" t="e"><v>#N/A</v></c>',
        [("DTR-S002", "/platform/services/1/name", "Services", 3, "B")],
    ),
    "a number too large to represent": (
        "ContentItems",
        "L2",
        '<c r="L2"><v>1e400</v></c>',
        [("DTR-S002", "/referrals/0/content_items/0/view_count", "ContentItems", 2, "L")],
    ),
}


def cli_issues(path: Path) -> list[dict[str, Any]]:
    result = CliRunner().invoke(cli, ["validate", str(path), "--format", "json"])
    assert result.exit_code == 1, result.output
    (printed,) = json.loads(result.output)
    assert printed["input"] == str(path)
    assert printed["filing_ready"] is False
    return printed["issues"]


def assert_reported(data: bytes, expected: Expected, tmp_path: Path) -> None:
    assert sorted(located(data)) == sorted(expected)
    # The command line prints the same issues, located the same way.
    path = tmp_path / "broken.xlsx"
    path.write_bytes(data)
    assert cli_issues(path) == check_bytes(data).report.to_json()


@pytest.mark.parametrize("case", list(EDITS))
def test_edited_workbook_reports_the_cell(case: str, good: bytes, tmp_path: Path) -> None:
    edit, expected = EDITS[case]
    assert_reported(edited(good, edit), expected, tmp_path)


@pytest.mark.parametrize("case", list(CELL_XML))
def test_raw_cell_reports_the_cell(case: str, good: bytes, tmp_path: Path) -> None:
    sheet, ref, xml, expected = CELL_XML[case]
    assert_reported(with_cell_xml(good, sheet, ref, xml), expected, tmp_path)


def test_a_formula_is_never_evaluated_nor_its_result_read(good: bytes) -> None:
    data = with_cell_xml(
        good, "Referrals", "I2", '<c r="I2" t="str"><f>"Counter"&amp;" Terror"</f><v>CT</v></c>'
    )
    document, _locate, issues = read_intake_workbook(data)
    assert "referred_to" not in document["referrals"][0]  # neither the formula nor "CT"
    assert [issue.message for issue in issues] == [
        "referred_to (Referrals!I2) holds a formula; DTR-1 values are typed, not calculated, "
        "so it is not read (copy the cell and paste it as a value)."
    ]


def test_orphan_message_names_the_parent_sheet(good: bytes) -> None:
    data = edited(good, append_row("Hashes", ["NVS-26Q3-001", "post-000000", "md5", "0" * 32]))
    (issue,) = check_bytes(data).report.issues
    assert issue.message == (
        "Hashes row 7 names content_id 'post-000000', which is not a row of the ContentItems "
        "sheet for referral_id 'NVS-26Q3-001'; the row belongs to no content item and is "
        "not read."
    )
    assert issue.referral_id == "NVS-26Q3-001"


@pytest.mark.parametrize(
    "edit, words",
    [
        (rename_sheet("Subjects", "Subject"), ["no sheet Subjects", "Subject"]),
        (delete_sheet("Hashes"), ["no sheet Hashes"]),
        (rename_sheet("Instructions", "Read me"), ["not part of it: Read me"]),
    ],
    ids=["misspelt sheet", "missing sheet", "renamed instructions"],
)
def test_a_wrong_set_of_sheets_is_not_an_intake_workbook(
    edit: Callable[[Any], None], words: list[str], good: bytes, tmp_path: Path
) -> None:
    data = edited(good, edit)
    (issue,) = check_bytes(data).report.issues
    assert issue.code == "DTR-S000"
    assert issue.message.startswith("This is not a DTR-1 intake workbook")
    for word in words:
        assert word in issue.message
    path = tmp_path / "sheets.xlsx"
    path.write_bytes(data)
    assert [entry["code"] for entry in cli_issues(path)] == ["DTR-S000"]


def test_text_output_names_the_cell(good: bytes, tmp_path: Path) -> None:
    path = tmp_path / "text.xlsx"
    path.write_bytes(edited(good, set_cell("Referrals", "K2", '=A2&"-ref"')))
    result = CliRunner().invoke(cli, ["validate", str(path)])
    assert result.exit_code == 1
    assert "/referrals/0/authority_reference (sheet Referrals, row 2, column K)" in result.output


def test_a_misspelt_header_is_one_issue_that_names_the_likely_column(good: bytes) -> None:
    issues = check_bytes(edited(good, set_cell("Referrals", "L1", "Narrative "))).report.issues
    assert len(issues) == 2  # three rows, yet one issue for each column, not six
    unknown = next(issue for issue in issues if issue.code == "DTR-S003")
    assert "did you mean narrative?" in unknown.message
    assert "3 rows" in unknown.message and unknown.source == {
        "sheet": "Referrals",
        "row": 1,
        "column": "L",
    }
    missing = next(issue for issue in issues if issue.code == "DTR-S001")
    assert "no narrative column" in missing.message


def test_an_unknown_column_used_on_one_row_stays_on_that_row(good: bytes) -> None:
    def one_value(workbook: Any) -> None:
        workbook["Referrals"]["Z1"] = "internal_notes"
        workbook["Referrals"]["Z3"] = "escalated by night shift"

    (issue,) = check_bytes(edited(good, one_value)).report.issues
    assert (issue.code, issue.path, issue.source) == (
        "DTR-S003",
        "/referrals/1/internal_notes",
        {"sheet": "Referrals", "row": 3, "column": "Z"},
    )
    assert issue.referral_id is not None


def test_an_empty_column_with_an_unknown_header_is_not_an_issue(good: bytes) -> None:
    assert check_bytes(edited(good, set_cell("Referrals", "Z1", "notes"))).report.issues == []
