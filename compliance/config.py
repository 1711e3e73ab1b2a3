"""The numbers of the rule set: deadlines, windows and thresholds (spec section 6).

They are defaults, defined once: a regime with other numbers passes another ``RuleConfig``
to the checker instead of editing a rule.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from types import MappingProxyType

from compliance.codes import Category, Priority

RULESET_VERSION = "DTR-1.1-rules.1"
"""Changes whenever a rule or a default below changes meaning; part of every manifest."""


@dataclass(frozen=True)
class RuleConfig:
    referral_deadlines: Mapping[Priority, timedelta] = field(
        default_factory=lambda: MappingProxyType(
            {
                Priority.THREAT_TO_LIFE: timedelta(hours=1),
                Priority.URGENT: timedelta(hours=24),
                Priority.ROUTINE: timedelta(days=7),
            }
        )
    )
    #: DTR-T008: a suspicion that took longer than this to form is flagged.
    slow_suspicion: timedelta = timedelta(days=30)
    #: DTR-P002: evidence is kept at least this many days after the last removal (Art. 6).
    preservation_days: int = 183
    #: DTR-D001: this many removals of one account within the window trigger the duty.
    duty_removals: int = 3
    duty_window: timedelta = timedelta(days=90)
    #: DTR-N001: a narrative shorter than this is too thin to act on.
    narrative_min_chars: int = 200
    #: DTR-S005: plausible age of a subject on generated_at.
    age_range: tuple[int, int] = (10, 120)
    #: DTR-C001: categories that can never be routine.
    never_routine: frozenset[Category] = frozenset(
        {Category.THREAT, Category.ATTACK_PLANNING, Category.ATTACK_FOOTAGE}
    )
    #: DTR-D002: categories whose removals must always be referred.
    always_referred: frozenset[Category] = frozenset({Category.THREAT, Category.ATTACK_PLANNING})
    #: Section 11: a quarter's return is due this long after the quarter ends (UTC).
    return_due_after: timedelta = timedelta(days=30)

    def deadline(self, priority: Priority) -> timedelta:
        return self.referral_deadlines[priority]

    def wording(self) -> dict[str, str | int]:
        """The numbers as rule titles print them: ``{duty_window}`` in a title becomes
        ``90 days``, so that no title says a number the rule set does not hold."""
        return {
            "slow_suspicion": _span_words(self.slow_suspicion),
            "preservation_days": self.preservation_days,
            "duty_removals": self.duty_removals,
            "duty_window": _span_words(self.duty_window),
            "narrative_min_chars": self.narrative_min_chars,
            "never_routine": _categories_words(self.never_routine),
            "always_referred": _categories_words(self.always_referred),
        }


def _span_words(span: timedelta) -> str:
    if span % timedelta(days=1) == timedelta(0):
        days = span.days
        return f"{days} day" + ("" if days == 1 else "s")
    whole_hours = span.total_seconds() / 3600
    return f"{whole_hours:g} hour" + ("" if whole_hours == 1 else "s")


def _categories_words(categories: frozenset[Category]) -> str:
    """``threat, attack_planning or attack_footage``, in the code list's order."""
    names = [category.value for category in Category if category in categories]
    if len(names) <= 1:
        return "".join(names)
    return ", ".join(names[:-1]) + " or " + names[-1]


DEFAULT_CONFIG = RuleConfig()
