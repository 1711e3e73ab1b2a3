"""Hostile text in ids, keys, values and file names: never a crash, never obeyed, never leaked.

Five classes of the second hardening round, each with tests of its own:

1. Text no output can hold (a lone surrogate, half of a UTF-16 pair that JSON may write as
   ``"\\ud800"``) in an id, a key or a value, and messages too long for a spreadsheet cell:
   every command ends in located issues or a clear refusal, never a traceback.
2. Escape sequences and line breaks in ids and file names: no output channel (validate,
   batch, render, convert, logs) passes them to the terminal, and none forges a line.
9. Bidi controls in the PDF metadata (title, author, description): shown as markers.
10. Personal data typed into a field that is not personal (an e-mail address as a code, a
    phone number as a port, an e-mail address as an unknown key): named, never quoted.
11. Outputs do not depend on how the input's path was typed.
"""

from __future__ import annotations

import copy
import json
import logging
import os
import zipfile
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result
from pypdf import PdfReader

from compliance.check import check_bytes
from compliance.cli import cli
from compliance.issues import MESSAGE_MAX_CHARS, Issue, Severity
from compliance.pseudonyms import Pseudonymiser
from compliance.quoting import quote_value, shown_name
from compliance.returns import render_main_files, return_view
from compliance.terminal import safe

BASE = json.loads(
    (Path(__file__).resolve().parent.parent / "conformance" / "base.json").read_text()
)
SURROGATE = "\ud800"
CELL_LIMIT = 32_767
ESC, BEL, CR, RLO = "\x1b", "\x07", "\r", "\u202e"
FORGED = "\n    error   DTR-X999  forged\n            forged issue"


@pytest.fixture(autouse=True)
def pseudonym_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COMPLIANCE_PSEUDONYM_KEY", "hostile-text-test-key-0123456789abcdef")


def fresh() -> dict[str, Any]:
    return copy.deepcopy(BASE)


def as_json(document: Any) -> bytes:
    """JSON as a hostile export writes it: ``json.dumps`` escapes a lone surrogate as
    ``\\ud800``, which every JSON parser reads back as the lone surrogate."""
    return json.dumps(document).encode("ascii")


def run(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args))


def assert_no_crash(result: Result) -> None:
    """Exit status 0 or 1 (never a traceback), and output that is UTF-8 a terminal can take."""
    assert result.exception is None or isinstance(result.exception, SystemExit), (
        result.exception,
        result.output,
    )
    assert result.exit_code in (0, 1), result.output
    for stream in (result.stdout_bytes, result.stderr_bytes or b""):
        stream.decode("utf-8")  # strict: raises on anything that is not UTF-8
        assert b"Traceback" not in stream


def strings_in(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for key, item in value.items() for s in [key, *strings_in(item)]]
    if isinstance(value, list):
        return [s for item in value for s in strings_in(item)]
    return []


# --------------------------------------------------------------------------- class 1


def _surrogate_in_referral_id(document: dict[str, Any]) -> None:
    document["referrals"][0]["referral_id"] = "R" + SURROGATE


def _surrogate_in_repeated_action_id(document: dict[str, Any]) -> None:
    for row in document["moderation_log"][:2]:
        row["action_id"] = "A" + SURROGATE


def _surrogate_in_top_level_key(document: dict[str, Any]) -> None:
    document["k" + SURROGATE] = 1


def _surrogate_in_referral_key(document: dict[str, Any]) -> None:
    document["referrals"][0]["k" + SURROGATE] = 1


def _surrogate_in_subject_key(document: dict[str, Any]) -> None:
    document["referrals"][1]["subjects"][0][SURROGATE] = "x"


def _surrogate_in_declared_service(document: dict[str, Any]) -> None:
    document["platform"]["services"][0]["service_id"] = "s" + SURROGATE


def _surrogate_in_schema_version(document: dict[str, Any]) -> None:
    document["schema_version"] = "1.0" + SURROGATE


SURROGATE_PLACES = {
    "referral_id": _surrogate_in_referral_id,
    "repeated-action_id": _surrogate_in_repeated_action_id,
    "top-level-key": _surrogate_in_top_level_key,
    "referral-key": _surrogate_in_referral_key,
    "subject-key": _surrogate_in_subject_key,
    "declared-service_id": _surrogate_in_declared_service,
    "schema_version": _surrogate_in_schema_version,
}


def surrogate_input(tmp_path: Path, place: str) -> Path:
    document = fresh()
    SURROGATE_PLACES[place](document)
    path = tmp_path / "surrogate.json"
    path.write_bytes(as_json(document))
    return path


@pytest.mark.parametrize("place", SURROGATE_PLACES)
def test_lone_surrogates_are_located_issues_in_validate(place: str, tmp_path: Path) -> None:
    path = surrogate_input(tmp_path, place)
    text = run("validate", str(path))
    assert_no_crash(text)
    assert text.exit_code == 1
    printed = run("validate", str(path), "--format", "json")
    assert_no_crash(printed)
    (report,) = json.loads(printed.stdout_bytes)
    assert report["filing_ready"] is False and report["issues"]
    for string in strings_in(report):
        string.encode("utf-8")  # no lone surrogate survives into the report
    # Every message says where the offending text is, and none quotes it.
    for issue in report["issues"]:
        assert len(issue["message"]) <= MESSAGE_MAX_CHARS
        assert "\\ud800" not in issue["path"] and "[U+D800]" not in issue["path"]


def test_a_lone_surrogate_in_a_field_says_what_it_is() -> None:
    document = fresh()
    _surrogate_in_referral_id(document)
    issues = check_bytes(as_json(document)).report.issues
    (issue,) = [i for i in issues if i.path == "/referrals/0/referral_id"]
    assert (issue.code, issue.referral_id) == ("DTR-S002", None)
    assert issue.message == (
        "referral_id holds text that is not valid Unicode (a lone surrogate, half of a "
        "UTF-16 pair such as \\ud800), which no file can hold."
    )
    document = fresh()
    _surrogate_in_repeated_action_id(document)
    repeated = [i for i in check_bytes(as_json(document)).report.issues if i.code == "DTR-I001"]
    assert [(i.path, i.message) for i in repeated] == [
        ("/moderation_log/1/action_id", "An action_id (not valid) appears more than once in the "
         "moderation log.")
    ]  # fmt: skip


@pytest.mark.parametrize("place", SURROGATE_PLACES)
def test_lone_surrogates_never_crash_a_draft(place: str, tmp_path: Path) -> None:
    path = surrogate_input(tmp_path, place)
    result = run("render", str(path), "--out", str(tmp_path / "out"), "--draft")
    assert_no_crash(result)
    if result.exit_code == 1:  # an unreadable envelope: refused in words, nothing written
        assert "cannot be rendered" in result.output
        out = tmp_path / "out"  # nothing written but the lock render shares with batch
        assert not out.exists() or not [p for p in out.iterdir() if p.name != ".batch"]
        return
    (folder,) = [p for p in (tmp_path / "out").iterdir() if p.name != ".batch"]
    for name in ("validation.json", "manifest.json"):
        json.loads((folder / name).read_bytes().decode("utf-8"))
    with zipfile.ZipFile(folder / "return.xlsx") as workbook:
        assert workbook.testzip() is None


@pytest.mark.parametrize("place", SURROGATE_PLACES)
def test_lone_surrogates_never_crash_convert(place: str, tmp_path: Path) -> None:
    path = surrogate_input(tmp_path, place)
    to_json = run("convert", str(path), "--to", "json", "--out", str(tmp_path / "out.json"))
    assert_no_crash(to_json)
    if place != "schema_version":  # a document that is no DTR-1 at all is refused
        assert to_json.exit_code == 0
        written = (tmp_path / "out.json").read_bytes()
        written.decode("utf-8")
        # Lossless: the surrogate is written as the escape it was read from.
        assert json.loads(written) == json.loads(path.read_bytes())
    to_xlsx = run("convert", str(path), "--to", "xlsx", "--out", str(tmp_path / "out.xlsx"))
    assert_no_crash(to_xlsx)
    if to_xlsx.exit_code == 1:
        refusal = to_xlsx.stderr_bytes.decode("utf-8").splitlines()[0]
        assert refusal.startswith(f"{path}: not converted: ")
        assert "lone surrogate" in refusal or "schema_version" in refusal


def test_lone_surrogates_in_a_batch_are_a_rejection_with_its_report(tmp_path: Path) -> None:
    source = tmp_path / "in"
    source.mkdir()
    for place in ("referral_id", "repeated-action_id", "subject-key"):
        document = fresh()
        SURROGATE_PLACES[place](document)
        document["submission_id"] = f"SUB-{place}"
        (source / f"{place}.json").write_bytes(as_json(document))
    out = tmp_path / "out"
    result = run("batch", str(source), "--period", "2026-Q3", "--out", str(out), "--workers", "1")
    assert_no_crash(result)
    manifest = json.loads((out / "manifest.json").read_bytes().decode("utf-8"))
    assert len(manifest["inputs"]) == 3
    for entry in manifest["inputs"]:
        assert entry["status"] == "rejected"
        assert entry["reason"].startswith("not filing-ready: "), entry["reason"]
        (report,) = entry["outputs"]
        json.loads((out / report["path"]).read_bytes().decode("utf-8"))


def test_no_message_outgrows_a_spreadsheet_cell(tmp_path: Path) -> None:
    """A platform declaring 1,000 services of 64-character ids, and a row naming another: the
    old message listed every declared id (66,000 characters) and the draft's workbook failed."""
    document = fresh()
    template = document["platform"]["services"][0]
    document["platform"]["services"] += [
        dict(template, service_id=f"svc-{n:04d}-" + "x" * 55) for n in range(1000)
    ]
    document["moderation_log"][0]["service_id"] = "undeclared"
    path = tmp_path / "many.json"
    path.write_bytes(as_json(document))
    issues = check_bytes(path.read_bytes()).report.issues
    (undeclared,) = [i for i in issues if i.path == "/moderation_log/0/service_id"]
    assert undeclared.message.startswith(
        "service_id undeclared is not a service the platform declared (declared: larkspur-chat, "
    )
    assert undeclared.message.endswith(" and 992 more).")
    assert len(undeclared.message) < 1000
    # Where the old message broke the draft: its workbook, its PDF and validation.json (the
    # referral packs, which list every service, would only make this test slow).
    result = check_bytes(path.read_bytes())
    outputs = render_main_files(
        result, return_view(result, Pseudonymiser(b"k")), tmp_path, draft=True
    )
    assert {output.path for output in outputs} == {"return.xlsx", "return.pdf", "validation.json"}
    for output in outputs:
        assert output.size > 0


def test_an_issue_bounds_and_encodes_whatever_message_it_is_given() -> None:
    """The last guard, for a message builder that slipped: bounded, and always encodable."""
    issue = Issue("DTR-X000", Severity.ERROR, "x" * (CELL_LIMIT + 1), "/a" + SURROGATE, "R")
    assert len(issue.message) == MESSAGE_MAX_CHARS and issue.message.endswith("\u2026")
    assert issue.path == "/a\\ud800"
    issue = Issue("DTR-X000", Severity.ERROR, f"bad {SURROGATE}!", "", "R" + SURROGATE)
    assert (issue.message, issue.referral_id) == ("bad \\ud800!", "R\\ud800")
    ordinary = Issue("DTR-X000", Severity.ERROR, "Arabic \u0627 stays", "/p")
    assert ordinary.message == "Arabic \u0627 stays"


def test_quote_value_quotes_only_short_values_of_a_code_or_identifier_shape() -> None:
    assert quote_value("priority", "urgnet") == "'urgnet'"
    assert quote_value("port", 70000) == "70000"
    assert quote_value("view_count", True) == "true"
    assert quote_value("amends_submission_id", None) == "null"
    assert quote_value("detected_at", "2026-08-14T09:30:00") == "'2026-08-14T09:30:00'"
    assert quote_value("retain_until", "2026-02-30") == "'2026-02-30'"
    # Too long, not printable, or not of a code's shape: named, not quoted.
    for value in ("x" * 65, "a b", "a\x1bb", "a" + SURROGATE, "a\u202eb", "é", "", [1], {}):
        assert quote_value("priority", value) == "", value
    # Personal data, by its field or by its look.
    assert quote_value("account_id", "acc-1001") == ""
    assert quote_value("no_such_field", "urgnet") == ""
    for value in (
        "john@example.com",
        "+447700900123",
        "07700-900-123",
        447700900123,
        "92.40.199.12",
        "999.1.1.1",
        "2a02:c7c:5e1d:8a00::1f",
        "::1",
        "https://x.example/a",
        "www.example.com",
    ):
        assert quote_value("account_status", value) == "", value


# --------------------------------------------------------------------------- class 2


def test_safe_shows_what_a_terminal_would_obey_as_markers() -> None:
    assert safe("a\x1b]0;title\x07b\r\nc\u202ed\u2066e\u2028f" + SURROGATE) == (
        "a[U+001B]]0;title[U+0007]b[U+000D][U+000A]c[U+202E]d[U+2066]e[U+2028]f[U+D800]"
    )
    assert safe("Larkspur \u0627\u0644\u0639\u0631\u0628\u064a\u0629 🔥") == (
        "Larkspur \u0627\u0644\u0639\u0631\u0628\u064a\u0629 🔥"
    )
    from compliance.regulator import receipts

    assert receipts.safe is safe  # one function, moved; the regulator's name still works


HOSTILE_NAME = f"evil{ESC}]0;pwned{BEL}{CR}{FORGED}.json"
HOSTILE_NAME_SHOWN = (
    "evil[U+001B]]0;pwned[U+0007][U+000D][U+000A]    error   DTR-X999  forged[U+000A]"
    "            forged issue.json"
)


def assert_nothing_obeyed(output: bytes) -> None:
    """No escape, bell, carriage return or bidi override, and no forged issue line."""
    text = output.decode("utf-8")
    for character in (ESC, BEL, CR, RLO, "\u2066", SURROGATE):
        assert character not in text
    assert not any(line.startswith("    error   DTR-X999") for line in text.splitlines())


def test_validate_text_escapes_file_names_ids_and_messages(tmp_path: Path) -> None:
    document = fresh()
    hostile_id = f"R1{ESC}[2J{RLO}{FORGED}"
    document["referrals"][0]["referral_id"] = hostile_id
    document["referrals"][1]["referral_id"] = hostile_id  # and repeated: DTR-I001
    document["referrals"][2]["k" + ESC + "]0;x" + BEL] = 1
    path = tmp_path / HOSTILE_NAME
    path.write_bytes(as_json(document))
    result = run("validate", str(path))
    assert_no_crash(result)
    assert_nothing_obeyed(result.stdout_bytes)
    lines = result.stdout_bytes.decode("utf-8").splitlines()
    assert lines[0] == (
        f"{tmp_path}/{HOSTILE_NAME_SHOWN}: NOT filing-ready (4 errors, 3 warnings), "
        "submission LSP-2026-Q3"
    )
    # The refused ids name no group (the old heading printed them raw) and are not quoted.
    assert [line for line in lines if line.startswith("  ") and not line.startswith("   ")] == [
        "  Submission",
        "  Referral LSP-26Q3-003",
    ]
    assert "            A referral_id (not valid) is used by more than one referral." in lines


def test_validate_json_is_utf8_with_every_control_escaped(tmp_path: Path) -> None:
    document = fresh()
    document["referrals"][0]["referral_id"] = f"R1{ESC}[31m{RLO}"
    path = tmp_path / HOSTILE_NAME
    path.write_bytes(as_json(document))
    undecodable = Path(os.fsdecode(os.fsencode(tmp_path) + b"/bad\xff\xfe.json"))
    undecodable.write_bytes(as_json(fresh()))
    result = run("validate", str(path), str(undecodable), "--format", "json")
    assert_no_crash(result)
    raw = result.stdout_bytes
    assert b"\x1b" not in raw and b"\x07" not in raw and b"\r" not in raw
    printed = json.loads(raw.decode("utf-8"))
    assert printed[0]["input"] == str(path)  # JSON escapes it; it reads back exactly
    # A name that is not UTF-8 is recorded escaped, visibly (the batch's manifest does the same).
    assert printed[1]["input"].endswith("bad\\xff\\xfe.json")
    assert b'bad\\\\xff\\\\xfe.json"' in raw


def test_batch_progress_and_summary_lines_escape_file_names(tmp_path: Path) -> None:
    source = tmp_path / "in"
    source.mkdir()
    (source / HOSTILE_NAME).write_bytes(b"{not json")
    (Path(os.fsdecode(os.fsencode(source) + b"/bad\xff.json"))).write_bytes(b"{not json")
    out = tmp_path / "out"
    result = run("batch", str(source), "--period", "2026-Q3", "--out", str(out), "--workers", "1")
    assert_no_crash(result)
    assert_nothing_obeyed(result.stdout_bytes)
    lines = result.stdout_bytes.decode("utf-8").splitlines()
    assert sorted(line for line in lines if line.startswith("rejected: ")) == [
        "rejected: bad\\xff.json: not filing-ready: 1 blocking issue(s)",
        f"rejected: {HOSTILE_NAME_SHOWN}: not filing-ready: 1 blocking issue(s)",
    ]
    # The batch's own files record such a name escaped, visibly and alike: the manifest and
    # the summary workbook (which no undecodable byte can enter).
    manifest = json.loads((out / "manifest.json").read_bytes().decode("utf-8"))
    assert {entry["input"] for entry in manifest["inputs"]} == {HOSTILE_NAME, "bad\\xff.json"}
    with zipfile.ZipFile(out / "batch-summary.xlsx") as workbook:
        strings = b"".join(workbook.read(name) for name in workbook.namelist())
    assert b"bad\\xff.json" in strings


def test_render_and_convert_lines_escape_file_names(tmp_path: Path) -> None:
    path = tmp_path / HOSTILE_NAME
    path.write_bytes(as_json(fresh()))
    rendered = run("render", str(path), "--out", str(tmp_path / "out"))
    assert_no_crash(rendered)
    assert rendered.exit_code == 0
    assert_nothing_obeyed(rendered.stdout_bytes)
    first = rendered.stdout_bytes.decode("utf-8").splitlines()[0]
    assert first.startswith(f"{tmp_path}/{HOSTILE_NAME_SHOWN}: filing-ready; wrote ")
    broken = fresh()
    broken["referrals"][0]["priority"] = "urgnet"
    path.write_bytes(as_json(broken))
    refused = run("render", str(path), "--out", str(tmp_path / "out2"))
    assert refused.exit_code == 1
    assert_nothing_obeyed(refused.stderr_bytes or b"")
    target = tmp_path / f"out{ESC}[2J{CR}.xlsx"
    converted = run("convert", str(path), "--to", "xlsx", "--out", str(target))
    assert_no_crash(converted)
    assert_nothing_obeyed(converted.stdout_bytes)
    assert converted.stdout_bytes.decode("utf-8").startswith(
        f"wrote {tmp_path}/out[U+001B][2J[U+000D].xlsx ("
    )


def test_log_messages_escape_what_they_quote(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    from weasyprint.text import ffi

    from compliance.render.pdf import pin_font_timestamps

    monkeypatch.setattr(ffi, "harfbuzz_subset", None)  # as on a machine without it
    monkeypatch.setenv("SOURCE_DATE_EPOCH", f"0{ESC}]0;pwned{BEL}\n")
    with caplog.at_level(logging.WARNING, logger="compliance.render.pdf"):
        assert pin_font_timestamps() is True
    (record,) = caplog.records
    assert record.getMessage().endswith(
        "SOURCE_DATE_EPOCH=0[U+001B]]0;pwned[U+0007][U+000A] keeps them reproducible"
    )


# --------------------------------------------------------------------------- class 9


def test_pdf_metadata_shows_bidi_controls_as_markers(tmp_path: Path) -> None:
    document = fresh()
    document["platform"]["legal_name"] = f"Larkspur {RLO}latigiD\u202c \u2067Ltd\u2069\u200f"
    path = tmp_path / "bidi.json"
    path.write_bytes(as_json(document))
    result = run("render", str(path), "--out", str(tmp_path / "out"))
    assert result.exit_code == 0, result.output
    folder = tmp_path / "out" / document["submission_id"]
    shown = "Larkspur [U+202E]latigiD[U+202C] [U+2067]Ltd[U+2069][U+200F]"
    bidi_controls = "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
    pack = folder / "referrals" / "LSP-26Q3-001.pdf"
    for pdf, subject in (
        (folder / "return.pdf", f"DTR-1 quarterly return of {shown}, submission LSP-2026-Q3"),
        (pack, "Duty-to-report referral LSP-26Q3-001 of submission LSP-2026-Q3"),
    ):
        reader = PdfReader(pdf)
        metadata = reader.metadata
        assert metadata is not None and metadata.author == shown
        assert str(metadata.subject).startswith(subject)
        assert reader.xmp_metadata is not None
        # Nowhere in the metadata, the XMP copy included, is a bidi control left to obey.
        everything = str(dict(metadata)) + reader.xmp_metadata.rdf_root.toxml()
        assert shown in reader.xmp_metadata.rdf_root.toxml()
        assert not any(control in everything for control in bidi_controls)
    # The page itself keeps its own rendering: the override as a visible marker.
    assert "[U+202E]" in PdfReader(folder / "return.pdf").pages[0].extract_text()


# --------------------------------------------------------------------------- class 10

EMAIL, PHONE, IP, URL = "jane.doe@mail.example", "+447700900123", "81.2.69.160", "www.x.example"


def _email_as_account_status(document: dict[str, Any]) -> None:
    document["referrals"][0]["subjects"][0]["account_status"] = EMAIL


def _phone_as_port(document: dict[str, Any]) -> None:
    document["referrals"][0]["subjects"][0]["ip_events"][0]["port"] = PHONE


def _phone_number_as_port(document: dict[str, Any]) -> None:
    document["referrals"][0]["subjects"][0]["ip_events"][0]["port"] = int(PHONE)


def _email_as_unknown_key(document: dict[str, Any]) -> None:
    document["referrals"][1]["subjects"][0][EMAIL] = "x"


def _phone_as_unknown_key(document: dict[str, Any]) -> None:
    document["moderation_log"][0][PHONE] = 1


def _ip_as_code(document: dict[str, Any]) -> None:
    document["referrals"][2]["priority"] = IP


def _url_as_language(document: dict[str, Any]) -> None:
    document["referrals"][0]["content_items"][0]["language"] = URL


def _email_as_hash(document: dict[str, Any]) -> None:
    item = document["referrals"][0]["content_items"][0]
    item["hashes"] = [{"algorithm": "md5", "value": EMAIL}]


def _email_as_referral_id(document: dict[str, Any]) -> None:
    document["referrals"][3]["referral_id"] = EMAIL
    document["referrals"][4]["referral_id"] = EMAIL


def _email_as_action_id(document: dict[str, Any]) -> None:
    for row in document["moderation_log"][2:4]:
        row["action_id"] = EMAIL


PERSONAL_PLACES = {
    "email-as-account_status": (_email_as_account_status, EMAIL),
    "phone-text-as-port": (_phone_as_port, PHONE),
    "phone-number-as-port": (_phone_number_as_port, PHONE.lstrip("+")),
    "email-as-unknown-key": (_email_as_unknown_key, EMAIL),
    "phone-as-unknown-key": (_phone_as_unknown_key, PHONE),
    "ip-as-priority": (_ip_as_code, IP),
    "url-as-language": (_url_as_language, URL),
    "email-as-hash": (_email_as_hash, EMAIL),
    "email-as-referral_id": (_email_as_referral_id, EMAIL),
    "email-as-action_id": (_email_as_action_id, EMAIL),
}


@pytest.mark.parametrize("place", PERSONAL_PLACES)
def test_personal_data_in_a_field_that_is_not_personal_is_named_not_quoted(place: str) -> None:
    put, value = PERSONAL_PLACES[place]
    document = fresh()
    put(document)
    report = check_bytes(as_json(document)).report
    assert not report.filing_ready
    for issue in report.issues:
        for text in (issue.message, issue.path, issue.referral_id or ""):
            assert value not in text, (issue.code, issue.path, issue.message)


def test_values_of_a_safe_shape_are_still_quoted() -> None:
    document = fresh()
    document["referrals"][0]["priority"] = "urgnet"
    document["referrals"][1]["subjects"][0]["typo_field"] = 1
    document["referrals"][0]["subjects"][0]["ip_events"][0]["port"] = 70000
    messages = {i.path: i.message for i in check_bytes(as_json(document)).report.issues}
    assert messages["/referrals/0/priority"] == (
        "priority ('urgnet') is not in its code list; expected 'threat_to_life', 'urgent' or "
        "'routine'."
    )
    assert messages["/referrals/1/subjects/0/typo_field"].startswith(
        "typo_field is not a field DTR-1 defines here"
    )
    assert messages["/referrals/0/subjects/0/ip_events/0/port"].startswith(
        "port (70000) must be 65535 or less."
    )


def test_an_unknown_key_that_could_be_personal_is_not_named_nor_in_the_path() -> None:
    document = fresh()
    _email_as_unknown_key(document)
    (issue,) = check_bytes(as_json(document)).report.issues
    assert issue.code == "DTR-S003" and issue.path == "/referrals/1/subjects/0"
    assert issue.message.startswith("This object has a field DTR-1 does not define here, ")
    assert shown_name(EMAIL) is None and shown_name("typo_field") == "typo_field"


def test_personal_data_in_the_wrong_field_reaches_no_output_of_a_draft(tmp_path: Path) -> None:
    document = fresh()
    for place, (put, _value) in PERSONAL_PLACES.items():
        if place != "phone-number-as-port":  # the same field as phone-text-as-port
            put(document)
    path = tmp_path / "pii.json"
    path.write_bytes(as_json(document))
    values = {value for _put, value in PERSONAL_PLACES.values()}
    printed = (
        run("validate", str(path)).stdout_bytes
        + run("validate", str(path), "--format", "json").stdout_bytes
    )
    result = run("render", str(path), "--out", str(tmp_path / "out"), "--draft")
    assert result.exit_code == 0, result.output
    folder = tmp_path / "out" / document["submission_id"]
    texts = {"stdout": printed.decode("utf-8") + result.output}
    texts["validation.json"] = (folder / "validation.json").read_text(encoding="utf-8")
    texts["manifest.json"] = (folder / "manifest.json").read_text(encoding="utf-8")
    with zipfile.ZipFile(folder / "return.xlsx") as workbook:
        texts["return.xlsx"] = "".join(
            workbook.read(name).decode("utf-8") for name in workbook.namelist()
        )
    texts["return.pdf"] = "".join(
        page.extract_text() for page in PdfReader(folder / "return.pdf").pages
    )
    assert "DTR-S004" in texts["return.xlsx"]  # the issues are there, by field name
    for where, text in texts.items():
        for value in values:
            assert value not in text, (where, value)


# --------------------------------------------------------------------------- class 11


def test_the_same_input_renders_the_same_bytes_by_any_path(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    document = fresh()
    document["referrals"][0]["priority"] = "urgnet"  # a draft: validation.json lists issues
    (tmp_path / "x.json").write_bytes(as_json(document))
    monkeypatch.chdir(tmp_path)
    relative = run("render", "x.json", "--out", "by-name", "--draft")
    absolute = run(
        "render", str(tmp_path / "x.json"), "--out", str(tmp_path / "by-path"), "--draft"
    )
    assert relative.exit_code == 0 and absolute.exit_code == 0, relative.output + absolute.output
    first = sorted(p.relative_to(tmp_path / "by-name") for p in (tmp_path / "by-name").rglob("*"))
    second = sorted(p.relative_to(tmp_path / "by-path") for p in (tmp_path / "by-path").rglob("*"))
    assert first == second and len(first) >= 6
    for name in first:
        if (tmp_path / "by-name" / name).is_file():
            one = (tmp_path / "by-name" / name).read_bytes()
            assert one == (tmp_path / "by-path" / name).read_bytes(), name
    folder = tmp_path / "by-name" / document["submission_id"]
    assert json.loads((folder / "validation.json").read_bytes())["input"] == "x.json"
    assert json.loads((folder / "manifest.json").read_bytes())["input"]["name"] == "x.json"


def test_batch_reports_do_not_depend_on_how_source_was_typed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    broken = fresh()
    broken["referrals"][0]["priority"] = "urgnet"
    (tmp_path / "in" / "sub").mkdir(parents=True)
    (tmp_path / "in" / "sub" / "x.json").write_bytes(as_json(broken))
    monkeypatch.chdir(tmp_path)
    for source, out in (("in", "out1"), (str(tmp_path / "in"), str(tmp_path / "out2"))):
        result = run("batch", source, "--period", "2026-Q3", "--out", out, "--workers", "1")
        assert result.exit_code == 1, result.output
    reports = [sorted((tmp_path / out / "rejected").iterdir()) for out in ("out1", "out2")]
    assert [p.name for p in reports[0]] == [p.name for p in reports[1]]
    (one,), (two,) = reports
    assert one.read_bytes() == two.read_bytes()
    assert json.loads(one.read_bytes())["input"] == "sub/x.json"
