"""Helpers of the intake-workbook tests: the base submission, workbooks in memory, edits."""

from __future__ import annotations

import copy
import io
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import openpyxl

from compliance.check import CheckResult, check_bytes
from compliance.intake.template import write_intake
from compliance.issues import Issue
from compliance.model import Submission

DATA = Path(__file__).resolve().parent / "data"
BASE: dict[str, Any] = json.loads((DATA / "base.json").read_text(encoding="utf-8"))


def base() -> dict[str, Any]:
    return copy.deepcopy(BASE)


def workbook_bytes(document: dict[str, Any] | None, tmp_path: Path, name: str = "w.xlsx") -> bytes:
    target = tmp_path / name
    write_intake(target, document)
    return target.read_bytes()


def edited(data: bytes, edit: Callable[[Any], None]) -> bytes:
    """The workbook after ``edit(openpyxl_workbook)``, as bytes (openpyxl writes it)."""
    workbook = openpyxl.load_workbook(io.BytesIO(data))
    edit(workbook)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def same_submission(left: dict[str, Any], right: dict[str, Any]) -> bool:
    return Submission.model_validate(left) == Submission.model_validate(right)


def issue_keys(result: CheckResult) -> list[tuple[str, str, str]]:
    return [(i.code, i.path, i.message) for i in result.report.issues]


def issues_at(data: bytes, path: str) -> list[Issue]:
    return [issue for issue in check_bytes(data).report.issues if issue.path == path]


def source(sheet: str, row: int, column: str) -> dict[str, Any]:
    return {"sheet": sheet, "row": row, "column": column}
