"""A check result as text for people: grouped by referral, each issue with path and source."""

from __future__ import annotations

from collections import defaultdict

from compliance.check import CheckResult
from compliance.issues import Issue, Severity, Source
from compliance.referral_check import ReferralCheckResult


def describe_source(source: Source | None) -> str:
    if not source:
        return ""
    if "line" in source:
        return f"line {source['line']}"
    return f"sheet {source.get('sheet')}, row {source.get('row')}, column {source.get('column')}"


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
    location = f"{issue.path or '/'}" + (f" ({where})" if where else "")
    return f"    {issue.severity.value:<7} {issue.code}  {location}\n            {issue.message}"


def result_text(result: CheckResult | ReferralCheckResult) -> str:
    report = result.report
    state = "filing-ready" if report.filing_ready else "NOT filing-ready"
    heading = f"{result.input_name}: {state} ({_count_phrase(report.counts)})"
    referral_document = isinstance(result, ReferralCheckResult)
    if isinstance(result, ReferralCheckResult):
        if not report.is_fatal:  # a fatal one may be no referral document at all
            heading += f", referral document {result.referral_id or ''}".rstrip()
    elif result.submission_id:
        heading += f", submission {result.submission_id}"
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
        lines.append(f"  Referral {referral_id}" if referral_id else outside)
        lines.extend(issue_line(issue) for issue in groups[referral_id])
    return "\n".join(lines)
