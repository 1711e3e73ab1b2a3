"""Hardening, class 6: `receive` is not fooled by a tampered PDF or a workbook that shows
a reviewer something other than what it holds."""

from __future__ import annotations

import io
import json
import re
import zipfile
import zlib
from pathlib import Path
from typing import Any

import openpyxl
import pypdf
import pytest
from regulator_helpers import Received, copy_return

from compliance.regulator import pdf_attachment
from compliance.regulator.pdf_attachment import PdfUnreadable, embedded_files
from compliance.regulator.presentation import TIMESTAMP_FORMAT
from compliance.regulator.receive import Receipt, receive_return
from compliance.statuses import PdfState


def codes(receipt: Receipt) -> set[tuple[str, str | None, int | None, str | None]]:
    return {(r.code.code, r.sheet, r.row, r.column) for r in receipt.reasons}


def _viewer_sees(pdf: bytes) -> list[bytes]:
    """What pypdf (as pdfdetach and viewers do) finds embedded under return.json."""
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    return [a for name, found in reader.attachments.items() if name == "return.json" for a in found]


def _embedded_stream_number(pdf: bytes) -> int:
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    tree = reader.trailer["/Root"]["/Names"]["/EmbeddedFiles"]
    spec = tree["/Names"][1].get_object()
    return int(spec["/EF"].raw_get("/F").idnum)


# ----------------------------------------------------------------------------- the PDF


@pytest.mark.parametrize("how", ["same-object-redefined", "new-file-specification"])
def test_a_return_json_appended_after_eof_is_not_what_receive_reads(
    received: Received, tmp_path: Path, how: str
) -> None:
    """Objects appended after %%EOF that no cross-reference section points to are seen by
    no PDF reader; the old scanner took the last definition of an object as the real one."""
    rendered = received.returns["lumen-2026-Q3"]
    assert rendered.pdf is not None
    genuine = rendered.pdf.read_bytes()
    forged = json.loads(rendered.view.to_json_bytes())
    forged["Summary"]["referrals_total"] += 7
    forged_bytes = json.dumps(forged).encode()
    packed = zlib.compress(forged_bytes)
    stream = (
        b"<</Type /EmbeddedFile /Filter /FlateDecode /Length %d>>\nstream\n" % len(packed)
        + packed
        + b"\nendstream"
    )
    if how == "same-object-redefined":
        tail = b"%d 0 obj\n" % _embedded_stream_number(genuine) + stream + b"\nendobj\n"
    else:
        tail = (
            b"90001 0 obj\n<</Type /Filespec /F (return.json) /UF (return.json) "
            b"/EF <</F 90002 0 R /UF 90002 0 R>>>>\nendobj\n90002 0 obj\n" + stream + b"\nendobj\n"
        )
    tampered = genuine + b"\n" + tail
    assert embedded_files(tampered, "return.json") == _viewer_sees(tampered)
    assert embedded_files(tampered, "return.json") == [rendered.view.to_json_bytes()]

    path = copy_return(rendered, tmp_path / how)
    path.with_suffix(".pdf").write_bytes(tampered)
    receipt = receive_return(path)
    assert receipt.reasons == ()
    assert receipt.pdf.state == PdfState.MATCHES


def test_a_real_incremental_update_is_read_as_viewers_read_it(
    received: Received, tmp_path: Path
) -> None:
    """An update with its own cross-reference section is what every viewer shows: so does
    receive, and a changed return.json is then a difference at its cell."""
    rendered = received.returns["lumen-2026-Q3"]
    assert rendered.pdf is not None
    forged = json.loads(rendered.view.to_json_bytes())
    forged["Summary"]["referrals_total"] += 7
    writer = pypdf.PdfWriter(str(rendered.pdf), incremental=True)
    number = _embedded_stream_number(rendered.pdf.read_bytes())
    stream = writer.get_object(number)
    stream.set_data(json.dumps(forged).encode())
    if "/Params" in stream:
        del stream["/Params"]
    out = io.BytesIO()
    writer.write(out)
    updated = out.getvalue()
    assert updated.startswith(rendered.pdf.read_bytes())  # appended, not rewritten
    assert embedded_files(updated, "return.json") == _viewer_sees(updated)
    path = copy_return(rendered, tmp_path / "update")
    path.with_suffix(".pdf").write_bytes(updated)
    receipt = receive_return(path)
    assert receipt.pdf.state == PdfState.DIFFERS
    assert ("RCV-D005", "Summary", 2, "B") in codes(receipt)


def test_an_encrypted_pdf_is_refused_with_a_clear_reason(
    received: Received, tmp_path: Path
) -> None:
    rendered = received.returns["lumen-2026-Q3"]
    assert rendered.pdf is not None
    writer = pypdf.PdfWriter(clone_from=str(rendered.pdf))
    writer.encrypt(user_password="", owner_password="secret", algorithm="RC4-128")
    out = io.BytesIO()
    writer.write(out)
    path = copy_return(rendered, tmp_path / "encrypted")
    path.with_suffix(".pdf").write_bytes(out.getvalue())
    receipt = receive_return(path)
    assert receipt.pdf.state == PdfState.UNREADABLE
    assert [r.code.code for r in receipt.reasons] == ["RCV-D001"]
    assert "encrypted" in receipt.reasons[0].message


def test_a_pdf_bomb_stops_at_the_cap(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pdf_attachment, "MAX_STREAM_BYTES", 1024 * 1024)
    packed = zlib.compress(b"{" + b" " * (4 * 1024 * 1024) + b"}", 9)
    body = b"%PDF-1.7\n"
    objects = [
        b"<</Type /Catalog /AF [2 0 R]>>",
        b"<</Type /Filespec /F (return.json) /EF <</F 3 0 R>>>>",
        b"<</Type /EmbeddedFile /Filter /FlateDecode /Length %d>>\nstream\n" % len(packed)
        + packed
        + b"\nendstream",
    ]
    offsets = []
    for number, content in enumerate(objects, start=1):
        offsets.append(len(body))
        body += b"%d 0 obj\n" % number + content + b"\nendobj\n"
    table = len(body)
    body += b"xref\n0 4\n0000000000 65535 f \n" + b"".join(b"%010d 00000 n \n" % o for o in offsets)
    body += b"trailer\n<</Size 4 /Root 1 0 R>>\nstartxref\n%d\n%%%%EOF\n" % table
    with pytest.raises(PdfUnreadable, match="PDF bomb"):
        embedded_files(body, "return.json")


def _metric_row(name: str, value: str) -> re.Pattern[str]:
    return re.compile(
        rf'(<td class="key mono">{name}</td><td>[^<]*</td><td class="value">)[^<]*(</td>)'
    )


def test_printed_figures_that_differ_from_the_genuine_json_are_rejected_at_the_metric(
    received: Received, tmp_path: Path, renderer: Any
) -> None:
    """The pages say something else than the workbook, while the PDF still embeds the genuine
    return.json: a reader of the PDF would see figures the regulator never received."""
    rendered = received.returns["kestrel-2026-Q3"]
    view = rendered.view
    metrics = dict(view.metrics)
    assert metrics["issues_breach"] == 2
    markup = renderer.return_html(view, draft=False)
    markup, changed = _metric_row("removals_total", "").subn(r"\g<1>999\g<2>", markup)
    assert changed == 1
    markup, changed = re.subn(r"\b2 breaches\b", "0 breaches", markup)
    assert changed == 1
    pdf = renderer.write_pdf(
        markup, [("return.json", view.to_json_bytes(), "the return")], view.generated_at
    )
    assert embedded_files(pdf, "return.json") == [view.to_json_bytes()]
    path = copy_return(rendered, tmp_path / "printed")
    path.with_suffix(".pdf").write_bytes(pdf)
    receipt = receive_return(path)
    found = [(r.code.code, r.sheet, r.header, r.column) for r in receipt.reasons]
    assert sorted(found) == [
        ("RCV-D007", "Summary", "issues_breach", "B"),
        ("RCV-D007", "Summary", "removals_total", "B"),
    ]
    assert receipt.pdf.state == PdfState.DIFFERS
    assert not receipt.accepted


def test_a_metric_the_pdf_does_not_print_is_a_reason(
    received: Received, tmp_path: Path, renderer: Any
) -> None:
    rendered = received.returns["lumen-2026-Q3"]
    view = rendered.view
    markup = renderer.return_html(view, draft=False)
    markup, changed = re.subn(
        r'<tr><td class="key mono">content_items_total</td>.*?</tr>', "", markup, flags=re.S
    )
    assert changed == 1
    pdf = renderer.write_pdf(
        markup, [("return.json", view.to_json_bytes(), "the return")], view.generated_at
    )
    path = copy_return(rendered, tmp_path / "unprinted")
    path.with_suffix(".pdf").write_bytes(pdf)
    receipt = receive_return(path)
    assert [(r.code.code, r.header) for r in receipt.reasons] == [
        ("RCV-D007", "content_items_total")
    ]


# ----------------------------------------------------------------------------- the workbook


def _edit(path: Path, change: Any) -> None:
    workbook = openpyxl.load_workbook(path)
    change(workbook)
    workbook.save(path)


def _number_format(sheet: str, cell: str, code: str) -> Any:
    return lambda workbook: setattr(workbook[sheet][cell], "number_format", code)


def _hide_row(workbook: Any) -> None:
    workbook["Content"].row_dimensions[3].hidden = True


def _zero_height_row(workbook: Any) -> None:
    """openpyxl does not write a height of 0: the test writes the XML (see below)."""
    workbook["Referrals"].row_dimensions[2].height = 0.0001


def _hide_column(workbook: Any) -> None:
    workbook["Referrals"].column_dimensions["M"].hidden = True


def _hyperlink(workbook: Any) -> None:
    workbook["Validation"]["A1"].hyperlink = "https://tracker.example/x"


def _sheet_state(state: str) -> Any:
    return lambda workbook: setattr(workbook["Validation"], "sheet_state", state)


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        # "0" shows the ratio 0.3846 as 0; ";;;" hides a count; both keep the value intact.
        (_number_format("Summary", "B13", "0"), ("RCV-C007", "Summary", 13, "B")),
        (_number_format("Summary", "B2", ";;;"), ("RCV-C007", "Summary", 2, "B")),
        (_number_format("Cover", "B2", ";;;"), ("RCV-C007", "Cover", 2, "B")),
        (_number_format("Referrals", "E2", "yyyy-mm-dd"), ("RCV-C007", "Referrals", 2, "E")),
        (_hide_row, ("RCV-C008", "Content", 3, None)),
        (_zero_height_row, ("RCV-C008", "Referrals", 2, None)),
        (_hide_column, ("RCV-C008", "Referrals", None, "M")),
        (_hyperlink, ("RCV-C009", "Validation", None, None)),
        (_sheet_state("hidden"), ("RCV-S010", "Validation", None, None)),
        (_sheet_state("veryHidden"), ("RCV-S010", "Validation", None, None)),
    ],
    ids=[
        "format-0",
        "format-hides-count",
        "format-hides-cover",
        "format-date-only",
        "hidden-row",
        "zero-height-row",
        "hidden-column",
        "hyperlink",
        "hidden-sheet",
        "very-hidden-sheet",
    ],
)
def test_what_a_reviewer_would_not_see_is_refused(
    received: Received, tmp_path: Path, change: Any, expected: tuple[Any, ...]
) -> None:
    path = copy_return(received.returns["kestrel-2026-Q3"], tmp_path / "w", with_pdf=False)
    _edit(path, change)
    if change is _zero_height_row:
        _rewrite(path, "xl/worksheets/sheet3.xml", (b'ht="0.0001"', b'ht="0"'))
    receipt = receive_return(path)
    assert not receipt.accepted
    assert expected in codes(receipt), [r.text() for r in receipt.reasons]
    assert all(
        r.code.code in ("RCV-C007", "RCV-C008", "RCV-C009", "RCV-S010") for r in receipt.reasons
    )


def _rewrite(path: Path, part: str, replace: tuple[bytes, bytes]) -> None:
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(path.read_bytes())) as old, zipfile.ZipFile(out, "w") as new:
        for info in old.infolist():
            data = old.read(info)
            if info.filename == part:
                assert replace[0] in data
                data = data.replace(*replace)
            new.writestr(info, data)
    path.write_bytes(out.getvalue())


def test_a_workbook_saved_again_keeps_only_formats_the_tool_writes(
    received: Received, tmp_path: Path
) -> None:
    """Saved again by a program (here openpyxl), a genuine return is still accepted: its
    formats are General and the date-time format, which presentation.py allows."""
    from compliance.render.xlsx import TIMESTAMP_FORMAT as WRITTEN

    assert TIMESTAMP_FORMAT == WRITTEN
    path = copy_return(received.returns["kestrel-2026-Q3"], tmp_path / "saved", with_pdf=False)
    _edit(path, lambda workbook: None)
    assert receive_return(path).reasons == ()


def test_an_external_relationship_is_refused(received: Received, tmp_path: Path) -> None:
    path = copy_return(received.returns["tern-2026-Q1"], tmp_path / "ext", with_pdf=False)
    source = path.read_bytes()
    out = io.BytesIO()
    rels = "xl/worksheets/_rels/sheet6.xml.rels"
    with zipfile.ZipFile(io.BytesIO(source)) as old, zipfile.ZipFile(out, "w") as new:
        for info in old.infolist():
            new.writestr(info, old.read(info))
        new.writestr(
            rels,
            '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/'
            'package/2006/relationships"><Relationship Id="rId9" Type="http://schemas.'
            'openxmlformats.org/officeDocument/2006/relationships/image" '
            'Target="https://tracker.example/pixel.png" TargetMode="External"/></Relationships>',
        )
    path.write_bytes(out.getvalue())
    receipt = receive_return(path)
    assert [(r.code.code, r.part) for r in receipt.reasons] == [("RCV-C009", rels)]
