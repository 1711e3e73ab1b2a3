"""Helpers of the intake-workbook tests: the base submission, workbooks in memory, edits."""

from __future__ import annotations

import copy
import io
import json
import re
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import openpyxl

from compliance.check import CheckResult
from compliance.intake.layout import SHEET_NAMES
from compliance.intake.template import write_intake
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


def source(sheet: str, row: int, column: str) -> dict[str, Any]:
    return {"sheet": sheet, "row": row, "column": column}


def sheet_part(sheet: str) -> str:
    """The zip part of a sheet in a workbook written by write_intake (sheets in order)."""
    return f"xl/worksheets/sheet{SHEET_NAMES.index(sheet) + 1}.xml"


def with_parts(
    data: bytes,
    replace: dict[str, bytes] | None = None,
    extra: dict[str, bytes] | None = None,
    drop: tuple[str, ...] = (),
) -> bytes:
    """The workbook's zip with parts replaced, added or left out (everything else as is)."""
    source = zipfile.ZipFile(io.BytesIO(data))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            if info.filename in drop:
                continue
            body = (replace or {}).get(info.filename, source.read(info.filename))
            target.writestr(info.filename, body)
        for name, body in (extra or {}).items():
            target.writestr(name, body)
    return buffer.getvalue()


def with_cell_xml(data: bytes, sheet: str, ref: str, xml: str) -> bytes:
    """The workbook with the XML of one existing cell replaced by ``xml`` (raw OOXML).

    For what a spreadsheet program writes but openpyxl cannot be asked to: a formula with
    its cached result, an error value, an inline string.
    """
    part = sheet_part(sheet)
    body = zipfile.ZipFile(io.BytesIO(data)).read(part)
    pattern = rf'<c r="{ref}"(?: [^>]*)?(?:/>|>.*?</c>)'.encode()
    body, count = re.subn(pattern, lambda _match: xml.encode(), body, count=1)
    assert count == 1, f"{sheet}!{ref} is not a cell of the workbook"
    return with_parts(data, replace={part: body})
