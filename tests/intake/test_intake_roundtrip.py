"""JSON -> intake workbook -> JSON gives the same submission, whatever its text says."""

from __future__ import annotations

import copy
import json
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from intake_helpers import base, issue_keys, same_submission, workbook_bytes

from compliance.check import check_bytes
from compliance.intake.convert import document_json
from compliance.intake.template import write_intake
from compliance.readers.intake_xlsx.reader import read_intake_workbook

# DTR-1.1 §2: C0, DEL and C1 controls nowhere (tab and line feed in multi-line fields), and
# the line and paragraph separators not in single-line fields.
CONTROL = "".join(chr(c) for c in range(0x20)) + "\x7f" + "".join(chr(c) for c in range(0x80, 0xA0))
SEPARATORS = "\u2028\u2029"
FORMULA_LIKE = [
    '=HYPERLINK("http://evil.example","click")',
    "+SUM(A1)",
    "@cmd",
    "-1+2",
    "=1+1",
    "'=quoted",
    "=cmd|' /C calc'!A0",
    "\t=tab-led",
]
NON_LATIN = [
    "المهندس",
    "اردو متن",
    "Ибрагим",
    "東京都",
    "😀👩‍👩‍👧",
    "\u202eevil\u202c",
    "e\u0301\u0301",
    "\u200f\u0627\u0644",
]
OOXML_LIKE = ["_x0041_", "_x005F_x0041_", "a x005F_ b", "_xFFFE_", "\ufffe\uffff", "_x000D_"]


def text(*, multiline: bool = False, max_size: int = 60) -> st.SearchStrategy[str]:
    excluded = CONTROL.replace("\t", "").replace("\n", "") if multiline else CONTROL + SEPARATORS
    free = st.text(
        alphabet=st.characters(exclude_categories=("Cs",), exclude_characters=excluded),
        min_size=1,
        max_size=max_size,
    )
    samples = st.sampled_from(FORMULA_LIKE + NON_LATIN + OOXML_LIKE)
    if not multiline:
        samples = samples.filter(lambda value: "\t" not in value)
    joined = st.lists(st.one_of(free, samples), min_size=1, max_size=4).map("".join)
    return st.one_of(free, samples, joined).filter(lambda value: len(value) <= max_size)


# (path to a free-text field, multiline, max length)
FREE_TEXT: list[tuple[tuple[Any, ...], bool, int]] = [
    (("platform", "legal_name"), False, 200),
    (("platform", "registration_number"), False, 50),
    (("platform", "nominated_officer", "name"), False, 200),
    (("platform", "nominated_officer", "role"), False, 200),
    (("platform", "services", 1, "name"), False, 200),
    (("referrals", 0, "narrative"), True, 20_000),
    (("referrals", 1, "narrative"), True, 20_000),
    (("referrals", 0, "referred_to"), False, 200),
    (("referrals", 0, "authority_reference"), False, 64),
    (("referrals", 1, "preservation", "reference"), False, 64),
    (("referrals", 0, "subjects", 0, "account_id"), False, 128),
    (("referrals", 0, "subjects", 0, "username"), False, 128),
    (("referrals", 1, "subjects", 1, "display_name"), False, 200),
    (("referrals", 0, "content_items", 0, "excerpt"), True, 2000),
    (("referrals", 2, "content_items", 0, "excerpt"), True, 2000),
    (("moderation_log", 2, "account_id"), False, 128),
    (("moderation_log", 0, "content_id"), False, 128),
    (("attestation", "name"), False, 200),
    (("attestation", "statement"), True, 2000),
]
TIMESTAMPS: list[tuple[Any, ...]] = [
    ("referrals", 0, "detected_at"),
    ("referrals", 1, "referred_at"),
    ("referrals", 0, "subjects", 0, "ip_events", 1, "observed_at"),
    ("referrals", 1, "content_items", 0, "posted_at"),
    ("moderation_log", 3, "actioned_at"),
    ("attestation", "signed_at"),
]
INTEGERS: list[tuple[tuple[Any, ...], int, int]] = [
    (("platform", "services", 0, "monthly_active_users"), 0, 2**53 - 1),
    (("referrals", 0, "subjects", 0, "ip_events", 0, "port"), 1, 65535),
    (("referrals", 1, "content_items", 0, "view_count"), 0, 2**53 - 1),
]


def _set(document: Any, path: tuple[Any, ...], value: Any) -> None:
    for token in path[:-1]:
        document = document[token]
    document[path[-1]] = value


def _get(document: Any, path: tuple[Any, ...]) -> Any:
    for token in path:
        document = document[token]
    return document


def _same_instant(value: str, minutes: int, millis: bool) -> str:
    """The same instant written with another UTC offset (and optionally milliseconds)."""
    moment = datetime.fromisoformat(value.replace("Z", "+00:00")).astimezone(UTC)
    offset = timedelta(minutes=minutes)
    local = moment.astimezone(timezone(offset))
    return local.isoformat(timespec="milliseconds" if millis else "seconds")


@st.composite
def submissions(draw: st.DrawFn) -> dict[str, Any]:
    document = base()
    for path, multiline, limit in FREE_TEXT:
        if draw(st.booleans()):
            _set(document, path, draw(text(multiline=multiline, max_size=min(limit, 80))))
    for path in TIMESTAMPS:
        if draw(st.booleans()):
            minutes = draw(st.integers(-12 * 4, 14 * 4)) * 15
            _set(document, path, _same_instant(_get(document, path), minutes, draw(st.booleans())))
    for path, low, high in INTEGERS:
        if draw(st.booleans()):
            _set(document, path, draw(st.integers(low, high)))
    return document


@pytest.mark.slow
@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(document=submissions())
def test_valid_submissions_survive_json_xlsx_json(document: dict[str, Any], tmp_path: Path) -> None:
    original = document_json(document)
    workbook = workbook_bytes(document, tmp_path)
    back, _locate, reader_issues = read_intake_workbook(workbook)
    assert reader_issues == []
    assert same_submission(document, back)
    # The checker sees exactly the same submission in either form.
    assert issue_keys(check_bytes(workbook)) == issue_keys(check_bytes(original))
    # And the workbook's JSON converts back to the same workbook content.
    again, _, _ = read_intake_workbook(workbook_bytes(back, tmp_path, "again.xlsx"))
    assert again == back


def test_base_round_trip_is_exact_apart_from_utc(tmp_path: Path) -> None:
    document = base()
    back, _, issues = read_intake_workbook(workbook_bytes(document, tmp_path))
    assert issues == []
    expected = copy.deepcopy(document)
    expected["referrals"][0]["referred_at"] = "2026-08-14T10:05:00Z"  # was +01:00
    assert back == expected
    assert json.loads(document_json(back)) == expected


def test_fractional_seconds_and_early_dates_keep_their_value(tmp_path: Path) -> None:
    document = base()
    document["referrals"][0]["detected_at"] = "2026-08-14T09:12:00.250Z"
    document["referrals"][0]["subjects"][0]["ip_events"][0]["observed_at"] = (
        "2026-08-14T09:04:51.123456Z"  # finer than a spreadsheet keeps: stays text
    )
    document["referrals"][0]["subjects"][0]["account_created_at"] = "1899-12-31T23:00:00Z"
    back, _, _ = read_intake_workbook(workbook_bytes(document, tmp_path))
    assert back["referrals"][0]["detected_at"] == "2026-08-14T09:12:00.250Z"
    assert (
        back["referrals"][0]["subjects"][0]["ip_events"][0]["observed_at"]
        == "2026-08-14T09:04:51.123456Z"
    )
    assert back["referrals"][0]["subjects"][0]["account_created_at"] == "1899-12-31T23:00:00Z"
    assert same_submission(document, back)


def test_formula_looking_text_is_written_as_text_cells(tmp_path: Path) -> None:
    document = base()
    document["referrals"][0]["narrative"] = '=HYPERLINK("http://evil.example","x")'
    document["platform"]["legal_name"] = "+SUM(A1)"
    target = tmp_path / "f.xlsx"
    write_intake(target, document)
    import zipfile

    with zipfile.ZipFile(target) as archive:
        sheets = [n for n in archive.namelist() if n.startswith("xl/worksheets/sheet")]
        assert all(b"<f>" not in archive.read(name) for name in sheets)
    back, _, issues = read_intake_workbook(target.read_bytes())
    assert issues == []
    assert back["referrals"][0]["narrative"] == document["referrals"][0]["narrative"]
    assert back["platform"]["legal_name"] == "+SUM(A1)"


def test_empty_excerpt_becomes_null_with_a_note(tmp_path: Path) -> None:
    """A cell cannot hold empty text apart from no value: both mean "no quotation"."""
    document = base()
    document["referrals"][0]["content_items"][0]["excerpt"] = ""
    notes = write_intake(tmp_path / "e.xlsx", document)
    assert notes == [
        "/referrals/0/content_items/0/excerpt: empty text is written as an empty cell (null)"
    ]
    back, _, _ = read_intake_workbook((tmp_path / "e.xlsx").read_bytes())
    assert back["referrals"][0]["content_items"][0]["excerpt"] is None


@pytest.mark.parametrize(
    "mutate, path",
    [
        (lambda d: d["referrals"][0].__setitem__("surprise", 1), "/referrals/0/surprise"),
        (lambda d: d.__setitem__("extra_top", "x"), "/extra_top"),
        (lambda d: d["platform"].__setitem__("extra", "x"), "/platform/extra"),
        (
            lambda d: d["platform"]["nominated_officer"].__setitem__("fax", "x"),
            "/platform/nominated_officer/fax",
        ),
        (
            lambda d: d["referrals"][1]["preservation"].__setitem__("box", "7"),
            "/referrals/1/preservation/box",
        ),
        (lambda d: d["attestation"].__setitem__("seal", "x"), "/attestation/seal"),
        (
            lambda d: d["referrals"][0]["subjects"][0]["ip_events"][0].__setitem__("asn", 5),
            "/referrals/0/subjects/0/ip_events/0/asn",
        ),
    ],
)
def test_unknown_fields_survive_into_the_workbook(mutate: Any, path: str, tmp_path: Path) -> None:
    document = base()
    mutate(document)
    workbook = workbook_bytes(document, tmp_path)
    issues = [(i.code, i.path) for i in check_bytes(workbook).report.issues]
    assert issues == [("DTR-S003", path)]
    assert issue_keys(check_bytes(workbook)) == issue_keys(check_bytes(document_json(document)))


def test_structure_errors_survive_into_the_workbook(tmp_path: Path) -> None:
    document = base()
    referral = document["referrals"][0]
    referral["priority"] = "soonish"
    referral["detected_at"] = "2026-08-14T09:12:00"  # no offset
    referral["subjects"][0]["ip_events"][0]["port"] = "443"
    referral["content_items"][0]["view_count"] = 2.5
    referral["categories"] = ["threat", "threat"]
    del referral["narrative"]
    document["moderation_log"][0]["service_id"] = "not an id!"
    workbook = workbook_bytes(document, tmp_path)
    from_json = {(i.code, i.path) for i in check_bytes(document_json(document)).report.issues}
    from_xlsx = {(i.code, i.path) for i in check_bytes(workbook).report.issues}
    assert from_xlsx == from_json
    assert ("DTR-S001", "/referrals/0/narrative") in from_xlsx
