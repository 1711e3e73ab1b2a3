"""Every figure the return PDF prints carries its label from the metric table."""

from __future__ import annotations

import re
from html import unescape
from typing import Any

from compliance.figures import ReturnView
from compliance.metrics import METRIC_BY_NAME, METRIC_NAMES

METRIC_ROW = re.compile(
    r'<td class="key mono">([^<]*)</td><td>([^<]*)</td><td class="value">', re.S
)


def test_every_summary_metric_is_printed_with_its_label(view: ReturnView, renderer: Any) -> None:
    html = renderer.return_html(view, draft=False)
    printed = [(unescape(name), unescape(label)) for name, label in METRIC_ROW.findall(html)]
    assert [name for name, _ in printed] == list(METRIC_NAMES)
    for name, label in printed:
        assert label == METRIC_BY_NAME[name].label
        assert label != name and "_" not in label, (name, label)


def test_every_column_and_cover_field_is_printed_with_its_label(
    view: ReturnView, renderer: Any
) -> None:
    from compliance.figures import COLUMN_LABELS

    html = renderer.return_html(view, draft=False)
    headings = [unescape(h) for h in re.findall(r"<th[^>]*>([^<]*)</th>", html)]
    for sheet in view.sheets:
        if sheet.header in (("field", "value"), ("metric", "value")):
            names = [row[0] for row in sheet.rows]
        else:
            names = list(sheet.header)
        for name in names:
            if sheet.name == "Summary":
                continue  # metrics: labelled from the metric table (test above)
            assert COLUMN_LABELS[name] in headings, (sheet.name, name)
    bare = [h for h in headings if re.fullmatch(r"[a-z0-9]+(_[a-z0-9]+)+", h)]
    assert not bare, bare
