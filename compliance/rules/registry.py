"""The rule registry: every DTR code, with its severity, title and reference, defined once.

Business rules are small functions registered with :func:`referral_rule`,
:func:`removal_rule` or :func:`submission_rule`; they yield :class:`Finding` objects and
know nothing of severities or paths outside their own object, which the engine adds.
Structural codes (``DTR-S``) have no function: pydantic finds them, and they are registered
with :func:`structural_code` so that the catalogue is complete.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal, TypeVar

from compliance.config import DEFAULT_CONFIG, RuleConfig
from compliance.issues import Severity
from compliance.model import Referral, Removal, SubmissionEnvelope
from compliance.period import Period

Scope = Literal["referral", "removal", "submission"]


@dataclass(frozen=True, slots=True)
class Finding:
    """One problem found by a rule: a JSON Pointer and a plain-English sentence.

    For referral and removal rules the path is relative to that object ("" is the object);
    for submission rules it is absolute.
    """

    path: str
    message: str
    referral_id: str | None = None


@dataclass(frozen=True)
class RuleContext:
    """What rules may know beyond the object they check; ``None`` where it is unreadable."""

    config: RuleConfig
    generated_at: datetime | None
    period: Period | None
    service_ids: frozenset[str] | None


@dataclass
class SubmissionFacts:
    """What submission-wide rules see: the readable parts plus ids salvaged from the rest.

    Ids are salvaged from unreadable referrals so that one broken referral does not turn
    every removal that points at it into a second, false issue.
    """

    raw: dict[str, Any]
    envelope: SubmissionEnvelope | None
    referrals: list[tuple[int, Referral]]
    removals: list[tuple[int, Removal]]
    referral_ids: list[tuple[int, str]] = field(default_factory=list)
    subject_accounts: set[tuple[str, str]] = field(default_factory=set)
    """(service_id, account_id) of every subject of a referral, readable or not."""
    action_ids: list[tuple[int, str]] = field(default_factory=list)


ReferralCheck = Callable[[Referral, RuleContext], Iterable[Finding]]
RemovalCheck = Callable[[Removal, RuleContext], Iterable[Finding]]
SubmissionCheck = Callable[[SubmissionFacts, RuleContext], Iterable[Finding]]


@dataclass(frozen=True)
class Rule:
    """A catalogue entry: one DTR code, whatever number of checks find it.

    The title is a template: a number of the rule set is written ``{duty_window}`` (the names
    are :meth:`RuleConfig.wording`'s), so the catalogue says what the configured rules do.
    """

    code: str
    severity: Severity
    title_template: str
    reference: str

    @property
    def family(self) -> str:
        return self.code[4]

    def title_for(self, config: RuleConfig = DEFAULT_CONFIG) -> str:
        return self.title_template.format(**config.wording())

    @property
    def title(self) -> str:
        """The title under the default rule set."""
        return self.title_for(DEFAULT_CONFIG)

    def to_json(self, config: RuleConfig = DEFAULT_CONFIG) -> dict[str, str]:
        return {
            "code": self.code,
            "severity": self.severity.value,
            "title": self.title_for(config),
            "reference": self.reference,
        }


@dataclass(frozen=True)
class Check:
    """A function that finds one code's issues in one kind of object."""

    rule: Rule
    scope: Scope
    function: Callable[..., Iterable[Finding]]


RULES: dict[str, Rule] = {}
"""Every registered code, in catalogue order once :mod:`compliance.rules` is imported."""

CHECKS: list[Check] = []


def _rule(code: str, severity: Severity | None, title: str | None, reference: str | None) -> Rule:
    """The catalogue entry for ``code``: created on first use, reused (and never redefined)."""
    existing = RULES.get(code)
    if existing is None:
        if severity is None or title is None or reference is None:
            raise ValueError(f"{code} must be registered with severity, title and reference first")
        RULES[code] = existing = Rule(code, severity, title, reference)
    elif severity is not None and (severity, title, reference) != (
        existing.severity,
        existing.title_template,
        existing.reference,
    ):
        raise ValueError(f"{code} is registered twice with different definitions")
    return existing


def structural_code(code: str, severity: Severity, title: str, reference: str) -> None:
    _rule(code, severity, title, reference)


CheckFunction = TypeVar("CheckFunction", bound=Callable[..., Iterable[Finding]])


def _decorator(
    scope: Scope,
    code: str,
    severity: Severity | None,
    title: str | None,
    reference: str | None,
) -> Callable[[CheckFunction], CheckFunction]:
    rule = _rule(code, severity, title, reference)

    def register(function: CheckFunction) -> CheckFunction:
        CHECKS.append(Check(rule, scope, function))
        return function

    return register


def referral_rule(
    code: str,
    severity: Severity | None = None,
    title: str | None = None,
    reference: str | None = None,
) -> Callable[[CheckFunction], CheckFunction]:
    """Register a check run on each readable referral; paths are relative to the referral."""
    return _decorator("referral", code, severity, title, reference)


def removal_rule(
    code: str,
    severity: Severity | None = None,
    title: str | None = None,
    reference: str | None = None,
) -> Callable[[CheckFunction], CheckFunction]:
    """Register a check run on each readable moderation-log row; paths relative to the row."""
    return _decorator("removal", code, severity, title, reference)


def submission_rule(
    code: str,
    severity: Severity | None = None,
    title: str | None = None,
    reference: str | None = None,
) -> Callable[[CheckFunction], CheckFunction]:
    """Register a check run once over the whole submission; paths are absolute."""
    return _decorator("submission", code, severity, title, reference)


def checks_of_scope(scope: Scope) -> list[Check]:
    return [check for check in CHECKS if check.scope == scope]
