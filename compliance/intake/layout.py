"""The intake workbook's sheets and columns, derived from the pydantic models (DTR-1 7.1).

Nothing here lists a model's fields by hand: the columns of each sheet are the fields of its
model (``model_fields``), their kinds (text, whole number, date-time, date, code list, list)
come from the field annotations, and the drop-down values come from :mod:`compliance.codes`.
A field added to a model therefore appears in the template, the writer and the reader at
once. What is written by hand is the routing (which list of models becomes which sheet, as
section 7.1 names them). The note on each header is the field's description on the model,
followed by how to type the value into a cell (its kind, code values, whether it is required).

Shape of the workbook:

* ``Platform`` and ``Attestation`` are key/value sheets: one row per field, the field name in
  column A, its value in column B, the meaning in column C. ``Platform`` holds the envelope
  (schema_version, submission_id, ...), the platform and its nominated officer
  (``nominated_officer.name`` ...).
* Every list of records is a table sheet: a header row of field names, one row per record.
  A child row names its parents by their ids (``referral_id``, then ``subject_id`` or
  ``content_id``). A nested record that is not a list (a referral's preservation) is
  flattened into its parent's row.
* List-valued fields of plain values (categories, countries_concerned, ...) are one cell,
  the items separated by ``;``.
"""

from __future__ import annotations

import functools
import types
import typing
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from enum import StrEnum
from typing import Any, Union

from pydantic import AwareDatetime, BaseModel, StringConstraints

from compliance.codes import CODE_LISTS, CodeList
from compliance.formats import MULTILINE_TEXT_PATTERN
from compliance.model import (
    ContentItem,
    Hash,
    IPEvent,
    Platform,
    Referral,
    Removal,
    Service,
    Subject,
    Submission,
    SubmissionEnvelope,
)

LIST_SEPARATOR = ";"


class Kind(StrEnum):
    TEXT = "text"
    INTEGER = "integer"
    TIMESTAMP = "timestamp"
    DATE = "date"
    CODE = "code"
    TEXT_LIST = "text_list"
    CODE_LIST = "code_list"


LIST_KINDS = frozenset({Kind.TEXT_LIST, Kind.CODE_LIST})


@dataclass(frozen=True)
class Column:
    """One cell kind of a row: a model field (or a parent key) and how its cell is read."""

    name: str
    """The header text (table sheets) or key (key/value sheets)."""
    path: tuple[str, ...]
    """Where the value goes, relative to the record (``("preservation", "reference")``)."""
    kind: Kind
    required: bool
    note: str
    codes: tuple[str, ...] = ()
    parent_key: bool = False
    """A parent's id that keys a child row to its parent; not a field of the record."""

    @property
    def field(self) -> str:
        return self.path[-1]


@dataclass(frozen=True)
class TableSheet:
    name: str
    model: type[BaseModel]
    list_path: tuple[str, ...]
    """Where the list lives in its parent record (or in the document for top-level lists)."""
    parent: str | None
    """The sheet of the parent record; ``None`` for lists of the document or the platform."""
    columns: tuple[Column, ...]
    id_field: str | None
    """The field by which child rows name a record of this sheet."""
    groups: tuple[str, ...] = ()
    """Nested records flattened into this sheet's row (e.g. ``preservation``)."""
    children: tuple[str, ...] = ()
    """List fields filled from child sheets."""
    width: dict[str, float] = field(default_factory=dict)

    @property
    def key_columns(self) -> tuple[Column, ...]:
        return tuple(column for column in self.columns if column.parent_key)

    @property
    def field_columns(self) -> tuple[Column, ...]:
        return tuple(column for column in self.columns if not column.parent_key)


@dataclass(frozen=True)
class KeyValueSheet:
    name: str
    entries: tuple[Column, ...]
    """``path`` is relative to the document here (``("platform", "legal_name")``)."""
    optional_group: tuple[str, ...] | None = None
    """A record that is null as a whole when every value is empty (the attestation)."""
    extra_prefixes: tuple[tuple[str, tuple[str, ...]], ...] = ()
    """Where a key that is no field goes: (key prefix, document path), most specific first.

    Unknown keys are kept (and reported as DTR-S003 by the checker) rather than dropped, so
    ``platform.x`` is a field ``x`` of the platform and a bare ``x`` one of the submission.
    """

    def path_of_extra(self, key: str) -> tuple[str, ...]:
        for prefix, path in self.extra_prefixes:
            if key.startswith(prefix) and len(key) > len(prefix):
                return (*path, key[len(prefix) :])
        return (key,)

    def key_of_extra(self, path: tuple[str, ...]) -> str | None:
        """The key that reads back as ``path``; None if a workbook cannot say it."""
        for prefix, owner in self.extra_prefixes:
            if path[: len(owner)] == owner and len(path) == len(owner) + 1:
                key = prefix + path[-1]
                if self.path_of_extra(key) == path and key not in self.keys:
                    return key
                return None
        return None

    @property
    def keys(self) -> frozenset[str]:
        return frozenset(entry.name for entry in self.entries)


Sheet = TableSheet | KeyValueSheet

# ----------------------------------------------------------------------------------------
# Header notes: a field's meaning is its description on the model (``Field(description=...)``),
# the one text the JSON Schema and the docs read too. Only what is particular to typing a
# value into a cell is written here, and it is added after the meaning.
# ----------------------------------------------------------------------------------------

_KIND_HINTS: dict[Kind, str] = {
    Kind.TIMESTAMP: (
        "A UTC date-time (a date-time cell is read as UTC), or text with an explicit offset "
        "such as 2026-08-14T10:30:00+01:00."
    ),
    Kind.DATE: "A date (YYYY-MM-DD).",
    Kind.INTEGER: "A whole number.",
    Kind.TEXT_LIST: f"Several values in one cell, separated by '{LIST_SEPARATOR}'.",
    Kind.CODE_LIST: f"Several values in one cell, separated by '{LIST_SEPARATOR}'.",
}

# ----------------------------------------------------------------------------------------
# Annotation analysis
# ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Shape:
    kind: Kind | None
    """``None`` for a nested model or a list of models."""
    model: type[BaseModel] | None = None
    many: bool = False
    codes: type[CodeList] | None = None


def _strip(annotation: Any) -> Any:
    """Drop ``Annotated`` and ``| None`` wrappers."""
    while True:
        origin = typing.get_origin(annotation)
        if origin is typing.Annotated:
            annotation = typing.get_args(annotation)[0]
        elif origin in (Union, types.UnionType):
            members = [arg for arg in typing.get_args(annotation) if arg is not type(None)]
            if len(members) != 1:
                raise TypeError(f"cannot lay out a union field: {annotation!r}")
            annotation = members[0]
        else:
            return annotation


def _shape(annotation: Any) -> _Shape:
    base = _strip(annotation)
    if typing.get_origin(base) is list:
        item = _strip(typing.get_args(base)[0])
        if isinstance(item, type) and issubclass(item, BaseModel):
            return _Shape(None, model=item, many=True)
        if isinstance(item, type) and issubclass(item, CodeList):
            return _Shape(Kind.CODE_LIST, codes=item)
        if item is str:
            return _Shape(Kind.TEXT_LIST)
        raise TypeError(f"cannot lay out a list of {item!r}")
    if isinstance(base, type):
        if issubclass(base, BaseModel):
            return _Shape(None, model=base)
        if issubclass(base, CodeList):
            return _Shape(Kind.CODE, codes=base)
        if issubclass(base, datetime) or base is AwareDatetime:
            return _Shape(Kind.TIMESTAMP)
        if issubclass(base, date):
            return _Shape(Kind.DATE)
        if issubclass(base, bool):
            raise TypeError("booleans are not part of DTR-1")
        if issubclass(base, int):
            return _Shape(Kind.INTEGER)
        if issubclass(base, str):
            return _Shape(Kind.TEXT)
    raise TypeError(f"cannot lay out a field of type {annotation!r}")


def code_list_for(field_name: str, shape_codes: type[CodeList] | None) -> type[CodeList] | None:
    """The code list of a field: compliance.codes.CODE_LISTS first, the annotation's enum else."""
    return CODE_LISTS.get(field_name, shape_codes)


def _free_text_limit(annotation: Any, metadata: list[Any]) -> int | None:
    """The most characters a free-text field (one that may span lines) holds, if it is one.

    Read from the field's constraints so that a note never states a second copy of a limit.
    """
    found = list(metadata)
    pending = [annotation]
    while pending:
        current = pending.pop()
        origin = typing.get_origin(current)
        if origin is typing.Annotated:
            base, *extra = typing.get_args(current)
            found.extend(extra)
            pending.append(base)
        elif origin in (Union, types.UnionType):
            pending.extend(typing.get_args(current))
    for item in found:
        if isinstance(item, StringConstraints) and item.pattern == MULTILINE_TEXT_PATTERN:
            return item.max_length
    return None


def _note(
    meaning: str,
    kind: Kind,
    required: bool,
    codes: Any,
    group: str | None,
    hints: tuple[str, ...] = (),
) -> str:
    """A header note: the model's meaning first, then how to fill in the cell."""
    parts = [meaning, *hints]
    if kind in _KIND_HINTS:
        parts.append(_KIND_HINTS[kind])
    if codes is not None:
        parts.append("Values: " + ", ".join(member.value for member in codes) + ".")
    if kind in LIST_KINDS:
        parts.append("An empty cell is an empty list.")
    elif not required:
        parts.append("Optional: leave empty if none.")
    elif group:
        parts.append(
            f"Required when any {group} value is given; leave every {group} column empty "
            "if there is none."
        )
    else:
        parts.append("Required.")
    return " ".join(parts)


@dataclass
class _Split:
    columns: list[Column]
    groups: list[str]
    """Nested single records, flattened into the columns."""
    children: list[tuple[str, type[BaseModel]]]
    """Lists of records (each needs a sheet of its own)."""


def _split(
    model: type[BaseModel],
    prefix: tuple[str, ...] = (),
    only: Callable[[str], bool] = lambda name: True,
    optional_group: str | None = None,
    hints: Mapping[str, str] | None = None,
) -> _Split:
    """Columns for a model's fields; nested single records are flattened under ``prefix``.

    ``optional_group`` names the optional record these fields belong to, for the notes;
    ``hints`` adds a workbook-only sentence to the note of a field, by field name.
    """
    result = _Split([], [], [])
    for name, info in model.model_fields.items():
        if not only(name):
            continue
        shape = _shape(info.annotation)
        if shape.kind is None and shape.many:
            assert shape.model is not None
            result.children.append((name, shape.model))
            continue
        if shape.kind is None:
            assert shape.model is not None
            group = None if info.is_required() else name
            nested = _split(shape.model, (*prefix, name), optional_group=group)
            if nested.groups or nested.children:
                raise TypeError(f"{model.__name__}.{name} nests too deeply for one sheet row")
            result.groups.append(name)
            result.columns.extend(nested.columns)
            continue
        if not info.description:
            # A header without a meaning is no help to whoever fills the workbook in.
            raise TypeError(f"{model.__name__}.{name} has no description for its header note")
        codes = code_list_for(name, shape.codes)
        required = info.is_required()
        path = (*prefix, name)
        extra = [(hints or {}).get(name, "")]
        limit = _free_text_limit(info.annotation, info.metadata)
        if limit is not None:
            extra.append(f"Up to {limit:,} characters.")
        note = _note(
            info.description,
            shape.kind,
            required,
            codes,
            optional_group,
            tuple(hint for hint in extra if hint),
        )
        result.columns.append(
            Column(
                name=".".join(path),
                path=path,
                kind=shape.kind,
                required=required,
                note=note,
                codes=tuple(member.value for member in codes) if codes else (),
            )
        )
    return result


def _key_column(parent: TableSheet) -> Column:
    """The column by which a child row names its parent row: no field, so no description.

    The note does not name the child sheet, so grandchildren inherit the column as it is.
    """
    if parent.id_field is None:
        # A child row names its parent by the parent's id: without one it cannot link.
        raise TypeError(f"rows cannot name their parent: {parent.name} has no *_id field")
    outer = [column.name for column in parent.key_columns]
    within = f", within the same {' and '.join(outer)}" if outer else ""
    return Column(
        name=parent.id_field,
        path=(parent.id_field,),
        kind=Kind.TEXT,
        required=True,
        note=(
            f"The {parent.id_field} of the row on the {parent.name} sheet that this row "
            f"belongs to{within}. Required."
        ),
        parent_key=True,
    )


def _in_words(names: list[str]) -> str:
    return ", ".join(names[:-1]) + " and " + names[-1] if len(names) > 1 else names[0]


# A flattened field's header is its own name, unless that would be ambiguous in the row.
_FLATTENED_HEADERS: dict[str, str] = {"preservation.reference": "preservation_reference"}


def _table(
    name: str,
    model: type[BaseModel],
    list_path: tuple[str, ...],
    parent: TableSheet | None,
    named_by: list[str],
) -> TableSheet:
    """A table sheet; ``named_by`` lists the sheets whose rows name this sheet's rows."""
    keys: list[Column] = []
    if parent is not None:
        keys = [*parent.key_columns, _key_column(parent)]
    first = next(iter(model.model_fields))
    id_field = first if first.endswith("_id") else None
    hints: dict[str, str] = {}
    if id_field and named_by:
        sheets = "sheets" if len(named_by) > 1 else "sheet"
        hints[id_field] = f"Rows on the {_in_words(named_by)} {sheets} name it."
    split = _split(model, hints=hints)
    fields = [
        replace(column, name=_FLATTENED_HEADERS.get(column.name, column.field))
        if len(column.path) > 1
        else column
        for column in split.columns
    ]
    columns = (*keys, *fields)
    headers = [column.name for column in columns]
    if len(set(headers)) != len(headers):
        raise TypeError(f"sheet {name} would have two columns with one header: {headers}")
    return TableSheet(
        name=name,
        model=model,
        list_path=list_path,
        parent=parent.name if parent else None,
        columns=columns,
        id_field=id_field,
        groups=tuple(split.groups),
        children=tuple(child for child, _ in split.children),
    )


def _entries(
    model: type[BaseModel],
    path: tuple[str, ...],
    only: Callable[[str], bool] = lambda name: True,
    optional_group: str | None = None,
) -> tuple[list[Column], list[tuple[str, type[BaseModel]]]]:
    """Key/value rows for a model's fields; the key is the dotted path below ``path``."""
    split = _split(model, only=only, optional_group=optional_group)
    entries = [replace(column, path=(*path, *column.path)) for column in split.columns]
    return entries, split.children


def _key_value(
    name: str,
    entries: list[Column],
    extra_prefixes: tuple[tuple[str, tuple[str, ...]], ...],
    optional_group: tuple[str, ...] | None = None,
) -> KeyValueSheet:
    keys = [entry.name for entry in entries]
    if len(set(keys)) != len(keys):
        raise TypeError(f"sheet {name} would have two rows with one key: {keys}")
    return KeyValueSheet(
        name=name,
        entries=tuple(entries),
        optional_group=optional_group,
        extra_prefixes=extra_prefixes,
    )


# The table sheets in workbook order (DTR-1 7.1): sheet, record model, where its list lives,
# and the sheet of the parent record whose id its rows carry (parents come first).
_ROUTES: tuple[tuple[str, type[BaseModel], tuple[str, ...], str | None], ...] = (
    ("Services", Service, ("platform", "services"), None),
    ("Referrals", Referral, ("referrals",), None),
    ("Subjects", Subject, ("subjects",), "Referrals"),
    ("IPEvents", IPEvent, ("ip_events",), "Subjects"),
    ("ContentItems", ContentItem, ("content_items",), "Referrals"),
    ("Hashes", Hash, ("hashes",), "ContentItems"),
    ("ModerationLog", Removal, ("moderation_log",), None),
)


def _descendants(sheet: str) -> list[str]:
    """The sheets whose rows belong to rows of ``sheet``, children before grandchildren."""
    found: list[str] = []
    for name, _, _, parent in _ROUTES:
        if parent == sheet:
            found += [name, *_descendants(name)]
    return found


def _build() -> tuple[Sheet, ...]:
    # Platform: the envelope's own values, then the platform's (its nested contact flattened).
    envelope, _ = _entries(
        SubmissionEnvelope,
        (),
        only=lambda field: (
            _shape(SubmissionEnvelope.model_fields[field].annotation).kind is not None
        ),
    )
    platform, platform_lists = _entries(Platform, ("platform",))
    nested = [
        (f"{column.path[1]}.", column.path[:2]) for column in platform if len(column.path) > 2
    ]
    platform_sheet = _key_value(
        "Platform",
        envelope + platform,
        (*dict.fromkeys(nested), ("platform.", ("platform",)), ("", ())),
    )
    attestation_model = _shape(SubmissionEnvelope.model_fields["attestation"].annotation).model
    if attestation_model is None:
        raise TypeError("the attestation is no longer a record: its sheet cannot be laid out")
    # Notes say "Required": a submission without an attestation is not filing-ready (R002).
    attestation, _ = _entries(attestation_model, ("attestation",))
    attestation_sheet = _key_value(
        "Attestation",
        attestation,
        (("", ("attestation",)),),
        optional_group=("attestation",),
    )

    tables: dict[str, TableSheet] = {}
    for name, model, list_path, parent in _ROUTES:
        tables[name] = _table(
            name, model, list_path, tables[parent] if parent else None, _descendants(name)
        )
    sheets: tuple[Sheet, ...] = (platform_sheet, *tables.values(), attestation_sheet)
    _check_routing(sheets, [name for name, _ in platform_lists])
    return sheets


def _check_routing(sheets: tuple[Sheet, ...], platform_lists: list[str]) -> None:
    """Every list of records in the schema has a table sheet, and every table sheet a list."""
    tables = {
        (sheet.model, sheet.list_path[-1]): sheet
        for sheet in sheets
        if isinstance(sheet, TableSheet)
    }
    reached: set[str] = set()

    def walk(model: type[BaseModel]) -> None:
        for name, info in model.model_fields.items():
            shape = _shape(info.annotation)
            if shape.model is None:
                continue
            if shape.many:
                sheet = tables.get((shape.model, name))
                if sheet is None:
                    raise TypeError(f"{model.__name__}.{name} is a list with no intake sheet")
                reached.add(sheet.name)
            walk(shape.model)

    walk(Submission)
    if platform_lists != ["services"] or reached != {sheet.name for sheet in tables.values()}:
        raise TypeError("the intake sheets no longer match the lists of the schema")


def _reserved_paths(sheets: tuple[Sheet, ...]) -> frozenset[tuple[str, ...]]:
    paths: set[tuple[str, ...]] = set()
    for sheet in sheets:
        if isinstance(sheet, TableSheet) and sheet.parent is None:
            paths.update(sheet.list_path[:n] for n in range(1, len(sheet.list_path) + 1))
        elif isinstance(sheet, KeyValueSheet):
            for entry in sheet.entries:
                paths.update(entry.path[:n] for n in range(1, len(entry.path)))
    return frozenset(paths)


@functools.cache
def nested_models(model: type[BaseModel]) -> dict[str, type[BaseModel]]:
    """The fields of ``model`` that hold a record or a list of records, with their models."""
    found = {}
    for name, info in model.model_fields.items():
        shape = _shape(info.annotation)
        if shape.model is not None:
            found[name] = shape.model
    return found


SHEETS: tuple[Sheet, ...] = _build()
RESERVED_PATHS: frozenset[tuple[str, ...]] = _reserved_paths(SHEETS)
"""Document paths that sheets or rows of their own hold: never an extra (unknown) field."""
SHEETS_BY_NAME: dict[str, Sheet] = {sheet.name: sheet for sheet in SHEETS}
INSTRUCTIONS = "Instructions"
SHEET_NAMES: tuple[str, ...] = (INSTRUCTIONS, *SHEETS_BY_NAME)


def table(name: str) -> TableSheet:
    sheet = SHEETS_BY_NAME[name]
    if not isinstance(sheet, TableSheet):
        raise TypeError(f"{name} is a sheet of key/value rows, not a table")
    return sheet


def ancestors(sheet: TableSheet) -> tuple[TableSheet, ...]:
    """The sheets of a child sheet's parents, outermost first (Referrals, Subjects)."""
    chain: list[TableSheet] = []
    parent = sheet.parent
    while parent is not None:
        chain.insert(0, table(parent))
        parent = chain[0].parent
    return tuple(chain)


def list_pointer_tokens(sheet: TableSheet) -> tuple[str, ...]:
    """The list a sheet's rows belong to, as far as it is the same for every row."""
    return ancestors(sheet)[0].list_path if sheet.parent else sheet.list_path


def child_sheets(parent: str) -> tuple[TableSheet, ...]:
    return tuple(
        sheet for sheet in SHEETS if isinstance(sheet, TableSheet) and sheet.parent == parent
    )
