"""The referral document (DTR-1 10.1): its model and schema, its check, and how `validate`,
`render` and `batch` treat it."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from click.testing import CliRunner
from referral_fixture import KESTREL_REFERRAL, document_bytes, referral_document
from returns_fixture import submission, submission_bytes, write_json

from compliance.check import check_bytes
from compliance.cli import cli
from compliance.issues import Severity
from compliance.model import ReferralDocument, submission_json_schema
from compliance.referral_check import (
    QUARTER_CODES,
    ReferralCheckResult,
    check_any_bytes,
    check_referral_bytes,
    is_referral_document,
)
from compliance.statuses import BatchStatus

# DTR-1 10.1: the business rules that concern one referral, and those of a quarter.
ONE_REFERRAL_CODES = frozenset(
    ["DTR-I002", "DTR-I003", "DTR-I004", "DTR-I005", "DTR-I007", "DTR-I008"]
    + [f"DTR-T00{n}" for n in range(1, 9)]
    + ["DTR-C001", "DTR-P001", "DTR-P002", "DTR-P003"]
    + [f"DTR-A00{n}" for n in range(1, 6)]
    + ["DTR-N001", "DTR-N002"]
)
SPEC_QUARTER_CODES = frozenset(
    {"DTR-I001", "DTR-I006", "DTR-T009", "DTR-T010", "DTR-D001", "DTR-D002", "DTR-D003", "DTR-R002"}
)


def check(document: dict[str, Any]) -> ReferralCheckResult:
    return check_referral_bytes(document_bytes(document), name="r.json")


def found(result: ReferralCheckResult) -> list[tuple[str, str]]:
    return [(issue.code, issue.path) for issue in result.report.issues]


def run(*arguments: str):
    return CliRunner().invoke(cli, list(arguments))


# ---------------------------------------------------------------- the check


def test_the_public_example_is_filing_ready_with_no_issue() -> None:
    result = check_referral_bytes(KESTREL_REFERRAL.read_bytes(), name="kestrel-referral.json")
    assert result.report.issues == []
    assert result.report.filing_ready
    assert isinstance(result.document, ReferralDocument)
    assert result.referral_id == "KR-0001"


def test_a_referral_filed_when_referred_has_no_issue() -> None:
    result = check(referral_document())
    assert result.report.issues == [] and result.referral_id == "R1"
    assert result.document is not None
    assert result.document.platform.services[0].service_id == "vid"
    assert result.to_json() == {
        "input": "r.json",
        "document": "referral",
        "referral_id": "R1",
        "filing_ready": True,
        "counts": {"fatal": 0, "error": 0, "breach": 0, "warning": 0},
        "issues": [],
    }


def test_exactly_the_rules_of_one_referral_apply() -> None:
    from compliance.check import referral_checks

    applied = {check.rule.code for check, _ in referral_checks(excluded=QUARTER_CODES)}
    assert applied == ONE_REFERRAL_CODES
    assert QUARTER_CODES == SPEC_QUARTER_CODES


def test_paths_point_into_the_document_and_issues_carry_their_referral_and_line() -> None:
    document = referral_document()
    document["referral"]["subjects"][0]["service_id"] = "elsewhere"  # DTR-I004
    document["referral"]["content_items"][0]["hashes"][0]["value"] = "abc"  # DTR-A004
    result = check(document)
    assert found(result) == [
        ("DTR-A004", "/referral/content_items/0/hashes/0/value"),
        ("DTR-I004", "/referral/subjects/0/service_id"),
    ]
    for issue in result.report.issues:
        assert issue.referral_id == "R1"
        assert issue.source is not None and issue.source["line"] > 1
    assert not result.report.filing_ready


def test_a_service_must_be_declared_by_the_documents_own_platform() -> None:
    document = referral_document()
    document["platform"]["services"][0]["service_id"] = "other"
    result = check(document)
    assert ("DTR-I004", "/referral/subjects/0/service_id") in found(result)
    assert ("DTR-I004", "/referral/content_items/0/service_id") in found(result)


def test_a_structural_error_in_the_referral_leaves_no_document() -> None:
    document = referral_document()
    document["referral"]["categories"] = ["no-such-category"]
    result = check(document)
    assert found(result) == [("DTR-S004", "/referral/categories/0")]
    assert result.report.issues[0].referral_id == "R1"
    assert result.document is None and result.referral_id is None


def test_a_broken_platform_hides_none_of_the_referrals_issues() -> None:
    document = referral_document(1)  # R2, referred late
    document["platform"]["nominated_officer"]["email"] = "not an address"
    result = check(document)
    assert found(result) == [
        ("DTR-S002", "/platform/nominated_officer/email"),
        ("DTR-T005", "/referral/referred_at"),
    ]
    assert result.report.issues[0].referral_id is None
    assert result.report.issues[1].referral_id == "R2"
    assert result.document is None


def test_generated_at_is_now() -> None:
    document = referral_document()
    document["generated_at"] = "2026-08-01T10:15:00Z"  # before referred_at 10:30
    result = check(document)
    assert ("DTR-T004", "/referral/referred_at") in found(result)
    unreferred = referral_document(2)  # R3, routine, its deadline a week ahead
    assert found(check(unreferred)) == [
        ("DTR-T007", "/referral/referred_at"),
        ("DTR-T008", "/referral/suspicion_formed_at"),
    ]
    unreferred["generated_at"] = "2026-10-06T00:00:00Z"  # past the 7-day deadline
    result = check(unreferred)
    assert ("DTR-T006", "/referral/referred_at") in found(result)
    assert result.report.filing_ready  # a breach is disclosed, never blocking


def test_age_is_counted_on_generated_at() -> None:
    document = referral_document()
    document["referral"]["subjects"][0]["date_of_birth"] = "2020-01-01"
    assert found(check(document)) == [("DTR-S005", "/referral/subjects/0/date_of_birth")]


def test_a_late_referral_document_is_filing_ready_with_a_breach() -> None:
    document = referral_document()
    document["referral"]["referred_at"] = "2026-08-01T12:00:00Z"  # 2 h for a threat to life
    document["generated_at"] = "2026-08-01T12:00:00Z"
    result = check(document)
    assert found(result) == [("DTR-T005", "/referral/referred_at")]
    assert result.report.issues[0].severity is Severity.BREACH
    assert result.report.filing_ready and result.document is not None


def test_no_rule_of_a_quarter_fires() -> None:
    document = referral_document()
    # Filed mid-quarter (T010 would fire), with no attestation (R002), no period (T009),
    # and a removal log smuggled in (D001, D002, D003 would fire on it).
    document["period"] = "2026-Q1"
    removal = {
        "action_id": "M1",
        "service_id": "vid",
        "account_id": "acc-7",
        "content_id": None,
        "category": "threat",
        "actioned_at": "2026-07-31T11:00:00Z",
        "referral_id": "NOWHERE",
    }
    document["moderation_log"] = [{**removal, "action_id": f"M{n}"} for n in range(3)]
    result = check(document)
    assert found(result) == [("DTR-S003", "/moderation_log"), ("DTR-S003", "/period")]
    assert not {issue.code for issue in result.report.issues} & SPEC_QUARTER_CODES


@pytest.mark.parametrize("value", ["other", "submission", "Referral", 1, None, ["referral"]])
def test_a_document_of_another_kind_is_fatal(value: Any) -> None:
    document = referral_document()
    document["document"] = value
    document["referral"]["categories"] = ["no-such-category"]  # not reported: fatal first
    result = check(document)
    assert [(i.code, i.severity, i.path) for i in result.report.issues] == [
        ("DTR-S000", Severity.FATAL, "")
    ]
    assert "referral" in result.report.issues[0].message
    assert result.document is None and not result.report.filing_ready


@pytest.mark.parametrize(
    "data",
    [
        b"{not json",
        b"[1, 2]",
        submission_bytes(),  # a submission, no document field
        json.dumps({**referral_document(), "schema_version": "2.0"}).encode(),
    ],
)
def test_anything_but_a_referral_document_is_fatal(data: bytes) -> None:
    result = check_referral_bytes(data)
    assert [issue.code for issue in result.report.issues] == ["DTR-S000"]
    assert result.document is None and result.referral_id is None


def test_an_unknown_top_level_field_is_s003() -> None:
    document = referral_document()
    document["referals"] = []
    result = check(document)
    assert found(result) == [("DTR-S003", "/referals")]
    assert result.document is None


def test_a_missing_or_malformed_referral_is_reported_once() -> None:
    document = referral_document()
    del document["referral"]
    assert found(check(document)) == [("DTR-S001", "/referral")]
    document["referral"] = "R1"
    assert found(check(document)) == [("DTR-S002", "/referral")]


def test_a_referral_document_is_known_by_its_document_field() -> None:
    assert is_referral_document(referral_document())
    assert is_referral_document({"document": "other"})
    assert not is_referral_document(submission())
    assert not is_referral_document([{"document": "referral"}])


def test_a_submission_checks_exactly_as_before_through_the_dispatcher() -> None:
    for document in (submission(), {**submission(), "period": "2026-Q9"}):
        data = submission_bytes(document)
        assert check_any_bytes(data, name="s.json").to_json() == (
            check_bytes(data, source_name="s.json").to_json()
        )
    assert isinstance(check_any_bytes(document_bytes()), ReferralCheckResult)


# ---------------------------------------------------------------- the schema


def _object_schemas(schema: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    defined = [(name, d) for name, d in schema["$defs"].items() if "properties" in d]
    return [("ReferralDocument", schema), *defined]


def test_the_schema_validates_a_referral_document_and_describes_every_property() -> None:
    result = run("schema", "--document", "referral")
    assert result.exit_code == 0
    schema = json.loads(result.output)
    jsonschema.Draft202012Validator.check_schema(schema)
    assert schema["title"] == "DTR-1 referral document"
    validator = jsonschema.Draft202012Validator(schema)
    validator.validate(referral_document())
    validator.validate(json.loads(KESTREL_REFERRAL.read_text()))
    for broken in (
        {**referral_document(), "document": "submission"},
        {**referral_document(), "schema_version": "2.0"},
        {**referral_document(), "period": "2026-Q3"},
    ):
        assert list(validator.iter_errors(broken))
    for name, definition in _object_schemas(schema):
        assert (definition.get("description") or "").strip(), name
        for field, prop in definition["properties"].items():
            assert (prop.get("description") or "").strip(), f"{name}.{field}"


def test_the_default_schema_is_still_the_submissions() -> None:
    plain, explicit = run("schema"), run("schema", "--document", "submission")
    assert plain.exit_code == explicit.exit_code == 0
    assert plain.output == explicit.output
    assert plain.output == json.dumps(submission_json_schema(), indent=2, ensure_ascii=False) + "\n"


# ---------------------------------------------------------------- the commands


def test_validate_names_a_referral_document(tmp_path: Path) -> None:
    path = tmp_path / "x.json"
    path.write_bytes(document_bytes())
    result = run("validate", str(path))
    assert result.exit_code == 0, result.output
    heading = result.output.splitlines()[0]
    assert heading == f"{path}: filing-ready (no issues), referral document R1"


def test_validate_takes_submissions_and_referral_documents_together(tmp_path: Path) -> None:
    late = referral_document(1)
    broken = referral_document()
    broken["platform"]["services"][0]["service_id"] = "other"  # DTR-I004, an error
    broken["referral"]["referred_to"] = None  # DTR-I008
    paths = [
        write_json(tmp_path / "s.json", submission()),
        write_json(tmp_path / "late.json", late),
        write_json(tmp_path / "broken.json", broken),
    ]
    result = run("validate", *map(str, paths), "--format", "json")
    assert result.exit_code == 1, result.output
    printed = json.loads(result.output)
    assert set(printed[0]) == {"input", "submission_id", "filing_ready", "counts", "issues"}
    assert set(printed[1]) == {
        "input", "document", "referral_id", "filing_ready", "counts", "issues",
    }  # fmt: skip
    assert (printed[1]["document"], printed[1]["referral_id"]) == ("referral", "R2")
    assert printed[1]["filing_ready"] and printed[1]["counts"]["breach"] == 1
    assert printed[2]["filing_ready"] is False and printed[2]["referral_id"] == "R1"
    assert {i["code"] for i in printed[2]["issues"]} == {"DTR-I004", "DTR-I008"}
    text = run("validate", *map(str, paths[1:])).output
    assert f"{paths[1]}: filing-ready (1 breach), referral document R2" in text
    assert "breach  DTR-T005  /referral/referred_at (line " in text
    assert f"{paths[2]}: NOT filing-ready (3 errors), referral document R1\n" in text
    assert "  Referral R1\n    error   DTR-I004  /referral/content_items/0/service_id" in text


def test_validate_exits_zero_with_only_breaches_and_one_for_document_other(
    tmp_path: Path,
) -> None:
    late = write_json(tmp_path / "late.json", referral_document(1))
    assert run("validate", str(late)).exit_code == 0
    other = write_json(tmp_path / "other.json", {**referral_document(), "document": "other"})
    result = run("validate", str(other))
    assert result.exit_code == 1
    assert "NOT filing-ready (1 fatal)" in result.output and "DTR-S000" in result.output


def test_render_refuses_a_referral_document_and_points_to_refer(tmp_path: Path) -> None:
    path = write_json(tmp_path / "r.json", referral_document())
    out = tmp_path / "out"
    result = run("render", str(path), "--out", str(out))
    assert result.exit_code == 1
    assert result.stdout == ""
    (line,) = result.stderr.splitlines()
    assert "is a referral document" in line
    assert f"compliance refer {path} --ledger L --out DIR" in line
    assert not out.exists()


def test_render_of_document_other_says_why_it_is_unreadable(tmp_path: Path) -> None:
    path = write_json(tmp_path / "r.json", {**referral_document(), "document": "other"})
    result = run("render", str(path), "--out", str(tmp_path / "out"))
    assert result.exit_code == 1
    (line,) = result.stderr.splitlines()
    assert "not a readable DTR-1 document" in line and "'other'" in line


def test_batch_skips_a_referral_document(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COMPLIANCE_PSEUDONYM_KEY", "referral-test-key-0123456789abcdef")
    source, out = tmp_path / "in", tmp_path / "out"
    write_json(source / "referral.json", referral_document())
    write_json(source / "broken-referral.json", {**referral_document(), "document": "other"})
    earlier = submission()
    earlier["period"] = "2026-Q2"
    write_json(source / "earlier.json", earlier)
    result = run("batch", str(source), "--period", "2026-Q3", "--out", str(out))
    assert result.exit_code == 1, result.output  # for the unreadable one only
    entries = {e["input"]: e for e in json.loads((out / "manifest.json").read_text())["inputs"]}
    referral = entries["referral.json"]
    assert referral["status"] == BatchStatus.SKIPPED
    assert "referral document" in referral["reason"] and "compliance refer" in referral["reason"]
    assert referral["platform"] == "Harbour Video Ltd" and referral["outputs"] == []
    assert entries["broken-referral.json"]["status"] == BatchStatus.REJECTED
    assert entries["earlier.json"]["status"] == BatchStatus.SKIPPED
    again = run("batch", str(source), "--period", "2026-Q3", "--out", str(out))
    assert again.exit_code == 1
    assert json.loads((out / "manifest.json").read_text())["inputs"] == list(entries.values())
