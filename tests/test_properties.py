"""Property tests of the checker: it never crashes, its paths point into the document, a valid
submission has no issue at all, and no message repeats a personal-data value (DTR-1 §5).
"""

from __future__ import annotations

import copy
import json
import os
from typing import Any

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from strategies import (
    encode,
    json_values,
    mutated_submissions,
    submission_like,
    valid_submissions,
)

from compliance.check import CheckResult, check_bytes
from compliance.issues import Severity

# DTR_PROPERTY_EXAMPLES=2000 for a deep run; the default keeps the suite well under a minute.
SETTINGS = settings(
    max_examples=int(os.environ.get("DTR_PROPERTY_EXAMPLES", "150")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


def check(data: bytes) -> CheckResult:
    result = check_bytes(data, source_name="<property>")
    json.dumps(result.to_json(), ensure_ascii=False)  # the report itself must serialise
    return result


def pointer_tokens(pointer: str) -> list[str]:
    assert pointer == "" or pointer.startswith("/"), pointer
    if pointer == "":
        return []
    return [token.replace("~1", "/").replace("~0", "~") for token in pointer[1:].split("/")]


def resolves(document: Any, pointer: str) -> bool:
    """The pointer names an existing value, or a missing member of an existing object."""
    node = document
    tokens = pointer_tokens(pointer)
    for position, token in enumerate(tokens):
        last = position == len(tokens) - 1
        if isinstance(node, dict):
            if token not in node:
                return last
            node = node[token]
        elif isinstance(node, list):
            if not token.isdigit() or (token != "0" and token.startswith("0")):
                return False
            if int(token) >= len(node):
                return False
            node = node[int(token)]
        else:
            return False
    return True


def assert_well_formed(result: CheckResult) -> None:
    issues = result.report.issues
    fatal = [issue for issue in issues if issue.severity is Severity.FATAL]
    if fatal:
        assert [issue.code for issue in issues] == ["DTR-S000"], issues
        assert result.submission is None
    for issue in issues:
        assert isinstance(issue.severity, Severity)
        assert issue.code.startswith("DTR-") and len(issue.code) == 8, issue.code
        assert issue.path == "" or issue.path.startswith("/"), issue.path
        assert issue.message.strip(), issue


# ------------------------------------------------------------------- 1, 2: never raise


@SETTINGS
@given(json_values())
def test_arbitrary_json_never_raises(value: Any) -> None:
    result = check(json.dumps(value).encode("utf-8"))
    assert_well_formed(result)
    if not isinstance(value, dict) or value.get("schema_version") != "1.0":
        assert [issue.code for issue in result.report.issues] == ["DTR-S000"]


@pytest.mark.slow
@SETTINGS
@given(submission_like())
def test_submission_like_objects_never_raise(document: dict) -> None:
    result = check(json.dumps(document).encode("utf-8"))
    assert_well_formed(result)
    assert not result.report.is_fatal
    for issue in result.report.issues:
        assert resolves(document, issue.path), (issue, document)


@SETTINGS
@given(
    st.one_of(
        st.binary(max_size=4096),
        st.binary(max_size=512).map(lambda data: b"PK\x03\x04" + data),  # "an XLSX"
        st.binary(max_size=512).map(lambda data: b"\xef\xbb\xbf" + data),  # BOM, then junk
        st.binary(max_size=256).map(lambda data: b'{"schema_version": "1.0", ' + data),
    )
)
def test_arbitrary_bytes_never_raise(data: bytes) -> None:
    assert_well_formed(check(data))


@pytest.mark.slow
@SETTINGS
@given(valid_submissions(min_referrals=1), st.data())
def test_corrupted_bytes_of_valid_submission_never_raise(document: dict, data: Any) -> None:
    raw = bytearray(encode(document))
    for _ in range(data.draw(st.integers(1, 4))):
        position = data.draw(st.integers(0, len(raw) - 1))
        raw[position] = data.draw(st.integers(0, 255))
    assert_well_formed(check(bytes(raw)))


# ------------------------------------------------------- 3: mutations and their paths


@pytest.mark.slow
@SETTINGS
@given(mutated_submissions())
def test_mutated_submissions_never_raise_and_paths_resolve(mutated: tuple[dict, str]) -> None:
    document, mutation = mutated
    result = check(encode(document))
    assert_well_formed(result)
    for issue in result.report.issues:
        assert resolves(document, issue.path), (mutation, issue)
        if issue.path.startswith("/referrals/") and issue.referral_id is not None:
            index = int(issue.path.split("/")[2])
            raw = document["referrals"][index]
            assert isinstance(raw, dict) and raw.get("referral_id") == issue.referral_id, (
                mutation,
                issue,
            )


# ------------------------------------------------------------------- 4: valid is clean


@pytest.mark.slow
@SETTINGS
@given(valid_submissions())
def test_valid_submission_has_no_issues(document: dict) -> None:
    result = check(encode(document))
    assert result.report.issues == [], [
        (issue.code, issue.path, issue.message) for issue in result.report.issues
    ]
    assert result.report.filing_ready
    assert result.submission is not None
    assert result.submission.submission_id == document["submission_id"]


def test_generator_is_deterministic_and_streams_the_same_document() -> None:
    import io

    from strategies import synthetic

    first = synthetic.generate_submission(25, seed=7, period="2026-Q4")
    assert synthetic.generate_submission(25, seed=7, period="2026-Q4") == first
    assert synthetic.generate_submission(25, seed=8, period="2026-Q4") != first
    out = io.StringIO()
    synthetic.write_submission(out, 25, seed=7, period="2026-Q4")
    assert json.loads(out.getvalue()) == first
    assert check(out.getvalue().encode("utf-8")).report.issues == []


# ------------------------------------------------------- 5: no personal data in messages


def _personal_locations(document: dict) -> list[tuple[list[Any], str]]:
    """(container path, field) for every personal-data field holding a string."""
    # The officer's contact details count as personal data too (§7.2).
    found: list[tuple[list[Any], str]] = [
        (["platform", "nominated_officer"], "email"),
        (["platform", "nominated_officer"], "phone"),
    ]
    for i, referral in enumerate(document["referrals"]):
        found.append((["referrals", i], "narrative"))
        for j, subject in enumerate(referral["subjects"]):
            base = ["referrals", i, "subjects", j]
            for name in ("account_id", "username", "display_name", "email", "phone"):
                found.append((base, name))
            found.append((base, "date_of_birth"))
            for k, _ in enumerate(subject["ip_events"]):
                found.append(([*base, "ip_events", k], "ip"))
        for j, _ in enumerate(referral["content_items"]):
            base = ["referrals", i, "content_items", j]
            found += [(base, "url"), (base, "excerpt")]
    for i, _ in enumerate(document["moderation_log"]):
        found.append((["moderation_log", i], "account_id"))
    return found


def _container(document: dict, path: list[Any]) -> dict:
    node: Any = document
    for token in path:
        node = node[token]
    return node


def _invalid_form(field: str, value: str | None, data: Any) -> str:
    """A value at least 6 characters long that the field must refuse, built from its value."""
    base = value if isinstance(value, str) and value else "Zq-personal-value-31"
    control = data.draw(st.sampled_from(("\x01", "\x00", "\x1b", "\x7f", "\r")))
    at = data.draw(st.integers(0, len(base)))
    with_control = base[:at] + control + base[at:]
    options = {
        "email": [base.replace("@", "") + "-no-at", with_control],
        "phone": ["00" + base.lstrip("+") + "x", "+0" + base.lstrip("+")],
        "date_of_birth": ["1850-06-15", "15/06/1990", "2999-01-01", base + "T00:00:00Z"],
        "ip": [base + ".300", "999.1.2.3:" + base, base + "%eth0/64"],
        "url": ["ftp://" + base.split("://")[-1], "https://exa mple.example/" + base],
        "account_id": [with_control, base * (130 // len(base) + 1)],
        "username": [with_control, base * (130 // len(base) + 1)],
        "display_name": [with_control, base * (201 // len(base) + 1)],
        "excerpt": [with_control, (base + " ") * (2001 // (len(base) + 1) + 1)],
        "narrative": [with_control],
    }[field]
    text = data.draw(st.sampled_from(options))
    assume(len(text) >= 6)
    return text


def _leaked_forms(value: str) -> list[str]:
    forms = {value, json.dumps(value, ensure_ascii=False)[1:-1], json.dumps(value)[1:-1]}
    forms.add(repr(value)[1:-1])
    if len(value) >= 40:  # a value shown cut short is still a leak
        forms.add(value[:30])
    return [form for form in forms if len(form) >= 6]


def assert_no_leak(result: CheckResult, value: str) -> None:
    for issue in result.report.issues:
        for form in _leaked_forms(value):
            assert form not in issue.message, (issue.code, issue.path, issue.message, value)


@pytest.mark.slow
@SETTINGS
@given(valid_submissions(min_referrals=1), st.data())
def test_messages_never_repeat_an_invalid_personal_value(document: dict, data: Any) -> None:
    container_path, field = data.draw(st.sampled_from(_personal_locations(document)))
    container = _container(document, container_path)
    value = _invalid_form(field, container.get(field), data)
    container[field] = value
    result = check(encode(document))
    assert result.report.issues, (field, value)
    assert_no_leak(result, value)


@pytest.mark.slow
@SETTINGS
@given(valid_submissions(min_referrals=1), st.data())
def test_business_rule_messages_never_repeat_personal_values(document: dict, data: Any) -> None:
    """Warnings and errors raised by the rules (not the structure) name fields, not values."""
    document = copy.deepcopy(document)
    referral = document["referrals"][0]
    subject = referral["subjects"][0]
    event = subject["ip_events"][0]
    case = data.draw(st.sampled_from(("private_ip", "no_port", "duty", "short", "unnamed")))
    secrets: list[str] = []
    if case == "private_ip":
        event["ip"] = data.draw(st.sampled_from(("192.168.10.200", "10.20.30.40", "fd00::1234")))
        secrets.append(event["ip"])
    elif case == "no_port":
        event["ip"], event["port"] = "81.2.69.160", None
        secrets.append(event["ip"])
    elif case == "duty":
        start = document["moderation_log"][0] if document["moderation_log"] else None
        when = start["actioned_at"] if start else referral["referred_at"]
        account = "Zq-unreferred-" + str(data.draw(st.integers(100, 999)))
        service = document["platform"]["services"][0]["service_id"]
        for n in range(3):
            document["moderation_log"].append(
                {
                    "action_id": f"ZQ-{n}",
                    "service_id": service,
                    "account_id": account,
                    "content_id": None,
                    "category": "incitement",
                    "actioned_at": when,
                    "referral_id": None,
                }
            )
        secrets.append(account)
    elif case == "short":
        referral["narrative"] = f"Account {subject['account_id']} posted it."
        secrets.append(referral["narrative"])
    else:
        referral["narrative"] = "Zq narrative that names nobody at all. " * 8
        secrets.append(referral["narrative"])
    result = check(encode(document))
    assert result.report.issues, case
    for secret in secrets:
        assert_no_leak(result, secret)
