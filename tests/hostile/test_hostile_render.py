"""Hostile text in every free-text field of a submission, rendered end to end.

The fields are found by walking the pydantic model (every string whose only pattern refuses
control characters), not listed by hand: a field added later is covered without a change
here. Each gets markup and script aimed at a canary HTTP server on 127.0.0.1, ``file://``
links, CSS ``url()`` and ``@import``, formula-looking text, bidi overrides and combining
marks. The submission is rendered as ``compliance render`` does and read back: return.xlsx with
openpyxl, the PDFs with pypdf. tests/render/test_pdf.py covers the renderer's own refusals
(the fetcher, attributes, fonts) on a hand-written submission; this module covers every field.
"""

from __future__ import annotations

import functools
import html
import json
import os
import re
import stat
import sys
import types
import typing
import unicodedata
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from pydantic import BaseModel, StringConstraints
from pypdf import PdfReader
from pypdf.generic import DictionaryObject

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "render"))
from render_fixtures import CanaryServer

from compliance.check import CheckResult, check_bytes
from compliance.figures import build_return_view
from compliance.formats import IDENTIFIER_PATTERN, MULTILINE_TEXT_PATTERN, NO_CONTROL_PATTERN
from compliance.issues import Severity
from compliance.model import PERSONAL_DATA_FIELDS, Submission
from compliance.pseudonyms import Pseudonymiser
from compliance.render.assets import FONT_DIR
from compliance.render.pdf import font_coverage, show_text
from compliance.render.xlsx import write_return_xlsx
from compliance.returns import render_submission

TESTS = Path(__file__).resolve().parent.parent
BASE = json.loads((TESTS / "conformance" / "base.json").read_text(encoding="utf-8"))
FREE_TEXT = "free text"
IDENTIFIER = "identifier"
KIND_OF_PATTERN = {
    NO_CONTROL_PATTERN: FREE_TEXT,
    MULTILINE_TEXT_PATTERN: FREE_TEXT,
    IDENTIFIER_PATTERN: IDENTIFIER,
}
# Every way a spreadsheet may start a formula (or DDE command) in a cell.
FORMULAS = ("=1+1", "+SUM(A1:A9)", "-2+3", "@SUM(1)", "=cmd|' /C calc'!A0", '=HYPERLINK("x")')
MARKUP = (
    '<img src="http://127.0.0.1:{port}/img">',
    "<script>alert(1)</script>",
    "\u202eRLO\u202c e\u0301\u0327 \u200f\u0627\u0644\u0639\u0631\u0628\u064a\u0629 \u2066x\u2069",
    '<link rel="stylesheet" href="http://127.0.0.1:{port}/css">',
    '<div style="background:url(http://127.0.0.1:{port}/bg)">',
    "<style>@import url(http://127.0.0.1:{port}/imp);</style>",
    '<a href="file:///etc/passwd">file:///etc/passwd</a>',
    '<iframe src="http://127.0.0.1:{port}/frame"></iframe>',
    '<object data="file:///etc/passwd"></object>',
    '<svg><image href="http://127.0.0.1:{port}/svg"/></svg>',
    "]]><!-- {{ 7*7 }} ${{7*7}} %s %n",
)


# ----------------------------------------------------------------------------- the model


def string_constraints(annotation: Any, metadata: Any = ()) -> StringConstraints | None:
    for item in metadata:
        if isinstance(item, StringConstraints):
            return item
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        return string_constraints(typing.get_args(annotation)[0], annotation.__metadata__)
    if origin in (typing.Union, types.UnionType):
        for argument in typing.get_args(annotation):
            found = string_constraints(argument)
            if found is not None:
                return found
    return None


def nested_model(annotation: Any) -> type[BaseModel] | None:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for argument in typing.get_args(annotation):
        found = nested_model(argument)
        if found is not None:
            return found
    return None


@dataclass(frozen=True)
class Slot:
    """One string value of a document, typed by the model."""

    field: str  # "Subject.display_name"
    path: tuple[str | int, ...]
    kind: str
    max_length: int
    multiline: bool

    @property
    def pointer(self) -> str:
        return "".join(f"/{part}" for part in self.path)


def model_string_fields(model: type[BaseModel], kind: str) -> set[str]:
    """Every field of ``kind`` in ``model`` and the models inside it."""
    found: set[str] = set()
    for name, info in model.model_fields.items():
        constraints = string_constraints(info.annotation, info.metadata)
        if constraints is not None and KIND_OF_PATTERN.get(constraints.pattern or "") == kind:
            found.add(f"{model.__name__}.{name}")
        inner = nested_model(info.annotation)
        if inner is not None:
            found |= model_string_fields(inner, kind)
    return found


def slots(model: type[BaseModel], value: Any, path: tuple[str | int, ...] = ()) -> Iterator[Slot]:
    """Every place of ``value`` (a document) where the model has a typed string."""
    for name, info in model.model_fields.items():
        child = value.get(name) if isinstance(value, dict) else None
        constraints = string_constraints(info.annotation, info.metadata)
        kind = KIND_OF_PATTERN.get((constraints.pattern or "") if constraints else "")
        if constraints is not None and kind is not None:
            yield Slot(
                f"{model.__name__}.{name}",
                (*path, name),
                kind,
                constraints.max_length or 64,
                constraints.pattern == MULTILINE_TEXT_PATTERN,
            )
            continue
        inner = nested_model(info.annotation)
        if inner is None:
            continue
        if isinstance(child, list):
            for index, item in enumerate(child):
                yield from slots(inner, item, (*path, name, index))
        elif isinstance(child, dict):
            yield from slots(inner, child, (*path, name))


def get_at(document: Any, path: tuple[str | int, ...]) -> Any:
    for part in path:
        document = document[part]  # type: ignore[index]
    return document


def set_at(document: Any, path: tuple[str | int, ...], value: Any) -> None:
    get_at(document, path[:-1])[path[-1]] = value


# ----------------------------------------------------------------------------- hostile text


def hostile_text(number: int, slot: Slot, port: int) -> str:
    """A formula first (so a spreadsheet would run it), a marker ``~n~`` to find the value
    again, then as many hostile pieces as the field's length allows."""
    formula = FORMULAS[number % len(FORMULAS)]
    text = f"{formula}~{number}~"
    if slot.multiline:
        text += "\n\t=2+2\n"  # a formula on a later line, after a tab
    for piece in MARKUP:
        piece = piece.format(port=port)
        if len(text) + len(piece) <= slot.max_length:
            text += piece
    return text


@dataclass
class Placed:
    slot: Slot
    value: str


def make_hostile(
    document: dict[str, Any], kind: str, value_for: Any
) -> tuple[list[Placed], dict[str, Any]]:
    """Put ``value_for(number, slot)`` in every slot of ``kind``; the same original value gets
    the same replacement everywhere, so that cross-references (an account named by a subject
    and by the moderation log) still hold. Empty free text is filled too; an empty identifier
    stays empty, since filling it would name something that is not there."""
    placed: list[Placed] = []
    replacements: dict[tuple[str, Any], str] = {}
    for slot in list(slots(Submission, document)):
        if slot.kind != kind:
            continue
        original = get_at(document, slot.path)
        if original is None and kind == IDENTIFIER:
            continue
        key = (str(slot.path[-1]), original if original is not None else slot.pointer)
        if key not in replacements:
            replacements[key] = value_for(len(replacements), slot)
        set_at(document, slot.path, replacements[key])
        placed.append(Placed(slot, replacements[key]))
    return placed, document


def keep_what_is_accepted(
    document: dict[str, Any], placed: list[Placed]
) -> tuple[list[Placed], dict[str, list[tuple[str, str]]], CheckResult]:
    """Check the document; a field that refuses its hostile value must say so with an issue
    at that field, and gets its original value back so that the rest can be rendered.

    Returns what stayed, the refusals by field ([(code, path)]) and the filing-ready result.
    """
    result = check_bytes(json.dumps(document, ensure_ascii=False).encode("utf-8"))
    blocking = [i for i in result.report.issues if i.severity is not Severity.WARNING]
    refused: dict[str, list[tuple[str, str]]] = {}
    for item in placed:
        at = [(i.code, i.path) for i in blocking if i.path == item.slot.pointer]
        if at:
            refused.setdefault(item.slot.field, []).extend(at)
            set_at(document, item.slot.path, get_at(BASE, item.slot.path))
    located = {path for issues in refused.values() for _, path in issues}
    assert [i for i in blocking if i.path not in located] == []
    kept = [item for item in placed if item.slot.field not in refused]
    result = check_bytes(json.dumps(document, ensure_ascii=False).encode("utf-8"))
    assert result.submission is not None and result.report.filing_ready, result.report.to_json()
    return kept, refused, result


# ----------------------------------------------------------------------------- rendering


@dataclass
class HostileRender:
    port: int
    requests: list[str]
    placed: list[Placed]
    refused: dict[str, list[tuple[str, str]]]  # field -> [(code, path)]
    folder: Path
    result: CheckResult
    texts: dict[str, str] = field(default_factory=dict)  # file -> extracted PDF text

    def marker(self, placed: Placed) -> str:
        match = re.search(r"~\d+~", placed.value)
        assert match is not None
        return match.group(0)


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> Iterator[HostileRender]:
    with CanaryServer() as canary:
        document = json.loads(json.dumps(BASE))
        placed, document = make_hostile(
            document, FREE_TEXT, lambda n, slot: hostile_text(n, slot, canary.port)
        )
        placed, refused, result = keep_what_is_accepted(document, placed)
        out = tmp_path_factory.mktemp("hostile-render")
        # Under umask 0 a mode left to chance would come out world-writable.
        previous = os.umask(0)
        try:
            render_submission(result, out, pseudonymiser=Pseudonymiser(b"hostile-key"))
        finally:
            os.umask(previous)
        folder = out / str(result.submission_id)
        rendered = HostileRender(canary.port, canary.requests, placed, refused, folder, result)
        for pdf in sorted(folder.rglob("*.pdf")):
            pages = PdfReader(pdf).pages
            rendered.texts[pdf.relative_to(folder).as_posix()] = "\n".join(
                page.extract_text() or "" for page in pages
            )
        yield rendered


def squash(text: str) -> str:
    """Compared without whitespace (line wrapping) and in one Unicode normal form."""
    return unicodedata.normalize("NFC", re.sub(r"\s+", "", text))


@functools.cache
def _covered() -> frozenset[int]:
    return font_coverage(FONT_DIR)


def as_shown(value: str) -> str:
    """What a PDF shows for submitted text: the text itself, bidi controls and characters no
    bundled font has as ``[U+XXXX]`` markers (tests/render/test_pdf.py pins that rule)."""
    markup = show_text(value, _covered())
    text = html.unescape(re.sub(r"<[^>]*>", "", str(markup)))
    # Invisible marks (RLM, joiners) take no place in extracted text.
    return "".join(c for c in text if unicodedata.category(c) != "Cf")


def pack_of(rendered: HostileRender, referral: int) -> str:
    submission = rendered.result.submission
    assert submission is not None
    return rendered.texts[f"referrals/{submission.referrals[referral].referral_id}.pdf"]


# ----------------------------------------------------------------------------- tests


@pytest.mark.slow
def test_every_free_text_field_gets_hostile_text_or_a_located_refusal(
    hostile: HostileRender,
) -> None:
    every = model_string_fields(Submission, FREE_TEXT)
    assert len(every) >= 15  # the walk found the model's fields, not nothing
    assert {item.slot.field for item in hostile.placed} | set(hostile.refused) == every
    for field_name, issues in hostile.refused.items():
        # Only a field with a format of its own (a hash value must be hex) may refuse it.
        assert issues and all(code.startswith("DTR-") for code, _ in issues), field_name
    assert set(hostile.refused) <= {"Hash.value"}


@pytest.mark.slow
def test_rendering_hostile_text_makes_no_request_and_no_active_pdf(
    hostile: HostileRender,
) -> None:
    assert hostile.texts  # the PDFs were rendered and read
    assert hostile.requests == []
    for name in hostile.texts:
        reader = PdfReader(hostile.folder / name)
        root = reader.trailer["/Root"]
        assert not {"/OpenAction", "/AA", "/AcroForm"} & set(root.keys()), name
        for page in reader.pages:
            assert "/AA" not in page
            for annotation in page.get("/Annots") or []:
                action = annotation.get_object().get("/A")
                assert not isinstance(action, DictionaryObject), (name, action)
        attachments = reader.attachments
        assert set(attachments) == {"return.json" if name == "return.pdf" else "referral.json"}
        for contents in attachments.values():
            assert all(b"root:" not in content for content in contents)


@pytest.mark.slow
def test_return_xlsx_keeps_hostile_text_as_plain_text(hostile: HostileRender) -> None:
    path = hostile.folder / "return.xlsx"
    by_marker = {hostile.marker(item): item.value for item in hostile.placed}
    found = []
    for sheet in openpyxl.load_workbook(path):
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (sheet.title, cell.coordinate)
                if isinstance(cell.value, str) and (match := re.search(r"~\d+~", cell.value)):
                    assert cell.value == by_marker[match.group(0)], cell.coordinate
                    found.append(cell.value)
    assert len(found) >= 3  # legal name, registration number, authority references
    legal_name = next(i.value for i in hostile.placed if i.slot.field == "Platform.legal_name")
    assert legal_name in found
    with zipfile.ZipFile(path) as archive:
        names = archive.namelist()
        assert not [n for n in names if "vba" in n.lower() or "externalLink" in n]
        for name in names:
            if name.startswith("xl/worksheets/"):
                part = archive.read(name)
                assert b"<f>" not in part and b"<f " not in part and b"hyperlink" not in part


@pytest.mark.slow
def test_pdfs_show_hostile_text_literally(hostile: HostileRender) -> None:
    shown = 0
    for item in hostile.placed:
        section = item.slot.path[0]
        if section == "referrals":
            texts = [pack_of(hostile, int(item.slot.path[1]))]
        elif section == "platform":
            texts = [pack_of(hostile, 0)]
        elif section == "attestation":
            texts = [hostile.texts["return.pdf"]]
        else:  # the moderation log: counted in the return, never shown
            continue
        expected = squash(as_shown(item.value))
        assert any(expected in squash(text) for text in texts), (item.slot.field, expected)
        shown += 1
    assert shown >= 15
    # Wherever a value shows at all, it shows whole: never cut, obeyed or half-escaped.
    everything = {name: squash(text) for name, text in hostile.texts.items()}
    for item in hostile.placed:
        for name, text in everything.items():
            if hostile.marker(item) in text:
                assert squash(as_shown(item.value)) in text, (item.slot.field, name)
    assert "[U+202E]" in hostile.texts["return.pdf"]  # the override is shown, not obeyed


@pytest.mark.slow
def test_hostile_personal_data_never_reaches_the_regulator(hostile: HostileRender) -> None:
    personal = [i for i in hostile.placed if i.slot.path[-1] in PERSONAL_DATA_FIELDS]
    assert {i.slot.path[-1] for i in personal} >= {"narrative", "excerpt", "account_id"}
    return_pdf = hostile.folder / "return.pdf"
    regulator_text = hostile.texts["return.pdf"]
    (embedded,) = PdfReader(return_pdf).attachments["return.json"]
    with zipfile.ZipFile(hostile.folder / "return.xlsx") as archive:
        workbook = b"".join(archive.read(n) for n in archive.namelist()).decode("utf-8")
    for item in personal:
        marker = hostile.marker(item)
        assert marker not in regulator_text, item.slot.field
        assert marker.encode() not in embedded, item.slot.field
        assert marker not in workbook, item.slot.field


@pytest.mark.slow
def test_personal_data_outputs_are_owner_only(hostile: HostileRender) -> None:
    def mode(path: Path) -> int:
        return stat.S_IMODE(path.stat().st_mode)

    folder = hostile.folder
    packs = sorted((folder / "referrals").glob("*.pdf"))
    assert len(packs) == len(BASE["referrals"])
    assert {mode(pack) for pack in packs} == {0o600}
    assert mode(folder / "referrals") == 0o700
    assert mode(folder / "validation.json") == 0o600
    # What goes to the regulator (or to anyone checking a filing) is readable as usual.
    for name in ("return.xlsx", "return.pdf", "manifest.json"):
        assert mode(folder / name) == 0o644, name
    assert mode(folder) == 0o755


@pytest.mark.parametrize("formula", FORMULAS)
def test_formula_looking_text_in_every_string_column_stays_text(
    formula: str, tmp_path: Path
) -> None:
    """Cheap, without PDFs: each way of starting a formula, in every free-text field at once."""
    document = json.loads(json.dumps(BASE))
    placed, document = make_hostile(document, FREE_TEXT, lambda n, _: f"{formula}~{n}~")
    placed, refused, result = keep_what_is_accepted(document, placed)
    assert set(refused) <= {"Hash.value"}
    workbook = _workbook_of(result, tmp_path)
    values = {item.value for item in placed}
    cells = _cells(workbook)
    assert all(cell.data_type != "f" for cell in cells)
    text_cells = [cell for cell in cells if isinstance(cell.value, str) and "~" in cell.value]
    assert text_cells and all(cell.value in values for cell in text_cells)
    assert all(cell.data_type == "s" and cell.value.startswith(formula) for cell in text_cells)


def test_number_looking_identifiers_stay_text(tmp_path: Path) -> None:
    """An identifier a spreadsheet would read as a number (1E40) is kept as the text it is."""
    document = json.loads(json.dumps(BASE))
    placed, document = make_hostile(document, IDENTIFIER, lambda n, _: f"{n + 1}E{n + 40}")
    placed, refused, result = keep_what_is_accepted(document, placed)
    assert refused == {}
    workbook = _workbook_of(result, tmp_path)
    values = {item.value for item in placed}
    cells = _cells(workbook)
    as_text = [cell for cell in cells if cell.value in values]
    assert len({cell.value for cell in as_text}) >= 5
    assert all(cell.data_type == "s" for cell in as_text)
    numbers = {float(value) for value in values}
    assert not [c for c in cells if isinstance(c.value, int | float) and c.value in numbers]


def _workbook_of(result: CheckResult, tmp_path: Path) -> Path:
    assert result.submission is not None
    view = build_return_view(
        result.submission,
        result.report,
        source_sha256=result.source_sha256,
        pseudonymiser=Pseudonymiser(b"k"),
    )
    path = tmp_path / "return.xlsx"
    write_return_xlsx(view, path)
    return path


def _cells(path: Path) -> list[Any]:
    return [
        cell for sheet in openpyxl.load_workbook(path) for row in sheet.iter_rows() for cell in row
    ]
