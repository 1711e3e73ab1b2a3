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
