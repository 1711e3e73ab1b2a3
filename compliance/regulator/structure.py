"""Sheets, headers and cell types: a raw workbook read as the six tables of a return.

Every cell is checked against its column's type (:mod:`compliance.regulator.layout`); each
problem is a located :class:`~compliance.regulator.reasons.Reason`. Reasons never quote a cell's
value: a value in the wrong place may be personal data, and a receipt travels further than the
return. The typed tables are what the consistency checks and the roll-up read.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from compliance.formats import STANDARD_VERSION
from compliance.regulator import reason_codes
from compliance.regulator.layout import (
    LEGACY_STANDARD,
    SHEETS,
    TABLE_HEADERS,
    TABLE_TYPES,
    BadCell,
    key_value_layout,
)
from compliance.regulator.reasons import CappedReasons, Reason
from compliance.xlsx.addresses import column_letter
from compliance.xlsx.raw_workbook import RawSheet, RawWorkbook

MAX_CELL_REASONS_PER_SHEET = 25
"""Beyond this many cell reasons in one sheet, the rest are counted, not listed."""

_CONTINUATION = re.compile(r"^(?P<base>.+) (?P<part>[2-9]|[1-9][0-9]+)$")
"""A long table continues on ``Content 2``, ``Content 3`` ... (render.xlsx.sheet_parts)."""


@dataclass
class KeyValues:
    """Cover or Summary: the typed value of each field, and the row it is on."""

    name: str
    values: dict[str, Any] = field(default_factory=dict)
    rows: dict[str, int] = field(default_factory=dict)


@dataclass
class Table:
    """Referrals, Content, Removals or Validation: typed rows, each with its sheet and row."""

    name: str
    header: tuple[str, ...]
    rows: list[tuple[Any, ...]] = field(default_factory=list)
    places: list[tuple[str, int]] = field(default_factory=list)

    def column(self, name: str) -> int:
        return self.header.index(name)

    def letter(self, name: str) -> str:
        return column_letter(self.column(name) + 1)


@dataclass
class ParsedReturn:
    cover: KeyValues
    summary: KeyValues
    tables: dict[str, Table]
    reasons: list[Reason]
    standard: str
    """The DTR-1 version the return was written under: its layout and its rules."""

    @property
    def well_formed(self) -> bool:
        return not self.reasons


class _Reasons(CappedReasons):
    """A return's structural reasons: every sheet and header reason, and the first few cell
    reasons of each sheet."""

    def __init__(self) -> None:
        super().__init__(MAX_CELL_REASONS_PER_SHEET)

    def cell(self, reason: Reason) -> None:
        sheet = reason.sheet or ""
        self.add_capped(
            sheet,
            reason,
            lambda more: Reason(
                reason_codes.MORE_CELLS,
                f"and {more} more cell(s) of this sheet with the same kinds of problem",
                sheet=sheet,
            ),
        )


def parse_return(workbook: RawWorkbook) -> ParsedReturn:
    reasons = _Reasons()
    parts = _sheet_parts(workbook, reasons)
    standard = _standard_of(parts.get("Cover", []))
    cover = _key_values("Cover", parts.get("Cover", []), reasons, standard)
    summary = _key_values("Summary", parts.get("Summary", []), reasons, standard)
    tables = {name: _table(name, parts.get(name, []), reasons) for name in TABLE_HEADERS}
    return ParsedReturn(cover, summary, tables, reasons.finish(), standard)


def _standard_of(cover: list[RawSheet]) -> str:
    """1.1 when the Cover has a ``standard_version`` row (whose value is then checked like any
    cell); a Cover without one is a 1.0 return's, whose layout lacks the 1.1 rows."""
    rows = cover[0].rows.values() if cover else ()
    if any(row and row[0] == "standard_version" for row in rows):
        return STANDARD_VERSION
    return LEGACY_STANDARD


def _sheet_parts(workbook: RawWorkbook, reasons: _Reasons) -> dict[str, list[RawSheet]]:
    """The workbook's sheets by the return sheet they belong to; reasons for the rest."""
    parts: dict[str, list[RawSheet]] = {}
    order: list[str] = []
    for sheet in workbook.sheets:
        base = sheet.name
        match = _CONTINUATION.match(sheet.name)
        if sheet.name not in SHEETS and match and match["base"] in TABLE_HEADERS:
            base = match["base"]
            expected_part = len(parts.get(base, [])) + 1
            if not parts.get(base) or int(match["part"]) != expected_part:
                reasons.add(
                    Reason(
                        reason_codes.CONTINUATION_OUT_OF_SEQUENCE,
                        f"a continuation of {base} must follow {base}"
                        + (f" {expected_part - 1}" if expected_part > 2 else "")
                        + " directly",
                        sheet=sheet.name,
                    )
                )
                continue
        elif sheet.name not in SHEETS:
            reasons.add(
                Reason(
                    reason_codes.SHEET_UNKNOWN,
                    "this sheet is not part of a DTR-1 return (expected sheets: "
                    + ", ".join(SHEETS)
                    + ")",
                    sheet=sheet.name,
                )
            )
            continue
        elif sheet.name in parts:
            reasons.add(
                Reason(reason_codes.SHEET_TWICE, "the sheet appears twice", sheet=sheet.name)
            )
            continue
        if sheet.chart:
            reasons.add(
                Reason(
                    reason_codes.SHEET_IS_CHART,
                    "this is a chart sheet, not a table",
                    sheet=sheet.name,
                )
            )
            continue
        parts.setdefault(base, []).append(sheet)
        if base not in order:
            order.append(base)
    for name in SHEETS:
        if name not in parts:
            reasons.add(
                Reason(
                    reason_codes.SHEET_MISSING,
                    f"the workbook has no sheet named {name}",
                    sheet=name,
                )
            )
    present = [name for name in SHEETS if name in parts]
    if order != present:
        reasons.add(
            Reason(
                reason_codes.SHEETS_OUT_OF_ORDER,
                "the sheets are not in the standard order (" + ", ".join(SHEETS) + ")",
            )
        )
    # Parts of a table must be consecutive sheets: no other sheet between Content and Content 2.
    names = workbook.sheet_names
    for base, sheets in parts.items():
        positions = [names.index(sheet.name) for sheet in sheets]
        if positions != list(range(positions[0], positions[0] + len(positions))):
            reasons.add(
                Reason(
                    reason_codes.PARTS_APART,
                    f"the parts of {base} are not consecutive sheets",
                    sheet=base,
                )
            )
    return parts


def _odd_cells(sheet: RawSheet, reasons: _Reasons, header: tuple[str, ...]) -> None:
    for odd in sheet.odd:
        reasons.cell(
            Reason(
                reason_codes.CELL_NOT_A_VALUE,
                odd.what,
                sheet=sheet.name,
                row=odd.row,
                column=column_letter(odd.column),
                header=header[odd.column - 1] if odd.column <= len(header) else None,
            )
        )


def _outside(
    sheet: RawSheet, number: int, row: tuple[Any, ...], width: int, reasons: _Reasons
) -> None:
    for index in range(width, len(row)):
        if row[index] is not None:
            reasons.cell(
                Reason(
                    reason_codes.CELL_OUTSIDE_TABLE,
                    "a value outside the table (a return has nothing beside its columns)",
                    sheet=sheet.name,
                    row=number,
                    column=column_letter(index + 1),
                )
            )


def _header_ok(sheet: RawSheet, header: tuple[str, ...], reasons: _Reasons) -> bool:
    row = sheet.rows.get(1)
    if row is None:
        reasons.add(
            Reason(
                reason_codes.HEADER_MISSING,
                "the sheet has no header in row 1",
                sheet=sheet.name,
                row=1,
            )
        )
        return False
    ok = True
    for index, name in enumerate(header):
        found = row[index] if index < len(row) else None
        if found != name:
            ok = False
            reasons.add(
                Reason(
                    reason_codes.HEADER_WRONG,
                    f"the header must be {name}" + (" (it is empty)" if found is None else ""),
                    sheet=sheet.name,
                    row=1,
                    column=column_letter(index + 1),
                )
            )
    _outside(sheet, 1, row, len(header), reasons)
    return ok


def _key_values(name: str, sheets: list[RawSheet], reasons: _Reasons, standard: str) -> KeyValues:
    result = KeyValues(name)
    if not sheets:
        return result
    sheet = sheets[0]
    header, types = key_value_layout(name, standard)
    _odd_cells(sheet, reasons, header)
    if not _header_ok(sheet, header, reasons):
        return result
    expected = list(types)
    last = len(expected) + 1
    for number, row in sorted(sheet.rows.items()):
        if number == 1:
            continue
        if number > last:
            reasons.add(
                Reason(
                    reason_codes.ROW_AFTER_LAST_FIELD,
                    f"a row after the last {header[0]} ({expected[-1]}); "
                    f"the {name} sheet has {len(expected)} rows",
                    sheet=name,
                    row=number,
                )
            )
            continue
        _outside(sheet, number, row, 2, reasons)
    for number, key in enumerate(expected, start=2):
        row = sheet.rows.get(number, ())
        label = row[0] if row else None
        if label != key:
            reasons.add(
                Reason(
                    reason_codes.FIELD_ROW_WRONG,
                    f"row {number} must be the {header[0]} {key}"
                    + (" (the row is empty)" if not row else ""),
                    sheet=name,
                    row=number,
                    column="A",
                    header=key,
                )
            )
            continue
        value = row[1] if len(row) > 1 else None
        try:
            result.values[key] = types[key].check(value)
            result.rows[key] = number
        except BadCell as problem:
            reasons.cell(
                Reason(
                    reason_codes.CELL_WRONG_VALUE,
                    str(problem),
                    sheet=name,
                    row=number,
                    column="B",
                    header=key,
                )
            )
    return result


def _table(name: str, sheets: list[RawSheet], reasons: _Reasons) -> Table:
    header = TABLE_HEADERS[name]
    types = [TABLE_TYPES[name][column] for column in header]
    table = Table(name, header)
    for sheet in sheets:
        _odd_cells(sheet, reasons, header)
        if not _header_ok(sheet, header, reasons):
            continue  # with the wrong columns, every cell below would be reported: noise
        for number, row in sorted(sheet.rows.items()):
            if number == 1:
                continue
            _outside(sheet, number, row, len(header), reasons)
            typed: list[Any] = []
            good = True
            for index, (column, kind) in enumerate(zip(header, types, strict=True)):
                value = row[index] if index < len(row) else None
                try:
                    typed.append(kind.check(value))
                except BadCell as problem:
                    good = False
                    reasons.cell(
                        Reason(
                            reason_codes.CELL_WRONG_VALUE,
                            str(problem),
                            sheet=sheet.name,
                            row=number,
                            column=column_letter(index + 1),
                            header=column,
                        )
                    )
            if good:
                table.rows.append(tuple(typed))
                table.places.append((sheet.name, number))
    return table
