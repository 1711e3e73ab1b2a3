"""Categorisation: priority must match the gravity of the categories (DTR-C)."""

from __future__ import annotations

from collections.abc import Iterator

from compliance.codes import Priority
from compliance.issues import Severity
from compliance.model import Referral
from compliance.rules.registry import Finding, RuleContext, referral_rule


@referral_rule(
    "DTR-C001",
    Severity.ERROR,
    "Category {never_routine} with priority routine",
    "DTR-1 §4.1, §6.1; Reg. 2021/784 Art. 14(5)",
)
def grave_categories_not_routine(referral: Referral, ctx: RuleContext) -> Iterator[Finding]:
    if referral.priority is not Priority.ROUTINE:
        return
    grave = [c for c in referral.categories if c in ctx.config.never_routine]
    if grave:
        names = ", ".join(f"{c.value} ({c.code})" for c in grave)
        yield Finding(
            "/priority",
            f"Referral {referral.referral_id} is routine but its categories include {names}, "
            "which call for urgent or threat-to-life priority.",
        )
