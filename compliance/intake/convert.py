"""`compliance convert`: a JSON submission to the intake workbook and back.

Conversion carries the raw document as it is: a submission with structure errors converts
too, and its errors survive into the output, where the user can fix them. Only a document
that is not readable as DTR-1 at all (DTR-S000) is refused. Outputs are written atomically.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from compliance.atomic import write_bytes_atomic
from compliance.check import check_document, read_document, read_input
from compliance.errors import ComplianceError
from compliance.intake.template import IntakeWriteError, save_intake
from compliance.issues import Issue
from compliance.json_text import dumps
from compliance.readers.errors import UnreadableDocument
from compliance.readers.file_kind import is_workbook

Target = Literal["json", "xlsx"]


class ConversionRefused(ComplianceError):
    """The input is not a readable DTR-1 document, or cannot be written in the target format."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass
class Conversion:
    source_format: Target
    target: Target
    notes: list[str] = field(default_factory=list)
    """Values the target format could not hold exactly (each names its JSON Pointer)."""
    dropped: list[Issue] = field(default_factory=list)
    """Workbook cells that could not be read (formulas, merged cells, orphan rows)."""
    counts: dict[str, int] = field(default_factory=dict)
    """Issue counts of the converted submission, as `validate` would give them."""
    referrals: int = 0
    removals: int = 0


def document_json(document: Any) -> bytes:
    """The document as JSON text: UTF-8, indented, every character kept as it is.

    A lone surrogate (which a JSON input may write as "\\ud800") is written as that escape
    again: it reads back the same, and nothing else could be encoded as UTF-8.
    """
    text = dumps(document, indent=2, allow_nan=False)
    return (text + "\n").encode("utf-8")


def convert_bytes(data: bytes, target: Target, out: Path, *, name: str = "") -> Conversion:
    """Convert a submission (JSON or intake workbook bytes) to ``target`` at ``out``."""
    source_format: Target = "xlsx" if is_workbook(data) else "json"
    try:
        document, _locate, reader_issues = read_document(data, name=name)
    except UnreadableDocument as error:
        raise ConversionRefused(error.message) from None
    _submission, report = check_document(document)
    if report.is_fatal:
        raise ConversionRefused(report.issues[0].message)
    conversion = Conversion(source_format, target, dropped=list(reader_issues))
    conversion.counts = report.counts
    conversion.referrals = _length(document.get("referrals"))
    conversion.removals = _length(document.get("moderation_log"))
    if target == "xlsx":
        unwritable = _key_with_surrogate(document)
        if unwritable is not None:
            raise ConversionRefused(
                f"{unwritable}: has a key holding a lone surrogate, which no workbook can hold"
            )
        try:
            conversion.notes = save_intake(out, document)
        except IntakeWriteError as error:
            raise ConversionRefused(str(error)) from None
    else:
        write_bytes_atomic(out, document_json(document))
    return conversion


def convert_file(source: Path, target: Target, out: Path) -> Conversion:
    """Convert a file; raises :class:`compliance.check.InputError` if it cannot be opened."""
    return convert_bytes(read_input(source), target, out, name=source.name)


def _key_with_surrogate(document: Any) -> str | None:
    """The JSON Pointer of the first object with a key no workbook can hold, if any.

    The intake writer checks every value it writes but takes keys (an unknown field becomes
    a column) as they are; a lone surrogate in one would fail the writer itself.
    """
    stack: list[tuple[str, Any]] = [("", document)]
    while stack:
        pointer, node = stack.pop()
        if isinstance(node, dict):
            for key, value in node.items():
                if not _encodable(key):
                    return pointer or "/"
                stack.append((f"{pointer}/{key.replace('~', '~0').replace('/', '~1')}", value))
        elif isinstance(node, list):
            stack.extend((f"{pointer}/{index}", value) for index, value in enumerate(node))
    return None


def _encodable(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _length(value: Any) -> int:
    return len(value) if isinstance(value, list) else 0
