"""The intake workbook's sheets and columns, derived from the pydantic models (DTR-1 7.1).

Nothing here lists a model's fields by hand: the columns of each sheet are the fields of its
model (``model_fields``), their kinds (text, whole number, date-time, date, code list, list)
come from the field annotations, and the drop-down values come from :mod:`compliance.codes`.
A field added to a model therefore appears in the template, the writer and the reader at
once. What is written by hand is the routing (which list of models becomes which sheet, as
section 7.1 names them) and the plain-English note on each header.

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
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from enum import StrEnum
from typing import Any, Union

from pydantic import AwareDatetime, BaseModel

from compliance.codes import CODE_LISTS, CodeList
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
# Field notes: the meaning of each field, written once here (the models carry no prose).
# Looked up as "Model.field", then "field". Kind, code values and "required" are added.
# ----------------------------------------------------------------------------------------

_NOTES: dict[str, str] = {
    "schema_version": "The DTR-1 version this submission follows. Leave it as 1.0.",
    "submission_id": (
        "Your identifier for this submission, unique per platform: 1 to 64 letters, digits, "
        "'.', '_' or '-', starting with a letter or digit."
    ),
    "submission_type": (
        "initial, or amendment when this submission replaces an earlier one for the same period."
    ),
    "amends_submission_id": (
        "For an amendment, the submission_id of the submission it replaces. "
        "Leave empty for an initial submission."
    ),
    "period": "The calendar quarter covered, written YYYY-Qn, e.g. 2026-Q3.",
    "generated_at": ("When this submission was produced; the 'now' of every deadline check."),
    "Platform.legal_name": "The reporting entity's registered legal name.",
    "Platform.registration_number": "Company number or equivalent registration number.",
    "Platform.jurisdiction": (
        "ISO 3166-1 alpha-2 code of the country of registration, e.g. GB, IE, US."
    ),
    "Contact.name": "The nominated officer (answerable for referrals): full name.",
    "Contact.role": "The nominated officer's role or job title.",
    "Contact.email": "The nominated officer's e-mail address.",
    "Contact.phone": "The nominated officer's phone number in E.164 form, e.g. +442079460000.",
    "Service.service_id": (
        "Your identifier for the service; subjects, content items and removals name it."
    ),
    "Service.name": "The service's public name.",
    "service_type": "What kind of service it is.",
    "monthly_active_users": "Average monthly active users, if known.",
    "referral_id": (
        "The referral's identifier, unique in the submission (its row on the Referrals sheet)."
    ),
    "Referral.referral_id": (
        "Your identifier for the referral, unique in the submission. Rows on the Subjects, "
        "IPEvents, ContentItems and Hashes sheets name it."
    ),
    "referral_type": (
        "initial; continuing (further activity by subjects already referred); correction "
        "(replaces the facts of an earlier referral)."
    ),
    "related_referral_ids": (
        "The earlier referrals this one continues or corrects. Required for continuing and "
        "correction referrals; leave empty for an initial one."
    ),
    "priority": "Sets the referral deadline, counted from suspicion_formed_at.",
    "categories": "The terrorist-content categories; at least one, no repeats.",
    "Referral.detected_at": "When the platform first noticed any of the material.",
    "suspicion_formed_at": (
        "When a reviewer concluded the matter is reportable: the deadline clock starts here."
    ),
    "referred_at": "When the referral was sent to the police; empty if not yet referred.",
    "referred_to": (
        "The receiving authority, e.g. Counter Terrorism Policing (GB), Europol EU IRU. "
        "Filled exactly when referred_at is filled."
    ),
    "countries_concerned": (
        "ISO 3166-1 alpha-2 codes of where the offence happened or may happen, or where a "
        "suspect or victim is; at least one, no repeats."
    ),
    "authority_reference": "The reference number the police gave back, if any.",
    "narrative": (
        "The reason for suspicion, in prose: who, what, where, when, why, how "
        "(up to 20,000 characters)."
    ),
    "actions_taken": "What the platform did; no repeats; no_action stands alone.",
    "Preservation.preserved_at": (
        "When evidence was preserved for the police. Leave all three preservation columns "
        "empty when nothing was preserved."
    ),
    "Preservation.retain_until": "The date until which the preserved evidence is kept.",
    "Preservation.reference": "The platform's evidence-locker reference.",
    "subject_id": "The subject's identifier (subject_id on the Subjects sheet, same referral).",
    "Subject.subject_id": (
        "Your identifier for the person or account, unique within its referral."
    ),
    "service_id": "The service concerned: a service_id from the Services sheet.",
    "Subject.account_id": "The platform's stable account key.",
    "username": "The account's username, if any.",
    "display_name": "The account's display name, if any.",
    "Subject.email": "The account's e-mail address, if known.",
    "Subject.phone": "The account's phone number in E.164 form, if known.",
    "date_of_birth": "The subject's date of birth, if known.",
    "declared_country": "The country the user declared (ISO 3166-1 alpha-2), if any.",
    "account_created_at": "When the account was created, if known.",
    "account_status": "The account's status now.",
    "ip": "The IPv4 or IPv6 address.",
    "port": (
        "The source port (1 to 65535); needed for a public IPv4 address, which carrier-grade "
        "NAT shares between many users."
    ),
    "observed_at": "When the address was observed.",
    "event": "What the account did from this address.",
    "content_id": "The content item (content_id on the ContentItems sheet, same referral).",
    "ContentItem.content_id": "Your identifier for the item, unique within its referral.",
    "ContentItem.subject_id": (
        "The subject who posted it (a subject_id of the same referral), if known."
    ),
    "content_type": "What kind of material it is.",
    "url": "The http(s) address of the material, if any.",
    "posted_at": "When the material was posted.",
    "ContentItem.detected_at": "When the platform detected the material.",
    "removed_at": "When the material was removed; empty if it is still up.",
    "detection_source": "How the material was found.",
    "visibility": "Who could see the material.",
    "view_count": "How many times it was viewed, if known.",
    "excerpt": "A quotation of the material (up to 2,000 characters).",
    "language": "ISO 639-1 code of the material's language, e.g. en, ar, ur.",
    "algorithm": "The hash algorithm.",
    "value": (
        "The hash value: hexadecimal for md5 (32 digits), sha1 (40), sha256 and pdq (64); "
        "standard base64 of 144 bytes for photodna."
    ),
    "action_id": "Your identifier for the removal, unique in the moderation log.",
    "Removal.account_id": "The account whose content was removed.",
    "Removal.content_id": "The removed content's identifier, if any.",
    "category": "The category of the removed content.",
    "actioned_at": "When the content was removed; it must fall in the period.",
    "Removal.referral_id": (
        "The referral that covers this removal, if any (a referral_id on the Referrals sheet)."
    ),
    "Attestation.name": "The person who signs the attestation.",
    "Attestation.role": "The signatory's role.",
    "signed_at": "When the attestation was signed.",
    "statement": "The attestation statement (up to 2,000 characters).",
}

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


def _note(owner: str, name: str, kind: Kind, required: bool, codes: Any, group: str | None) -> str:
    meaning = _NOTES.get(f"{owner}.{name}") or _NOTES.get(name, "")
    parts = [meaning] if meaning else []
    if kind in _KIND_HINTS:
        parts.append(_KIND_HINTS[kind])
    if codes is not None:
        parts.append("Values: " + ", ".join(member.value for member in codes) + ".")
    if kind in LIST_KINDS:
        parts.append("An empty cell is an empty list.")
    elif not required:
        parts.append("Optional: leave empty if none.")
    elif group:
        parts.append(f"Required when any {group} value is given.")
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
) -> _Split:
    """Columns for a model's fields; nested single records are flattened under ``prefix``.

    ``optional_group`` names the optional record these fields belong to, for the notes.
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
        codes = code_list_for(name, shape.codes)
        required = info.is_required()
        path = (*prefix, name)
        result.columns.append(
            Column(
                name=".".join(path),
                path=path,
                kind=shape.kind,
                required=required,
                note=_note(model.__name__, name, shape.kind, required, codes, optional_group),
                codes=tuple(member.value for member in codes) if codes else (),
            )
        )
    return result


def _key_column(name: str, sheet: str) -> Column:
    return Column(
        name=name,
        path=(name,),
        kind=Kind.TEXT,
        required=True,
        note=f"{_NOTES.get(name, name)} It links this {sheet} row to its parent. Required.",
        parent_key=True,
    )


# A flattened field's header is its own name, unless that would be ambiguous in the row.
_FLATTENED_HEADERS: dict[str, str] = {"preservation.reference": "preservation_reference"}


def _table(
    name: str,
    model: type[BaseModel],
    list_path: tuple[str, ...],
    parent: TableSheet | None,
) -> TableSheet:
    keys: list[Column] = []
    if parent is not None:
        keys = [_key_column(column.name, name) for column in parent.key_columns]
        assert parent.id_field is not None
        keys.append(_key_column(parent.id_field, name))
    split = _split(model)
    fields = [
        replace(column, name=_FLATTENED_HEADERS.get(column.name, column.field))
        if len(column.path) > 1
        else column
        for column in split.columns
    ]
    first = next(iter(model.model_fields))
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
        id_field=first if first.endswith("_id") else None,
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
    assert attestation_model is not None
    # Notes say "Required": a submission without an attestation is not filing-ready (R002).
    attestation, _ = _entries(attestation_model, ("attestation",))
    attestation_sheet = _key_value(
        "Attestation",
        attestation,
        (("", ("attestation",)),),
        optional_group=("attestation",),
    )

    services = _table("Services", Service, ("platform", "services"), None)
    referrals = _table("Referrals", Referral, ("referrals",), None)
    subjects = _table("Subjects", Subject, ("subjects",), referrals)
    ip_events = _table("IPEvents", IPEvent, ("ip_events",), subjects)
    content = _table("ContentItems", ContentItem, ("content_items",), referrals)
    hashes = _table("Hashes", Hash, ("hashes",), content)
    log = _table("ModerationLog", Removal, ("moderation_log",), None)
    sheets: tuple[Sheet, ...] = (
        platform_sheet,
        services,
        referrals,
        subjects,
        ip_events,
        content,
        hashes,
        log,
        attestation_sheet,
    )
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
    assert isinstance(sheet, TableSheet)
    return sheet


def key_value(name: str) -> KeyValueSheet:
    sheet = SHEETS_BY_NAME[name]
    assert isinstance(sheet, KeyValueSheet)
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
