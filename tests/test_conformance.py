"""The DTR-1 conformance suite: every case under tests/conformance/cases is a data file.

A case is a base submission plus an RFC 6902 patch (or a whole ``document``, or the ``raw``
text / ``raw_base64`` bytes of a file that cannot be parsed), the (code, path) pairs the
checker must report (``expect``) and the codes it must not report (``absent``). Adding a case
is adding a file; this module never needs to change for it.
"""

from __future__ import annotations

import base64
import copy
import json
import re
from pathlib import Path
from typing import Any

import pytest

import compliance.rules  # noqa: F401  (registers every rule in the registry)
from compliance.check import check_path
from compliance.rules.registry import RULES

CONFORMANCE = Path(__file__).parent / "conformance"
CASES = sorted((CONFORMANCE / "cases").glob("*.json"))
BASE = CONFORMANCE / "base.json"

#: The rule catalogue of DTR-1 section 6.2, written out so that a code missing from the
#: registry cannot make the coverage test pass by omission.
SPEC_CODES = frozenset(
    ["DTR-S000", "DTR-S001", "DTR-S002", "DTR-S003", "DTR-S004", "DTR-S005"]
    + [f"DTR-I00{n}" for n in range(1, 9)]
    + [f"DTR-T00{n}" for n in range(1, 10)]
    + ["DTR-T010", "DTR-C001", "DTR-P001", "DTR-P002", "DTR-P003"]
    + [f"DTR-A00{n}" for n in range(1, 6)]
    + ["DTR-N001", "DTR-N002", "DTR-D001", "DTR-D002", "DTR-D003", "DTR-R002"]
)

_CASE_NAME = re.compile(r"^DTR-(?:[SITCPANDR]\d{3}|ALL)-[a-z0-9]+(?:-[a-z0-9]+)*\.json$")
_SOURCES = ("patch", "document", "raw", "raw_base64")


# ---------------------------------------------------------------- a minimal JSON Patch


def _unescape(token: str) -> str:
    return token.replace("~1", "/").replace("~0", "~")


def _split(pointer: str) -> list[str]:
    if pointer == "":
        return []
    if not pointer.startswith("/"):
        raise ValueError(f"{pointer!r} is not a JSON Pointer")
    return [_unescape(token) for token in pointer[1:].split("/")]


def _index(container: list[Any], token: str, *, allow_end: bool) -> int:
    if allow_end and token == "-":
        return len(container)
    if not re.fullmatch(r"0|[1-9][0-9]*", token):
        raise ValueError(f"{token!r} is not an array index")
    index = int(token)
    if index > len(container) or (index == len(container) and not allow_end):
        raise ValueError(f"index {index} is out of range")
    return index


def _parent(document: Any, tokens: list[str]) -> Any:
    node = document
    for token in tokens[:-1]:
        if isinstance(node, list):
            node = node[_index(node, token, allow_end=False)]
        elif isinstance(node, dict):
            node = node[token]
        else:
            raise ValueError(f"cannot descend into {type(node).__name__}")
    return node


def apply_patch(document: Any, operations: list[dict[str, Any]]) -> Any:
    """Apply RFC 6902 ``add``, ``remove`` and ``replace`` operations to a copy of document."""
    document = copy.deepcopy(document)
    for operation in operations:
        op, tokens = operation["op"], _split(operation["path"])
        if not tokens:
            if op in ("add", "replace"):
                document = copy.deepcopy(operation["value"])
                continue
            raise ValueError("cannot remove the whole document")
        parent, last = _parent(document, tokens), tokens[-1]
        if op == "add":
            value = copy.deepcopy(operation["value"])
            if isinstance(parent, list):
                parent.insert(_index(parent, last, allow_end=True), value)
            else:
                parent[last] = value
        elif op in ("remove", "replace"):
            if isinstance(parent, list):
                index = _index(parent, last, allow_end=False)
                if op == "remove":
                    del parent[index]
                else:
                    parent[index] = copy.deepcopy(operation["value"])
            else:
                if last not in parent:
                    raise KeyError(f"{operation['path']} does not exist")
                if op == "remove":
                    del parent[last]
                else:
                    parent[last] = copy.deepcopy(operation["value"])
        else:
            raise ValueError(f"unsupported patch operation {op!r}")
    return document


def test_apply_patch_follows_rfc_6902() -> None:
    document = {"a": [1, 2], "b~/c": {"d": 0}}
    patched = apply_patch(
        document,
        [
            {"op": "add", "path": "/a/-", "value": 3},
            {"op": "add", "path": "/a/0", "value": 0},
            {"op": "remove", "path": "/a/1"},
            {"op": "replace", "path": "/b~0~1c/d", "value": None},
            {"op": "add", "path": "/e", "value": {"f": []}},
        ],
    )
    assert patched == {"a": [0, 2, 3], "b~/c": {"d": None}, "e": {"f": []}}
    assert document == {"a": [1, 2], "b~/c": {"d": 0}}, "the input must not be modified"
    with pytest.raises((KeyError, ValueError)):
        apply_patch(document, [{"op": "replace", "path": "/missing", "value": 1}])
    with pytest.raises(ValueError):
        apply_patch(document, [{"op": "remove", "path": "/a/2"}])


# ---------------------------------------------------------------- cases


def load_case(path: Path) -> dict[str, Any]:
    return json.loads(path.read_text(encoding="utf-8"))


def case_bytes(case: dict[str, Any]) -> bytes:
    """The bytes of the input file a case describes."""
    if "raw_base64" in case:
        return base64.b64decode(case["raw_base64"], validate=True)
    if "raw" in case:
        return case["raw"].encode("utf-8")
    if "document" in case:
        document = case["document"]
    else:
        base = json.loads((CONFORMANCE / case["base"]).read_text(encoding="utf-8"))
        document = apply_patch(base, case["patch"])
    return json.dumps(document, ensure_ascii=False, indent=2, allow_nan=False).encode("utf-8")


def check_case_file(case: dict[str, Any], tmp_path: Path) -> Any:
    target = tmp_path / "case.json"
    target.write_bytes(case_bytes(case))
    return check_path(target)


def _describe(issues: list[Any]) -> str:
    return (
        "\n".join(f"  {i.code} {i.severity} {i.path!r}: {i.message}" for i in issues) or "  (none)"
    )


def test_there_are_cases() -> None:
    assert len(CASES) >= 90


@pytest.mark.parametrize("case_path", CASES, ids=[path.name for path in CASES])
def test_case_file_is_well_formed(case_path: Path) -> None:
    assert _CASE_NAME.match(case_path.name), case_path.name
    case = load_case(case_path)
    assert set(case) <= {"description", "base", *_SOURCES, "expect", "absent"}
    assert isinstance(case["description"], str) and case["description"].strip()
    sources = [key for key in _SOURCES if key in case]
    assert len(sources) == 1, f"exactly one of {_SOURCES} is required, got {sources}"
    assert ("base" in case) == ("patch" in case)
    assert case["expect"] or case["absent"], "a case must expect or exclude something"
    for expected in case["expect"]:
        assert set(expected) == {"code", "path"}
        assert expected["code"] in SPEC_CODES, expected
        assert expected["path"] == "" or expected["path"].startswith("/"), expected
    for code in case["absent"]:
        assert code in SPEC_CODES, code
    assert not {e["code"] for e in case["expect"]} & set(case["absent"]), (
        "a code both expected and absent"
    )
    code = case_path.name.split("-")[1]
    if code != "ALL":
        mentioned = {e["code"] for e in case["expect"]} | set(case["absent"])
        assert f"DTR-{code}" in mentioned, "a case file is named after a code it tests"


@pytest.mark.parametrize("case_path", CASES, ids=[path.name for path in CASES])
def test_conformance_case(case_path: Path, tmp_path: Path) -> None:
    case = load_case(case_path)
    result = check_case_file(case, tmp_path)
    issues = result.report.issues
    found = {(issue.code, issue.path) for issue in issues}
    missing = [
        (e["code"], e["path"]) for e in case["expect"] if (e["code"], e["path"]) not in found
    ]
    unwanted = sorted({issue.code for issue in issues} & set(case["absent"]))
    assert not missing and not unwanted, (
        f"{case['description']}\nmissing: {missing}\nmust be absent but reported: {unwanted}\n"
        f"reported:\n{_describe(issues)}"
    )


def test_base_submission_has_no_issue_at_all(tmp_path: Path) -> None:
    target = tmp_path / "base.json"
    target.write_bytes(BASE.read_bytes())
    result = check_path(target)
    assert result.report.issues == [], _describe(result.report.issues)
    assert result.report.filing_ready


def test_registry_is_the_spec_catalogue() -> None:
    assert set(RULES) == SPEC_CODES


def test_every_code_is_triggered_and_excluded_by_some_case() -> None:
    triggered: set[str] = set()
    excluded: set[str] = set()
    for path in CASES:
        case = load_case(path)
        triggered.update(expected["code"] for expected in case["expect"])
        excluded.update(case["absent"])
    assert not set(RULES) - triggered, f"codes no case triggers: {sorted(set(RULES) - triggered)}"
    assert not set(RULES) - excluded, f"codes no case excludes: {sorted(set(RULES) - excluded)}"


# ---------------------------------------------------------------- the sample inputs

SAMPLES = Path(__file__).parent.parent / "sample_inputs"


@pytest.mark.parametrize(
    ("name", "filing_ready", "codes"),
    [
        ("harbourlight-2026-Q3.json", True, set()),
        (
            "ostrava-social-2026-Q3.json",
            True,
            {"DTR-A001", "DTR-A002", "DTR-A003", "DTR-A005", "DTR-N001", "DTR-T007"},
        ),
        (
            "meridian-chat-2026-Q3.json",
            False,
            {"DTR-A004", "DTR-D001", "DTR-D002", "DTR-P001", "DTR-S002", "DTR-T005"},
        ),
    ],
)
def test_sample_input_outcome(name: str, filing_ready: bool, codes: set[str]) -> None:
    """Each sample shows one outcome: clean, warnings only, or not filing-ready."""
    result = check_path(SAMPLES / name)
    assert {issue.code for issue in result.report.issues} == codes, _describe(result.report.issues)
    assert result.report.filing_ready is filing_ready
