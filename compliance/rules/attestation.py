"""Attestation: a named person answers for the return (DTR-R)."""

from __future__ import annotations

from collections.abc import Iterator

from compliance.issues import Severity
from compliance.rules.registry import Finding, RuleContext, SubmissionFacts, submission_rule


@submission_rule("DTR-R002", Severity.ERROR, "No attestation", "DTR-1 §3")
def attested(facts: SubmissionFacts, ctx: RuleContext) -> Iterator[Finding]:
    if facts.raw.get("attestation") is None:
        yield Finding(
            "/attestation",
            "The submission has no attestation: a named officer must confirm it is complete "
            "and accurate.",
        )
