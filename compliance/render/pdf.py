"""The PDFs of DTR-1 7.3: the referral pack (for police) and the quarterly return (regulator).

One :class:`PdfRenderer` per process (:func:`get_renderer`): a Jinja2 environment that
escapes everything and refuses undefined names, one WeasyPrint ``FontConfiguration`` and the
stylesheet parsed once, reused by every document. Every URL WeasyPrint asks for goes through
:class:`~compliance.render.fetcher.TemplateOnlyFetcher`, so a document can load the project's
fonts and nothing else.

Both PDFs are PDF/A-3a (tagged) and carry their own data as an embedded JSON file. They are
reproducible: document and attachment dates are the submission's ``generated_at``, WeasyPrint
derives the PDF ``/ID`` from the content, and fonts are subset by HarfBuzz (whose subsets carry
no timestamp), so the same input gives the same bytes in any process.

Submitted text is only ever element content, escaped by Jinja; it never reaches a ``style``,
``src`` or ``href`` attribute, where escaping would not stop a fetch. Bidirectional
embedding, override and isolate controls (U+202A-U+202E, U+2066-U+2069) in submitted text are
shown as visible ``[U+202E]`` markers instead of being obeyed, so that a reversed file name or
sentence cannot mislead the reader; so is a character that none of the bundled fonts can draw
(an emoji, a script without a bundled font), so that no document depends on the fonts of the
machine that renders it. The embedded JSON keeps the text exactly as submitted.
"""

from __future__ import annotations

import json
import logging
import os
import re
import threading
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from functools import partial
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined
from markupsafe import Markup, escape
from weasyprint import CSS, HTML, Attachment
from weasyprint.text.fonts import FontConfiguration

from compliance.codes import Category
from compliance.config import DEFAULT_CONFIG, RuleConfig
from compliance.deadlines import assess_deadline, due_at
from compliance.durations import describe_span, format_timestamp
from compliance.figures import ReturnView, Sheet, column_label
from compliance.issues import Issue, Severity
from compliance.metrics import METRIC_BY_NAME
from compliance.model import Platform, Referral, Submission
from compliance.period import quarter_label
from compliance.render import charts
from compliance.render.assets import TEMPLATE_DIR
from compliance.render.fetcher import TemplateOnlyFetcher
from compliance.statuses import DeadlineState
from compliance.terminal import safe
from compliance.versions import tool_version

_LOG = logging.getLogger(__name__)

PDF_VARIANT = "pdf/a-3a"
STYLESHEET = "style.css"

MAX_TABLE_ROWS = 250
"""Rows of one table printed in the return PDF. Longer tables are cut, and the page says so:
the complete tables are in return.xlsx and in the embedded return.json. WeasyPrint's time
and memory grow faster than linearly with table length (STACK.md: 97 pages took 36 s)."""

MAX_PACK_ROWS = 200
"""Rows of one table (timeline, IP events of a subject, issues) printed in a referral pack."""

MAX_PACK_CARDS = 60
"""Subjects, and content items, printed in a referral pack (each takes about a third of a
page). What is cut is counted on the page and complete in the embedded referral.json: a pack
of 60 content items is about 25 pages and renders in about 3 s."""

ACTION_TEXT: dict[str, str] = {
    "content_removed": "The material was removed from the service",
    "content_restricted": "Access to the material was restricted",
    "account_suspended": "The account was suspended",
    "account_terminated": "The account was terminated",
    "data_preserved": "Data was preserved for the authority (see preservation below)",
    "emergency_disclosure": "Data was disclosed to the authority as an emergency",
    "no_action": "No action was taken on the material or the account",
}

_BIDI_CONTROLS = re.compile("[\u202a-\u202e\u2066-\u2069]")
_RTL_CLASSES = frozenset({"R", "AL"})
_LTR_CLASSES = frozenset({"L"})


# --------------------------------------------------------------------------- filters


def text_direction(value: object) -> str:
    """``rtl`` or ``ltr``: what ``dir="auto"`` computes (the first strong character).

    WeasyPrint neither implements ``dir="auto"`` nor ``unicode-bidi: plaintext``, and lays a
    paragraph out in the CSS ``direction`` of its box; so the direction is decided here.
    """
    if value is None:
        return "ltr"
    for character in str(value):
        kind = unicodedata.bidirectional(character)
        if kind in _RTL_CLASSES:
            return "rtl"
        if kind in _LTR_CLASSES:
            return "ltr"
    return "ltr"


def paragraphs(value: object) -> list[tuple[str, str]]:
    """Multi-line submitted text as (direction, line) pairs: ``unicode-bidi: plaintext``.

    Each line is its own bidi paragraph, as Unicode and CSS ``plaintext`` define it, so a
    narrative that starts in Arabic and continues in English lays each part out right.
    """
    if value is None:
        return []
    return [(text_direction(line), line) for line in str(value).split("\n")]


def _takes_no_glyph(character: str) -> bool:
    """Line breaks, tabs, joiners and other format characters, variation selectors."""
    if unicodedata.category(character) in ("Cc", "Cf", "Zl", "Zp"):
        return True
    code = ord(character)
    return 0xFE00 <= code <= 0xFE0F or 0xE0100 <= code <= 0xE01EF


def show_text(value: object, covered: frozenset[int] | None = None) -> Markup:
    """Submitted text as escaped markup, kept exactly but never obeyed or silently lost.

    Bidi embedding, override and isolate controls are shown as ``[U+202E]`` markers. With
    ``covered`` (the code points the bundled fonts have), a character no bundled font can
    draw (an emoji, say) is shown as ``[U+1F525]`` instead of an empty box: the document then
    never depends on the fonts a machine happens to have, and stays byte-identical anywhere.
    """
    if value is None:
        return Markup('<span class="none">\u2014</span>')
    text = str(value)
    pieces: list[str] = []
    plain_from = 0
    for position, character in enumerate(text):
        code = ord(character)
        if _BIDI_CONTROLS.match(character) or (
            covered is not None
            and code > 0x7E
            and code not in covered
            and not _takes_no_glyph(character)
        ):
            pieces.append(str(escape(text[plain_from:position])))
            pieces.append(f'<span class="ctl">[U+{code:04X}]</span>')
            plain_from = position + 1
    if not pieces:
        return escape(text)
    pieces.append(str(escape(text[plain_from:])))
    return Markup("".join(pieces))


def show_cell(value: object, covered: frozenset[int] | None = None) -> Markup:
    """A table cell: timestamps in UTC, booleans as Yes/No, empty as a dash."""
    if value is None or value == "":
        return Markup('<span class="none">\u2014</span>')
    if isinstance(value, bool):
        return Markup("Yes" if value else "No")
    if isinstance(value, datetime):
        return escape(format_timestamp(value))
    if isinstance(value, float):
        return escape(repr(value))
    return show_text(value, covered)


def show_table_cell(value: object, covered: frozenset[int] | None = None) -> Markup:
    """A cell of a long table: like :func:`show_cell`, a timestamp may wrap before its time."""
    if isinstance(value, datetime):
        day, time = format_timestamp(value).split("T")
        return Markup(
            f'<span class="date">{escape(day)}</span> <span class="time">{escape(time)}</span>'
        )
    if isinstance(value, str) and ";" in value:
        # Code lists joined by ";": let them wrap after each code.
        return Markup(";\u200b".join(str(show_text(part, covered)) for part in value.split(";")))
    return show_cell(value, covered)


def font_coverage(font_dir: Path) -> frozenset[int]:
    """Every code point that one of the bundled fonts has a glyph for."""
    from fontTools.ttLib import TTFont  # a dependency of WeasyPrint

    covered: set[int] = set()
    for path in sorted([*font_dir.glob("*.ttf"), *font_dir.glob("*.otf")]):
        with TTFont(path, lazy=True) as font:
            covered.update(font.getBestCmap())
    return frozenset(covered)


def cell_class(value: object) -> str:
    return "num" if isinstance(value, int | float) and not isinstance(value, bool) else ""


def show_timestamp(value: datetime | None) -> Markup:
    if value is None:
        return Markup('<span class="none">\u2014</span>')
    return escape(format_timestamp(value))


def show_date(value: date | None) -> Markup:
    if value is None:
        return Markup('<span class="none">\u2014</span>')
    return escape(value.isoformat())


def _format_source(issue: Issue) -> str:
    source = issue.source or {}
    if "line" in source:
        return f"line {source['line']}"
    parts = [f"{key} {source[key]}" for key in ("sheet", "row", "column") if key in source]
    return ", ".join(parts)


# --------------------------------------------------------------------------- view models


@dataclass(frozen=True)
class TimelineEvent:
    at: datetime
    event: str
    reference: str
    kind: str


@dataclass(frozen=True)
class DeadlineStatus:
    allowed: str
    due_at: datetime
    state: DeadlineState
    summary: str


@dataclass(frozen=True)
class TablePart:
    """A table of the return as printed: its rows cut to the limit, and what was left out."""

    name: str
    header: tuple[str, ...]
    rows: tuple[tuple[Any, ...], ...]
    total: int

    @property
    def omitted(self) -> int:
        return self.total - len(self.rows)


def referral_json_bytes(referral: Referral) -> bytes:
    """``referral.json``: the referral exactly as the model holds it, deterministic bytes."""
    text = json.dumps(referral.model_dump(mode="json"), indent=2, ensure_ascii=False) + "\n"
    return text.encode("utf-8")


def deadline_status(
    referral: Referral, generated_at: datetime, config: RuleConfig = DEFAULT_CONFIG
) -> DeadlineStatus:
    deadline = assess_deadline(
        referral.priority, referral.suspicion_formed_at, referral.referred_at, generated_at, config
    )
    allowed_text = describe_span(deadline.allowed)
    state = deadline.state
    if deadline.taken is not None:
        taken_text = describe_span(deadline.taken)
        if state is DeadlineState.MET:
            text = f"Referred {taken_text} after suspicion: on time"
        else:
            late = describe_span(deadline.taken - deadline.allowed)
            text = f"Referred {taken_text} after suspicion: {late} late"
    elif state is DeadlineState.OVERDUE:
        text = (
            f"Not referred; deadline passed {describe_span(generated_at - deadline.due)} "
            "before generation"
        )
    else:
        text = "Not yet referred; deadline still ahead"
    return DeadlineStatus(allowed_text, deadline.due, state, text)


def referral_timeline(
    referral: Referral, config: RuleConfig = DEFAULT_CONFIG
) -> list[TimelineEvent]:
    """Every dated event of a referral, oldest first (stable for equal times), in UTC."""
    events = [
        TimelineEvent(referral.detected_at, "Material first detected by the platform", "", "key"),
        TimelineEvent(
            referral.suspicion_formed_at,
            "Suspicion formed: the deadline clock starts",
            "",
            "key",
        ),
        TimelineEvent(
            due_at(referral.priority, referral.suspicion_formed_at, config),
            f"Referral deadline ({referral.priority.value}: "
            f"{describe_span(config.deadline(referral.priority))} after suspicion)",
            "",
            "deadline",
        ),
    ]
    if referral.referred_at is not None:
        events.append(TimelineEvent(referral.referred_at, "Referred to the authority", "", "key"))
    for item in referral.content_items:
        events.append(TimelineEvent(item.posted_at, "Content posted", item.content_id, "content"))
        events.append(
            TimelineEvent(
                item.detected_at,
                f"Content detected ({item.detection_source.value})",
                item.content_id,
                "content",
            )
        )
        if item.removed_at is not None:
            events.append(
                TimelineEvent(item.removed_at, "Content removed", item.content_id, "content")
            )
    if referral.preservation is not None:
        events.append(
            TimelineEvent(
                referral.preservation.preserved_at,
                "Evidence preserved",
                referral.preservation.reference,
                "content",
            )
        )
    order = {id(event): index for index, event in enumerate(events)}
    return sorted(events, key=lambda event: (event.at, order[id(event)]))


@dataclass(frozen=True)
class PackOrigin:
    """What a referral pack says of where it comes from: its quarterly submission, or none
    yet, for a referral filed as it happens (DTR-1.1 7.3, 10.4)."""

    platform: Platform
    generated_at: datetime
    submission_id: str | None
    period: str
    submission_type: str
    amends_submission_id: str | None = None

    @classmethod
    def of(cls, submission: Submission) -> PackOrigin:
        return cls(
            submission.platform,
            submission.generated_at,
            submission.submission_id,
            submission.period,
            submission.submission_type.value,
            submission.amends_submission_id,
        )

    @classmethod
    def filed_as_it_happens(
        cls, platform: Platform, generated_at: datetime, referral: Referral
    ) -> PackOrigin:
        """A pack of a referral document: its "generated" time is the document's, so the
        pack is reproducible from the document; its period is the quarter it will join."""
        moment = referral.referred_at or referral.suspicion_formed_at
        return cls(platform, generated_at, None, quarter_label(moment), "none yet")


BREACHES_PER_CODE = 20
"""Breaches listed on the return's first page per code (DTR-1.1 7.3); the rest are counted
there and listed in the XLSX Validation sheet and the embedded return.json."""


@dataclass(frozen=True)
class BreachGroup:
    """One code's breaches, as the return's first page discloses them."""

    code: str
    title: str
    count: int
    items: tuple[tuple[str, str], ...]
    """(what it concerns: a referral or a log row, message), at most BREACHES_PER_CODE."""

    @property
    def omitted(self) -> int:
        return self.count - len(self.items)


_LOG_ROW = re.compile(r"^/moderation_log/(\d+)")


def breach_groups(view: ReturnView) -> list[BreachGroup]:
    """Every breach of the Validation sheet, by code in catalogue order, each with the referral
    or moderation-log row it concerns (a log row by its action_id, which is no personal data)."""
    from compliance.rules import RULES

    validation = view.sheet("Validation")
    column = {name: index for index, name in enumerate(validation.header)}
    removals = view.sheet("Removals")
    action_at = removals.header.index("action_id")
    by_code: dict[str, list[tuple[str, str]]] = {}
    for row in validation.rows:
        if row[column["severity"]] != Severity.BREACH:
            continue
        path, referral_id = str(row[column["path"]] or ""), row[column["referral_id"]]
        log_row = _LOG_ROW.match(path)
        if referral_id:
            concerned = f"Referral {referral_id}"
        elif log_row and int(log_row[1]) < len(removals.rows):
            index = int(log_row[1])
            concerned = f"Log row {index + 1} ({removals.rows[index][action_at]})"
        else:
            concerned = path or "The submission"
        by_code.setdefault(str(row[column["code"]]), []).append(
            (concerned, str(row[column["message"]]))
        )
    order = {code: place for place, code in enumerate(RULES)}
    return [
        BreachGroup(code, RULES[code].title, len(items), tuple(items[:BREACHES_PER_CODE]))
        for code, items in sorted(by_code.items(), key=lambda pair: order.get(pair[0], len(order)))
    ]


def _pairs(rows: Sequence[tuple[Any, ...]]) -> list[tuple[tuple[Any, ...], ...]]:
    """Rows two by two, for a form that shows two fields side by side."""
    return [tuple(rows[index : index + 2]) for index in range(0, len(rows), 2)]


def _table(sheet: Sheet, limit: int) -> TablePart:
    return TablePart(sheet.name, sheet.header, sheet.rows[:limit], len(sheet.rows))


def _metadata_date(moment: datetime) -> str:
    return format_timestamp(moment)


def _metadata_text(text: str) -> str:
    """Title, author or description for the PDF's metadata, bidi controls made visible.

    A viewer shows metadata in title bars, tabs and file lists, one line of plain text with
    no layout of ours around it: an override (U+202E) there would make a platform's name
    read as something else. So every bidi control (and any other control or separator) is
    shown as a ``[U+202E]`` marker, as the page itself shows it; the visible text of the
    page keeps its own rendering (:func:`show_text`).
    """
    return safe(text)


# --------------------------------------------------------------------------- renderer


def pin_font_timestamps() -> bool:
    """Make output reproducible without HarfBuzz subsetting; True if that was needed.

    With ``libharfbuzz-subset0`` WeasyPrint subsets fonts with HarfBuzz and the same input
    gives the same bytes in any process. Without it, WeasyPrint falls back to fontTools
    (slower, and with a warning per document), whose subsets carry the current time unless
    ``SOURCE_DATE_EPOCH`` is set: then it is set here, unless the environment already sets it.
    """
    from weasyprint.text.ffi import harfbuzz, harfbuzz_subset

    if harfbuzz_subset is not None and harfbuzz.hb_version_atleast(4, 1, 0):
        return False
    if "SOURCE_DATE_EPOCH" not in os.environ:
        os.environ["SOURCE_DATE_EPOCH"] = "0"
    _LOG.warning(
        "libharfbuzz-subset0 is missing: PDFs render more slowly; SOURCE_DATE_EPOCH=%s keeps "
        "them reproducible",
        safe(os.environ["SOURCE_DATE_EPOCH"]),  # from the environment: printed, not obeyed
    )
    return True


class PdfRenderer:
    """Renders the two PDFs; create once per process (see :func:`get_renderer`)."""

    def __init__(
        self,
        template_dir: Path = TEMPLATE_DIR,
        *,
        max_table_rows: int = MAX_TABLE_ROWS,
        max_pack_rows: int = MAX_PACK_ROWS,
        max_pack_cards: int = MAX_PACK_CARDS,
    ) -> None:
        self.template_dir = Path(template_dir).resolve()
        pin_font_timestamps()
        self.max_table_rows = max_table_rows
        self.max_pack_rows = max_pack_rows
        self.max_pack_cards = max_pack_cards
        self.fetcher = TemplateOnlyFetcher(self.template_dir)
        self.coverage = font_coverage(self.template_dir / "fonts")
        self.base_url = self.template_dir.as_uri() + "/"
        self.environment = Environment(
            loader=FileSystemLoader(str(self.template_dir)),
            autoescape=True,
            undefined=StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
            auto_reload=False,
            keep_trailing_newline=False,
        )
        self.environment.filters.update(
            dir=text_direction,
            paragraphs=paragraphs,
            text=partial(show_text, covered=self.coverage),
            cell=partial(show_cell, covered=self.coverage),
            cellclass=cell_class,
            tablecell=partial(show_table_cell, covered=self.coverage),
            ts=show_timestamp,
            day=show_date,
            colname=column_label,
        )
        self.environment.globals.update(
            generator=f"compliance {tool_version()}", action_text=ACTION_TEXT
        )
        self.font_config = FontConfiguration()
        stylesheet = (self.template_dir / STYLESHEET).read_text(encoding="utf-8")
        self.stylesheet = CSS(
            string=stylesheet,
            base_url=self.base_url,
            url_fetcher=self.fetcher,
            font_config=self.font_config,
        )
        self._lock = threading.Lock()  # WeasyPrint and one FontConfiguration: one at a time

    # -- HTML, for tests and the benchmark ------------------------------------------------

    def referral_html(
        self,
        referral: Referral,
        origin: Submission | PackOrigin,
        issues: Sequence[Issue],
        *,
        draft: bool,
        config: RuleConfig = DEFAULT_CONFIG,
    ) -> str:
        submission = origin if isinstance(origin, PackOrigin) else PackOrigin.of(origin)
        platform = submission.platform
        limit, cards = self.max_pack_rows, self.max_pack_cards
        timeline = referral_timeline(referral, config)
        related = [i for i in issues if i.referral_id in (None, referral.referral_id)]
        return self.environment.get_template("referral.html.j2").render(
            draft=draft,
            title=_metadata_text(f"DTR-1 referral {referral.referral_id}"),
            author=_metadata_text(platform.legal_name),
            description=_metadata_text(
                f"Duty-to-report referral {referral.referral_id} of submission "
                f"{submission.submission_id}, period {submission.period}"
                if submission.submission_id is not None
                else f"Duty-to-report referral {referral.referral_id}, filed as it happened"
            ),
            created=_metadata_date(submission.generated_at),
            referral=referral,
            submission=submission,
            platform=platform,
            officer=platform.nominated_officer,
            services={service.service_id: service for service in platform.services},
            deadline=deadline_status(referral, submission.generated_at, config),
            timeline=timeline[:limit],
            timeline_omitted=max(len(timeline) - limit, 0),
            subjects=referral.subjects[:cards],
            subjects_omitted=max(len(referral.subjects) - cards, 0),
            content_items=referral.content_items[:cards],
            content_omitted=max(len(referral.content_items) - cards, 0),
            limit=limit,
            issues=[(issue, _format_source(issue)) for issue in related[:limit]],
            issues_omitted=max(len(related) - limit, 0),
        )

    def return_html(self, view: ReturnView, *, draft: bool) -> str:
        validation = view.sheet("Validation")
        severity_at = validation.header.index("severity")
        counts = {severity.value: 0 for severity in Severity}
        for row in validation.rows:
            counts[str(row[severity_at])] = counts.get(str(row[severity_at]), 0) + 1
        cover = view.sheet("Cover")
        return self.environment.get_template("return.html.j2").render(
            draft=draft,
            title=_metadata_text(f"DTR-1 quarterly return {view.submission_id}"),
            author=_metadata_text(view.platform_name),
            description=_metadata_text(
                f"DTR-1 quarterly return of {view.platform_name}, submission "
                f"{view.submission_id}, period {view.period}"
            ),
            created=_metadata_date(view.generated_at),
            view=view,
            cover_pairs=_pairs([row for row in cover.rows if row[0] != "source_sha256"]),
            cover_values={row[0]: row[1] for row in cover.rows},
            metrics=[(name, METRIC_BY_NAME[name].label, value) for name, value in view.metrics],
            breaches=breach_groups(view),
            charts=charts.all_charts(view.charts),
            categories=[(category.code, category.label) for category in Category],
            tables=[
                _table(view.sheet(name), self.max_table_rows)
                for name in ("Referrals", "Content", "Removals", "Validation")
            ],
            counts=counts,
        )

    # -- PDFs --------------------------------------------------------------------------

    def render_referral_pack(
        self,
        referral: Referral,
        submission: Submission | PackOrigin,
        issues: list[Issue],
        *,
        draft: bool,
        config: RuleConfig = DEFAULT_CONFIG,
    ) -> bytes:
        """The referral pack of one referral: PDF/A-3a (tagged) with ``referral.json`` embedded."""
        markup = self.referral_html(referral, submission, issues, draft=draft, config=config)
        attachment = (
            "referral.json",
            referral_json_bytes(referral),
            f"DTR-1 referral {referral.referral_id} as JSON",
        )
        return self._pdf(markup, [attachment], submission.generated_at)

    def render_return(self, view: ReturnView, *, draft: bool) -> bytes:
        """The quarterly return: PDF/A-3a (tagged) with ``return.json`` (the workbook's content)."""
        markup = self.return_html(view, draft=draft)
        attachment = (
            "return.json",
            view.to_json_bytes(),
            f"DTR-1 quarterly return {view.submission_id}: the workbook's content as JSON",
        )
        return self._pdf(markup, [attachment], view.generated_at)

    def write_pdf(
        self, markup: str, attachments: Iterable[tuple[str, bytes, str]], when: datetime
    ) -> bytes:
        """Any HTML of these templates to PDF bytes, with the shared stylesheet and fonts."""
        return self._pdf(markup, attachments, when)

    def _pdf(
        self, markup: str, attachments: Iterable[tuple[str, bytes, str]], when: datetime
    ) -> bytes:
        with self._lock:
            document = HTML(string=markup, base_url=self.base_url, url_fetcher=self.fetcher)
            files = [
                Attachment(
                    string=data,
                    name=name,
                    description=description,
                    created=when,
                    modified=when,
                    relationship="Data",
                    url_fetcher=self.fetcher,
                )
                for name, data, description in attachments
            ]
            result = document.write_pdf(
                stylesheets=[self.stylesheet],
                font_config=self.font_config,
                pdf_variant=PDF_VARIANT,
                attachments=files,
            )
        assert isinstance(result, bytes)
        return result


_renderer: PdfRenderer | None = None
_renderer_lock = threading.Lock()


def get_renderer() -> PdfRenderer:
    """The process's one renderer, created on first use."""
    global _renderer
    if _renderer is None:
        with _renderer_lock:
            if _renderer is None:
                _renderer = PdfRenderer()
    return _renderer


__all__ = [
    "PdfRenderer",
    "deadline_status",
    "get_renderer",
    "referral_json_bytes",
    "referral_timeline",
    "text_direction",
]
