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

RULESET_VERSION = "DTR-1.0-rules.1"
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

    def deadline(self, priority: Priority) -> timedelta:
        return self.referral_deadlines[priority]


DEFAULT_CONFIG = RuleConfig()
