"""Narrative: the reason for suspicion must be substantial and name who it is about (DTR-N)."""

from __future__ import annotations

from collections.abc import Iterator

from compliance.issues import Severity
from compliance.model import Referral
from compliance.rules.registry import Finding, RuleContext, referral_rule


@referral_rule(
    "DTR-N001",
    Severity.WARNING,
    "Narrative shorter than {narrative_min_chars} characters",
    "DTR-1 §4",
)
def narrative_substantial(referral: Referral, ctx: RuleContext) -> Iterator[Finding]:
    length = len(referral.narrative)
    if length < ctx.config.narrative_min_chars:
        yield Finding(
            "/narrative",
            f"The narrative of referral {referral.referral_id} is {length} characters long; "
            f"at least {ctx.config.narrative_min_chars} are expected to say who, what, where, "
            "when, why and how.",
        )


def _named_identifiers(referral: Referral) -> set[str]:
    names: set[str] = set()
    for subject in referral.subjects:
        names.update((subject.account_id, subject.subject_id))
        if subject.username:
            names.add(subject.username)
    names.update(item.content_id for item in referral.content_items)
    return names


@referral_rule(
    "DTR-N002",
    Severity.WARNING,
    "Narrative names none of the referral's account_id, username, subject_id or content_id",
    "DTR-1 §4",
)
def narrative_names_subject(referral: Referral, ctx: RuleContext) -> Iterator[Finding]:
    names = _named_identifiers(referral)
    if not names:
        return
    text = referral.narrative.casefold()
    if not any(name.casefold() in text for name in names):
        yield Finding(
            "/narrative",
            f"The narrative of referral {referral.referral_id} names none of its accounts, "
            "usernames, subjects or content items, so police cannot tie it to the evidence.",
        )
