"""A check result as text for people: grouped by referral, each issue with path and source.

Names, ids, paths and messages can carry text from the input (a file name, a salvaged id, a
sheet's name), so each is passed through :func:`compliance.terminal.safe` before it is
printed: no escape sequence reaches the terminal and no line break forges an issue line.
"""

from __future__ import annotations

from collections import defaultdict

from compliance.check import CheckResult
from compliance.issues import Issue, Severity, Source
from compliance.referral_check import ReferralCheckResult
from compliance.terminal import safe


def describe_source(source: Source | None) -> str:
    if not source:
        return ""
    if "line" in source:
        return f"line {source['line']}"
    sheet, row, column = (safe(source.get(key)) for key in ("sheet", "row", "column"))
    return f"sheet {sheet}, row {row}, column {column}"


def _count_phrase(counts: dict[str, int]) -> str:
    parts = [
        f"{counts[severity]} {severity}"
        + ("" if counts[severity] == 1 else "es" if severity is Severity.BREACH else "s")
        for severity in Severity
        if counts[severity]
    ]
    return ", ".join(parts) or "no issues"


def breach_heading(count: int) -> str:
    """How a breach is announced: never mistaken for a pass, never for a refusal."""
    noun = "breach" if count == 1 else "breaches"
    return f"{count} {noun} of the duty will be disclosed in the return"


def issue_line(issue: Issue) -> str:
    where = describe_source(issue.source)
    location = safe(issue.path or "/") + (f" ({where})" if where else "")
    return (
        f"    {issue.severity.value:<7} {issue.code}  {location}\n            {safe(issue.message)}"
    )


def result_text(result: CheckResult | ReferralCheckResult) -> str:
    report = result.report
    state = "filing-ready" if report.filing_ready else "NOT filing-ready"
    heading = f"{safe(result.input_name)}: {state} ({_count_phrase(report.counts)})"
    referral_document = isinstance(result, ReferralCheckResult)
    if isinstance(result, ReferralCheckResult):
        if not report.is_fatal:  # a fatal one may be no referral document at all
            heading += f", referral document {safe(result.referral_id or '')}".rstrip()
    elif result.submission_id:
        heading += f", submission {safe(result.submission_id)}"
    lines = [heading]
    breaches = report.breaches
    if breaches:
        lines.append(f"  {breach_heading(len(breaches))}:")
        lines.extend(issue_line(issue) for issue in breaches)
    groups: dict[str | None, list[Issue]] = defaultdict(list)
    for issue in report.issues:
        if issue.severity is not Severity.BREACH:
            groups[issue.referral_id].append(issue)
    for referral_id in sorted(groups, key=lambda key: (key is not None, key or "")):
        outside = "  Document" if referral_document else "  Submission"
        lines.append(f"  Referral {safe(referral_id)}" if referral_id else outside)
        lines.extend(issue_line(issue) for issue in groups[referral_id])
    return "\n".join(lines)
