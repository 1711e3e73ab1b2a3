"""Each field's meaning is written once, on the model, and every view of it reads that text.

The JSON Schema (`compliance schema`), the intake workbook's header notes and the README all
take field meanings from ``Field(description=...)``; these tests fail when a field has none,
or when a view stops showing it or keeps a copy of its own.
"""

from __future__ import annotations

import inspect
import json
import re
import types
import typing
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Union

import jsonschema
import openpyxl
from click.testing import CliRunner
from pydantic import BaseModel

import compliance.model
from compliance.cli import cli
from compliance.intake import layout
from compliance.intake.layout import LIST_KINDS, SHEETS, Column, KeyValueSheet, TableSheet
from compliance.model import Submission

ROOT = Path(__file__).resolve().parent.parent


def _models_in(annotation: Any) -> Iterator[type[BaseModel]]:
    """The models an annotation holds, through Annotated, unions and lists."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        yield annotation
    elif typing.get_origin(annotation) is typing.Annotated:
        yield from _models_in(typing.get_args(annotation)[0])
    elif typing.get_origin(annotation) in (list, Union, types.UnionType):
        for argument in typing.get_args(annotation):
            yield from _models_in(argument)


def _reachable(model: type[BaseModel]) -> dict[str, type[BaseModel]]:
    found = {model.__name__: model}
    for info in model.model_fields.values():
        for inner in _models_in(info.annotation):
            if inner.__name__ not in found:
                found |= _reachable(inner)
    return found


def _all_models() -> dict[str, type[BaseModel]]:
    """Every model of a submission, and any other model the model module defines."""
    models = _reachable(Submission)
    for name, value in vars(compliance.model).items():
        if inspect.isclass(value) and issubclass(value, BaseModel) and value is not BaseModel:
            models.setdefault(name, value)
    return models


def test_the_walk_reaches_every_record_of_a_submission() -> None:
    assert set(_reachable(Submission)) >= {
        "Submission", "Platform", "Service", "Contact", "Attestation", "Referral", "Subject",
        "IPEvent", "ContentItem", "Hash", "Preservation", "Removal",
    }  # fmt: skip


def test_every_field_of_every_model_has_a_description() -> None:
    missing = [
        f"{name}.{field}"
        for name, model in _all_models().items()
        for field, info in model.model_fields.items()
        if not (info.description or "").strip()
    ]
    assert not missing, f"fields without Field(description=...): {missing}"


def test_every_record_of_a_submission_describes_itself() -> None:
    # The class docstring is the record's description in the exported schema.
    undescribed = [name for name, model in _reachable(Submission).items() if not model.__doc__]
    assert not undescribed


def _run(*arguments: str) -> str:
    result = CliRunner().invoke(cli, list(arguments))
    assert result.exit_code == 0, result.output
    return result.output


def _object_schemas(schema: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    yield "Submission", schema
    for name, definition in schema.get("$defs", {}).items():
        if "properties" in definition:
            yield name, definition


def test_the_exported_schema_describes_every_property_with_the_model_text() -> None:
    schema = json.loads(_run("schema"))
    jsonschema.Draft202012Validator.check_schema(schema)
    models = _reachable(Submission)
    seen = set()
    for name, definition in _object_schemas(schema):
        assert (definition.get("description") or "").strip(), f"{name} has no description"
        for field, prop in definition["properties"].items():
            expected = models[name].model_fields[field].description
            assert prop.get("description") == expected, f"{name}.{field}"
            seen.add(name)
    assert seen == set(models)


def _field_of(sheet: TableSheet | KeyValueSheet, column: Column) -> Any:
    """The model field a column holds: table paths start at the sheet's record, key/value
    paths at the submission."""
    model: type[BaseModel] = sheet.model if isinstance(sheet, TableSheet) else Submission
    *parents, name = column.path
    for parent in parents:
        (model,) = _models_in(model.model_fields[parent].annotation)
    return model.model_fields[name]


def _columns() -> Iterator[tuple[TableSheet | KeyValueSheet, Column]]:
    for sheet in SHEETS:
        for column in sheet.columns if isinstance(sheet, TableSheet) else sheet.entries:
            yield sheet, column


def test_every_intake_header_note_starts_with_the_model_description(tmp_path: Path) -> None:
    path = tmp_path / "intake.xlsx"
    _run("template", "--out", str(path))
    workbook = openpyxl.load_workbook(path)
    checked = 0
    for sheet, column in _columns():
        worksheet = workbook[sheet.name]
        if isinstance(sheet, TableSheet):
            cells = {cell.value: cell for cell in worksheet[1]}
            notes = [cells[column.name].comment.text]
        else:
            row = next(row for row in worksheet.iter_rows(min_row=2) if row[0].value == column.name)
            notes = [row[0].comment.text, row[2].value]  # the note and the "meaning" column
        for note in notes:
            assert note == column.note, (sheet.name, column.name)
        if column.parent_key:
            assert column.note.strip()  # no field of the record: the layout says what it is
            continue
        description = _field_of(sheet, column).description
        assert column.note.startswith(description), (sheet.name, column.name)
        checked += 1
    assert checked > 50


def test_the_intake_layout_keeps_no_copy_of_a_field_meaning() -> None:
    # A meaning pasted into layout.py would drift from the model's the first time one changes.
    source = inspect.getsource(layout)
    copies = [
        f"{name}.{field}"
        for name, model in _all_models().items()
        for field, info in model.model_fields.items()
        if info.description and len(info.description) > 25 and info.description in source
    ]
    assert not copies


def test_the_readme_names_exactly_the_list_fields_of_the_workbook() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    match = re.search(r"List fields \(([^)]*)\)", readme)
    assert match, "README no longer lists the list fields of the intake workbook"
    named = set(re.findall(r"`([a-z_]+)`", match.group(1)))
    assert named == {column.name for _, column in _columns() if column.kind in LIST_KINDS}


def test_the_readme_points_to_the_schema_for_field_meanings() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert re.search(r"`compliance schema` prints[^.]*meaning of every field", readme)
