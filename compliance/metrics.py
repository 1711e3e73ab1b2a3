"""The figures of a return and of the sector report (DTR-1 7.4): one table, one computation.

:data:`METRICS` is the only list of figures. Each row carries its name, the words every
output prints for it, its kind and rounding, the family the sector report files it under,
how a receiver derives it from a return's rows, and the function that computes it.
:func:`compute_figures` is the only code that computes them, from row facts that every side
can build: the platform's return view from its submission, ``receive`` from a return's rows
(to check the Summary it was sent), and the sector roll-up from the pooled rows of many
returns (counts are counted and medians are medians of the pooled rows, never averaged).

Adding a figure is adding a row here: the Summary sheet, the return PDF, ``receive``'s check,
the sector sheets and PDF, and the batch summary all follow from this table.
"""

from __future__ import annotations

import statistics
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from functools import cached_property
from types import MappingProxyType

from compliance.codes import Category, Priority
from compliance.deadlines import has_deadline
from compliance.durations import hours
from compliance.issues import Severity

MetricValue = int | float | None


class MetricKind(StrEnum):
    """What a figure is: how it is typed in a workbook and how closely a receiver compares it."""

    COUNT = "count"
    HOURS = "hours"
    SHARE = "share"


class Family(StrEnum):
    """The sheet of the sector report that shows a figure."""

    REFERRALS = "Referrals"
    TIMELINESS = "Timeliness"
    REMOVALS = "Removals"
    VALIDATION = "Validation"


DUTY_CODE = "DTR-D001"
"""The rule whose reports are the accounts with a duty to refer that were not referred."""


@dataclass(frozen=True, slots=True)
class ReferralFacts:
    """What the figures need of one referral: a row of the return's Referrals sheet."""

    referral_id: str
    referral_type: str
    priority: str
    categories: tuple[str, ...]
    """Category codes (TC01..TC09)."""
    suspicion_formed_at: datetime
    referred_at: datetime | None
    deadline_met: bool | None
    """As :func:`compliance.deadlines.assess_deadline` judges it; empty for a correction."""

    @property
    def timed(self) -> bool:
        """Whether the timing figures count it (a correction has no timing of its own)."""
        return has_deadline(self.referral_type)

    @property
    def hours_to_referral(self) -> float | None:
        """Exact hours from suspicion to referral, from the timestamps (not a rounded cell)."""
        if self.referred_at is None:
            return None
        return hours(self.referred_at - self.suspicion_formed_at)


@dataclass(frozen=True, slots=True)
class RemovalFacts:
    """What the figures need of one moderation-log row."""

    category: str
    referred: bool
    """Whether its ``referral_id`` names a referral of the return."""


@dataclass(frozen=True, slots=True)
class IssueFacts:
    """What the figures need of one validation issue."""

    code: str
    severity: str


class Tally:
    """The row facts of one return, or of many pooled, counted once for every figure."""

    def __init__(
        self,
        referrals: Sequence[ReferralFacts],
        content_items: int,
        removals: Sequence[RemovalFacts],
        issues: Iterable[IssueFacts],
        returns_not_filing_ready: int,
    ) -> None:
        self.referrals = referrals
        self.content_items = content_items
        self.removals = removals
        self.issues = list(issues)
        self.returns_not_filing_ready = returns_not_filing_ready

    @cached_property
    def timed(self) -> list[ReferralFacts]:
        """The referrals the timing figures judge: every one but corrections."""
        return [row for row in self.referrals if row.timed]

    @cached_property
    def referred(self) -> list[ReferralFacts]:
        """Timed referrals that were made."""
        return [row for row in self.timed if row.referred_at is not None]

    @cached_property
    def on_time(self) -> int:
        return sum(1 for row in self.referred if row.deadline_met is True)

    @cached_property
    def by_priority(self) -> Counter[str]:
        return Counter(str(row.priority) for row in self.referrals)

    @cached_property
    def removals_referred(self) -> int:
        return sum(1 for row in self.removals if row.referred)

    @cached_property
    def by_severity(self) -> Counter[str]:
        return Counter(str(issue.severity) for issue in self.issues)

    def hours_taken(self, priority: Priority | None = None) -> list[float]:
        return [
            taken
            for row in self.referred
            if priority is None or row.priority == priority
            if (taken := row.hours_to_referral) is not None
        ]

    def median_hours(self, priority: Priority | None = None) -> float | None:
        taken = self.hours_taken(priority)
        return statistics.median(taken) if taken else None

    def share(self, part: int, whole: int) -> float | None:
        return part / whole if whole else None


@dataclass(frozen=True)
class MetricDefinition:
    """One figure: what it is called, how it is shown, and how it is computed."""

    name: str
    """The machine name: the Summary sheet's row, the sector sheets' column."""
    label: str
    """Printed beside the value in a return PDF, of one submission."""
    heading: str
    """A narrow column heading in the sector report's printed tables."""
    kind: MetricKind
    family: Family
    source: str
    """How the figure follows from a return's rows, quoted when ``receive`` finds it disagrees."""
    compute: Callable[[Tally], float | int | None]
    """The exact value, from the tally of the rows."""
    in_summary: bool = True
    """A metric of DTR-1 7.4, in the return's Summary sheet; otherwise a figure the sector
    report adds."""
    sector_label: str | None = None
    """The wording over many returns, where :attr:`label` speaks of one submission."""

    @property
    def digits(self) -> int | None:
        """Decimal places it is rounded to, as DTR-1 7.4 says; counts are whole."""
        return _DIGITS[self.kind]

    @property
    def tolerance(self) -> float:
        return tolerance(self.kind)

    @property
    def report_label(self) -> str:
        """Printed beside the value in the sector report, over many returns."""
        return self.sector_label or self.label

    def rounded(self, exact: float | int | None) -> MetricValue:
        if exact is None or self.digits is None:
            return exact
        return round(exact, self.digits)


_DIGITS: Mapping[MetricKind, int | None] = MappingProxyType(
    {MetricKind.COUNT: None, MetricKind.HOURS: 2, MetricKind.SHARE: 4}
)
_SLACK: Mapping[MetricKind, float] = MappingProxyType(
    {MetricKind.COUNT: 0.0, MetricKind.HOURS: 1e-6, MetricKind.SHARE: 1e-9}
)


def tolerance(kind: MetricKind) -> float:
    """How far a stated rounded value may lie from the exact one: half a unit of its last
    digit, plus room for millisecond timestamps held in a spreadsheet's floating point."""
    digits = _DIGITS[kind]
    if digits is None:
        return 0.0
    return 0.5 * 10.0**-digits + _SLACK[kind]


def _priority_count(priority: Priority) -> MetricDefinition:
    words = priority.value.replace("_", " ")
    return MetricDefinition(
        f"referrals_{priority.value}",
        f"Referrals of priority {words}",
        words,
        MetricKind.COUNT,
        Family.REFERRALS,
        f"Referrals rows of priority {priority.value}",
        lambda tally: tally.by_priority[priority.value],
    )


def _priority_median(priority: Priority) -> MetricDefinition:
    words = priority.value.replace("_", " ")
    return MetricDefinition(
        f"median_hours_{priority.value}",
        f"Median hours from suspicion to referral, priority {words}",
        f"median h, {words}",
        MetricKind.HOURS,
        Family.TIMELINESS,
        f"median of referred_at - suspicion_formed_at over the Referrals rows of priority "
        f"{priority.value}, to 2 decimals",
        lambda tally: tally.median_hours(priority),
        in_summary=False,
    )


METRICS: tuple[MetricDefinition, ...] = (
    MetricDefinition(
        "referrals_total",
        "Referrals in the submission",
        "referrals",
        MetricKind.COUNT,
        Family.REFERRALS,
        "rows of the Referrals sheet",
        lambda tally: len(tally.referrals),
        sector_label="Referrals in the returns used",
    ),
    *(_priority_count(priority) for priority in Priority),
    MetricDefinition(
        "referrals_referred",
        "Referrals referred",
        "referred",
        MetricKind.COUNT,
        Family.TIMELINESS,
        "Referrals rows with referred_at, corrections aside",
        lambda tally: len(tally.referred),
        in_summary=False,
    ),
    MetricDefinition(
        "referrals_on_time",
        "Referred within the deadline",
        "on time",
        MetricKind.COUNT,
        Family.TIMELINESS,
        "Referrals rows with deadline_met TRUE",
        lambda tally: tally.on_time,
    ),
    MetricDefinition(
        "referrals_late",
        "Referred after the deadline",
        "late",
        MetricKind.COUNT,
        Family.TIMELINESS,
        "Referrals rows with referred_at and deadline_met FALSE",
        lambda tally: len(tally.referred) - tally.on_time,
    ),
    MetricDefinition(
        "referrals_outstanding",
        "Not yet referred",
        "not yet referred",
        MetricKind.COUNT,
        Family.TIMELINESS,
        "Referrals rows without referred_at, corrections aside",
        lambda tally: len(tally.timed) - len(tally.referred),
    ),
    MetricDefinition(
        "on_time_share",
        "Share of referred referrals that were on time",
        "share on time",
        MetricKind.SHARE,
        Family.TIMELINESS,
        "referrals_on_time / referrals referred, to 4 decimals",
        lambda tally: tally.share(tally.on_time, len(tally.referred)),
        in_summary=False,
    ),
    MetricDefinition(
        "median_hours_to_referral",
        "Median hours from suspicion to referral",
        "median hours",
        MetricKind.HOURS,
        Family.TIMELINESS,
        "median of referred_at - suspicion_formed_at over the Referrals rows, corrections "
        "aside, to 2 decimals",
        lambda tally: tally.median_hours(),
    ),
    *(_priority_median(priority) for priority in Priority),
    MetricDefinition(
        "content_items_total",
        "Content items referred",
        "content items",
        MetricKind.COUNT,
        Family.REFERRALS,
        "rows of the Content sheet",
        lambda tally: tally.content_items,
    ),
    MetricDefinition(
        "removals_total",
        "Removals in the moderation log",
        "removals",
        MetricKind.COUNT,
        Family.REMOVALS,
        "rows of the Removals sheet",
        lambda tally: len(tally.removals),
        sector_label="Removals in the returns' moderation logs",
    ),
    MetricDefinition(
        "removals_referred",
        "Removals covered by a referral",
        "referred",
        MetricKind.COUNT,
        Family.REMOVALS,
        "Removals rows with referred TRUE",
        lambda tally: tally.removals_referred,
    ),
    MetricDefinition(
        "removals_not_referred",
        "Removals covered by no referral",
        "not referred",
        MetricKind.COUNT,
        Family.REMOVALS,
        "Removals rows with referred FALSE",
        lambda tally: len(tally.removals) - tally.removals_referred,
        in_summary=False,
    ),
    MetricDefinition(
        "removals_referred_ratio",
        "Share of removals referred",
        "share referred",
        MetricKind.SHARE,
        Family.REMOVALS,
        "removals_referred / removals_total, to 4 decimals",
        lambda tally: tally.share(tally.removals_referred, len(tally.removals)),
    ),
    MetricDefinition(
        "accounts_duty_triggered_unreferred",
        "Accounts with a duty to refer, not referred (DTR-D001)",
        "accounts with a duty, unreferred (D001)",
        MetricKind.COUNT,
        Family.REMOVALS,
        "DTR-D001 rows of the Validation sheet",
        lambda tally: sum(1 for issue in tally.issues if issue.code == DUTY_CODE),
        sector_label="Accounts with a duty to refer, not referred (DTR-D001), per return, summed",
    ),
    MetricDefinition(
        "returns_not_filing_ready",
        "Returns not filing-ready",
        "returns not filing-ready",
        MetricKind.COUNT,
        Family.VALIDATION,
        "returns whose Cover states filing_ready FALSE",
        lambda tally: tally.returns_not_filing_ready,
        in_summary=False,
    ),
    MetricDefinition(
        "issues_error",
        "Validation issues: fatal and error",
        "fatal and error issues",
        MetricKind.COUNT,
        Family.VALIDATION,
        "fatal and error rows of the Validation sheet",
        lambda tally: tally.by_severity[Severity.FATAL] + tally.by_severity[Severity.ERROR],
        sector_label="Validation issues of the returns: fatal and error",
    ),
    MetricDefinition(
        "issues_breach",
        "Breaches of the duty disclosed",
        "breaches",
        MetricKind.COUNT,
        Family.VALIDATION,
        "breach rows of the Validation sheet",
        lambda tally: tally.by_severity[Severity.BREACH],
        sector_label="Breaches of the duty disclosed in the returns",
    ),
    MetricDefinition(
        "issues_warning",
        "Validation issues: warning",
        "warnings",
        MetricKind.COUNT,
        Family.VALIDATION,
        "warning rows of the Validation sheet",
        lambda tally: tally.by_severity[Severity.WARNING],
        sector_label="Validation issues of the returns: warning",
    ),
)

METRIC_BY_NAME: Mapping[str, MetricDefinition] = MappingProxyType({m.name: m for m in METRICS})
SUMMARY_METRICS: tuple[MetricDefinition, ...] = tuple(m for m in METRICS if m.in_summary)
METRIC_NAMES: tuple[str, ...] = tuple(m.name for m in SUMMARY_METRICS)
"""The Summary sheet's metrics, in the order of DTR-1 7.4."""
FAMILIES: Mapping[Family, tuple[str, ...]] = MappingProxyType(
    {family: tuple(m.name for m in METRICS if m.family is family) for family in Family}
)
"""Each sector family's figures, in the table's order."""


@dataclass(frozen=True)
class Figures:
    """Every figure of :data:`METRICS` for a set of rows, rounded as defined, with the exact
    values behind the rounded ones (a receiver compares a stated figure with those)."""

    values: Mapping[str, MetricValue]
    exact: Mapping[str, float | int | None]
    referrals_by_category: tuple[tuple[str, int], ...]
    """How many referrals carry each category code, in the code list's order."""

    def metric(self, name: str) -> MetricValue:
        return self.values[name]

    def count(self, name: str) -> int:
        """A count figure as a whole number (a count is never empty)."""
        return int(self.values[name] or 0)

    @property
    def median_hours_by_priority(self) -> tuple[tuple[str, MetricValue], ...]:
        return tuple((p.value, self.values[f"median_hours_{p.value}"]) for p in Priority)

    @property
    def summary(self) -> tuple[tuple[str, MetricValue], ...]:
        """The Summary sheet: the metrics of DTR-1 7.4, in order."""
        return tuple((name, self.values[name]) for name in METRIC_NAMES)

    def agrees(self, name: str, stated: MetricValue) -> bool:
        """Whether a stated value is this figure, to its rounding."""
        exact = self.exact[name]
        definition = METRIC_BY_NAME[name]
        if definition.digits is None or exact is None or stated is None:
            return stated == self.values[name]
        return abs(stated - exact) <= definition.tolerance


def compute_figures(
    referrals: Sequence[ReferralFacts],
    content_items: int,
    removals: Sequence[RemovalFacts],
    issues: Iterable[IssueFacts],
    *,
    returns_not_filing_ready: int = 0,
) -> Figures:
    """Every figure from the rows of one return, or of many pooled."""
    tally = Tally(referrals, content_items, removals, issues, returns_not_filing_ready)
    exact = {definition.name: definition.compute(tally) for definition in METRICS}
    values = {definition.name: definition.rounded(exact[definition.name]) for definition in METRICS}
    category_counts = Counter(code for row in referrals for code in row.categories)
    return Figures(
        values=MappingProxyType(values),
        exact=MappingProxyType(exact),
        referrals_by_category=tuple(
            (category.code, category_counts[category.code]) for category in Category
        ),
    )
