"""Hostile JSON inputs: each ends in located issues or a clear refusal, never a crash.

Memory and time are bounded by running the largest cases in a child process under an
address-space limit and a CPU-time limit (generous: a regression that goes quadratic or
unbounded fails, a busy machine does not); nothing here asserts a wall-clock duration.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from compliance.check import check_bytes
from compliance.issues import Severity
from compliance.pseudonyms import Pseudonymiser
from compliance.returns import NotRenderable, referral_file_names, render_submission

BASE = json.loads(
    (Path(__file__).resolve().parent.parent / "conformance" / "base.json").read_text()
)
MARKUP = '<img src="http://127.0.0.1:9/x"><script>alert(1)</script>&amp;<b>bold</b>'
FORMULAS = ['=HYPERLINK("http://evil.example","x")', "+SUM(A1:A9)", "-2+3", "@cmd|' /C calc'!A0"]
BIDI = (
    "\u202eevil\u202c \u200f\u0627\u0644\u0639\u0631\u0628\u064a\u0629 e\u0301\u0301\u0301 👩‍👩‍👧"
)


def fresh() -> dict:
    return json.loads(json.dumps(BASE))


def codes(data: bytes) -> set[str]:
    return {issue.code for issue in check_bytes(data).report.issues}


def encode(document: object) -> bytes:
    return json.dumps(document, ensure_ascii=False).encode("utf-8")


def free_text_setters(document: dict):
    referral = document["referrals"][0]
    yield lambda v: referral.__setitem__("narrative", (v + " ") * 3 + referral["narrative"])
    yield lambda v: referral["content_items"][0].__setitem__("excerpt", v)
    yield lambda v: referral["subjects"][0].__setitem__("display_name", v)
    yield lambda v: document["platform"].__setitem__("legal_name", v)
    yield lambda v: document["attestation"].__setitem__("statement", v)
    yield lambda v: referral.__setitem__("referred_to", v)


@pytest.mark.parametrize(
    "text", [MARKUP, *FORMULAS, BIDI], ids=["markup", "f1", "f2", "f3", "f4", "bidi"]
)
def test_free_text_is_kept_exactly(text: str) -> None:
    for position in range(6):
        document = fresh()
        list(free_text_setters(document))[position](text)
        result = check_bytes(encode(document))
        assert result.report.filing_ready, result.report.to_json()
        dumped = result.submission.model_dump_json() if result.submission else ""
        assert json.dumps(text, ensure_ascii=False)[1:-1] in dumped


@pytest.mark.parametrize("code_point", [*range(0x20), 0x7F])
def test_every_control_character_is_refused_where_not_allowed(code_point: int) -> None:
    character = chr(code_point)
    document = fresh()
    document["platform"]["legal_name"] = f"Larkspur{character}Digital"
    result = check_bytes(encode(document))
    legal_name_issues = [i for i in result.report.issues if i.path == "/platform/legal_name"]
    assert [i.code for i in legal_name_issues] == ["DTR-S002"]
    document = fresh()
    document["referrals"][0]["narrative"] += character
    narrative_codes = {
        i.code
        for i in check_bytes(encode(document)).report.issues
        if i.path == "/referrals/0/narrative"
    }
    assert narrative_codes == (set() if character in "\t\n" else {"DTR-S002"})


def test_ten_megabyte_narrative_is_out_of_range_and_not_quoted() -> None:
    document = fresh()
    document["referrals"][0]["narrative"] = "x" * 10_000_000
    issues = check_bytes(encode(document)).report.issues
    narrative = [i for i in issues if i.path == "/referrals/0/narrative"]
    assert [i.code for i in narrative] == ["DTR-S005"]
    assert len(narrative[0].message) < 300


@pytest.mark.parametrize(
    "raw",
    [
        b"[" * 100_000 + b"]" * 100_000,
        b'{"a":' * 100_000 + b"1" + b"}" * 100_000,
        b'{"schema_version": "1.0", "schema_version": "1.0"}',
        b'{"schema_version": "1.0", "x": NaN}',
        b'{"schema_version": "1.0", "x": Infinity}',
        b'{"schema_version": "1.0", "x": -Infinity}',
        b'{"schema_version": "1.0", "x": 1e999}',
        b'{"schema_version": "1.0", "x": ' + b"9" * 5000 + b"}",
        b'{"schema_version": "1.0", "x": "\xff\xfe"}',
        b"\xef\xbb\xbf\xef\xbb\xbf{}",
        b"",
        b"   ",
        b"null",
        b'"just a string"',
    ],
    ids=[
        "deep-arrays",
        "deep-objects",
        "duplicate-keys",
        "nan",
        "infinity",
        "minus-infinity",
        "float-overflow",
        "5000-digit-integer",
        "invalid-utf8",
        "double-bom",
        "empty",
        "blank",
        "null",
        "string",
    ],
)
def test_unreadable_documents_are_one_fatal_issue(raw: bytes) -> None:
    issues = check_bytes(raw).report.issues
    assert [(i.code, i.severity, i.path) for i in issues] == [("DTR-S000", Severity.FATAL, "")]
    assert issues[0].message


def test_a_utf8_bom_is_accepted() -> None:
    assert check_bytes(b"\xef\xbb\xbf" + encode(fresh())).report.issues == []


@pytest.mark.parametrize(
    "identifier", ["../../etc/passwd", "..", ".hidden", "a/b", "a\\b", "x" * 65, "", "con:1", "é"]
)
def test_identifiers_aimed_at_paths_are_refused(identifier: str) -> None:
    document = fresh()
    document["referrals"][0]["referral_id"] = identifier
    issues = check_bytes(encode(document)).report.issues
    assert ("DTR-S002", "/referrals/0/referral_id") in {(i.code, i.path) for i in issues}


@pytest.mark.parametrize("identifier", ["../../etc/passwd", "..", "a/b", "a\\b", "/abs"])
def test_identifiers_aimed_at_paths_never_reach_a_file_name(
    identifier: str, tmp_path: Path
) -> None:
    """Not even in a draft, which renders a submission that has errors: a referral whose id is
    refused is left out of the typed submission, and a refused submission id is no folder."""
    document = fresh()
    document["referrals"][0]["referral_id"] = identifier
    submission = check_bytes(encode(document)).submission
    assert submission is not None
    names = referral_file_names([referral.referral_id for referral in submission.referrals])
    assert len(names) == len(document["referrals"]) - 1
    assert all(re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._-]*\.pdf", name) for name in names)
    document = fresh()
    document["submission_id"] = identifier
    with pytest.raises(NotRenderable, match="cannot be rendered"):
        render_submission(
            check_bytes(encode(document)), tmp_path, draft=True, pseudonymiser=Pseudonymiser(b"k")
        )
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("value", [2**53, 10**30, -1, 1.5, True, "12"])
def test_counts_outside_what_a_spreadsheet_holds_are_refused(value: object) -> None:
    document = fresh()
    document["referrals"][0]["content_items"][0]["view_count"] = value
    issues = check_bytes(encode(document)).report.issues
    assert {i.path for i in issues} == {"/referrals/0/content_items/0/view_count"}
    assert {i.code for i in issues} <= {"DTR-S002", "DTR-S005"}


def test_huge_inputs_stay_within_a_memory_bound(tmp_path: Path) -> None:
    """A 10 MB narrative and 100,000-deep nesting under a 1.5 GB address-space limit and
    60 s of CPU time (the kernel stops the child past either)."""
    script = textwrap.dedent(
        """
        import json, resource, sys
        resource.setrlimit(resource.RLIMIT_AS, (1_500_000_000, 1_500_000_000))
        resource.setrlimit(resource.RLIMIT_CPU, (60, 60))
        from compliance.check import check_bytes
        document = json.loads(open(sys.argv[1]).read())
        document["referrals"][0]["narrative"] = "\\u0634" * 5_000_000
        codes = [i.code for i in check_bytes(json.dumps(document).encode()).report.issues]
        deep = [i.code for i in check_bytes(b"[" * 100_000 + b"]" * 100_000).report.issues]
        print(json.dumps([codes, deep]))
        """
    )
    base = Path(__file__).resolve().parent.parent / "conformance" / "base.json"
    finished = subprocess.run(
        [sys.executable, "-c", script, str(base)], capture_output=True, text=True
    )
    assert finished.returncode == 0, finished.stderr
    codes_found, deep = json.loads(finished.stdout)
    assert codes_found == ["DTR-S005"] and deep == ["DTR-S000"]
