"""`compliance receive`: receipts for good returns, located reasons for tampered ones."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from click.testing import CliRunner
from regulator_helpers import Received, copy_return

from compliance.cli import cli
from compliance.regulator.reasons import Kind, Reason
from compliance.regulator.receive import Receipt, receive_return
from compliance.statuses import PdfState, ReceiptStatus


def run(*args: str) -> Any:
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def edit(path: Path, change: Any) -> None:
    """Open a return as a person would in a spreadsheet program, change it, save it."""
    workbook = openpyxl.load_workbook(path)
    change(workbook)
    workbook.save(path)


def reasons_of(receipt: Receipt, kind: str) -> list[Reason]:
    return [reason for reason in receipt.reasons if reason.kind == kind]


# ----------------------------------------------------------------------------- accepted


def test_every_rendered_return_is_accepted(received: Received) -> None:
    for name, rendered in received.returns.items():
        receipt = receive_return(rendered.xlsx)
        assert receipt.accepted, (name, [r.text() for r in receipt.reasons])
        expected_pdf = PdfState.MATCHES if rendered.pdf else PdfState.ABSENT
        assert receipt.pdf.state == expected_pdf, name
        received_return = receipt.received
        assert received_return is not None
        assert received_return.cover.submission_id == rendered.document["submission_id"]
        assert dict(received_return.metrics) == dict(rendered.view.metrics)


def test_receipt_text_names_platform_period_submission_and_sha256(received: Received) -> None:
    rendered = received.returns["kestrel-2026-Q3"]
    result = run("receive", str(rendered.xlsx))
    assert result.exit_code == 0, result.output
    import hashlib

    digest = hashlib.sha256(rendered.xlsx.read_bytes()).hexdigest()
    assert f"{rendered.xlsx}: ACCEPTED WITH BREACHES (2 breaches of the duty" in result.output
    assert "Kestrel Forums plc (registration SC612345, GB)" in result.output
    assert "2026-Q3" in result.output and "KESTREL-2026-Q3 (initial)" in result.output
    assert digest in result.output
    assert "embeds the same return.json" in result.output
    # A late and an unreferred referral are history: disclosed as breaches, never a refusal.
    assert "filing-ready yes" in result.output and "standard     DTR-1.1" in result.output
    assert "1 of those accepted disclose breaches of the duty." in result.output
    assert "1 return received: 1 accepted, 0 rejected; 1 of those" in result.output


def test_receipts_as_json(received: Received) -> None:
    files = [received.returns[n].xlsx for n in ("lumen-2026-Q1", "tern-2026-Q3")]
    result = run("receive", *map(str, files), "--format", "json")
    assert result.exit_code == 0, result.output
    receipts = json.loads(result.output)
    assert [r["status"] for r in receipts] == [ReceiptStatus.ACCEPTED, ReceiptStatus.ACCEPTED]
    assert receipts[0]["platform"] == "Lumen Video Teoranta"
    assert receipts[0]["submission_id"] == "LUMEN-2026-Q1"
    assert receipts[1]["period"] == "2026-Q3" and receipts[1]["filing_ready"] is True
    assert receipts[0]["pdf"]["state"] == PdfState.ABSENT
    assert len(receipts[0]["sha256"]) == 64 and receipts[0]["reasons"] == []


# ----------------------------------------------------------------------------- tampered


def test_a_metric_edited_by_hand_is_rejected_at_its_cell(
    received: Received, tmp_path: Path
) -> None:
    rendered = received.returns["kestrel-2026-Q3"]
    path = copy_return(rendered, tmp_path / "edited")
    stated = dict(rendered.view.metrics)["referrals_total"]

    def change(workbook: Any) -> None:
        assert workbook["Summary"]["A2"].value == "referrals_total"
        workbook["Summary"]["B2"].value = stated + 1

    edit(path, change)
    receipt = receive_return(path)
    assert not receipt.accepted
    metric = reasons_of(receipt, Kind.METRIC)
    assert [(r.sheet, r.row, r.column, r.header) for r in metric] == [
        ("Summary", 2, "B", "referrals_total")
    ]
    assert f"states {stated + 1}, but the return's rows give {stated}" in metric[0].message
    # The PDF beside it still holds, and prints, the original figures: it no longer matches.
    assert receipt.pdf.state == PdfState.DIFFERS
    pdf = reasons_of(receipt, Kind.PDF)
    assert [(r.code.code, r.sheet, r.row, r.header) for r in pdf] == [
        ("RCV-D005", "Summary", 2, "referrals_total"),
        ("RCV-D007", "Summary", 2, "referrals_total"),
    ]

    result = run("receive", str(path))
    assert result.exit_code == 1
    assert "REJECTED (3 reasons)" in result.output
    # Each reason leads with its registered code (the README's "Receipt reasons").
    assert (
        "    - RCV-M001  sheet Summary, row 2, column B (referrals_total): states" in result.output
    )
    assert "    - RCV-D005  sheet Summary, row 2, column B (referrals_total): " in result.output
    (as_json,) = json.loads(run("receive", str(path), "--format", "json").output)
    assert [(r["code"], r["kind"]) for r in as_json["reasons"]] == [
        ("RCV-M001", "metric"),
        ("RCV-D005", "pdf"),
        ("RCV-D007", "pdf"),
    ]


def test_a_ratio_or_median_nudged_is_caught(received: Received, tmp_path: Path) -> None:
    rendered = received.returns["lumen-2026-Q2"]
    path = copy_return(rendered, tmp_path / "nudged")

    def change(workbook: Any) -> None:
        summary = workbook["Summary"]
        for row in summary.iter_rows(min_row=2):
            if row[0].value in ("median_hours_to_referral", "removals_referred_ratio"):
                row[1].value = round(row[1].value + 0.01, 4)

    edit(path, change)
    receipt = receive_return(path)
    assert {r.header for r in reasons_of(receipt, Kind.METRIC)} == {
        "median_hours_to_referral",
        "removals_referred_ratio",
    }


def test_a_derived_column_edited_is_rejected_at_its_row(received: Received, tmp_path: Path) -> None:
    path = copy_return(received.returns["tern-2026-Q2"], tmp_path / "row")

    def change(workbook: Any) -> None:
        sheet = workbook["Referrals"]
        assert sheet["H1"].value == "hours_to_referral"
        sheet["H3"].value = sheet["H3"].value + 5
        sheet["I3"].value = not sheet["I3"].value

    edit(path, change)
    receipt = receive_return(path)
    rows = reasons_of(receipt, Kind.ROW)
    assert {(r.sheet, r.row, r.column, r.header) for r in rows} == {
        ("Referrals", 3, "H", "hours_to_referral"),
        ("Referrals", 3, "I", "deadline_met"),
    }
    assert {r.code.code for r in rows} == {"RCV-M002"}
    # The metrics are recomputed from the timestamps, through the same deadline function as
    # the column, so the Summary (untouched) still agrees: only the edited cells are wrong.
    assert not reasons_of(receipt, Kind.METRIC)


@pytest.mark.parametrize(
    ("sheet", "cell", "value", "kind"),
    [
        ("Referrals", "M2", "ember.fox@mail.example", "an e-mail address"),
        ("Content", "L2", "+44 7700 900123", "a phone number"),
        ("Removals", "F2", "81.2.69.160", "an IP address"),
        ("Validation", "E1", "2a02:8010:1234::77", "an IP address"),
    ],
)
def test_personal_data_pasted_in_is_rejected_where_it_is(
    received: Received, tmp_path: Path, sheet: str, cell: str, value: str, kind: str
) -> None:
    path = copy_return(received.returns["lumen-2026-Q1"], tmp_path / "pii", with_pdf=False)
    edit(path, lambda workbook: workbook[sheet].__setitem__(cell, value))
    receipt = receive_return(path)
    found = reasons_of(receipt, Kind.PERSONAL_DATA)
    assert len(found) == 1, [r.text() for r in receipt.reasons]
    assert (found[0].sheet, f"{found[0].column}{found[0].row}") == (sheet, cell)
    assert found[0].code.code == "RCV-P001"
    assert kind in found[0].message
    result = run("receive", str(path))
    assert result.exit_code == 1
    assert value not in result.output  # the receipt never repeats the personal data


def test_personal_data_outside_the_cells_is_found(received: Received, tmp_path: Path) -> None:
    path = copy_return(received.returns["lumen-2026-Q1"], tmp_path / "props", with_pdf=False)

    def change(workbook: Any) -> None:
        workbook.properties.creator = "officer.h@harbour.example"
        workbook["Cover"].oddHeader.center.text = "call +442079460111"

    edit(path, change)
    found = reasons_of(receive_return(path), Kind.PERSONAL_DATA)
    places = {(r.code.code, r.part, r.header) for r in found}
    assert ("RCV-P001", "document properties", "creator") in places
    assert any(
        code == "RCV-P002" and part and part.startswith("xl/worksheets/")
        for code, part, _ in places
    )


def test_a_renamed_sheet_is_rejected_with_both_names(received: Received, tmp_path: Path) -> None:
    path = copy_return(received.returns["tern-2026-Q1"], tmp_path / "renamed", with_pdf=False)
    edit(path, lambda workbook: setattr(workbook["Removals"], "title", "Removal"))
    receipt = receive_return(path)
    sheets = reasons_of(receipt, Kind.SHEETS)
    assert {(r.code.code, r.sheet) for r in sheets} == {
        ("RCV-S002", "Removal"),
        ("RCV-S001", "Removals"),
    }
    assert any("no sheet named Removals" in r.message for r in sheets)
    assert receipt.received is None


def test_sheets_out_of_order_headers_and_types(received: Received, tmp_path: Path) -> None:
    path = copy_return(received.returns["tern-2026-Q1"], tmp_path / "shuffled", with_pdf=False)

    def change(workbook: Any) -> None:
        workbook.move_sheet("Validation", offset=-5)
        workbook["Content"]["C1"].value = "service"
        workbook["Referrals"]["J2"].value = "three"
        workbook["Removals"]["G2"].value = "=TRUE()"

    edit(path, change)
    receipt = receive_return(path)
    where = {(r.kind, r.code.code, r.sheet, r.row, r.column) for r in receipt.reasons}
    assert (Kind.SHEETS, "RCV-S005", None, None, None) in where
    assert (Kind.HEADER, "RCV-S009", "Content", 1, "C") in where
    assert (Kind.CELL, "RCV-C002", "Referrals", 2, "J") in where
    assert (Kind.CELL, "RCV-C001", "Removals", 2, "G") in where
    formula = next(r for r in receipt.reasons if r.sheet == "Removals" and r.row == 2)
    assert "formula" in formula.message


def test_many_bad_cells_are_listed_up_to_a_limit_and_counted(
    received: Received, tmp_path: Path
) -> None:
    from compliance.regulator.structure import MAX_CELL_REASONS_PER_SHEET

    path = copy_return(received.returns["tern-2026-Q1"], tmp_path / "cells", with_pdf=False)

    def change(workbook: Any) -> None:
        for row in range(2, 2 + MAX_CELL_REASONS_PER_SHEET + 5):
            workbook["Referrals"][f"J{row}"] = "three"

    edit(path, change)
    referrals = [r for r in receive_return(path).reasons if r.sheet == "Referrals"]
    assert len(referrals) == MAX_CELL_REASONS_PER_SHEET + 1
    assert {r.code.code for r in referrals[:-1]} == {"RCV-C002"}
    assert referrals[-1].code.code == "RCV-C006"
    # Rows past the table's end also lack every other value: far more than 5 problems.
    assert re.fullmatch(
        r"and \d+ more cell\(s\) of this sheet with the same kinds of problem",
        referrals[-1].message,
    )


def test_an_amendment_must_name_what_it_amends(received: Received, tmp_path: Path) -> None:
    path = copy_return(
        received.returns["kestrel-2026-Q3-amendment"], tmp_path / "a", with_pdf=False
    )
    edit(path, lambda workbook: workbook["Cover"].__setitem__("B4", None))
    cover = reasons_of(receive_return(path), Kind.COVER)
    assert [(r.code.code, r.sheet, r.row, r.header) for r in cover] == [
        ("RCV-M004", "Cover", 4, "amends_submission_id")
    ]


# ----------------------------------------------------------------------------- the PDF


def test_a_pdf_of_another_return_is_rejected(received: Received, tmp_path: Path) -> None:
    path = copy_return(received.returns["lumen-2026-Q3"], tmp_path / "swap", with_pdf=False)
    kestrel_pdf = received.returns["kestrel-2026-Q3"].pdf
    assert kestrel_pdf is not None
    shutil.copyfile(kestrel_pdf, path.with_suffix(".pdf"))
    receipt = receive_return(path)
    assert receipt.pdf.state == PdfState.DIFFERS
    assert receipt.reasons and all(r.kind == Kind.PDF for r in receipt.reasons)
    assert any(r.sheet == "Cover" and r.header == "submission_id" for r in receipt.reasons)


def test_a_damaged_pdf_is_rejected_not_a_traceback(received: Received, tmp_path: Path) -> None:
    rendered = received.returns["lumen-2026-Q3"]
    assert rendered.pdf is not None
    data = rendered.pdf.read_bytes()
    # Inside the compressed return.json: a few bytes past the start of its stream.
    at = data.index(b"stream", data.index(b"/Type /EmbeddedFile")) + 40
    cases = {
        "truncated": data[: len(data) // 2],
        "not-a-pdf": b"hello",
        "flipped": data[:at] + bytes(b ^ 0x5A for b in data[at : at + 16]) + data[at + 16 :],
    }
    for name, damaged in cases.items():
        path = copy_return(rendered, tmp_path / name, with_pdf=False)
        path.with_suffix(".pdf").write_bytes(damaged)
        receipt = receive_return(path)
        assert not receipt.accepted, name
        assert receipt.pdf.state in (PdfState.UNREADABLE, PdfState.DIFFERS), name
        assert all(r.kind == Kind.PDF for r in receipt.reasons), name


# ----------------------------------------------------------------------------- not a return


def test_garbage_is_rejected_and_a_missing_file_is_a_usage_error(
    received: Received, tmp_path: Path
) -> None:
    good = received.returns["tern-2026-Q1"].xlsx
    data = good.read_bytes()
    files = {
        "text.xlsx": b"referral_id,priority\n",
        "empty.xlsx": b"",
        "half.xlsx": data[: len(data) // 2],
        "zip.xlsx": _zip_of({"hello.txt": b"hi"}),
    }
    for name, content in files.items():
        (tmp_path / name).write_bytes(content)
        receipt = receive_return(tmp_path / name)
        assert not receipt.accepted, name
        assert [(r.kind, r.code.code) for r in receipt.reasons] == [
            (Kind.UNREADABLE, "RCV-U001")
        ], name
    result = run("receive", str(good), *(str(tmp_path / n) for n in files))
    assert result.exit_code == 1
    assert "5 returns received: 1 accepted, 4 rejected." in result.output
    assert "Traceback" not in result.output

    missing = CliRunner().invoke(cli, ["receive", str(tmp_path / "nope.xlsx")])
    assert missing.exit_code == 2
    assert "no such file" in missing.output


def test_mutated_returns_never_raise(received: Received, tmp_path: Path) -> None:
    import random

    data = received.returns["tern-2026-Q2"].xlsx.read_bytes()
    rng = random.Random(7)
    for number in range(12):
        mutated = bytearray(data)
        for _ in range(rng.choice((1, 4, 32))):
            mutated[rng.randrange(len(mutated))] = rng.randrange(256)
        path = tmp_path / f"m{number}.xlsx"
        path.write_bytes(bytes(mutated))
        receipt = receive_return(path)  # must not raise
        assert receipt.accepted or receipt.reasons


def _zip_of(members: dict[str, bytes]) -> bytes:
    import io
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return buffer.getvalue()


# ----------------------------------------------------------------------------- DTR-1.1


def test_statuses_say_breaches_before_warnings(received: Received) -> None:
    statuses = {name: receive_return(r.xlsx).status for name, r in received.returns.items()}
    assert statuses["kestrel-2026-Q3"] == ReceiptStatus.ACCEPTED_WITH_BREACHES
    for name, status in statuses.items():
        facts = received.returns[name].result.report.counts
        expected = (
            ReceiptStatus.ACCEPTED_WITH_BREACHES
            if facts["breach"]
            else ReceiptStatus.ACCEPTED_WITH_WARNINGS
            if facts["warning"]
            else ReceiptStatus.ACCEPTED
        )
        assert status == expected, name
    printed = json.loads(
        run("receive", str(received.returns["kestrel-2026-Q3"].xlsx), "--format", "json").output
    )
    assert printed[0]["status"] == "accepted_with_breaches"


def test_a_draft_return_is_rejected_at_its_filing_ready_cell(
    received: Received, tmp_path: Path
) -> None:
    path = copy_return(received.returns["tern-2026-Q2"], tmp_path / "draft", with_pdf=False)

    def change(workbook: Any) -> None:
        validation = workbook["Validation"]
        validation.append(["DTR-S002", "error", "/generated_at", None, "A wrong value."])
        summary = workbook["Summary"]
        for row in summary.iter_rows(min_row=2):
            if row[0].value == "issues_error":
                row[1].value += 1
        for row in workbook["Cover"].iter_rows(min_row=2):
            if row[0].value == "filing_ready":
                row[1].value = False

    edit(path, change)
    receipt = receive_return(path)
    assert receipt.status == ReceiptStatus.REJECTED
    assert [(r.sheet, r.column, r.header) for r in receipt.reasons] == [
        ("Cover", "B", "filing_ready")
    ]
    assert "not filing-ready cannot be filed" in receipt.reasons[0].message


def test_a_return_written_under_1_0_is_read_too(received: Received, tmp_path: Path) -> None:
    rendered = received.returns["tern-2026-Q2"]
    assert rendered.result.report.counts["breach"] == 0
    path = copy_return(rendered, tmp_path / "legacy", with_pdf=False)

    def change(workbook: Any) -> None:
        for sheet, key in (("Cover", "standard_version"), ("Summary", "issues_breach")):
            rows = [row[0].value for row in workbook[sheet].iter_rows()]
            workbook[sheet].delete_rows(rows.index(key) + 1)

    edit(path, change)
    receipt = receive_return(path)
    assert receipt.accepted, [r.text() for r in receipt.reasons]
    assert receipt.received is not None
    assert receipt.received.cover.standard_version == "1.0"
    assert receipt.received.metric("issues_breach") == 0
