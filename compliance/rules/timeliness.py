"""Timeliness: chronology, deadlines and the reporting period (DTR-T)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

from compliance.deadlines import Deadline, assess_deadline, has_deadline
from compliance.durations import describe_hours, format_timestamp
from compliance.issues import Severity
from compliance.model import Referral, Removal
from compliance.period import Period, quarter_label
from compliance.rules.registry import (
    Finding,
    RuleContext,
    SubmissionFacts,
    referral_rule,
    removal_rule,
    submission_rule,
)
from compliance.statuses import DeadlineState


@referral_rule(
    "DTR-T001",
    Severity.ERROR,
    "Content chronology broken: not posted_at <= detected_at <= removed_at",
    "DTR-1 §4.4",
)
def content_chronology(referral: Referral, ctx: RuleContext) -> Iterator[Finding]:
    for j, item in enumerate(referral.content_items):
        if item.posted_at > item.detected_at:
            yield Finding(
                f"/content_items/{j}/detected_at",
                f"Content item {item.content_id} was detected "
                f"({format_timestamp(item.detected_at)}) before it was posted "
                f"({format_timestamp(item.posted_at)}).",
            )
        elif item.removed_at is not None and item.detected_at > item.removed_at:
            yield Finding(
                f"/content_items/{j}/removed_at",
                f"Content item {item.content_id} was removed "
                f"({format_timestamp(item.removed_at)}) before it was detected "
                f"({format_timestamp(item.detected_at)}).",
            )


@referral_rule(
    "DTR-T002",
    Severity.ERROR,
    "Referral chronology broken: not detected_at <= suspicion_formed_at <= referred_at",
    "DTR-1 §4",
)
def referral_chronology(referral: Referral, ctx: RuleContext) -> Iterator[Finding]:
    if referral.detected_at > referral.suspicion_formed_at:
        yield Finding(
            "/suspicion_formed_at",
            f"Referral {referral.referral_id}: suspicion was formed "
            f"({format_timestamp(referral.suspicion_formed_at)}) before the material was "
            f"detected ({format_timestamp(referral.detected_at)}).",
        )
    elif referral.referred_at is not None and referral.suspicion_formed_at > referral.referred_at:
        yield Finding(
            "/referred_at",
            f"Referral {referral.referral_id} was referred "
            f"({format_timestamp(referral.referred_at)}) before suspicion was formed "
            f"({format_timestamp(referral.suspicion_formed_at)}).",
        )


@referral_rule(
    "DTR-T003",
    Severity.ERROR,
    "Referral detected_at later than the earliest detected_at of its content items",
    "DTR-1 §4",
)
def referral_detected_first(referral: Referral, ctx: RuleContext) -> Iterator[Finding]:
    if not referral.content_items:
        return
    earliest = min(item.detected_at for item in referral.content_items)
    if referral.detected_at > earliest:
        yield Finding(
            "/detected_at",
            f"Referral {referral.referral_id} says the material was first detected at "
            f"{format_timestamp(referral.detected_at)}, but one of its content items was "
            f"detected earlier, at {format_timestamp(earliest)}.",
        )


def _referral_timestamps(referral: Referral) -> Iterator[tuple[str, datetime]]:
    yield "/detected_at", referral.detected_at
    yield "/suspicion_formed_at", referral.suspicion_formed_at
    if referral.referred_at is not None:
        yield "/referred_at", referral.referred_at
    for j, subject in enumerate(referral.subjects):
        if subject.account_created_at is not None:
            yield f"/subjects/{j}/account_created_at", subject.account_created_at
        for k, event in enumerate(subject.ip_events):
            yield f"/subjects/{j}/ip_events/{k}/observed_at", event.observed_at
    for j, item in enumerate(referral.content_items):
        yield f"/content_items/{j}/posted_at", item.posted_at
        yield f"/content_items/{j}/detected_at", item.detected_at
        if item.removed_at is not None:
            yield f"/content_items/{j}/removed_at", item.removed_at
    if referral.preservation is not None:
        yield "/preservation/preserved_at", referral.preservation.preserved_at


def _future_message(moment: datetime, generated_at: datetime) -> str:
    return (
        f"{format_timestamp(moment)} is later than generated_at "
        f"({format_timestamp(generated_at)}), when the submission was produced."
    )


@referral_rule("DTR-T004", Severity.ERROR, "A timestamp later than generated_at", "DTR-1 §3")
def referral_not_in_future(referral: Referral, ctx: RuleContext) -> Iterator[Finding]:
    if ctx.generated_at is None:
        return
    for path, moment in _referral_timestamps(referral):
        if moment > ctx.generated_at:
            yield Finding(path, _future_message(moment, ctx.generated_at))


@removal_rule("DTR-T004")
def removal_not_in_future(removal: Removal, ctx: RuleContext) -> Iterator[Finding]:
    if ctx.generated_at is not None and removal.actioned_at > ctx.generated_at:
        yield Finding("/actioned_at", _future_message(removal.actioned_at, ctx.generated_at))


@submission_rule("DTR-T004")
def attestation_not_in_future(facts: SubmissionFacts, ctx: RuleContext) -> Iterator[Finding]:
    envelope = facts.envelope
    if envelope is None or envelope.attestation is None:
        return
    signed_at = envelope.attestation.signed_at
    if signed_at > envelope.generated_at:
        yield Finding("/attestation/signed_at", _future_message(signed_at, envelope.generated_at))


@referral_rule(
    "DTR-T005",
    Severity.BREACH,
    "Referred after its deadline (exactly on the deadline is in time)",
    "DTR-1 §6.1",
)
def referred_in_time(referral: Referral, ctx: RuleContext) -> Iterator[Finding]:
    deadline = _deadline(referral, ctx)
    if deadline is not None and deadline.state is DeadlineState.LATE and deadline.taken is not None:
        yield Finding(
            "/referred_at",
            f"Referral {referral.referral_id} ({referral.priority.value}) was referred "
            f"{describe_hours(deadline.taken)} after suspicion was formed; the deadline is "
            f"{describe_hours(deadline.allowed)}.",
        )


def _deadline(referral: Referral, ctx: RuleContext) -> Deadline | None:
    """The referral's deadline, or None for a correction, which has none of its own."""
    if not has_deadline(referral.referral_type):
        return None
    return assess_deadline(
        referral.priority,
        referral.suspicion_formed_at,
        referral.referred_at,
        ctx.generated_at,
        ctx.config,
    )


@referral_rule(
    "DTR-T006",
    Severity.BREACH,
    "Not referred, and the deadline passed before generated_at",
    "DTR-1 §6.1",
)
def unreferred_overdue(referral: Referral, ctx: RuleContext) -> Iterator[Finding]:
    deadline = _deadline(referral, ctx)
    if deadline is not None and deadline.state is DeadlineState.OVERDUE:
        yield Finding(
            "/referred_at",
            f"Referral {referral.referral_id} ({referral.priority.value}) has not been "
            f"referred, and its deadline passed at {format_timestamp(deadline.due)}.",
        )


@referral_rule(
    "DTR-T007",
    Severity.WARNING,
    "Not referred, deadline not yet passed at generated_at",
    "DTR-1 §6.1",
)
def unreferred_pending(referral: Referral, ctx: RuleContext) -> Iterator[Finding]:
    if ctx.generated_at is None:
        return
    deadline = _deadline(referral, ctx)
    if deadline is not None and deadline.state is DeadlineState.PENDING:
        yield Finding(
            "/referred_at",
            f"Referral {referral.referral_id} ({referral.priority.value}) has not been "
            f"referred yet; it must be by {format_timestamp(deadline.due)}.",
        )


@referral_rule(
    "DTR-T008",
    Severity.WARNING,
    "More than {slow_suspicion} from detected_at to suspicion_formed_at",
    "DTR-1 §6.2",
)
def suspicion_formed_promptly(referral: Referral, ctx: RuleContext) -> Iterator[Finding]:
    taken = referral.suspicion_formed_at - referral.detected_at
    if taken > ctx.config.slow_suspicion:
        yield Finding(
            "/suspicion_formed_at",
            f"Referral {referral.referral_id}: {taken.days} days passed between detection and "
            f"the decision that it was reportable (more than "
            f"{ctx.config.slow_suspicion.days} days).",
        )


def _outside_message(what: str, moment: datetime, period: Period) -> str:
    return (
        f"{what} belongs to {quarter_label(moment)} by its time "
        f"({format_timestamp(moment)}), not to this submission's period {period}."
    )


@referral_rule(
    "DTR-T009",
    Severity.ERROR,
    "Outside the period (a referral by referred_at, else suspicion_formed_at; "
    "a removal by actioned_at)",
    "DTR-1 §3, §6.2",
)
def referral_in_period(referral: Referral, ctx: RuleContext) -> Iterator[Finding]:
    if ctx.period is None:
        return
    if referral.referred_at is not None:
        path, moment = "/referred_at", referral.referred_at
    else:
        path, moment = "/suspicion_formed_at", referral.suspicion_formed_at
    if moment not in ctx.period:
        yield Finding(
            path, _outside_message(f"Referral {referral.referral_id}", moment, ctx.period)
        )


@removal_rule("DTR-T009")
def removal_in_period(removal: Removal, ctx: RuleContext) -> Iterator[Finding]:
    if ctx.period is not None and removal.actioned_at not in ctx.period:
        yield Finding(
            "/actioned_at",
            _outside_message(f"Removal {removal.action_id}", removal.actioned_at, ctx.period),
        )


@submission_rule(
    "DTR-T010",
    Severity.ERROR,
    "generated_at or attestation.signed_at before the period ends",
    "DTR-1 §3",
)
def filed_after_period(facts: SubmissionFacts, ctx: RuleContext) -> Iterator[Finding]:
    envelope = facts.envelope
    if envelope is None or ctx.period is None:
        return
    end = format_timestamp(ctx.period.end)
    if envelope.generated_at < ctx.period.end:
        yield Finding(
            "/generated_at",
            f"The submission was generated at {format_timestamp(envelope.generated_at)}, "
            f"before period {ctx.period} ended ({end}).",
        )
    if envelope.attestation is not None and envelope.attestation.signed_at < ctx.period.end:
        yield Finding(
            "/attestation/signed_at",
            f"The attestation was signed at {format_timestamp(envelope.attestation.signed_at)}, "
            f"before period {ctx.period} ended ({end}).",
        )
