"""Every figure and column the sector PDF prints has a human heading, from one table."""

from __future__ import annotations

import re
from html import unescape
from typing import Any

from regulator_helpers import Received

from compliance.metrics import METRIC_BY_NAME, METRIC_NAMES
from compliance.period import Period
from compliance.regulator.aggregate import build_report
from compliance.regulator.sector_outputs import sector_html
from compliance.regulator.sector_sheets import sector_sheets

METRIC_ROW = re.compile(r'<td class="key mono">([^<]*)</td><td>([^<]*)</td>', re.S)
HEADING = re.compile(r"<th[^>]*>([^<]*)</th>")


def test_sector_pdf_prints_labels_never_bare_names(received: Received, renderer: Any) -> None:
    report = build_report(received.root, Period.parse("2026-Q3"))
    html = sector_html(report, sector_sheets(report), renderer)
    printed = [(unescape(n), unescape(label)) for n, label in METRIC_ROW.findall(html)]
    assert [name for name, _ in printed] == list(METRIC_NAMES)
    for name, label in printed:
        assert label == METRIC_BY_NAME[name].report_label
    headings = {unescape(text) for text in HEADING.findall(html)}
    figures = {METRIC_BY_NAME[name].heading for name in METRIC_BY_NAME}
    assert figures <= headings, sorted(figures - headings)
    bare = {text for text in headings if re.fullmatch(r"[a-z0-9]+(_[a-z0-9]+)+", text)}
    assert not bare, f"printed as bare machine names: {sorted(bare)}"
