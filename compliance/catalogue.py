"""The catalogues as people read them: the rules as text, JSON and the README's Markdown table;
the regulator's receipt reasons as the README's Markdown table."""

from __future__ import annotations

import json

from compliance.config import DEFAULT_CONFIG, RuleConfig
from compliance.metrics import METRICS
from compliance.regulator.reason_codes import REASON_CODES
from compliance.rules import RULES


def catalogue_json(config: RuleConfig = DEFAULT_CONFIG) -> str:
    return json.dumps(
        [rule.to_json(config) for rule in RULES.values()], indent=2, ensure_ascii=False
    )


def catalogue_text(config: RuleConfig = DEFAULT_CONFIG) -> str:
    lines = []
    for rule in RULES.values():
        title = rule.title_for(config)
        lines.append(f"{rule.code}  {rule.severity.value:<7}  {title}  [{rule.reference}]")
    return "\n".join(lines)


def catalogue_markdown(config: RuleConfig = DEFAULT_CONFIG) -> str:
    rows = ["| code | severity | rule | reference |", "|---|---|---|---|"]
    for rule in RULES.values():
        title = rule.title_for(config).replace("|", "\\|")
        rows.append(f"| {rule.code} | {rule.severity.value} | {title} | {rule.reference} |")
    return "\n".join(rows)


def reasons_markdown() -> str:
    rows = ["| code | kind | reason | reference |", "|---|---|---|---|"]
    for entry in REASON_CODES.values():
        title = entry.title.replace("|", "\\|")
        rows.append(f"| {entry.code} | {entry.kind.value} | {title} | {entry.reference} |")
    return "\n".join(rows)


def metrics_markdown() -> str:
    """The figures of the metric table: the return's Summary (DTR-1.1 7.4), then those the
    sector report adds, with the words every output prints for them."""
    rows = ["| metric | in | label | kind | sector family |", "|---|---|---|---|---|"]
    for metric in METRICS:
        where = "Summary" if metric.in_summary else "sector report"
        rows.append(
            f"| `{metric.name}` | {where} | {metric.label} | {metric.kind.value}"
            + (f", {metric.digits} decimals" if metric.digits else "")
            + f" | {metric.family.value} |"
        )
    return "\n".join(rows)
