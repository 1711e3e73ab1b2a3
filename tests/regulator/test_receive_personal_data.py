"""Hardening, class 7: personal data in a received return is found wherever it is, and a
zero-padded identifier or an application's version number is not taken for it."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from regulator_helpers import Received, copy_return

from compliance.regulator.pii_scan import decode_part
from compliance.regulator.receive import Receipt, receive_return


def _repack(
    path: Path,
    extra: dict[str, bytes] | None = None,
    change: dict[str, Callable[[bytes], bytes]] | None = None,
    duplicate: tuple[str, bytes] | None = None,
) -> None:
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(path.read_bytes())) as old, zipfile.ZipFile(out, "w") as new:
        for info in old.infolist():
            data = old.read(info)
            if change and info.filename in change:
                data = change[info.filename](data)
            new.writestr(info, data)
        for name, data in (extra or {}).items():
            new.writestr(name, data)
        if duplicate:
            with pytest.warns(UserWarning, match="Duplicate name"):
                new.writestr(*duplicate)
    path.write_bytes(out.getvalue())


def _app_xml(inner: bytes) -> Callable[[bytes], bytes]:
    return lambda data: data.replace(b"</Properties>", inner + b"</Properties>")


def _personal(receipt: Receipt) -> set[tuple[str, str | None]]:
    return {(r.code.code, r.part) for r in receipt.reasons if r.kind == "personal_data"}


CUSTOM = (
    b'<?xml version="1.0" encoding="UTF-8"?><Properties xmlns:vt="x"><property name="contact">'
    b"<vt:lpwstr>+44 20 7946 0111</vt:lpwstr></property></Properties>"
)


@pytest.mark.parametrize(
    ("extra", "change", "part"),
    [
        ({"xl/notes.txt": b"call 07700 900123 after six"}, None, "xl/notes.txt"),
        (
            {"xl/blob.bin": "mail ember.fox@mail.example".encode("utf-16-le")},
            None,
            "xl/blob.bin",
        ),
        (
            {"xl/blob16.bin": "\ufeffseen at 81.2.69.160".encode("utf-16-be")},
            None,
            "xl/blob16.bin",
        ),
        ({"customXml/item1.xml": b"<r><who>ember.fox@mail.example</who></r>"}, None, None),
        ({"docProps/custom.xml": CUSTOM}, None, "docProps/custom.xml"),
        (None, {"docProps/app.xml": _app_xml(b"<Company>81.2.69.160</Company>")}, None),
    ],
    ids=["txt", "utf16le-bin-no-bom", "utf16be-bin-bom", "customXml", "custom-props", "company"],
)
def test_personal_data_in_any_part_is_found(
    received: Received,
    tmp_path: Path,
    extra: dict[str, bytes] | None,
    change: dict[str, Any] | None,
    part: str | None,
) -> None:
    path = copy_return(received.returns["tern-2026-Q1"], tmp_path / "p", with_pdf=False)
    _repack(path, extra, change)
    receipt = receive_return(path)
    expected = part or next(iter(extra or change or {}))
    assert ("RCV-P002", expected) in _personal(receipt), [r.text() for r in receipt.reasons]
    assert not receipt.accepted


def test_the_second_of_two_members_of_one_name_is_never_read(
    received: Received, tmp_path: Path
) -> None:
    """zipfile reads the last of two members of one name, a spreadsheet program may read the
    first: which one is the return cannot be told, so the package is refused outright."""
    path = copy_return(received.returns["tern-2026-Q1"], tmp_path / "dup", with_pdf=False)
    _repack(path, duplicate=("docProps/core.xml", b"<x>ember.fox@mail.example</x>"))
    receipt = receive_return(path)
    assert [r.code.code for r in receipt.reasons] == ["RCV-U001"]
    assert "two parts named docProps/core.xml" in receipt.reasons[0].message


@pytest.mark.parametrize(
    ("sheet", "cell", "value"),
    [
        ("Content", "B2", "0001234567"),
        ("Content", "B3", "07700900123"),
        ("Removals", "A2", "00447700900123"),
        ("Referrals", "A2", "0123456789"),
        ("Cover", "B8", "0123456789"),  # registration_number
        ("Referrals", "M2", "02079460000"),  # authority_reference, one token
    ],
)
def test_zero_padded_identifiers_are_identifiers_not_phone_numbers(
    received: Received, tmp_path: Path, sheet: str, cell: str, value: str
) -> None:
    path = copy_return(received.returns["tern-2026-Q1"], tmp_path / "ids", with_pdf=False)
    workbook = openpyxl.load_workbook(path)
    assert workbook["Cover"]["A8"].value == "registration_number"
    workbook[sheet][cell].value = value
    workbook.save(path)
    receipt = receive_return(path)
    assert _personal(receipt) == set(), [r.text() for r in receipt.reasons]


@pytest.mark.parametrize(
    ("sheet", "cell", "value"),
    [
        ("Validation", "E2", "call 07700 900123"),  # free text is still scanned
        ("Content", "B2", "81.2.69.160"),  # an identifier shaped like an IP address
        ("Referrals", "M2", "ring 020 7946 0000"),  # not one token: read as text
        ("Cover", "B8", "020 7946 0000"),
    ],
)
def test_free_text_and_ip_shaped_identifiers_are_still_found(
    received: Received, tmp_path: Path, sheet: str, cell: str, value: str
) -> None:
    path = copy_return(received.returns["tern-2026-Q1"], tmp_path / "text", with_pdf=False)
    workbook = openpyxl.load_workbook(path)
    workbook[sheet][cell].value = value
    workbook.save(path)
    receipt = receive_return(path)
    assert any(
        r.code.code == "RCV-P001" and r.sheet == sheet and f"{r.column}{r.row}" == cell
        for r in receipt.reasons
    ), [r.text() for r in receipt.reasons]


def test_an_application_version_is_not_an_ip_address_but_the_company_still_is(
    received: Received, tmp_path: Path
) -> None:
    """LibreOffice writes its version (7.4.7.2) into docProps/app.xml when it saves a file."""
    path = copy_return(received.returns["tern-2026-Q1"], tmp_path / "lo", with_pdf=False)
    libreoffice = (
        b"<Application>LibreOffice/7.4.7.2$Linux_X86_64 LibreOffice_project/40$Build-2"
        b"</Application><AppVersion>7.4.7.2</AppVersion><TotalTime>1</TotalTime>"
    )
    _repack(path, change={"docProps/app.xml": _app_xml(libreoffice)})
    assert receive_return(path).reasons == ()
    _repack(path, change={"docProps/app.xml": _app_xml(b"<Company>10.1.2.3</Company>")})
    assert _personal(receive_return(path)) == {("RCV-P002", "docProps/app.xml")}


@pytest.mark.parametrize(
    ("data", "text"),
    [
        ("caf\u00e9 ok".encode(), "caf\u00e9 ok"),
        (b"\xef\xbb\xbfbom", "bom"),
        ("\ufeffle".encode("utf-16-le"), "le"),
        ("\ufeffbe".encode("utf-16-be"), "be"),
        ("no bom here".encode("utf-16-le"), "no bom here"),
        ("no bom here".encode("utf-16-be"), "no bom here"),
    ],
)
def test_parts_are_decoded_by_bom_or_nul_pattern(data: bytes, text: str) -> None:
    assert decode_part(data) == text
