"""Drawing primitives for the inline SVG charts of the return and the sector report, and the
palette they share, so that both documents speak the same visual language.

Every text placed in an SVG goes through :func:`svg_text`, which escapes it; coordinates are
written short, locale-free and deterministic, so the same figures give the same bytes.
"""

from __future__ import annotations

from collections.abc import Iterable

from markupsafe import Markup, escape

from compliance.codes import Priority

FONT = "DTR Sans, sans-serif"
INK = "#1a1a1a"
RULE = "#8a8a8a"
GRID = "#d9d9d9"
BAR = "#1f3a5f"
LATE = "#b00020"
ON_TIME = "#2e6b3a"
PRIORITY_COLOURS = {
    Priority.THREAT_TO_LIFE: "#b00020",
    Priority.URGENT: "#e0a100",
    Priority.ROUTINE: "#6b6b6b",
}


def svg_number(value: float) -> str:
    """A coordinate: short, locale-free and deterministic."""
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


def svg_text(
    x: float,
    y: float,
    content: object,
    *,
    size: float = 10,
    anchor: str = "start",
    weight: str = "normal",
    fill: str = INK,
) -> str:
    return (
        f'<text x="{svg_number(x)}" y="{svg_number(y)}" font-family="{FONT}" '
        f'font-size="{svg_number(size)}" '
        f'font-weight="{weight}" text-anchor="{anchor}" fill="{fill}">{escape(str(content))}'
        "</text>"
    )


def svg_rect(x: float, y: float, width: float, height: float, fill: str, extra: str = "") -> str:
    return (
        f'<rect x="{svg_number(x)}" y="{svg_number(y)}" width="{svg_number(max(width, 0))}" '
        f'height="{svg_number(height)}" fill="{fill}"{extra}/>'
    )


def svg_line(x1: float, y1: float, x2: float, y2: float, stroke: str, width: float = 1) -> str:
    return (
        f'<line x1="{svg_number(x1)}" y1="{svg_number(y1)}" '
        f'x2="{svg_number(x2)}" y2="{svg_number(y2)}" '
        f'stroke="{stroke}" stroke-width="{svg_number(width)}"/>'
    )


def svg_root(width: float, height: float, label: str, parts: Iterable[str]) -> Markup:
    body = "".join(parts)
    return Markup(
        f'<svg xmlns="http://www.w3.org/2000/svg" '
        f'width="{svg_number(width)}" height="{svg_number(height)}" '
        f'viewBox="0 0 {svg_number(width)} {svg_number(height)}" role="img" '
        # The <title> is the chart's text alternative: a tagged PDF's Figure takes it as Alt.
        f'aria-label="{escape(label)}"><title>{escape(label)}</title>{body}</svg>'
    )
