"""Tell a submission's kind from its bytes, and explain a file whose name promises a workbook
that its bytes are not.

The reader is chosen by content (a zip archive is an intake workbook, anything else JSON), so a
renamed file is still read correctly. But a file named ``.xlsx`` that is not a zip would
otherwise be reported as broken JSON, which tells a compliance officer nothing useful.
"""

from __future__ import annotations

ZIP_SIGNATURE = b"PK\x03\x04"
# Excel 97-2003 workbooks and password-protected (encrypted) XLSX files are both OLE compound
# documents: they start with this signature, not a zip's.
OLE_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
WORKBOOK_SUFFIXES = (".xlsx", ".xlsm", ".xls")


def is_workbook(data: bytes) -> bool:
    return data.startswith(ZIP_SIGNATURE)


def misnamed_workbook_reason(data: bytes, name: str) -> str | None:
    """Why a file that is not a zip cannot be read, if its name or bytes say it is a workbook."""
    if is_workbook(data):
        return None
    if data.startswith(OLE_SIGNATURE):
        return (
            "The file is an Excel 97-2003 workbook or a password-protected workbook. Save it "
            "from the spreadsheet program as an Excel Workbook (.xlsx) without a password."
        )
    if name.lower().endswith(WORKBOOK_SUFFIXES):
        return (
            "The file's name ends in .xlsx but its content is not an XLSX workbook (an XLSX "
            "file is a zip archive). Save it again from the spreadsheet program as an Excel "
            "Workbook (.xlsx), or give a JSON submission a .json name."
        )
    return None


_SIGNATURES: tuple[tuple[bytes, str], ...] = (
    (b"\x89PNG\r\n\x1a\n", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF87a", "a GIF image"),
    (b"GIF89a", "a GIF image"),
    (b"%PDF-", "a PDF document"),
    (b"\x1f\x8b", "a gzip archive"),
    (b"\xff\xfe", "text in UTF-16"),
    (b"\xfe\xff", "text in UTF-16"),
    (b"{\\rtf", "an RTF document"),
)
EXPECTED = "a DTR-1 submission is a JSON document (UTF-8) or an XLSX intake workbook"


def foreign_file_reason(data: bytes) -> str | None:
    """What a file that is plainly no submission is, in words, with what is expected instead;
    None when it may be JSON or is a workbook (their own errors then say what is wrong)."""
    if is_workbook(data):
        return None
    if not data.strip():
        return f"The file is empty: {EXPECTED}."
    for signature, kind in _SIGNATURES:
        if data.startswith(signature):
            return f"The file is {kind}, not a submission: {EXPECTED}."
    head = data[:512].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if head.startswith((b"<!doctype html", b"<html")):
        return f"The file is an HTML page, not a submission: {EXPECTED}."
    if head.startswith(b"<?xml"):
        return f"The file is an XML document, not a submission: {EXPECTED}."
    first_line = head.split(b"\n", 1)[0]
    if not head.startswith((b"{", b"[")) and first_line.count(b",") >= 2:
        return (
            f"The file looks like a CSV table, not a submission: {EXPECTED}; an intake "
            "workbook (`compliance template`) takes the same data as sheets."
        )
    return None
