"""The PDFs are tagged for assistive technology (PDF/A-3 level a): a structure tree in reading
order, real table headers, and a text alternative on every chart."""

from __future__ import annotations

import io
from collections import Counter
from typing import Any

from pypdf import PdfReader
from render_fixtures import Rendered


def _structure(pdf: bytes) -> tuple[dict[str, Any], Counter[str], list[str | None]]:
    root = PdfReader(io.BytesIO(pdf)).trailer["/Root"]
    kinds: Counter[str] = Counter()
    figure_alts: list[str | None] = []

    def walk(node: Any) -> None:
        node = node.get_object()
        if isinstance(node, list):
            for child in node:
                walk(child)
            return
        if not isinstance(node, dict):
            return
        kind = node.get("/S")
        if kind is not None:
            kinds[str(kind)] += 1
            if kind == "/Figure":
                figure_alts.append(node.get("/Alt"))
        if node.get("/K") is not None:
            walk(node["/K"])

    walk(root["/StructTreeRoot"])
    return root, kinds, figure_alts


def test_the_return_is_tagged_with_headers_and_chart_alternatives(rendered: Rendered) -> None:
    root, kinds, alts = _structure(rendered.return_pdf)
    assert bool(root["/MarkInfo"]["/Marked"])
    assert kinds["/Document"] == 1 and kinds["/H1"] == 1 and kinds["/H2"] >= 7
    assert kinds["/TH"] >= 20 and kinds["/Table"] >= 5
    assert len(alts) >= 4 and all(alt for alt in alts), alts
    assert "Referrals by priority" in [str(alt) for alt in alts]


def test_a_referral_pack_is_tagged(rendered: Rendered) -> None:
    for pack in rendered.packs.values():
        root, kinds, _alts = _structure(pack)
        assert bool(root["/MarkInfo"]["/Marked"])
        assert kinds["/H1"] == 1 and kinds["/TH"] >= 10


def test_a_bar_label_never_runs_across_its_deadline_tick() -> None:
    from compliance.render.charts import LABEL_CHARACTER_WIDTH, label_x

    tick = 300.0
    for start in (250.0, 280.0, 298.0, 301.0):
        label = "123 h late"
        x = label_x(start, label, tick)
        end = x + len(label) * LABEL_CHARACTER_WIDTH
        assert not (x <= tick <= end), (start, x)
    assert label_x(100.0, "2 h", tick) == 100.0  # far from the tick: right after the bar
