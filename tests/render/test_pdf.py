"""The referral pack and the quarterly return PDFs (DTR-1 7.3), read back with pypdf."""

from __future__ import annotations

import hashlib
import io
import json
import os
import re
import shutil
import subprocess
import sys
from datetime import UTC, datetime
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from markupsafe import Markup
from pypdf import PdfReader
from render_fixtures import PSEUDONYM_KEY, CanaryServer, Rendered, submission_text

from compliance.codes import Category, Priority
from compliance.figures import ChartData, DeadlinePoint
from compliance.render import charts
from compliance.render.assets import FONT_DIR, TEMPLATE_DIR
from compliance.render.fetcher import FetchRefused, TemplateOnlyFetcher
from compliance.render.pdf import (
    font_coverage,
    paragraphs,
    referral_json_bytes,
    referral_timeline,
    show_text,
    text_direction,
)

GENERATED_AT = datetime(2026, 10, 3, 9, 0, tzinfo=UTC)
RLO = "\u202e"


# ----------------------------------------------------------------------------- helpers


def reader(pdf: bytes) -> PdfReader:
    return PdfReader(io.BytesIO(pdf))


def page_texts(pdf: bytes) -> list[str]:
    return [page.extract_text() or "" for page in reader(pdf).pages]


def text_of(pdf: bytes) -> str:
    return "\n".join(page_texts(pdf))


def squash(text: str) -> str:
    """Text without whitespace: line wrapping must not decide a test."""
    return re.sub(r"\s+", "", text)


def attachment(pdf: bytes, name: str) -> bytes:
    files = reader(pdf).attachments
    assert list(files) == [name]
    (content,) = files[name]
    return content


def hostile(port: int) -> list[str]:
    return [
        f'<img src="http://127.0.0.1:{port}/x">',
        "<script>alert(1)</script>",
        '=HYPERLINK("http://x")',
    ]


def personal_values(document: dict[str, Any]) -> list[str]:
    """Every value of the input that the regulator's return must never show (DTR-1 7.2)."""
    values: list[str] = []
    officer = document["platform"]["nominated_officer"]
    values += [officer["email"], officer["phone"]]
    for referral in document["referrals"]:
        values += [line for line in referral["narrative"].split("\n") if line.strip()]
        for subject in referral["subjects"]:
            for field in ("account_id", "username", "display_name", "email", "phone"):
                if subject[field]:
                    values.append(subject[field])
            if subject["date_of_birth"]:
                values.append(subject["date_of_birth"])
            values += [event["ip"] for event in subject["ip_events"]]
        for item in referral["content_items"]:
            if item["url"]:
                values.append(item["url"])
            if item["excerpt"]:
                values.append(item["excerpt"])
    values += [row["account_id"] for row in document["moderation_log"]]
    return values


# ----------------------------------------------------------------------------- referral pack


def test_referral_pack_shows_every_part(rendered: Rendered, canary: CanaryServer) -> None:
    document = rendered.document
    platform = document["platform"]
    for raw in document["referrals"]:
        pdf = rendered.packs[raw["referral_id"]]
        pages = page_texts(pdf)
        text = squash("\n".join(pages))
        for number, page in enumerate(pages, start=1):
            assert page.count("OFFICIAL-SENSITIVE") >= 2, f"banner top and bottom of {number}"
            assert f"Page {number} of {len(pages)}" in page
        for value in (
            raw["referral_id"],
            document["submission_id"],
            document["period"],
            platform["legal_name"],
            platform["registration_number"],
            platform["nominated_officer"]["name"],
            platform["nominated_officer"]["email"],
            platform["nominated_officer"]["phone"],
            *raw["countries_concerned"],
            *(Category(c).code for c in raw["categories"]),
            *(Category(c).label for c in raw["categories"]),
            Priority(raw["priority"]).label,
            *(action for action in raw["actions_taken"]),
        ):
            assert squash(value) in text, value
        for subject in raw["subjects"]:
            for field in ("account_id", "email", "phone", "date_of_birth"):
                if subject[field] and "<" not in subject[field]:
                    assert squash(subject[field]) in text
            for event in subject["ip_events"]:
                assert event["ip"] in text
        for item in raw["content_items"]:
            assert item["content_id"] in text
            if item["url"]:
                assert item["url"] in text
            for digest in item["hashes"]:
                assert digest["value"] in text
        if raw["preservation"]:
            assert raw["preservation"]["reference"] in text


def test_referral_pack_shows_hostile_text_as_text(rendered: Rendered, canary: CanaryServer) -> None:
    text = squash(text_of(rendered.packs["KR-0001"]))
    for value in hostile(canary.port):
        assert squash(value) in text
    # The display name and the excerpt carry markup too.
    assert squash(f'Harbour <img src="http://127.0.0.1:{canary.port}/x">') in text
    assert squash("<script>alert(1)</script>") in text


def test_referral_pack_keeps_cyrillic_and_shows_bidi_overrides(rendered: Rendered) -> None:
    text = text_of(rendered.packs["KR-0002"])
    for word in ("Видео", "восхваляет", "запрещённой", "организации", "ночной_дозор"):
        assert word in text
    assert "Пятница" in text_of(rendered.packs["KR-0001"])
    # A right-to-left override is shown as a visible marker, never obeyed; so is a character
    # that no bundled font can draw (the emoji), instead of an empty box.
    assert "[U+202E]" in text
    assert RLO not in text
    assert "[U+1F525]" in text


def test_referral_pack_lists_its_issues(rendered: Rendered) -> None:
    text = text_of(rendered.packs["KR-0003"])
    for issue in rendered.issues_of("KR-0003"):
        assert issue.code in text
    assert "No validation issue concerns this referral" in text_of(rendered.packs["KR-0001"])


def test_referral_json_is_embedded(rendered: Rendered) -> None:
    submission = rendered.result.submission
    assert submission is not None
    for referral, raw in zip(submission.referrals, rendered.document["referrals"], strict=True):
        content = attachment(rendered.packs[referral.referral_id], "referral.json")
        assert content == referral_json_bytes(referral)
        # What the input says is what the attachment says.
        assert json.loads(content) == raw
        assert json.loads(content) == referral.model_dump(mode="json")


def test_timeline_is_sorted_and_complete(rendered: Rendered) -> None:
    submission = rendered.result.submission
    assert submission is not None
    referral = submission.referrals[0]
    events = referral_timeline(referral)
    assert [e.at for e in events] == sorted(e.at for e in events)
    moments = {e.at for e in events}
    assert {referral.detected_at, referral.suspicion_formed_at, referral.referred_at} <= moments
    for item in referral.content_items:
        assert {item.posted_at, item.detected_at, item.removed_at} <= moments
    text = squash(text_of(rendered.packs[referral.referral_id]))
    assert "Suspicionformed" in text and "Referredtotheauthority" in text


# ----------------------------------------------------------------------------- return


def test_return_shows_figures_charts_and_outcome(rendered: Rendered) -> None:
    view = rendered.view
    pages = page_texts(rendered.return_pdf)
    text = squash("\n".join(pages))
    for number, page in enumerate(pages, start=1):
        assert f"Page {number} of {len(pages)}" in page
        assert "NO PERSONAL DATA" in page
    assert view.submission_id in text
    assert "FILING-READY" in text.upper()
    for name, _ in view.metrics:
        assert name in text
    for category in Category:
        assert category.code in text  # chart labels and legend
    for row in view.sheet("Referrals").rows:
        assert str(row[0]) in text
    for row in view.sheet("Removals").rows:
        assert str(row[2]) in text  # account_ref pseudonyms
    for row in view.sheet("Validation").rows:
        assert str(row[0]) in text
    assert view.attestation is not None
    assert squash(view.attestation.name) in text
    assert squash("<script>alert(1)</script>") in text  # quoted in the statement, as text
    assert squash('=HYPERLINK("http://x")') in text  # an authority_reference


def test_return_json_is_embedded(rendered: Rendered) -> None:
    content = attachment(rendered.return_pdf, "return.json")
    assert content == rendered.view.to_json_bytes()
    assert json.loads(content) == rendered.view.to_json()


def test_return_holds_no_personal_data(rendered: Rendered) -> None:
    pdf = rendered.return_pdf
    text = text_of(pdf)
    flat = squash(text)
    embedded = attachment(pdf, "return.json").decode("utf-8")
    for value in personal_values(rendered.document):
        assert squash(value) not in flat, value
        assert value not in embedded, value
        assert value.encode("utf-8") not in pdf, value
    # No excerpt or narrative at all: no Arabic, Urdu or Cyrillic letter.
    assert not re.search("[\u0600-\u06ff\ufb50-\ufdff\ufe70-\ufeff\u0400-\u04ff]", text)
    # The draft carries no more than the final one.
    draft_text = squash(text_of(rendered.return_draft))
    for value in personal_values(rendered.document):
        assert squash(value) not in draft_text, value


# ----------------------------------------------------------------------------- draft, metadata


def test_draft_marks_every_page(rendered: Rendered) -> None:
    for draft, final in (
        (rendered.pack_draft, rendered.packs["KR-0001"]),
        (rendered.return_draft, rendered.return_pdf),
    ):
        assert all("DRAFT" in page for page in page_texts(draft))
        assert "DRAFT" not in text_of(final)


def test_metadata_and_dates_are_pinned(rendered: Rendered) -> None:
    for pdf, title in (
        (rendered.packs["KR-0001"], "DTR-1 referral KR-0001"),
        (rendered.return_pdf, "DTR-1 quarterly return KR-2026-Q3"),
    ):
        document = reader(pdf)
        metadata = document.metadata
        assert metadata is not None
        assert metadata.title == title
        assert metadata.author == "Kestrel Relay Ltd"
        assert metadata.creation_date == GENERATED_AT
        assert metadata.modification_date == GENERATED_AT
        (embedded,) = document.attachment_list
        assert embedded.creation_date == GENERATED_AT
        assert embedded.modification_date == GENERATED_AT
        xmp = document.xmp_metadata
        assert xmp is not None
        rdf = xmp.rdf_root.toxml()
        assert 'pdfaid:part="3"' in rdf and 'pdfaid:conformance="A"' in rdf
        assert b"/JavaScript" not in pdf and b"/JS " not in pdf and b"/OpenAction" not in pdf


@pytest.mark.parametrize("tool", ["qpdf", "pdfinfo"])
def test_pdf_tools_accept_the_files(rendered: Rendered, tool: str, tmp_path: Path) -> None:
    binary = shutil.which(tool)
    if binary is None:
        pytest.skip(f"{tool} is not installed")
    for name, pdf in (("pack.pdf", rendered.packs["KR-0002"]), ("return.pdf", rendered.return_pdf)):
        path = tmp_path / name
        path.write_bytes(pdf)
        command = [binary, "--check", str(path)] if tool == "qpdf" else [binary, str(path)]
        result = subprocess.run(command, capture_output=True, text=True, timeout=60)
        assert result.returncode == 0, result.stdout + result.stderr


# ----------------------------------------------------------------------------- reproducibility


@pytest.mark.slow
def test_same_bytes_twice_in_one_process(rendered: Rendered, renderer: Any) -> None:
    submission = rendered.result.submission
    assert submission is not None
    referral = submission.referrals[0]
    again = renderer.render_referral_pack(
        referral, submission, rendered.issues_of(referral.referral_id), draft=False
    )
    assert again == rendered.packs[referral.referral_id]
    assert renderer.render_return(rendered.view, draft=False) == rendered.return_pdf


_OTHER_PROCESS = """
import hashlib, sys
from compliance.check import check_bytes
from compliance.figures import build_return_view
from compliance.pseudonyms import Pseudonymiser
from compliance.render.pdf import PdfRenderer
result = check_bytes(sys.stdin.buffer.read())
submission = result.submission
view = build_return_view(submission, result.report, source_sha256=result.source_sha256,
                         pseudonymiser=Pseudonymiser(sys.argv[1].encode()))
referral = submission.referrals[0]
issues = [i for i in result.report.issues if i.referral_id == referral.referral_id]
renderer = PdfRenderer()
print(hashlib.sha256(renderer.render_referral_pack(referral, submission, issues,
                                                   draft=False)).hexdigest())
print(hashlib.sha256(renderer.render_return(view, draft=False)).hexdigest())
"""


@pytest.mark.slow
def test_same_bytes_in_another_process(rendered: Rendered, canary: CanaryServer) -> None:
    result = subprocess.run(
        [sys.executable, "-c", _OTHER_PROCESS, PSEUDONYM_KEY.decode()],
        input=submission_text(canary.port).encode("utf-8"),
        capture_output=True,
        timeout=120,
        check=True,
    )
    pack_digest, return_digest = result.stdout.decode().split()
    assert pack_digest == hashlib.sha256(rendered.packs["KR-0001"]).hexdigest()
    assert return_digest == hashlib.sha256(rendered.return_pdf).hexdigest()


# ----------------------------------------------------------------------------- no fetching


class _Attributes(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.values: list[tuple[str, str, str]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.values += [(tag, name, value or "") for name, value in attrs]


def test_submitted_text_never_reaches_an_attribute(
    rendered: Rendered, renderer: Any, canary: CanaryServer
) -> None:
    submission = rendered.result.submission
    assert submission is not None
    documents = [
        renderer.referral_html(r, submission, rendered.issues_of(r.referral_id), draft=True)
        for r in submission.referrals
    ]
    documents.append(renderer.return_html(rendered.view, draft=True))
    for markup in documents:
        assert "<script" not in markup and "<img" not in markup
        parser = _Attributes()
        parser.feed(markup)
        for tag, name, value in parser.values:
            if tag == "meta" and name == "content":
                continue  # title, author and dates of the PDF: never fetched
            assert not re.search(r"127\.0\.0\.1|alert|HYPERLINK|<|gpj", value), (tag, name)
            if name == "style":
                assert re.fullmatch(r"(width: \d+(mm|%)|break-before: page)", value), value


def test_no_request_ever_reaches_the_network(rendered: Rendered, canary: CanaryServer) -> None:
    assert rendered.packs and rendered.return_pdf
    assert canary.requests == []


def test_renderer_refuses_what_hostile_markup_would_fetch(
    renderer: Any, canary: CanaryServer
) -> None:
    base = f"http://127.0.0.1:{canary.port}"
    markup = f"""<!DOCTYPE html><html><head><title>t</title>
    <link rel="attachment" href="file:///etc/passwd">
    <link rel="stylesheet" href="{base}/style.css">
    <link rel="attachment" href="{TEMPLATE_DIR.as_uri()}/fonts/../../../../../etc/passwd">
    </head><body>
    <img src="{base}/img.png">
    <div style="background: url({base}/background.png)">x</div>
    <img src="data:image/svg+xml,%3Csvg xmlns='http://www.w3.org/2000/svg'%3E%3C/svg%3E">
    <img src="file:///etc/passwd">
    </body></html>"""
    pdf = renderer.write_pdf(markup, [], GENERATED_AT)
    assert canary.requests == []
    assert reader(pdf).attachments == {}
    assert b"root:" not in pdf


# ----------------------------------------------------------------------------- fetcher


def test_fetcher_serves_a_font() -> None:
    font = FONT_DIR / "NotoSans-Regular.ttf"
    response = TemplateOnlyFetcher().fetch(font.as_uri())
    assert response.read() == font.read_bytes()
    assert response.content_type == "font/ttf"


@pytest.mark.parametrize(
    "url",
    [
        "file:///etc/passwd",
        "file://localhost/etc/passwd",
        "file://example.org/etc/passwd",
        "https://example.org/font.ttf",
        "ftp://127.0.0.1/x",
        "data:text/plain;base64,aGVsbG8=",
        "data:font/ttf,abc",
        f"{TEMPLATE_DIR.as_uri()}/fonts/../../../../../../etc/passwd",
        f"{TEMPLATE_DIR.as_uri()}/fonts/%2e%2e/%2e%2e/%2e%2e/%2e%2e/%2e%2e/etc/passwd",
        f"{TEMPLATE_DIR.as_uri()}/fonts/missing.ttf",
        f"{TEMPLATE_DIR.as_uri()}/fonts",  # a folder, not a file
        f"{TEMPLATE_DIR.as_uri()}/fonts/NotoSans-Regular.ttf%00.css",
        "jar:file:///etc/passwd!/x",
        "/etc/passwd",
    ],
)
def test_fetcher_refuses(url: str) -> None:
    with pytest.raises(FetchRefused):
        TemplateOnlyFetcher().fetch(url)


def test_fetcher_refuses_the_loopback_server(canary: CanaryServer) -> None:
    fetcher = TemplateOnlyFetcher()
    for url in (f"http://127.0.0.1:{canary.port}/x", f"http://localhost:{canary.port}/x"):
        with pytest.raises(FetchRefused):
            fetcher.fetch(url)
        with pytest.raises(FetchRefused):
            fetcher(url)
    assert canary.requests == []


def test_fetcher_resolves_symlinks_first(tmp_path: Path) -> None:
    root = tmp_path / "templates"
    root.mkdir()
    (root / "inside.css").write_text("p {}")
    secret = tmp_path / "secret.txt"
    secret.write_text("secret")
    (root / "link.css").symlink_to(secret)
    (root / "up").symlink_to(tmp_path)
    fetcher = TemplateOnlyFetcher(root)
    assert fetcher.fetch((root / "inside.css").as_uri()).read() == b"p {}"
    for path in (root / "link.css", root / "up" / "secret.txt"):
        with pytest.raises(FetchRefused):
            fetcher.fetch(path.as_uri())


# ----------------------------------------------------------------------------- pieces


def test_text_direction_and_paragraphs() -> None:
    assert text_direction("سنضرب السوق") == "rtl"
    assert text_direction("ہمارے ساتھ") == "rtl"
    assert text_direction("  12, «Пятница»") == "ltr"
    assert text_direction("") == "ltr"
    assert paragraphs("منشور\nTrusted flagger\n\n") == [
        ("rtl", "منشور"),
        ("ltr", "Trusted flagger"),
        ("ltr", ""),
        ("ltr", ""),
    ]
    assert show_text(f"<b>{RLO}x") == Markup('&lt;b&gt;<span class="ctl">[U+202E]</span>x')
    covered = font_coverage(FONT_DIR)
    assert show_text("Ж\u200d\ufe0f\n\tب", covered) == "Ж\u200d\ufe0f\n\tب"
    assert show_text("a🔥", covered) == Markup('a<span class="ctl">[U+1F525]</span>')
    assert show_text("a🔥") == "a🔥"  # without a coverage, nothing is replaced


def test_missing_glyphs_never_break_a_render(renderer: Any, rendered: Rendered) -> None:
    submission = rendered.result.submission
    assert submission is not None
    referral = submission.referrals[0].model_copy(
        update={"narrative": "Emoji 🔥❤️👨\u200d👩\u200d👧, CJK 恐怖, Hebrew שלום, Devanagari आतंक."}
    )
    pdf = renderer.render_referral_pack(referral, submission, [], draft=False)
    text = text_of(pdf)
    assert "Emoji" in text and "[U+6050]" in text and "[U+05E9]" in text
    assert b"WP-Encod" not in pdf  # no .notdef glyph: no font needed a private encoding


def _chart_data(points: int = 2) -> ChartData:
    return ChartData(
        referrals_by_category=tuple((c, i) for i, c in enumerate(Category)),
        referrals_by_priority=(
            (Priority.THREAT_TO_LIFE, 1),
            (Priority.URGENT, 3),
            (Priority.ROUTINE, 0),
        ),
        hours_to_referral=tuple(
            DeadlinePoint(f"R<&>{i}", Priority.URGENT, 0.01 + i * 7.5, 24.0, 0.01 + i * 7.5 <= 24.0)
            for i in range(points)
        ),
        removals_referred=3,
        removals_not_referred=1,
    )


def test_charts_are_escaped_svg_markup() -> None:
    built = charts.all_charts(_chart_data())
    for svg in built.values():
        assert isinstance(svg, Markup)
        assert svg.startswith("<svg") and svg.endswith("</svg>")
    assert "R&lt;&amp;&gt;0" in built["hours"] and "R<&>" not in built["hours"]
    assert all(category.code in built["by_category"] for category in Category)
    bars = charts.horizontal_bars([("<script>", 1)], label='"><x')
    assert "<script>" not in bars and "&lt;script&gt;" in bars and '"><x' not in bars


def test_charts_cope_with_nothing_and_with_many() -> None:
    empty = ChartData(
        referrals_by_category=tuple((c, 0) for c in Category),
        referrals_by_priority=tuple((p, 0) for p in Priority),
        hours_to_referral=(),
        removals_referred=0,
        removals_not_referred=0,
    )
    built = charts.all_charts(empty)
    assert "been referred yet" in built["hours"] and "empty" in built["removals"]
    many = charts.hours_to_referral(_chart_data(points=charts.MAX_DEADLINE_ROWS + 7))
    assert "7 referrals" in many


def test_fonts_are_bundled_with_their_licence() -> None:
    fonts = sorted(p.name for p in FONT_DIR.glob("*.ttf"))
    assert {"NotoSans-Regular.ttf", "NotoSans-Bold.ttf", "NotoNaskhArabic-Regular.ttf"} <= set(
        fonts
    )
    assert "SIL OPEN FONT LICENSE Version 1.1" in (FONT_DIR / "OFL.txt").read_text()
    assert sum(p.stat().st_size for p in FONT_DIR.iterdir()) < 3_000_000


def test_long_lists_are_cut_and_say_so(rendered: Rendered) -> None:
    from compliance.render.pdf import PdfRenderer

    small = PdfRenderer(max_table_rows=2, max_pack_rows=3, max_pack_cards=1)
    submission = rendered.result.submission
    assert submission is not None
    referral = submission.referrals[0]
    markup = small.referral_html(referral, submission, [], draft=False)
    assert "1 more content items are not printed" in markup
    assert "later events are not printed" in markup
    assert "more IP events are not printed" not in markup  # 3 events, limit 3
    assert markup.count('class="card"') == 2  # one subject, one content item
    markup = small.return_html(rendered.view, draft=False)
    assert "Rows 1 to 2 of 5 are printed" in markup  # the five removals
    assert "Rows 1 to 2 of 4 are printed" in markup  # content items and issues


def test_without_harfbuzz_subsetting_the_font_timestamps_are_pinned(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import weasyprint.text.ffi

    from compliance.render.pdf import pin_font_timestamps

    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1")  # recorded, so that teardown restores it
    monkeypatch.delenv("SOURCE_DATE_EPOCH")
    assert pin_font_timestamps() is (weasyprint.text.ffi.harfbuzz_subset is None)
    monkeypatch.setattr(weasyprint.text.ffi, "harfbuzz_subset", None)
    assert pin_font_timestamps() is True
    assert os.environ["SOURCE_DATE_EPOCH"] == "0"
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1790000000")
    pin_font_timestamps()
    assert os.environ["SOURCE_DATE_EPOCH"] == "1790000000"
