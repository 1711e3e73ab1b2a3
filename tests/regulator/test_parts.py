"""The regulator side's parts on their own: shapes of personal data, the PDF reader, periods."""

from __future__ import annotations

import zlib

import pytest
from regulator_helpers import Received

from compliance.period import Period
from compliance.regulator.aggregate import quarters_of
from compliance.regulator.pdf_attachment import PdfUnreadable, embedded_files
from compliance.regulator.pii_scan import EMAIL, IP, PHONE, find_personal_data
from compliance.regulator.workbook import read_workbook


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("ember.fox@mail.example", EMAIL),
        ("write to Ömer.K@posta.example.tr today", EMAIL),
        ("+447700900123", PHONE),
        ("+44 20 7946 0000", PHONE),
        ("+1 (555) 010-9999", PHONE),
        ("0044 7700 900123", PHONE),
        ("07700 900123", PHONE),
        ("(020) 7946-0000", PHONE),
        ("81.2.69.160", IP),
        ("seen at 81.2.69.160:443.", IP),
        ("2a02:8010:1234::77", IP),
        ("[2001:db8::1]:8080", IP),
        ("::ffff:81.2.69.160", IP),
    ],
)
def test_shapes_of_personal_data_are_found(text: str, kind: str) -> None:
    assert kind in {found for found, _ in find_personal_data(text)}


@pytest.mark.parametrize(
    "text",
    [
        "v-70412236",
        "HLM-MOD-0026007",
        "KESTREL-2026-Q3-A1",
        "8a1cd6c7398f76bac8d64106d77df9687969607fb03537482d56343ea101eabc",
        "34cd3cb760453560",
        "09876543",
        "SC612345",
        "DE-7734519",
        "CTP-26-041190",
        "2026-10-05T07:30:00Z",
        "/referrals/10/content_items/0/removed_at",
        "TC05;TC06",
        "Referred 30.25 hours after suspicion, 6.25 hours late",
        "46310.00587962963",
        "legal <legal@>",
        "09:30:00",
        "Note:: see below",
    ],
)
def test_what_a_return_legitimately_holds_is_not_personal_data(text: str) -> None:
    assert list(find_personal_data(text)) == []


def test_every_return_json_is_read_back_exactly(received: Received) -> None:
    pdfs = {
        name: (rendered.pdf, rendered.view)
        for name, rendered in received.returns.items()
        if rendered.pdf is not None
    }
    assert pdfs, "no return was rendered with its PDF: this test would check nothing"
    for name, (pdf, view) in pdfs.items():
        assert embedded_files(pdf.read_bytes(), "return.json") == [view.to_json_bytes()], name


def _pdf(*objects: bytes) -> bytes:
    """A PDF of these objects (the first is the catalog), with its cross-reference table."""
    body = b"%PDF-1.7\n"
    offsets = []
    for number, content in enumerate(objects, start=1):
        offsets.append(len(body))
        body += b"%d 0 obj\n" % number + content + b"\nendobj\n"
    table = len(body)
    body += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    body += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    return body + b"trailer\n<</Size %d /Root 1 0 R>>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        table,
    )


def _catalog(*specs: int) -> bytes:
    """A catalog naming file specifications (object numbers) in its EmbeddedFiles tree."""
    names = b" ".join(b"(f%d) %d 0 R" % (n, n) for n in specs)
    return b"<</Type /Catalog /Names <</EmbeddedFiles <</Names [" + names + b"]>>>>>>"


def _file_stream(content: bytes) -> bytes:
    packed = zlib.compress(content)
    return (
        b"<</Type /EmbeddedFile /Filter /FlateDecode /Length %d>>\nstream\n" % len(packed)
        + packed
        + b"\nendstream"
    )


def test_two_different_embedded_files_of_one_name_are_both_returned() -> None:
    pdf = _pdf(
        _catalog(2, 4),
        b"<</Type /Filespec /F (return.json) /EF <</F 3 0 R>>>>",
        _file_stream(b'{"a": 1}'),
        b"<</Type /Filespec /UF <FEFF00720065007400750072006E002E006A0073006F006E> "
        b"/EF <</F 5 0 R>>>>",
        _file_stream(b'{"a": 2}'),
    )
    assert embedded_files(pdf, "return.json") == [b'{"a": 1}', b'{"a": 2}']
    assert embedded_files(pdf, "other.json") == []


@pytest.mark.parametrize(
    ("pdf", "reason"),
    [
        (b"GIF89a", "the file is not a PDF"),
        (b"%PDF-1.7\nnothing here", "the PDF is damaged (PdfStreamError)"),
        (
            _pdf(
                _catalog(2),
                b"<</Type /Filespec /F (return.json) /EF <</F 3 0 R>>>>",
                b"<</Filter /FlateDecode /Length 5>>\nstream\nxxxxx\nendstream",
            ),
            "a compressed PDF stream is damaged",
        ),
    ],
)
def test_damaged_pdfs_are_unreadable_not_a_crash(pdf: bytes, reason: str) -> None:
    with pytest.raises(PdfUnreadable) as raised:
        embedded_files(pdf, "return.json")
    assert str(raised.value) == reason


def test_an_embedded_file_without_a_filter_is_read_as_it_is() -> None:
    pdf = _pdf(
        _catalog(2),
        b"<</Type /Filespec /F (return.json) /EF <</F 3 0 R>>>>",
        b"<</Length 3>>\nstream\nabc\nendstream",
    )
    assert embedded_files(pdf, "return.json") == [b"abc"]


def test_a_zip_bomb_is_refused_before_parsing(tmp_path: object) -> None:
    import io
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", b"<Types/>")
        archive.writestr("xl/worksheets/sheet1.xml", b"\0" * (50 * 1024 * 1024))
    from compliance.xlsx.package import RefusedPackage

    with pytest.raises(RefusedPackage, match="zip bomb"):
        read_workbook(buffer.getvalue())


@pytest.mark.parametrize(
    ("period", "quarters"),
    [
        ("2026-Q3", ("2026-Q3",)),
        ("2026-H1", ("2026-Q1", "2026-Q2")),
        ("2026-H2", ("2026-Q3", "2026-Q4")),
        ("2026", ("2026-Q1", "2026-Q2", "2026-Q3", "2026-Q4")),
    ],
)
def test_half_years_and_years_are_made_of_quarters(period: str, quarters: tuple[str, ...]) -> None:
    assert quarters_of(Period.parse(period)) == quarters


def test_a_return_without_dimensions_is_read_in_one_pass_with_every_row(
    received: Received, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The return reader shares the intake reader's sheet parsing: a sheet is never parsed
    once more just to size it, and a missing or lying <dimension> hides no row."""
    import io
    import re
    import zipfile

    from openpyxl.worksheet._reader import WorkSheetParser

    original = received.returns["kestrel-2026-Q3"].xlsx.read_bytes()
    source = zipfile.ZipFile(io.BytesIO(original))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            body = source.read(info.filename)
            if info.filename.startswith("xl/worksheets/sheet"):
                body = re.sub(rb"<dimension [^>]*/>", b'<dimension ref="A1"/>', body)
            target.writestr(info.filename, body)

    def forbidden(self: object) -> None:
        raise AssertionError("a sheet was parsed only to find its size")

    monkeypatch.setattr(WorkSheetParser, "parse_dimensions", forbidden)
    rewritten, plain = read_workbook(buffer.getvalue()), read_workbook(original)
    assert [sheet.rows for sheet in rewritten.sheets] == [sheet.rows for sheet in plain.sheets]
    assert len(plain.sheets[2].rows) > 1  # the Referrals sheet, header and rows


def test_many_findings_in_one_place_are_listed_up_to_the_cap_then_counted() -> None:
    import io
    import zipfile

    from compliance.regulator.pii_scan import MAX_REASONS_PER_PLACE, scan_workbook
    from compliance.xlsx.raw_workbook import RawSheet, RawWorkbook

    buffer = io.BytesIO()
    zipfile.ZipFile(buffer, "w").close()
    rows = {number: (f"user{number}@mail.example",) for number in range(2, 32)}  # 30 cells
    workbook = RawWorkbook(
        [RawSheet("Removals", rows), RawSheet("Cover", {2: ("+447700900123",)})],
        {},
        zipfile.ZipFile(buffer),
    )
    reasons = scan_workbook(workbook)
    removals = [reason for reason in reasons if reason.sheet == "Removals"]
    assert len(removals) == MAX_REASONS_PER_PLACE
    assert [reason.row for reason in removals] == list(range(2, 2 + MAX_REASONS_PER_PLACE))
    cover = [reason for reason in reasons if reason.sheet == "Cover"]
    assert len(cover) == 1 and "phone number" in cover[0].message
    assert reasons[-1].message == "and 5 more value(s) shaped like personal data in sheet Removals"
    assert reasons[-1].code.code == "RCV-P003"
    assert all("mail.example" not in reason.text() for reason in reasons)
