"""The catalogues as people read them: the rules as text, JSON and the README's Markdown table;
the regulator's receipt reasons as the README's Markdown table."""

from __future__ import annotations

import json

from compliance.regulator.reason_codes import REASON_CODES
from compliance.rules import RULES


def catalogue_json() -> str:
    return json.dumps([rule.to_json() for rule in RULES.values()], indent=2, ensure_ascii=False)


def catalogue_text() -> str:
    lines = []
    for rule in RULES.values():
        lines.append(f"{rule.code}  {rule.severity.value:<7}  {rule.title}  [{rule.reference}]")
    return "\n".join(lines)


def catalogue_markdown() -> str:
    rows = ["| code | severity | rule | reference |", "|---|---|---|---|"]
    for rule in RULES.values():
        title = rule.title.replace("|", "\\|")
        rows.append(f"| {rule.code} | {rule.severity.value} | {title} | {rule.reference} |")
    return "\n".join(rows)


def reasons_markdown() -> str:
    rows = ["| code | kind | reason | reference |", "|---|---|---|---|"]
    for entry in REASON_CODES.values():
        title = entry.title.replace("|", "\\|")
        rows.append(f"| {entry.code} | {entry.kind.value} | {title} | {entry.reference} |")
    return "\n".join(rows)
