"""Does a well-formed return agree with itself? Its metrics, derived columns and Cover.

Every Summary metric is recomputed from the rows (:func:`compliance.metrics.compute_figures`)
and compared with what the return states; so are the columns each row derives from its own
timestamps (``hours_to_referral``, ``deadline_met``, ``hours_online``), the per-referral content
counts, the ``referred`` flag of each removal and the Cover's ``filing_ready``. A metric edited by
hand, or a row deleted without the Summary following, is caught here, at the cell that says it.

Rounded figures are compared with the exact value they round: a median stated to 2 decimals
must lie within half a hundredth of the median of the exact durations. That accepts every
return the project writes and rejects any edit of a visible digit.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import fields
from datetime import datetime
from typing import Any, TypeVar

from compliance.config import DEFAULT_CONFIG, RuleConfig
from compliance.deadlines import Deadline, assess_deadline, has_deadline
from compliance.durations import hours
from compliance.metrics import (
    METRIC_BY_NAME,
    METRIC_NAMES,
    Figures,
    IssueFacts,
    MetricKind,
    MetricValue,
    ReferralFacts,
    RemovalFacts,
    compute_figures,
    tolerance,
)
from compliance.regulator import reason_codes
from compliance.regulator.layout import LEGACY_STANDARD
from compliance.regulator.model import Cover, ReceivedReturn
from compliance.regulator.reasons import Reason
from compliance.regulator.structure import ParsedReturn, Table
from compliance.statuses import DeadlineState

Row = TypeVar("Row")

HOURS_TOLERANCE = tolerance(MetricKind.HOURS)
"""How far a stated hours cell (to 2 decimals) may lie from the exact hours: as an hours metric."""


def _show(value: MetricValue) -> str:
    return "nothing" if value is None else repr(value)


def _from_record(kind: type[Row], record: Mapping[str, Any]) -> Row:
    """A row object from a header -> value mapping: its fields are the standard's column names
    (the parser has already checked that every one is there, with its type)."""
    return kind(**{field.name: record[field.name] for field in fields(kind)})  # type: ignore[arg-type]


class _Checker:
    def __init__(self, parsed: ParsedReturn, config: RuleConfig) -> None:
        self.parsed = parsed
        self.config = config
        self.reasons: list[Reason] = []

    def row_reason(self, table: Table, index: int, column: str, message: str) -> None:
        sheet, row = table.places[index]
        self.reasons.append(
            Reason(
                reason_codes.ROW_DISAGREES,
                message,
                sheet=sheet,
                row=row,
                column=table.letter(column),
                header=column,
            )
        )

    # ------------------------------------------------------------------------ rows

    def referrals(self) -> list[ReferralFacts]:
        table = self.parsed.tables["Referrals"]
        rows = []
        for index, values in enumerate(table.rows):
            record = dict(zip(table.header, values, strict=True))
            rows.append(self._referral_row(table, index, record))
        return rows

    def _referral_row(self, table: Table, index: int, record: dict[str, Any]) -> ReferralFacts:
        """The row's facts, its deadline judged again; says where its derived cells disagree."""
        deadline = assess_deadline(
            record["priority"],
            record["suspicion_formed_at"],
            record["referred_at"],
            self.parsed.cover.values["generated_at"],
            self.config,
        )
        row = ReferralFacts(
            referral_id=record["referral_id"],
            referral_type=record["referral_type"],
            priority=record["priority"],
            categories=record["categories"],
            suspicion_formed_at=record["suspicion_formed_at"],
            referred_at=record["referred_at"],
            deadline_met=self._deadline_met(record["referral_type"], deadline),
        )
        taken = row.hours_to_referral
        stated = record["hours_to_referral"]
        if taken is None and stated is not None:
            self.row_reason(
                table, index, "hours_to_referral", "is filled, but the referral has no referred_at"
            )
        elif taken is not None and (stated is None or abs(stated - taken) > HOURS_TOLERANCE):
            self.row_reason(
                table,
                index,
                "hours_to_referral",
                f"states {_show(stated)}, but referred_at - suspicion_formed_at is "
                f"{round(taken, 2)!r} hours",
            )
        if record["deadline_met"] is not row.deadline_met:
            self.row_reason(
                table,
                index,
                "deadline_met",
                f"states {_show(record['deadline_met'])}, but "
                + _deadline_words(row, deadline, self.parsed.standard),
            )
        return row

    def _deadline_met(self, referral_type: str, deadline: Deadline) -> bool | None:
        """The ``deadline_met`` the return's standard asks for: under 1.1, FALSE once an
        unreferred deadline has passed and empty for a correction; under 1.0, empty until
        referred, and corrections judged like any referral."""
        if self.parsed.standard == LEGACY_STANDARD:
            return deadline.met if deadline.referred else None
        return deadline.met if has_deadline(referral_type) else None

    def content(self, referrals: list[ReferralFacts]) -> int:
        table = self.parsed.tables["Content"]
        referral_ids = {row.referral_id for row in referrals}
        per_referral: Counter[str] = Counter()
        for index, values in enumerate(table.rows):
            record = dict(zip(table.header, values, strict=True))
            per_referral[record["referral_id"]] += 1
            if record["referral_id"] not in referral_ids:
                self.row_reason(
                    table, index, "referral_id", "names no referral of the Referrals sheet"
                )
            removed: datetime | None = record["removed_at"]
            stated = record["hours_online"]
            if removed is None:
                if stated is not None:
                    self.row_reason(
                        table, index, "hours_online", "is filled, but the item has no removed_at"
                    )
                continue
            online = hours(removed - record["posted_at"])
            if stated is None or abs(stated - online) > HOURS_TOLERANCE:
                self.row_reason(
                    table,
                    index,
                    "hours_online",
                    f"states {_show(stated)}, but removed_at - posted_at is "
                    f"{round(online, 2)!r} hours",
                )
        referrals_table = self.parsed.tables["Referrals"]
        stated_counts: Counter[str] = Counter()
        first_row: dict[str, int] = {}
        for index, values in enumerate(referrals_table.rows):
            record = dict(zip(referrals_table.header, values, strict=True))
            stated_counts[record["referral_id"]] += record["content_item_count"]
            first_row.setdefault(record["referral_id"], index)
        for referral_id, index in first_row.items():
            if stated_counts[referral_id] != per_referral[referral_id]:
                self.row_reason(
                    referrals_table,
                    index,
                    "content_item_count",
                    f"states {stated_counts[referral_id]}, but the Content sheet has "
                    f"{per_referral[referral_id]} row(s) of this referral",
                )
        return len(table.rows)

    def removals(self, referrals: list[ReferralFacts]) -> list[RemovalFacts]:
        table = self.parsed.tables["Removals"]
        referral_ids = {row.referral_id for row in referrals}
        rows = []
        for index, values in enumerate(table.rows):
            record = dict(zip(table.header, values, strict=True))
            names_one = record["referral_id"] is not None and record["referral_id"] in referral_ids
            if record["referred"] is not names_one:
                self.row_reason(
                    table,
                    index,
                    "referred",
                    f"states {_show(record['referred'])}, but the row's referral_id "
                    + ("names a referral of the return" if names_one else "names none")
                    + " (DTR-1 7.4: referred means it names a referral of the submission)",
                )
            rows.append(RemovalFacts(record["category"], record["referred"]))
        return rows

    def issues(self) -> list[IssueFacts]:
        table = self.parsed.tables["Validation"]
        code, severity = table.column("code"), table.column("severity")
        return [IssueFacts(values[code], values[severity]) for values in table.rows]

    # ------------------------------------------------------------------------ metrics

    def metrics(self, computed: Figures) -> None:
        summary = self.parsed.summary
        for name in summary.values:
            stated = summary.values[name]
            if not computed.agrees(name, stated):
                self.reasons.append(
                    Reason(
                        reason_codes.METRIC_DISAGREES,
                        f"states {_show(stated)}, but the return's rows give "
                        f"{_show(computed.metric(name))} ({METRIC_BY_NAME[name].source})",
                        sheet="Summary",
                        row=summary.rows[name],
                        column="B",
                        header=name,
                    )
                )

    def cover(self, computed: Figures) -> Cover:
        values = {"standard_version": self.parsed.standard, **self.parsed.cover.values}
        cover = _from_record(Cover, values)
        rows = self.parsed.cover.rows
        errors = computed.metric("issues_error")
        if cover.filing_ready != (errors == 0):
            self.reasons.append(
                Reason(
                    reason_codes.FILING_READY_DISAGREES,
                    f"states {_show(cover.filing_ready)}, but the Validation sheet has "
                    f"{errors} fatal or error issue(s)",
                    sheet="Cover",
                    row=rows["filing_ready"],
                    column="B",
                    header="filing_ready",
                )
            )
        amends = cover.amends_submission_id
        if cover.submission_type == "amendment" and amends is None:
            message = "is empty, but an amendment must name the return it amends (DTR-I006)"
        elif cover.submission_type == "initial" and amends is not None:
            message = "is filled, but an initial return amends nothing (DTR-I006)"
        elif amends is not None and amends == cover.submission_id:
            message = "names the return itself"
        else:
            message = ""
        if message:
            self.reasons.append(
                Reason(
                    reason_codes.AMENDS_CONTRADICTS,
                    message,
                    sheet="Cover",
                    row=rows["amends_submission_id"],
                    column="B",
                    header="amends_submission_id",
                )
            )
        return cover


def _deadline_words(row: ReferralFacts, deadline: Deadline, standard: str) -> str:
    allowed = f"the {hours(deadline.allowed):g}-hour deadline of priority {row.priority}"
    if standard != LEGACY_STANDARD and not has_deadline(row.referral_type):
        return "a correction has no deadline of its own (DTR-1.1 6.2): the cell stays empty"
    taken = row.hours_to_referral
    if taken is not None:
        verdict = "in time" if deadline.state is DeadlineState.MET else "late"
        return f"{round(taken, 2)!r} hours against {allowed} is {verdict}"
    if row.deadline_met is False:
        return f"the referral was not made, and {allowed} had passed at generated_at"
    return f"the referral was not made, and {allowed} was still ahead at generated_at"


def check_consistency(
    parsed: ParsedReturn, config: RuleConfig = DEFAULT_CONFIG
) -> tuple[ReceivedReturn, list[Reason]]:
    """The return as typed facts, and every way it disagrees with itself (none: consistent).

    ``parsed`` must be well-formed (no structure reasons): every sheet, header and cell typed.
    """
    checker = _Checker(parsed, config)
    referrals = checker.referrals()
    content_items = checker.content(referrals)
    removals = checker.removals(referrals)
    issues = checker.issues()
    computed = compute_figures(referrals, content_items, removals, issues)
    checker.metrics(computed)
    cover = checker.cover(computed)
    received = ReceivedReturn(
        cover=cover,
        # A 1.0 return states 15 metrics; the 16th is what its rows give (no breach in 1.0).
        metrics=tuple(
            (name, parsed.summary.values.get(name, computed.metric(name))) for name in METRIC_NAMES
        ),
        referrals=tuple(referrals),
        content_items=content_items,
        removals=tuple(removals),
        issues=tuple(issues),
    )
    return received, checker.reasons
