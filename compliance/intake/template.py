"""Writing the intake workbook: the blank template, or one filled from a (raw) JSON submission.

Every value goes through :mod:`compliance.xlsx.cells`, so nothing a submission says can become
a formula, a link or a number; a valid timestamp becomes a date-time cell in UTC, a valid date
a date cell, a whole number a number. A raw document that is not a valid submission is
written as it is, as far as a workbook can hold it, so that its structure errors survive into
the workbook where the user can fix them: an unknown field becomes an extra column (or row),
a value of the wrong type stays what it was. What a workbook cannot hold (a list item that is
not an object, text longer than a cell) is listed in the returned notes, or refused.
"""

from __future__ import annotations

import contextlib
import json
import math
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

import xlsxwriter
from pydantic import TypeAdapter, ValidationError
from xlsxwriter.format import Format
from xlsxwriter.worksheet import Worksheet

from compliance.atomic import atomic_target
from compliance.errors import ComplianceError
from compliance.formats import Day, Timestamp
from compliance.intake.layout import (
    INSTRUCTIONS,
    LIST_KINDS,
    LIST_SEPARATOR,
    RESERVED_PATHS,
    SHEETS,
    Column,
    KeyValueSheet,
    Kind,
    TableSheet,
    child_sheets,
)
from compliance.structure_errors import json_pointer
from compliance.xlsx.addresses import column_letter
from compliance.xlsx.cells import (
    HEADER_STYLE,
    MAX_EXACT_INTEGER,
    MAX_ROWS,
    XlsxLimitError,
    fits_date_cell,
    new_workbook,
    write_boolean,
    write_moment,
    write_number,
    write_text,
)
from compliance.xlsx.escapes import exact_text_escapes, stored_exactly

TIMESTAMP_FORMAT = 'yyyy-mm-dd"T"hh:mm:ss"Z"'
DATE_FORMAT = "yyyy-mm-dd"
_CREATED = datetime(2026, 1, 1)
"""A fixed creation date keeps the bytes of a workbook reproducible."""

_timestamp = TypeAdapter(Timestamp)
_day = TypeAdapter(Day)


class IntakeWriteError(ComplianceError, ValueError):
    """A value that no workbook cell can hold exactly (the conversion is refused)."""


@dataclass
class _Row:
    values: dict[str, Any]
    pointer: dict[str, str]
    """The JSON Pointer of each value, for notes and errors."""


@dataclass
class _Records:
    """What each sheet gets from a document: rows (tables) or values (key/value sheets)."""

    rows: dict[str, list[_Row]] = field(default_factory=dict)
    extra_columns: dict[str, list[str]] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    def add(self, sheet: str, row: _Row) -> None:
        self.rows.setdefault(sheet, []).append(row)

    def extra(self, sheet: str, name: str) -> None:
        columns = self.extra_columns.setdefault(sheet, [])
        if name not in columns:
            columns.append(name)


# ----------------------------------------------------------------------------------------
# Document -> rows
# ----------------------------------------------------------------------------------------


def _get(record: Mapping[str, Any], path: tuple[str, ...]) -> tuple[bool, Any]:
    value: Any = record
    for token in path:
        if not isinstance(value, Mapping) or token not in value:
            return False, None
        value = value[token]
    return True, value


def _key_text(value: Any) -> Any:
    return value if isinstance(value, str) else None


class _Collector:
    def __init__(self, document: Mapping[str, Any]) -> None:
        self.document = document
        self.records = _Records()

    def note(self, pointer: tuple[str | int, ...], text: str) -> None:
        self.records.notes.append(f"{json_pointer(pointer) or '/'}: {text}")

    def collect(self) -> _Records:
        for sheet in SHEETS:
            if isinstance(sheet, KeyValueSheet):
                self._key_value(sheet)
        services = _get(self.document, ("platform", "services"))[1]
        self._table_list(_table_named("Services"), services, ("platform", "services"), {})
        referrals = self.document.get("referrals")
        self._table_list(_table_named("Referrals"), referrals, ("referrals",), {})
        log = self.document.get("moderation_log")
        self._table_list(_table_named("ModerationLog"), log, ("moderation_log",), {})
        return self.records

    def _key_value(self, sheet: KeyValueSheet) -> None:
        row = _Row({}, {})
        known_paths = {entry.path for entry in sheet.entries}
        for entry in sheet.entries:
            present, value = _get(self.document, entry.path)
            if present:
                row.values[entry.name] = value
                row.pointer[entry.name] = json_pointer(entry.path)
        # A field the schema does not define becomes an extra row, so that the checker still
        # reports it (DTR-S003) on the workbook.
        for owner in sorted({entry.path[:-1] for entry in sheet.entries}, key=len):
            present, record = _get(self.document, owner)
            if not present or record is None:
                continue
            if not isinstance(record, Mapping):
                self.note(owner, "is not an object; a workbook cannot hold it, left out")
                continue
            for key, value in record.items():
                path = (*owner, key)
                if path in known_paths or path in _ROUTED:
                    continue
                name = sheet.key_of_extra(path)
                if name is None:
                    self.note(path, "is not a field DTR-1 defines; a workbook cannot hold it")
                    continue
                row.values[name] = value
                row.pointer[name] = json_pointer(path)
                self.records.extra(sheet.name, name)
        self.records.add(sheet.name, row)

    def _table_list(
        self,
        sheet: TableSheet,
        items: Any,
        pointer: tuple[str | int, ...],
        keys: dict[str, Any],
    ) -> None:
        if items is None:
            return
        if not isinstance(items, list):
            self.note(pointer, "is not a list; a workbook cannot hold it, left out")
            return
        for index, item in enumerate(items):
            here = (*pointer, index)
            if not isinstance(item, Mapping):
                self.note(here, "is not an object; a workbook row cannot hold it, left out")
                continue
            self._record(sheet, item, here, keys)

    def _record(
        self,
        sheet: TableSheet,
        item: Mapping[str, Any],
        pointer: tuple[str | int, ...],
        keys: dict[str, Any],
    ) -> None:
        row = _Row(dict(keys), {})
        for column in sheet.field_columns:
            present, value = _get(item, column.path)
            if present:
                row.values[column.name] = value
                row.pointer[column.name] = json_pointer((*pointer, *column.path))
        known = {column.path[0] for column in sheet.field_columns} | set(sheet.children)
        for key, value in item.items():
            if key in known:
                continue
            row.values[key] = value
            row.pointer[key] = json_pointer((*pointer, key))
            self.records.extra(sheet.name, key)
        for group in sheet.groups:
            nested = item.get(group)
            if nested is None:
                continue
            if not isinstance(nested, Mapping):
                self.note((*pointer, group), "is not an object; a workbook cannot hold it")
                continue
            group_fields = {c.path[1] for c in sheet.field_columns if c.path[0] == group}
            for key, value in nested.items():
                if key not in group_fields:
                    name = f"{group}.{key}"
                    row.values[name] = value
                    row.pointer[name] = json_pointer((*pointer, group, key))
                    self.records.extra(sheet.name, name)
        self.records.add(sheet.name, row)
        if sheet.id_field is None:
            return
        child_keys = {**keys, sheet.id_field: _key_text(item.get(sheet.id_field))}
        for child in child_sheets(sheet.name):
            list_name = child.list_path[-1]
            if list_name in item:
                if child_keys[sheet.id_field] is None and item[list_name]:
                    self.note(
                        (*pointer, list_name),
                        f"belongs to a record without a usable {sheet.id_field}; "
                        "its rows cannot be linked to it",
                    )
                self._table_list(child, item[list_name], (*pointer, list_name), child_keys)


_ROUTED = RESERVED_PATHS


def _table_named(name: str) -> TableSheet:
    for sheet in SHEETS:
        if isinstance(sheet, TableSheet) and sheet.name == name:
            return sheet
    raise KeyError(name)


# ----------------------------------------------------------------------------------------
# Cells
# ----------------------------------------------------------------------------------------


class _Cells:
    def __init__(self, workbook: xlsxwriter.Workbook, notes: list[str]) -> None:
        self.notes = notes
        self.header = workbook.add_format(HEADER_STYLE)
        self.key = workbook.add_format({"bold": True, "num_format": "@"})
        self.meaning = workbook.add_format(
            {"text_wrap": True, "valign": "top", "font_color": "#404040"}
        )
        self.text = workbook.add_format({"num_format": "@"})
        self.wrapped = workbook.add_format({"num_format": "@", "text_wrap": True, "valign": "top"})
        self.timestamp = workbook.add_format({"num_format": TIMESTAMP_FORMAT})
        self.date = workbook.add_format({"num_format": DATE_FORMAT})
        self.integer = workbook.add_format({"num_format": "0"})
        self.heading = workbook.add_format({"bold": True, "font_size": 14})
        self.paragraph = workbook.add_format({"text_wrap": True, "valign": "top"})

    def column_format(self, column: Column | None) -> Format:
        if column is None:
            return self.text
        if column.kind is Kind.TIMESTAMP:
            return self.timestamp
        if column.kind is Kind.DATE:
            return self.date
        if column.kind is Kind.INTEGER:
            return self.integer
        if column.name in _WRAPPED:
            return self.wrapped
        return self.text

    def write(
        self,
        sheet: Worksheet,
        row: int,
        col: int,
        column: Column | None,
        value: Any,
        pointer: str,
    ) -> None:
        """Write one value so that reading it back gives the same value."""
        if value is None:
            return
        with _refused_at(pointer):
            self._write(sheet, row, col, column, value, pointer)

    def label(self, sheet: Worksheet, row: int, col: int, text: str, cell_format: Format) -> None:
        """A header, a field name or an explanation: text of the workbook's own."""
        with _refused_at(f"{sheet.name}!{column_letter(col + 1)}{row + 1}"):
            write_text(sheet, row, col, text, cell_format)

    def _write(
        self,
        sheet: Worksheet,
        row: int,
        col: int,
        column: Column | None,
        value: Any,
        pointer: str,
    ) -> None:
        kind = column.kind if column else None
        if kind in LIST_KINDS:
            self._write_list(sheet, row, col, column, value, pointer)
            return
        if isinstance(value, str):
            if kind is Kind.TIMESTAMP and self._write_timestamp(sheet, row, col, value):
                return
            if kind is Kind.DATE and self._write_date(sheet, row, col, value):
                return
            self._write_text(sheet, row, col, column, value, pointer)
        elif isinstance(value, bool):
            write_boolean(sheet, row, col, value)
        elif isinstance(value, int | float):
            if isinstance(value, int) and abs(value) > MAX_EXACT_INTEGER:
                self.notes.append(
                    f"{pointer}: {value} is beyond a spreadsheet number's precision; "
                    "written as text"
                )
                self._write_text(sheet, row, col, column, str(value), pointer)
            else:
                write_number(sheet, row, col, value, self.column_format(column))
        else:
            self.notes.append(f"{pointer}: is a JSON {_json_kind(value)}; written as JSON text")
            self._write_text(sheet, row, col, column, _json_text(value), pointer)

    def _write_text(
        self, sheet: Worksheet, row: int, col: int, column: Column | None, value: str, pointer: str
    ) -> None:
        if value == "":
            # A cell cannot hold empty text apart from no value; both mean "none".
            self.notes.append(f"{pointer}: empty text is written as an empty cell (null)")
            return
        if not stored_exactly(value):
            raise IntakeWriteError(
                f"{pointer}: contains text like _x0041_, which this version of the workbook "
                "writer cannot store exactly"
            )
        write_text(sheet, row, col, value, self.column_format(column))

    def _write_timestamp(self, sheet: Worksheet, row: int, col: int, value: str) -> bool:
        try:
            moment: datetime = _timestamp.validate_python(value)
        except ValidationError:
            return False  # not a valid timestamp: kept as text, the checker will say why
        if not fits_date_cell(moment):
            return False  # kept as text, which holds it exactly
        write_moment(sheet, row, col, moment, self.timestamp)
        return True

    def _write_date(self, sheet: Worksheet, row: int, col: int, value: str) -> bool:
        try:
            day: date = _day.validate_python(value)
        except ValidationError:
            return False
        moment = datetime(day.year, day.month, day.day)
        if not fits_date_cell(moment):
            return False
        write_moment(sheet, row, col, moment, self.date)
        return True

    def _write_list(
        self, sheet: Worksheet, row: int, col: int, column: Column | None, value: Any, pointer: str
    ) -> None:
        if not isinstance(value, list):
            self.notes.append(f"{pointer}: is not a list; written as a one-item list")
            self._write(sheet, row, col, None, value, pointer)
            return
        items: list[str] = []
        for item in value:
            text = item if isinstance(item, str) else _json_text(item)
            if (
                text != text.strip()
                or not text
                or LIST_SEPARATOR in text
                or not isinstance(item, str)
            ):
                self.notes.append(
                    f"{pointer}: item {text[:40]!r} cannot be kept exactly in a "
                    f"'{LIST_SEPARATOR}'-separated cell"
                )
            items.append(text)
        if items:
            self._write_text(sheet, row, col, column, f"{LIST_SEPARATOR} ".join(items), pointer)


_WRAPPED = frozenset({"narrative", "excerpt", "statement"})


@contextlib.contextmanager
def _refused_at(where: str) -> Iterator[None]:
    """A value no cell can hold is refused with the place it was to be written."""
    try:
        yield
    except XlsxLimitError as error:
        raise IntakeWriteError(f"{where}: {error}") from None


def _check(status: int, pointer: str) -> None:
    if status < 0:
        raise IntakeWriteError(f"{pointer}: the workbook writer refused the value ({status})")


def _json_kind(value: Any) -> str:
    return (
        "object" if isinstance(value, Mapping) else "list" if isinstance(value, list) else "value"
    )


def _json_text(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


# ----------------------------------------------------------------------------------------
# Sheets
# ----------------------------------------------------------------------------------------

_WIDTHS: dict[str, float] = {
    "narrative": 60,
    "excerpt": 40,
    "statement": 60,
    "url": 36,
    "value": 40,
    "categories": 30,
    "actions_taken": 36,
    "countries_concerned": 20,
    "related_referral_ids": 24,
}


def _width(column: Column | None, header: str) -> float:
    if header in _WIDTHS:
        return _WIDTHS[header]
    if column is not None and column.kind is Kind.TIMESTAMP:
        return 22
    return max(12.0, min(len(header) + 4.0, 30.0))


def _comment_options(note: str) -> dict[str, Any]:
    return {"x_scale": 2.4, "y_scale": 1.0 + len(note) / 120, "author": "compliance"}


def _validation(column: Column) -> dict[str, Any]:
    options: dict[str, Any] = {"validate": "list", "source": list(column.codes)}
    if column.kind is Kind.CODE_LIST:
        # Several values are typed separated by ';', which a list check would refuse.
        options.update(
            show_error=False,
            input_title=column.name,
            input_message=f"Pick one, or type several separated by '{LIST_SEPARATOR}'.",
        )
    else:
        options.update(
            error_title=column.name,
            error_message="Choose a value from the list.",
        )
    return options


def _write_table(
    workbook: xlsxwriter.Workbook, cells: _Cells, sheet: TableSheet, records: _Records
) -> None:
    worksheet = workbook.add_worksheet(sheet.name)
    columns: list[tuple[str, Column | None]] = [(c.name, c) for c in sheet.columns]
    columns += [(name, None) for name in records.extra_columns.get(sheet.name, [])]
    for index, (header, column) in enumerate(columns):
        worksheet.set_column(index, index, _width(column, header), cells.column_format(column))
        cells.label(worksheet, 0, index, header, cells.header)
        if column is not None:
            worksheet.write_comment(0, index, column.note, _comment_options(column.note))
            if column.codes:  # the drop-down covers every row a sheet can have
                status = worksheet.data_validation(
                    1, index, MAX_ROWS - 1, index, _validation(column)
                )
                _check(status, f"{sheet.name}!{header} drop-down")
    worksheet.freeze_panes(1, 0)
    _print_setup(worksheet, landscape=True, fit_width=False)
    for row_number, row in enumerate(records.rows.get(sheet.name, []), start=1):
        for index, (header, column) in enumerate(columns):
            if header in row.values:
                pointer = row.pointer.get(header, f"{sheet.name}!{header}")
                cells.write(worksheet, row_number, index, column, row.values[header], pointer)


_VALUE_WIDTH = 44
_MEANING_WIDTH = 90
_MAX_ROW_HEIGHT = 409.0
"""The tallest row a spreadsheet allows, in points."""


def _write_key_value(
    workbook: xlsxwriter.Workbook, cells: _Cells, sheet: KeyValueSheet, records: _Records
) -> None:
    worksheet = workbook.add_worksheet(sheet.name)
    worksheet.set_column(0, 0, 30, cells.key)
    worksheet.set_column(1, 1, _VALUE_WIDTH, cells.text)
    worksheet.set_column(2, 2, _MEANING_WIDTH, cells.meaning)
    for index, header in enumerate(("field", "value", "meaning")):
        cells.label(worksheet, 0, index, header, cells.header)
    worksheet.freeze_panes(1, 0)
    _print_setup(worksheet, landscape=True, fit_width=True)
    found = records.rows.get(sheet.name, [_Row({}, {})])[0]
    entries: list[tuple[str, Column | None]] = [(e.name, e) for e in sheet.entries]
    entries += [(name, None) for name in records.extra_columns.get(sheet.name, [])]
    for row_number, (key, column) in enumerate(entries, start=1):
        cells.label(worksheet, row_number, 0, key, cells.key)
        if column is not None:
            worksheet.write_comment(row_number, 0, column.note, _comment_options(column.note))
            cells.label(worksheet, row_number, 2, column.note, cells.meaning)
            height = _wrapped_height(column.note, _MEANING_WIDTH)
            value = found.values.get(key)
            if isinstance(value, str) and key in _WRAPPED:
                height = max(height, _wrapped_height(value, _VALUE_WIDTH))
            worksheet.set_row(row_number, min(height, _MAX_ROW_HEIGHT))
            if column.codes:
                status = worksheet.data_validation(
                    row_number, 1, row_number, 1, _validation(column)
                )
                _check(status, f"{sheet.name}!{key} drop-down")
        value = found.values.get(key)
        if value is None and column is not None and key == "schema_version" and not found.values:
            value = _blank_schema_version()
        if value is None:
            worksheet.write_blank(row_number, 1, None, cells.column_format(column))
        else:
            pointer = found.pointer.get(key, f"{sheet.name}!{key}")
            cells.write(worksheet, row_number, 1, column, value, pointer)


def _blank_schema_version() -> str:
    from compliance.formats import SCHEMA_VERSION

    return SCHEMA_VERSION


def instructions_text() -> list[tuple[str, str]]:
    """The Instructions sheet, as (style, text) lines."""
    from compliance.formats import SCHEMA_VERSION

    sheets = [sheet.name for sheet in SHEETS]
    return [
        ("heading", f"DTR-1 intake workbook (schema version {SCHEMA_VERSION})"),
        ("", ""),
        (
            "",
            "This workbook is a DTR-1 duty-to-report submission in spreadsheet form. Fill it "
            "in, then check it with:  compliance validate FILE.xlsx  (every issue names its "
            "sheet, row and column). compliance convert FILE.xlsx --to json --out FILE.json "
            "turns it into the JSON submission.",
        ),
        ("", ""),
        ("heading", "Sheets"),
        (
            "",
            "Platform: one value per row (field name in column A, value in column B): the "
            "submission itself (schema_version, submission_id, submission_type, "
            "amends_submission_id, period, generated_at), the platform and its nominated "
            "officer (nominated_officer.name, .role, .email, .phone).",
        ),
        ("", "Services: one row per service of the platform (at least one)."),
        (
            "",
            "Referrals: one row per referral. The preservation of evidence is the three columns "
            "preserved_at, retain_until and preservation_reference; leave all three empty when "
            "nothing was preserved.",
        ),
        ("", "Subjects: one row per subject; referral_id names the referral it belongs to."),
        (
            "",
            "IPEvents: one row per IP address observation; referral_id and subject_id name "
            "the subject it belongs to.",
        ),
        ("", "ContentItems: one row per content item; referral_id names its referral."),
        (
            "",
            "Hashes: one row per hash; referral_id and content_id name the content item.",
        ),
        ("", "ModerationLog: one row per terrorism-related removal in the period."),
        ("", "Attestation: the signed attestation, one value per row like Platform."),
        (
            "",
            f"Do not rename, add or delete sheets ({', '.join(sheets)}) or change the header "
            "row; columns may be reordered. Every header cell has a note explaining its field.",
        ),
        ("", ""),
        ("heading", "Filling in cells"),
        (
            "",
            "Dates and times: cells hold UTC date-times; a date-time cell is read as UTC. Text "
            "with an explicit offset, such as 2026-08-14T10:30:00+01:00 or "
            "2026-08-14T09:30:00Z, is also accepted. Text without an offset is an error. "
            "Convert local times to UTC before typing them into a date-time cell: 10:30 in "
            "London in August (BST, UTC+01:00) is 09:30 UTC.",
        ),
        ("", "Dates (date_of_birth, retain_until): a date cell, or text written YYYY-MM-DD."),
        (
            "",
            f"Lists (categories, actions_taken, countries_concerned, related_referral_ids): all "
            f"values in one cell, separated by '{LIST_SEPARATOR}', e.g. threat{LIST_SEPARATOR} "
            "attack_planning. An empty cell is an empty list.",
        ),
        (
            "",
            "Code lists: pick from the drop-down. Whole numbers (port, view_count, "
            "monthly_active_users) are number cells.",
        ),
        (
            "",
            "An empty cell means the field has no value (null). Optional fields may be left "
            "empty; a required field left empty is reported as missing.",
        ),
        (
            "",
            "Text is kept exactly as typed, in any language. Type values, not formulas: a cell "
            "holding a formula is reported as an error and not read. Do not merge cells.",
        ),
    ]


_INSTRUCTIONS_WIDTH = 80
"""Characters: the column fits a portrait page, so it prints without being cut."""
_LINE_HEIGHT = 15.0
"""Points per line of 11-point text, the default row height."""


def _wrapped_height(text: str, width: float) -> float:
    """The height a row needs to show ``text`` wrapped in a column ``width`` characters wide.

    Spreadsheet programs do not grow a row for wrapped text written by a program (Excel does
    only when the row is edited, LibreOffice not at all in a saved file), so without this
    the paragraphs overlap the rows below them. One character per unit of width is an
    overestimate for prose, which leaves a little room rather than cutting text off.
    """
    lines = sum(max(1, math.ceil(len(line) / width)) for line in text.split("\n"))
    return _LINE_HEIGHT * lines


def _print_setup(
    worksheet: Worksheet, *, landscape: bool, fit_width: bool, header_row: bool = True
) -> None:
    """How a sheet prints (or exports to PDF): the header row on every page.

    Narrow sheets are fitted to one page wide; the wide tables are not, since squeezing a
    dozen columns onto one page would make them unreadable.
    """
    if landscape:
        worksheet.set_landscape()
    if fit_width:
        worksheet.fit_to_pages(1, 0)
    if header_row:
        worksheet.repeat_rows(0)


def _write_instructions(workbook: xlsxwriter.Workbook, cells: _Cells) -> None:
    worksheet = workbook.add_worksheet(INSTRUCTIONS)
    worksheet.set_column(0, 0, _INSTRUCTIONS_WIDTH)
    _print_setup(worksheet, landscape=False, fit_width=True, header_row=False)
    for row, (style, text) in enumerate(instructions_text()):
        if text:
            fmt = cells.heading if style == "heading" else cells.paragraph
            cells.label(worksheet, row, 0, text, fmt)
            if style != "heading":
                worksheet.set_row(row, _wrapped_height(text, _INSTRUCTIONS_WIDTH))


def write_intake(target: Path, document: Mapping[str, Any] | None = None) -> list[str]:
    """Write the intake workbook to ``target`` (blank when ``document`` is None).

    Returns notes on anything of the document a workbook could not hold exactly; raises
    :class:`IntakeWriteError` for a value that cannot be written at all.
    """
    records = _Collector(document).collect() if document is not None else _Records()
    workbook = new_workbook(target)
    workbook.set_properties(
        {"title": "DTR-1 intake workbook", "author": "compliance", "created": _CREATED}
    )
    cells = _Cells(workbook, records.notes)
    try:
        _write_instructions(workbook, cells)
        for sheet in SHEETS:
            if isinstance(sheet, TableSheet):
                _write_table(workbook, cells, sheet, records)
            else:
                _write_key_value(workbook, cells, sheet, records)
        workbook.worksheets()[0].activate()
    finally:
        with exact_text_escapes():
            workbook.close()
    return records.notes


def save_intake(path: Path, document: Mapping[str, Any] | None = None) -> list[str]:
    """Write the workbook to ``path`` atomically (a temporary file, then a rename)."""
    with atomic_target(path) as temporary:
        return write_intake(temporary, document)


def iter_code_columns() -> Iterator[tuple[str, Column]]:
    """Every (sheet, column) with a drop-down: what the template promises."""
    for sheet in SHEETS:
        columns = sheet.columns if isinstance(sheet, TableSheet) else sheet.entries
        for column in columns:
            if column.codes:
                yield sheet.name, column
