"""`compliance validate`: output formats and exit status (DTR-1 section 8)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from returns_fixture import submission, submission_bytes

from compliance.cli import cli


def run(*args: str):
    return CliRunner().invoke(cli, list(args))


def write(tmp_path: Path, name: str, data: bytes) -> str:
    path = tmp_path / name
    path.write_bytes(data)
    return str(path)


def test_json_output_has_one_object_per_input(tmp_path: Path) -> None:
    ready = submission()
    ready["referrals"] = ready["referrals"][:1]
    ready["moderation_log"] = ready["moderation_log"][:1]
    good = write(tmp_path, "good.json", submission_bytes(ready))
    broken = submission()
    broken["referrals"][1]["referred_to"] = None  # referred_at without referred_to: DTR-I008
    bad = write(tmp_path, "bad.json", submission_bytes(broken))
    result = run("validate", good, bad, "--format", "json")
    assert result.exit_code == 1
    printed = json.loads(result.output)
    assert [entry["input"] for entry in printed] == [good, bad]
    assert set(printed[0]) == {"input", "submission_id", "filing_ready", "counts", "issues"}
    assert printed[0]["filing_ready"] is True and printed[0]["counts"] == {
        "fatal": 0,
        "error": 0,
        "breach": 0,
        "warning": 0,
    }
    assert printed[1]["filing_ready"] is False
    issue = next(i for i in printed[1]["issues"] if i["code"] == "DTR-I008")
    assert set(issue) == {"code", "severity", "message", "path", "referral_id", "source"}
    assert issue["severity"] == "error" and issue["referral_id"] == "R2"
    assert issue["source"]["line"] > 1


def test_exit_zero_when_every_input_is_ready(tmp_path: Path) -> None:
    ready = submission()
    ready["referrals"] = ready["referrals"][:1]
    ready["moderation_log"] = ready["moderation_log"][:1]
    assert run("validate", write(tmp_path, "a.json", submission_bytes(ready))).exit_code == 0


def test_text_output_groups_by_referral_with_lines(tmp_path: Path) -> None:
    document = submission()
    document["referrals"][0]["categories"] = ["no-such-category"]
    result = run("validate", write(tmp_path, "s.json", submission_bytes(document)))
    assert result.exit_code == 1
    assert "NOT filing-ready (1 error, 1 breach, 2 warnings)" in result.output
    assert "  Referral R1\n    error   DTR-S004  /referrals/0/categories/0 (line " in result.output
    assert "DTR-T008  /referrals/2/suspicion_formed_at (line " in result.output


def test_breaches_are_a_group_of_their_own_and_exit_zero(tmp_path: Path) -> None:
    result = run("validate", write(tmp_path, "s.json", submission_bytes()))
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0].endswith("s.json: filing-ready (1 breach, 2 warnings), submission HBL-2026-Q3")
    assert lines[1] == "  1 breach of the duty will be disclosed in the return:"
    assert lines[2].startswith("    breach  DTR-T005  /referrals/1/referred_at (line ")
    assert "  Referral R2\n" not in result.output  # R2's only issue is the breach above
    printed = json.loads(run("validate", str(tmp_path / "s.json"), "--format", "json").output)
    assert printed[0]["counts"] == {"fatal": 0, "error": 0, "breach": 1, "warning": 2}
    assert printed[0]["filing_ready"] is True


def test_fatal_input_exits_one(tmp_path: Path) -> None:
    result = run("validate", write(tmp_path, "x.json", b"[1, 2]"), "--format", "json")
    assert result.exit_code == 1
    assert json.loads(result.output)[0]["issues"][0]["code"] == "DTR-S000"


def test_missing_file_is_usage_error(tmp_path: Path) -> None:
    result = run("validate", str(tmp_path / "nope.json"))
    assert result.exit_code == 2
    assert "no such file" in result.output


def test_every_command_has_help_with_an_example() -> None:
    for command in ("validate", "rules", "schema", "render"):
        result = run(command, "--help")
        assert result.exit_code == 0 and "Example" in result.output, command


def test_schema_is_valid_json_schema_that_accepts_the_fixture() -> None:
    import jsonschema

    result = run("schema")
    schema = json.loads(result.output)
    jsonschema.Draft202012Validator.check_schema(schema)
    document = submission()
    jsonschema.Draft202012Validator(schema).validate(document)
    document["referrals"][0]["surplus"] = 1
    assert list(jsonschema.Draft202012Validator(schema).iter_errors(document))


def test_a_missing_file_among_others_still_reports_every_readable_one(tmp_path: Path) -> None:
    good = write(tmp_path, "a.json", submission_bytes())
    missing = str(tmp_path / "missing.json")
    text = run("validate", good, missing)
    assert text.exit_code == 2  # 2 wins over 1 (DTR-1 8)
    assert "a.json: filing-ready" in text.output
    assert "missing.json: cannot be read:" in text.output
    printed = json.loads(run("validate", good, missing, "--format", "json").stdout)
    assert printed[0]["input"] == good and printed[0]["filing_ready"] is True
    assert printed[1]["input"] == missing and "error" in printed[1]


def test_every_command_summary_fits_the_top_level_help() -> None:
    """`compliance --help` shows each command's first line whole, not cut with '...'."""
    for name, command in cli.commands.items():  # type: ignore[attr-defined]
        summary = command.get_short_help_str(limit=64)
        assert not summary.endswith("..."), (name, summary)


def test_validate_of_a_return_points_to_receive(tmp_path: Path) -> None:
    from compliance.check import check_bytes
    from compliance.figures import build_return_view
    from compliance.pseudonyms import Pseudonymiser
    from compliance.render.xlsx import write_return_xlsx

    result = check_bytes(submission_bytes())
    assert result.submission is not None
    view = build_return_view(
        result.submission,
        result.report,
        source_sha256=result.source_sha256,
        pseudonymiser=Pseudonymiser(b"validate-return-test-key-0123456789abcdef"),
    )
    workbook = tmp_path / "return.xlsx"
    write_return_xlsx(view, workbook)
    printed = run("validate", str(workbook))
    assert printed.exit_code == 1
    assert "quarterly return (return.xlsx), not a submission" in printed.output
    assert "compliance receive" in printed.output


@pytest.mark.parametrize(
    ("content", "said"),
    [
        (b"\x89PNG\r\n\x1a\n\x00\x00", "The file is a PNG image, not a submission"),
        (b"%PDF-1.7\n", "The file is a PDF document, not a submission"),
        (b"action_id,service_id,account_id\nM1,vid,a\n", "looks like a CSV table"),
        (b"", "The file is empty"),
        ("{}".encode("utf-16"), "The file is text in UTF-16, not a submission"),
    ],
)
def test_a_file_that_is_no_submission_is_named_for_what_it_is(
    tmp_path: Path, content: bytes, said: str
) -> None:
    result = run("validate", write(tmp_path, "x.json", content))
    assert result.exit_code == 1
    assert said in result.output and "JSON document (UTF-8) or an XLSX" in result.output
    assert "not valid UTF-8" not in result.output
