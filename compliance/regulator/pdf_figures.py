"""The figures a return's PDF *prints*, against the workbook's.

The embedded ``return.json`` is what machines read; people read the printed pages. A PDF whose
pages were edited but which still embeds the genuine JSON would show a reader figures the
regulator never received, so the receiver reads the pages' text as well (pypdf, like a viewer
copying text) and checks what the return PDF prints beside each metric's name:

- the Summary metrics table (part 2): one row per metric, its name, its label, its value
  (``templates/return.html.j2``; the value as :func:`compliance.render.pdf.show_cell` shows it);
- the Cover's validation outcome: ``N fatal · N errors · N breaches · N warnings``, which
  repeats ``issues_error`` (fatal and error), ``issues_breach`` and ``issues_warning``.

A figure printed otherwise, or not printed at all, is a reason at the metric's Summary cell.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from typing import Any

from compliance.metrics import METRIC_BY_NAME
from compliance.regulator import reason_codes
from compliance.regulator.reasons import Reason
from compliance.regulator.structure import ParsedReturn

_HEADING = re.compile(r"SUMMARY\s+METRICS\s+\(DTR-1\s+7\.4\)", re.IGNORECASE)
_OUTCOME = re.compile(
    r"(\d+) fatal · (\d+) errors? · (\d+) breach(?:es)? · (\d+) warnings?", re.IGNORECASE
)
_NONE = "\u2014"


def _number(printed: str) -> float | None:
    try:
        value = float(printed)
    except ValueError:
        return None
    return value if math.isfinite(value) else None


def _same(printed: str, value: Any) -> bool:
    if value is None or value == "":
        return printed == _NONE
    if isinstance(value, bool) or not isinstance(value, int | float):
        return False
    number = _number(printed)
    return number is not None and math.isclose(number, value, rel_tol=1e-12, abs_tol=1e-12)


def _row_pattern(name: str) -> re.Pattern[str]:
    label = METRIC_BY_NAME[name].label if name in METRIC_BY_NAME else ""
    words = r"\s+".join(re.escape(word) for word in label.split())
    return re.compile(rf"(?<![\w]){re.escape(name)}\s+{words}\s+(\S+)")


def check_printed_figures(
    parsed: ParsedReturn, pages: Iterable[str], pdf_name: str
) -> list[Reason]:
    """Reasons for every metric the PDF prints otherwise than the workbook, or does not print."""
    text = "\n".join(pages)
    summary = parsed.summary
    reasons: list[Reason] = []

    def wrong(metric: str, message: str) -> None:
        reasons.append(
            Reason(
                reason_codes.PDF_PRINTS_OTHER_FIGURES,
                f"{pdf_name} {message}",
                sheet=summary.name,
                row=summary.rows.get(metric),
                column="B",
                header=metric,
                part=pdf_name,
            )
        )

    heading = _HEADING.search(text)
    table = text[heading.end() :] if heading else ""
    for metric, value in summary.values.items():
        printed = [match.group(1) for match in _row_pattern(metric).finditer(table)]
        if not printed:
            wrong(metric, "does not print this metric in its Summary metrics table")
        elif not all(_same(shown, value) for shown in printed):
            wrong(metric, "prints another value for this metric than the workbook holds")
    outcome = _OUTCOME.search(text)
    counts = {"issues_error": (1, 2), "issues_breach": (3,), "issues_warning": (4,)}
    for metric, groups in counts.items():
        if metric not in summary.values:
            continue  # a 1.0 return has no issues_breach
        if outcome is None:
            wrong(metric, "does not print the validation outcome on its first page")
            break
        total = str(sum(int(outcome[group]) for group in groups))
        if not _same(total, summary.values[metric]):
            wrong(metric, "prints another count in its validation outcome than the workbook")
    return reasons
