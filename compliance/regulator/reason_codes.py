"""The reason catalogue: every way ``receive`` can reject a return, with a code, defined once.

Like the DTR rule catalogue (:mod:`compliance.rules.registry`), each entry has a stable code,
a title and the section of the standard it enforces; the receipt shows the code beside each
reason, so that a platform (or a machine) can look a rejection up instead of parsing the
sentence. The README's "Receipt reasons" table is generated from :data:`REASON_CODES`
(``scripts/update_readme_catalogue.py``), and a test keeps the two, and the code, in step.

Codes are ``RCV-`` + a family letter + three digits. The families follow the order in which
a return is checked:

- ``U`` the file: not a readable workbook at all;
- ``S`` structure: sheets and their headers;
- ``C`` cells: a value of the wrong type or form, or in the wrong place;
- ``M`` the return against itself: Summary metrics, rows and Cover recomputed from the rows;
- ``P`` personal data: anything shaped like an e-mail address, phone number or IP address;
- ``D`` the PDF document beside the workbook, and the ``return.json`` it embeds;
- ``L`` the return against the regulator's ledger of returns received before (``--ledger``).

A code, once published, keeps its meaning; a new kind of reason gets a new number.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum, unique

_CODE = re.compile(r"^RCV-[USCMPDL]\d{3}$")


@unique
class Kind(StrEnum):
    """What a reason is about; stable words, so that machines can sort receipts by them."""

    UNREADABLE = "unreadable"  # not a readable XLSX workbook at all
    SHEETS = "sheets"  # a sheet missing, renamed, out of order or extra
    HEADER = "header"  # a column header that is not the standard's
    CELL = "cell"  # a value of the wrong type or form, a formula, a value outside the table
    METRIC = "metric"  # a Summary metric that disagrees with the return's own rows
    ROW = "row"  # a row whose derived columns disagree with its own timestamps or counts
    COVER = "cover"  # the Cover contradicts itself (amendment without amends id, ...)
    PERSONAL_DATA = "personal_data"  # a value shaped like an e-mail, phone or IP address
    PDF = "pdf"  # the PDF beside it is unreadable or embeds a different return.json
    LEDGER = "ledger"  # contradicts a return received before (the regulator's ledger)


@dataclass(frozen=True)
class ReasonCode:
    """A catalogue entry: one code, whatever number of places find it."""

    code: str
    kind: Kind
    title: str
    reference: str

    @property
    def family(self) -> str:
        return self.code[4]

    def __str__(self) -> str:
        return self.code

    def to_json(self) -> dict[str, str]:
        return {
            "code": self.code,
            "kind": self.kind.value,
            "title": self.title,
            "reference": self.reference,
        }


REASON_CODES: dict[str, ReasonCode] = {}
"""Every registered code, in catalogue order."""


def _register(code: str, kind: Kind, title: str, reference: str) -> ReasonCode:
    if not _CODE.match(code):
        raise ValueError(f"{code} is not a reason code (RCV- + U, S, C, M, P, D or L + 3 digits)")
    if code in REASON_CODES:
        raise ValueError(f"{code} is registered twice")
    REASON_CODES[code] = entry = ReasonCode(code, kind, title, reference)
    return entry


# ------------------------------------------------------------------ U: the file

PACKAGE_REFUSED = _register(
    "RCV-U001",
    Kind.UNREADABLE,
    "Not a readable, safe XLSX workbook (not a zip, damaged, encrypted, macros, too large)",
    "DTR-1 §7.2, §11",
)
NOT_CHECKABLE = _register(
    "RCV-U002",
    Kind.UNREADABLE,
    "The return could not be checked (an internal error); it is not accepted",
    "DTR-1 §11",
)
NOT_A_REGULAR_FILE = _register(
    "RCV-U009",
    Kind.UNREADABLE,
    "Not a regular file (a named pipe, socket or device), never read",
    "DTR-1 §11",
)

# ------------------------------------------------------------------ S: sheets and headers

SHEET_MISSING = _register("RCV-S001", Kind.SHEETS, "A sheet of the return is missing", "DTR-1 §7.2")
SHEET_UNKNOWN = _register(
    "RCV-S002", Kind.SHEETS, "A sheet that is not part of a DTR-1 return", "DTR-1 §7.2"
)
SHEET_TWICE = _register("RCV-S003", Kind.SHEETS, "A sheet appears twice", "DTR-1 §7.2")
SHEET_IS_CHART = _register(
    "RCV-S004", Kind.SHEETS, "A chart sheet where a table belongs", "DTR-1 §7.2"
)
SHEETS_OUT_OF_ORDER = _register(
    "RCV-S005", Kind.SHEETS, "The sheets are not in the standard order", "DTR-1 §7.2"
)
CONTINUATION_OUT_OF_SEQUENCE = _register(
    "RCV-S006",
    Kind.SHEETS,
    "A continuation sheet (Content 2, Content 3 ...) does not follow the part before it",
    "DTR-1 §7.2",
)
PARTS_APART = _register(
    "RCV-S007",
    Kind.SHEETS,
    "The parts of a long table are not consecutive sheets",
    "DTR-1 §7.2",
)
HEADER_MISSING = _register(
    "RCV-S008", Kind.HEADER, "A sheet without its header in row 1", "DTR-1 §7.2"
)
HEADER_WRONG = _register(
    "RCV-S009", Kind.HEADER, "A column header that is not the standard's", "DTR-1 §7.2"
)
HIDDEN_SHEET = _register(
    "RCV-S010",
    Kind.SHEETS,
    "A hidden or very hidden sheet: a reviewer would not see it",
    "DTR-1 §7.2",
)

# ------------------------------------------------------------------ C: cells

CELL_NOT_A_VALUE = _register(
    "RCV-C001",
    Kind.CELL,
    "A cell holds a formula, an error value, a duration, or a date or time of day",
    "DTR-1 §7.2",
)
CELL_WRONG_VALUE = _register(
    "RCV-C002",
    Kind.CELL,
    "A value of the wrong type or form for its column, or an empty required cell",
    "DTR-1 §7.2, §7.4",
)
CELL_OUTSIDE_TABLE = _register("RCV-C003", Kind.CELL, "A value outside the table", "DTR-1 §7.2")
FIELD_ROW_WRONG = _register(
    "RCV-C004",
    Kind.CELL,
    "A Cover or Summary row that is not the field or metric the standard puts there",
    "DTR-1 §7.2, §7.4",
)
ROW_AFTER_LAST_FIELD = _register(
    "RCV-C005",
    Kind.CELL,
    "A row after the last field of the Cover or the last metric of the Summary",
    "DTR-1 §7.2, §7.4",
)
MORE_CELLS = _register(
    "RCV-C006",
    Kind.CELL,
    "More cell problems in one sheet than a receipt lists: the rest counted in one reason",
    "DTR-1 §11",
)

CELL_FORMAT_MISLEADS = _register(
    "RCV-C007",
    Kind.CELL,
    "A number format the tool never writes, which can show another value than the cell holds "
    "(0 shows 1.4 as 1) or hide it (;;;)",
    "DTR-1 §7.2",
)
HIDDEN_ROWS_OR_COLUMNS = _register(
    "RCV-C008",
    Kind.CELL,
    "A hidden row or column (or one of zero height or width): a reviewer would not see it",
    "DTR-1 §7.2",
)
LINK = _register(
    "RCV-C009",
    Kind.CELL,
    "A hyperlink, or an external relationship in the package: a return links to nothing",
    "DTR-1 §7.2",
)

# ------------------------------------------------------------------ M: the return against itself

METRIC_DISAGREES = _register(
    "RCV-M001",
    Kind.METRIC,
    "A Summary metric disagrees with what the return's own rows give",
    "DTR-1 §7.4",
)
ROW_DISAGREES = _register(
    "RCV-M002",
    Kind.ROW,
    "A row's derived column, count or referral disagrees with the return's own rows",
    "DTR-1 §7.2, §7.4",
)
FILING_READY_DISAGREES = _register(
    "RCV-M003",
    Kind.COVER,
    "The Cover's filing_ready disagrees with the fatal and error issues of the Validation sheet",
    "DTR-1 §5, §7.2",
)
AMENDS_CONTRADICTS = _register(
    "RCV-M004",
    Kind.COVER,
    "The Cover's amends_submission_id contradicts its submission_type, or names the return itself",
    "DTR-1 §3 (DTR-I006)",
)
NOT_FILING_READY = _register(
    "RCV-M005",
    Kind.COVER,
    "The return is a draft: its Cover states filing_ready FALSE, and a draft cannot be filed",
    "DTR-1 §5, §11",
)

# ------------------------------------------------------------------ P: personal data

PERSONAL_DATA = _register(
    "RCV-P001",
    Kind.PERSONAL_DATA,
    "A cell, sheet name or document property shaped like an e-mail address, phone number or "
    "IP address",
    "DTR-1 §7.2",
)
PERSONAL_DATA_HIDDEN = _register(
    "RCV-P002",
    Kind.PERSONAL_DATA,
    "Text shaped like personal data outside any cell (hidden text, a page header, a comment, "
    "a link)",
    "DTR-1 §7.2",
)
MORE_PERSONAL_DATA = _register(
    "RCV-P003",
    Kind.PERSONAL_DATA,
    "More values shaped like personal data in one place than a receipt lists: the rest counted",
    "DTR-1 §7.2",
)

# ------------------------------------------------------------------ D: the PDF beside it

PDF_UNREADABLE = _register(
    "RCV-D001",
    Kind.PDF,
    "The PDF beside the return cannot be opened or read",
    "DTR-1 §7.3",
)
PDF_WITHOUT_RETURN_JSON = _register(
    "RCV-D002", Kind.PDF, "The PDF embeds no return.json", "DTR-1 §7.3"
)
PDF_RETURN_JSON_AMBIGUOUS = _register(
    "RCV-D003",
    Kind.PDF,
    "The PDF embeds more than one file named return.json",
    "DTR-1 §7.3",
)
RETURN_JSON_UNREADABLE = _register(
    "RCV-D004",
    Kind.PDF,
    "The embedded return.json cannot be read (too large, not a JSON object), or is of another "
    "format or schema version",
    "DTR-1 §7.3",
)
RETURN_JSON_DIFFERS = _register(
    "RCV-D005",
    Kind.PDF,
    "The embedded return.json differs from the workbook (a value, row, entry or table)",
    "DTR-1 §7.3",
)
MORE_DIFFERENCES = _register(
    "RCV-D006",
    Kind.PDF,
    "More differences from the embedded return.json than a receipt lists: the rest counted",
    "DTR-1 §7.3",
)
PDF_PRINTS_OTHER_FIGURES = _register(
    "RCV-D007",
    Kind.PDF,
    "The PDF prints a metric (Summary table or Cover's validation outcome) other than the "
    "workbook's, or does not print it",
    "DTR-1 §7.3",
)

# ------------------------------------------------------------------ L: the ledger

SUBMISSION_ID_TAKEN = _register(
    "RCV-L001",
    Kind.LEDGER,
    "The submission_id was received before with other values (send an amendment instead)",
    "DTR-1 §11",
)
AMENDS_UNACCEPTED = _register(
    "RCV-L002",
    Kind.LEDGER,
    "An amendment of a return that was never accepted",
    "DTR-1 §11",
)
