"""Integrity: identifiers are unique and every reference resolves (DTR-I)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from compliance.codes import ReferralType, SubmissionType
from compliance.issues import Severity
from compliance.model import Referral, Removal
from compliance.quoting import checked_identifier, shown_identifier
from compliance.rules.registry import (
    Finding,
    RuleContext,
    SubmissionFacts,
    referral_rule,
    removal_rule,
    submission_rule,
)


def _repeats(keyed: Iterable[tuple[str, str]]) -> Iterator[tuple[str, str, str]]:
    """Yield (path, value, first) for every occurrence of a value after its first, letter case
    aside: two ids that differ only in case would be one file on a case-insensitive file
    system (DTR-1.1 2). ``first`` is the value as it was first written."""
    seen: dict[str, str] = {}
    for path, value in keyed:
        key = value.casefold()
        if key in seen:
            yield path, value, seen[key]
        else:
            seen[key] = value


def _as_first(value: str, first: str) -> str:
    return "" if value == first else f" (as {first}, letter case aside)"


def _salvaged(field: str, value: str, first: str, unnamed: str) -> tuple[str, str]:
    """The subject of a message about a repeated id salvaged from a raw object, and its
    :func:`_as_first` part. Such an id may have failed validation (a control character, a
    lone surrogate, an e-mail address): it is then quoted only if it may be, else unnamed."""
    shown = shown_identifier(field, value)
    subject = f"{field} {shown}" if shown else unnamed
    if value == first:
        return subject, ""
    first_shown = shown_identifier(field, first)
    return subject, f" (as {first_shown}, letter case aside)" if first_shown else ""


@submission_rule(
    "DTR-I001",
    Severity.ERROR,
    "Duplicate referral_id in the submission, or duplicate action_id in the log",
    "DTR-1 §4, §4.6",
)
def unique_referral_and_action_ids(facts: SubmissionFacts, ctx: RuleContext) -> Iterator[Finding]:
    for path, value, first in _repeats(
        (f"/referrals/{index}/referral_id", rid) for index, rid in facts.referral_ids
    ):
        subject, as_first = _salvaged("referral_id", value, first, "A referral_id (not valid)")
        yield Finding(
            path,
            f"{subject} is used by more than one referral{as_first}.",
            checked_identifier(value),
        )
    for path, value, first in _repeats(
        (f"/moderation_log/{index}/action_id", aid) for index, aid in facts.action_ids
    ):
        subject, as_first = _salvaged("action_id", value, first, "An action_id (not valid)")
        yield Finding(path, f"{subject} appears more than once in the moderation log{as_first}.")


@referral_rule(
    "DTR-I002",
    Severity.ERROR,
    "Duplicate subject_id or content_id within a referral",
    "DTR-1 §4.3, §4.4",
)
def unique_subjects_and_content(referral: Referral, ctx: RuleContext) -> Iterator[Finding]:
    for path, value, first in _repeats(
        (f"/subjects/{j}/subject_id", s.subject_id) for j, s in enumerate(referral.subjects)
    ):
        yield Finding(
            path,
            f"subject_id {value} is used twice in referral {referral.referral_id}"
            f"{_as_first(value, first)}.",
        )
    for path, value, first in _repeats(
        (f"/content_items/{j}/content_id", c.content_id)
        for j, c in enumerate(referral.content_items)
    ):
        yield Finding(
            path,
            f"content_id {value} is used twice in referral {referral.referral_id}"
            f"{_as_first(value, first)}.",
        )


@referral_rule(
    "DTR-I003",
    Severity.ERROR,
    "A content item names a subject_id that the referral does not have",
    "DTR-1 §4.4",
)
def content_subject_exists(referral: Referral, ctx: RuleContext) -> Iterator[Finding]:
    subject_ids = {subject.subject_id for subject in referral.subjects}
    for j, item in enumerate(referral.content_items):
        if item.subject_id is not None and item.subject_id not in subject_ids:
            yield Finding(
                f"/content_items/{j}/subject_id",
                f"Content item {item.content_id} names subject {item.subject_id}, "
                f"which referral {referral.referral_id} does not list.",
            )


def _undeclared_service(service_id: str, ctx: RuleContext) -> bool:
    return ctx.service_ids is not None and service_id not in ctx.service_ids


_DECLARED_SHOWN = 10
"""How many declared services a message lists: enough to spot a typo, and the message stays
one sentence (and fits a spreadsheet cell) however many the platform declares."""


def _undeclared_message(service_id: str, ctx: RuleContext) -> str:
    # The declared ids come from the raw platform object, checked or not: only identifiers
    # are listed, so no control character, surrogate or personal value reaches the message.
    valid = sorted(i for i in ctx.service_ids or () if checked_identifier(i) is not None)
    declared = ", ".join(valid[:_DECLARED_SHOWN]) or ("none valid" if ctx.service_ids else "none")
    if len(valid) > _DECLARED_SHOWN:
        declared += f" and {len(valid) - _DECLARED_SHOWN} more"
    return f"service_id {service_id} is not a service the platform declared (declared: {declared})."


@referral_rule(
    "DTR-I004", Severity.ERROR, "A service_id that the platform did not declare", "DTR-1 §3"
)
def referral_services_declared(referral: Referral, ctx: RuleContext) -> Iterator[Finding]:
    for j, subject in enumerate(referral.subjects):
        if _undeclared_service(subject.service_id, ctx):
            yield Finding(f"/subjects/{j}/service_id", _undeclared_message(subject.service_id, ctx))
    for j, item in enumerate(referral.content_items):
        if _undeclared_service(item.service_id, ctx):
            yield Finding(
                f"/content_items/{j}/service_id", _undeclared_message(item.service_id, ctx)
            )


@removal_rule("DTR-I004")
def removal_service_declared(removal: Removal, ctx: RuleContext) -> Iterator[Finding]:
    if _undeclared_service(removal.service_id, ctx):
        yield Finding("/service_id", _undeclared_message(removal.service_id, ctx))


@referral_rule(
    "DTR-I005",
    Severity.ERROR,
    "A continuing or correction referral with no related_referral_ids",
    "DTR-1 §4",
)
def follow_up_names_its_origin(referral: Referral, ctx: RuleContext) -> Iterator[Finding]:
    if referral.referral_type is not ReferralType.INITIAL and not referral.related_referral_ids:
        yield Finding(
            "/related_referral_ids",
            f"Referral {referral.referral_id} is a {referral.referral_type.value} referral "
            "but names no earlier referral in related_referral_ids.",
        )


@submission_rule(
    "DTR-I006",
    Severity.ERROR,
    "amends_submission_id missing on an amendment, or present on an initial submission",
    "DTR-1 §3",
)
def amendment_names_what_it_amends(facts: SubmissionFacts, ctx: RuleContext) -> Iterator[Finding]:
    envelope = facts.envelope
    if envelope is None:
        return
    amends = envelope.amends_submission_id
    if envelope.submission_type is SubmissionType.AMENDMENT and amends is None:
        yield Finding(
            "/amends_submission_id",
            "This is an amendment but amends_submission_id does not say which submission "
            "it replaces.",
        )
    elif envelope.submission_type is SubmissionType.INITIAL and amends is not None:
        yield Finding(
            "/amends_submission_id",
            f"An initial submission must not amend another, but amends_submission_id is {amends}.",
        )


@referral_rule(
    "DTR-I007", Severity.ERROR, "A referral with neither subjects nor content items", "DTR-1 §4"
)
def referral_has_substance(referral: Referral, ctx: RuleContext) -> Iterator[Finding]:
    if not referral.subjects and not referral.content_items:
        yield Finding(
            "",
            f"Referral {referral.referral_id} has neither a subject nor a content item, "
            "so police would have nothing to act on.",
        )


@referral_rule(
    "DTR-I008",
    Severity.ERROR,
    "referred_at without referred_to, or referred_to without referred_at",
    "DTR-1 §4",
)
def referral_destination_consistent(referral: Referral, ctx: RuleContext) -> Iterator[Finding]:
    if referral.referred_at is not None and referral.referred_to is None:
        yield Finding(
            "/referred_to",
            f"Referral {referral.referral_id} has a referred_at time but does not say which "
            "authority received it (referred_to).",
        )
    elif referral.referred_to is not None and referral.referred_at is None:
        yield Finding(
            "/referred_at",
            f"Referral {referral.referral_id} names {referral.referred_to} in referred_to "
            "but has no referred_at time.",
        )
