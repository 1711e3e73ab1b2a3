"""Hostile workbooks: each is refused with one DTR-S000 issue and a clear message, cheaply.

A zip bomb, too many parts, a macro-enabled workbook, macro, ActiveX or external-link parts,
XML entities, a damaged zip and files that are no zip at all must never be expanded, run or
followed. The bombs are built here with zipfile-compatible raw deflate data at a cost of
about a second, and read in a child process whose memory growth is measured (ru_maxrss)
under an address-space limit, so that a regression fails the test instead of the machine.
"""

from __future__ import annotations

import io
import json
import re
import struct
import subprocess
import sys
import textwrap
import zipfile
import zlib
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from intake_helpers import base, sheet_part, with_parts, workbook_bytes

from compliance.check import check_bytes
from compliance.cli import cli
from compliance.issues import Issue
from compliance.readers.intake_xlsx import reader as intake_reader

MIB = 1 << 20
GIB = 1 << 30


@dataclass(frozen=True)
class Part:
    """A zip member as stored: its raw (deflated) bytes and what its headers declare."""

    name: str
    payload: bytes
    crc: int
    size: int
    method: int = zipfile.ZIP_DEFLATED
    flags: int = 0


def raw_zip(parts: list[Part]) -> bytes:
    """A zip archive written field by field, so that sizes and flags can say anything."""
    out = io.BytesIO()
    central = []
    for part in parts:
        offset = out.tell()
        name = part.name.encode()
        header = struct.pack(
            "<IHHHHHIIIHH",
            0x04034B50,
            20,
            part.flags,
            part.method,
            0,
            0x21,
            part.crc,
            len(part.payload),
            part.size,
            len(name),
            0,
        )
        out.write(header + name + part.payload)
        central.append(
            struct.pack(
                "<IHHHHHHIIIHHHHHII",
                0x02014B50,
                20,
                20,
                part.flags,
                part.method,
                0,
                0x21,
                part.crc,
                len(part.payload),
                part.size,
                len(name),
                0,
                0,
                0,
                0,
                0,
                offset,
            )
            + name
        )
    start = out.tell()
    directory = b"".join(central)
    out.write(directory)
    out.write(
        struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, len(parts), len(parts), len(directory), start, 0)
    )
    return out.getvalue()


def deflated(data: bytes) -> bytes:
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    return compressor.compress(data) + compressor.flush()


def deflated_zeros(mebibytes: int) -> tuple[bytes, int]:
    """A raw deflate stream of ``mebibytes`` MiB of zero bytes, and their CRC-32.

    After a full flush the compressor forgets its history, so every 1 MiB block compresses
    to the same bytes: the stream is one block repeated, built without compressing a GiB.
    """
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    block = compressor.compress(bytes(MIB)) + compressor.flush(zlib.Z_FULL_FLUSH)
    crc = 0
    for _ in range(mebibytes):
        crc = zlib.crc32(bytes(MIB), crc)
    return block * mebibytes + compressor.flush(), crc


def parts_of(data: bytes) -> list[Part]:
    archive = zipfile.ZipFile(io.BytesIO(data))
    found = []
    for info in archive.infolist():
        body = archive.read(info.filename)
        found.append(Part(info.filename, deflated(body), zlib.crc32(body), len(body)))
    return found


def replaced(data: bytes, new: Part) -> bytes:
    return raw_zip([new if part.name == new.name else part for part in parts_of(data)])


@pytest.fixture(scope="module")
def good(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    data = workbook_bytes(base(), tmp_path_factory.mktemp("good"))
    assert check_bytes(data).report.issues == []
    return data


@pytest.fixture(scope="module")
def bombs(good: bytes, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The 1 GiB bomb, honest about its size and lying about it, as files."""
    stream, crc = deflated_zeros(1024)
    folder = tmp_path_factory.mktemp("bombs")
    made = {
        "honest": Part(sheet_part("Referrals"), stream, crc, GIB),
        # Declares 10 kB, so no size or ratio check sees it; reading must still stop there.
        "lying": Part(sheet_part("Referrals"), stream, crc, 10_000),
    }
    paths = {}
    for name, part in made.items():
        paths[name] = folder / f"{name}.xlsx"
        paths[name].write_bytes(replaced(good, part))
    return paths


def refusal(data: bytes, tmp_path: Path) -> Issue:
    """The one DTR-S000 issue of ``data``; ``validate --format json`` prints the same."""
    issues = check_bytes(data).report.issues
    assert [issue.code for issue in issues] == ["DTR-S000"], issues
    path = tmp_path / "hostile.xlsx"
    path.write_bytes(data)
    result = CliRunner().invoke(cli, ["validate", str(path), "--format", "json"])
    assert result.exit_code == 1, result.output
    (printed,) = json.loads(result.output)
    assert [issue["code"] for issue in printed["issues"]] == ["DTR-S000"]
    assert printed["issues"][0]["message"] == issues[0].message
    return issues[0]


_CHILD = textwrap.dedent(
    """
    import json, resource, sys, time, tracemalloc
    # A hard ceiling: a reader that expanded the bomb dies here instead of taking the machine.
    resource.setrlimit(resource.RLIMIT_AS, (1_500_000_000, 1_500_000_000))
    from compliance.check import check_bytes
    import compliance.readers.intake_xlsx.reader, openpyxl.reader.excel  # loaded before measuring
    results = []
    for path in sys.argv[1:]:
        data = open(path, "rb").read()
        # ru_maxrss is the process's peak so far: growth past it is what reading cost.
        before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        tracemalloc.start()
        started = time.perf_counter()
        issues = check_bytes(data).report.issues
        seconds = time.perf_counter() - started
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        results.append({
            "codes": [issue.code for issue in issues],
            "message": issues[0].message if issues else "",
            "seconds": seconds,
            "peak_grew_kib": after - before,
            "python_peak_kib": peak // 1024,
        })
    print(json.dumps(results))
    """
)


def test_zip_bombs_are_refused_without_expanding(bombs: dict[str, Path]) -> None:
    finished = subprocess.run(
        [sys.executable, "-c", _CHILD, str(bombs["honest"]), str(bombs["lying"])],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert finished.returncode == 0, finished.stderr
    honest, lying = json.loads(finished.stdout)
    assert honest["codes"] == ["DTR-S000"]
    assert "zip bomb" in honest["message"]
    assert lying["codes"] == ["DTR-S000"]
    assert "does not match its recorded size or checksum" in lying["message"]
    for outcome in (honest, lying):
        # Expanding the part would take 1 GiB and seconds; refusing takes neither. The
        # limits are loose so that a busy machine does not fail the test.
        assert outcome["peak_grew_kib"] < 64 * 1024, outcome
        assert outcome["python_peak_kib"] < 32 * 1024, outcome
        assert outcome["seconds"] < 10, outcome


def test_zip_bomb_is_refused_on_the_command_line(bombs: dict[str, Path]) -> None:
    result = CliRunner().invoke(cli, ["validate", str(bombs["honest"]), "--format", "json"])
    assert result.exit_code == 1
    (printed,) = json.loads(result.output)
    (issue,) = printed["issues"]
    assert issue["code"] == "DTR-S000" and issue["severity"] == "fatal"
    assert issue["message"] == (
        f"A part of the workbook ({sheet_part('Referrals')}) expands more than 200 times; "
        "that is a zip bomb, not a spreadsheet, so it is refused."
    )


def test_many_small_parts_adding_up_are_refused(good: bytes, tmp_path: Path) -> None:
    # Each part is under the 1 MiB from which the ratio is judged; together they are 250 MB.
    stream, crc = deflated_zeros(1)
    padding = [Part(f"xl/media/pad{index}.bin", stream, crc, MIB - 1) for index in range(250)]
    issue = refusal(raw_zip(parts_of(good) + padding), tmp_path)
    assert "expands to" in issue.message and "200 MB" in issue.message


def test_too_many_parts_are_refused(good: bytes, tmp_path: Path) -> None:
    extra = {f"xl/media/image{index}.png": b"" for index in range(1_001)}
    issue = refusal(with_parts(good, extra=extra), tmp_path)
    assert re.search(r"has \d+ parts", issue.message), issue.message


def test_macro_enabled_content_type_is_refused(good: bytes, tmp_path: Path) -> None:
    types = zipfile.ZipFile(io.BytesIO(good)).read("[Content_Types].xml")
    macro = types.replace(
        b"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
        b"application/vnd.ms-excel.sheet.macroEnabled.main+xml",
    )
    assert macro != types
    issue = refusal(with_parts(good, replace={"[Content_Types].xml": macro}), tmp_path)
    assert "macro-enabled (.xlsm)" in issue.message


@pytest.mark.parametrize(
    "part, what",
    [
        ("xl/vbaProject.bin", "a VBA macro project"),
        ("xl/macrosheets/sheet1.xml", "Excel 4 macro sheets"),
        ("xl/dialogsheets/sheet1.xml", "dialog sheets"),
        ("xl/activeX/activeX1.xml", "ActiveX controls"),
        ("xl/externalLinks/externalLink1.xml", "links to other workbooks"),
    ],
)
def test_active_or_linked_parts_are_refused(
    part: str, what: str, good: bytes, tmp_path: Path
) -> None:
    issue = refusal(with_parts(good, extra={part: b"\xd0\xcf\x11\xe0" + bytes(64)}), tmp_path)
    assert issue.message == (
        f"The workbook contains {what} ({part}); intake workbooks must hold values only, so "
        "it is refused. Save it as a plain .xlsx."
    )


def test_encrypted_parts_are_refused(good: bytes, tmp_path: Path) -> None:
    parts = [
        Part(p.name, p.payload, p.crc, p.size, flags=1) if p.name.endswith("sheet4.xml") else p
        for p in parts_of(good)
    ]
    issue = refusal(raw_zip(parts), tmp_path)
    assert "encrypted" in issue.message


ENTITY_SHEET = (
    '<?xml version="1.0"?><!DOCTYPE w [{entities}]>'
    '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
    '<row r="1"><c r="A1" t="inlineStr"><is><t>&e;</t></is></c></row></sheetData></worksheet>'
)


@pytest.mark.parametrize(
    "entities",
    [
        '<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">'
        '<!ENTITY e "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">',
        '<!ENTITY e SYSTEM "file:///etc/passwd">',
    ],
    ids=["entity expansion", "external entity"],
)
def test_xml_entities_are_refused(entities: str, good: bytes, tmp_path: Path) -> None:
    sheet = ENTITY_SHEET.format(entities=entities).encode()
    issue = refusal(with_parts(good, replace={sheet_part("Services"): sheet}), tmp_path)
    assert issue.message == (
        "The workbook's XML declares entities or external references, which are refused."
    )


@pytest.mark.parametrize(
    "damage",
    [
        lambda data: data[: len(data) // 2],
        lambda data: data[:200] + bytes(64) + data[264:],
        lambda data: data.replace(b"PK\x05\x06", b"PK\x00\x00"),
    ],
    ids=["truncated", "corrupted deflate data", "no central directory"],
)
def test_damaged_zip_is_refused(damage: Any, good: bytes, tmp_path: Path) -> None:
    issue = refusal(damage(good), tmp_path)
    assert "damaged" in issue.message


@pytest.mark.parametrize("member", ["xl/worksheets/sheet1.xml", "docProps/core.xml"])
def test_duplicate_member_names_are_refused(good: bytes, tmp_path: Path, member: str) -> None:
    """Two zip members of one name: zipfile reads the last, another program the first."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(good)) as old, zipfile.ZipFile(buffer, "w") as new:
        for info in old.infolist():
            new.writestr(info, old.read(info))
        with pytest.warns(UserWarning, match="Duplicate name"):
            new.writestr(member, old.read(member))
    issue = refusal(buffer.getvalue(), tmp_path)
    assert f"two parts named {member}" in issue.message


def test_a_zip_that_is_no_workbook_is_refused(tmp_path: Path) -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("readme.txt", "hello")
    issue = refusal(buffer.getvalue(), tmp_path)
    assert "no [Content_Types].xml" in issue.message


@pytest.mark.parametrize(
    "data",
    [
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(1024),  # a legacy .xls (or encrypted .xlsx)
        b"<html><body><table><tr><td>1</td></tr></table></body></html>",
        b"",
    ],
    ids=["ole2", "html", "empty"],
)
def test_a_file_that_is_no_zip_named_xlsx_is_refused(data: bytes, tmp_path: Path) -> None:
    # The reader is chosen by content, not by name: such a file is read as JSON and fails.
    path = tmp_path / "named.xlsx"
    path.write_bytes(data)
    result = CliRunner().invoke(cli, ["validate", str(path), "--format", "json"])
    assert result.exit_code == 1, result.output
    (printed,) = json.loads(result.output)
    (issue,) = printed["issues"]
    assert issue["code"] == "DTR-S000" and issue["message"]


def test_filled_cells_are_limited(
    good: bytes, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The base workbook has more.
    monkeypatch.setattr(intake_reader, "INTAKE", replace(intake_reader.INTAKE, max_cells=100))
    issue = refusal(good, tmp_path)
    assert issue.message == (
        "The workbook has more than 100 filled cells; that is far beyond any submission, so "
        "it is refused."
    )


def test_empty_cells_count_towards_the_limit(
    good: bytes, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A sheet of empty cells costs as much to parse as one of values.
    empty = "".join(f'<c r="A{row}"/>' for row in range(2, 20))
    sheet = (
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        f'<sheetData><row r="2">{empty}</row></sheetData></worksheet>'
    ).encode()
    data = with_parts(good, replace={sheet_part("Hashes"): sheet})
    monkeypatch.setattr(intake_reader, "INTAKE", replace(intake_reader.INTAKE, max_elements=300))
    issue = refusal(data, tmp_path)
    assert issue.message.startswith("The workbook has more than 300 cells and rows")


def test_sheets_are_parsed_once(good: bytes, monkeypatch: pytest.MonkeyPatch) -> None:
    """Without <dimension>, openpyxl's read-only sheets parse everything once more to size
    themselves, before any cell limit applies; the reader must not let them."""
    from openpyxl.worksheet._reader import WorkSheetParser

    def forbidden(self: Any) -> None:
        raise AssertionError("a sheet was parsed only to find its size")

    monkeypatch.setattr(WorkSheetParser, "parse_dimensions", forbidden)
    archive = zipfile.ZipFile(io.BytesIO(good))
    undimensioned = {
        name: re.sub(rb"<dimension [^>]*/>", b"", archive.read(name))
        for name in archive.namelist()
        if name.startswith("xl/worksheets/sheet")
    }
    assert all(b"<dimension" not in body for body in undimensioned.values())
    assert check_bytes(with_parts(good, replace=undimensioned)).report.issues == []
