"""Does a well-formed return agree with itself? Its metrics, derived columns and Cover.

Every Summary metric is recomputed from the rows (:func:`compliance.regulator.rollup.figures`)
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

from compliance.codes import Priority
from compliance.config import DEFAULT_CONFIG, RuleConfig
from compliance.durations import hours
from compliance.figures import METRIC_NAMES
from compliance.regulator import reason_codes
from compliance.regulator.model import (
    Cover,
    IssueRow,
    MetricValue,
    ReceivedReturn,
    ReferralRow,
    RemovalRow,
)
from compliance.regulator.reasons import Reason
from compliance.regulator.rollup import Figures, figures
from compliance.regulator.structure import ParsedReturn, Table

Row = TypeVar("Row")

HOURS_TOLERANCE = 0.005 + 1e-6
"""Half a unit of the second decimal, plus room for millisecond timestamps in a spreadsheet."""
RATIO_TOLERANCE = 0.00005 + 1e-9


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

    def referrals(self) -> list[ReferralRow]:
        table = self.parsed.tables["Referrals"]
        rows = []
        for index, values in enumerate(table.rows):
            record = dict(zip(table.header, values, strict=True))
            row = _from_record(ReferralRow, record)
            rows.append(row)
            self._referral_row(table, index, record, row)
        return rows

    def _referral_row(
        self, table: Table, index: int, record: dict[str, Any], row: ReferralRow
    ) -> None:
        taken = row.hours_to_referral
        if taken is None:
            for column in ("hours_to_referral", "deadline_met"):
                if record[column] is not None:
                    self.row_reason(
                        table, index, column, "is filled, but the referral has no referred_at"
                    )
            return
        stated = record["hours_to_referral"]
        if stated is None or abs(stated - taken) > HOURS_TOLERANCE:
            self.row_reason(
                table,
                index,
                "hours_to_referral",
                f"states {_show(stated)}, but referred_at - suspicion_formed_at is "
                f"{round(taken, 2)!r} hours",
            )
        assert row.referred_at is not None
        met = row.referred_at - row.suspicion_formed_at <= self.config.deadline(
            Priority(row.priority)
        )
        if record["deadline_met"] is not met:
            allowed = hours(self.config.deadline(Priority(row.priority)))
            self.row_reason(
                table,
                index,
                "deadline_met",
                f"states {_show(record['deadline_met'])}, but {round(taken, 2)!r} hours against "
                f"the {allowed:g}-hour deadline of priority {row.priority} is "
                + ("in time" if met else "late"),
            )

    def content(self, referrals: list[ReferralRow]) -> int:
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

    def removals(self, referrals: list[ReferralRow]) -> list[RemovalRow]:
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
            rows.append(RemovalRow(record["category"], record["referred"]))
        return rows

    def issues(self) -> list[IssueRow]:
        table = self.parsed.tables["Validation"]
        code, severity = table.column("code"), table.column("severity")
        return [IssueRow(values[code], values[severity]) for values in table.rows]

    # ------------------------------------------------------------------------ metrics

    def metrics(self, computed: Figures) -> None:
        summary = self.parsed.summary
        for name in METRIC_NAMES:
            stated = summary.values[name]
            expected = computed.metric(name)
            if name == "median_hours_to_referral":
                exact = computed.exact_median_hours
                agrees = (stated is None) == (exact is None) and (
                    exact is None or abs(stated - exact) <= HOURS_TOLERANCE
                )
            elif name == "removals_referred_ratio":
                exact = computed.exact_referred_ratio
                agrees = (stated is None) == (exact is None) and (
                    exact is None or abs(stated - exact) <= RATIO_TOLERANCE
                )
            else:
                agrees = stated == expected
            if not agrees:
                self.reasons.append(
                    Reason(
                        reason_codes.METRIC_DISAGREES,
                        f"states {_show(stated)}, but the return's rows give {_show(expected)} "
                        f"({_METRIC_SOURCES[name]})",
                        sheet="Summary",
                        row=summary.rows[name],
                        column="B",
                        header=name,
                    )
                )

    def cover(self, computed: Figures) -> Cover:
        values = self.parsed.cover.values
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


_METRIC_SOURCES: dict[str, str] = {
    "referrals_total": "rows of the Referrals sheet",
    "referrals_threat_to_life": "Referrals rows of priority threat_to_life",
    "referrals_urgent": "Referrals rows of priority urgent",
    "referrals_routine": "Referrals rows of priority routine",
    "referrals_on_time": "Referrals rows with deadline_met TRUE",
    "referrals_late": "Referrals rows with deadline_met FALSE",
    "referrals_outstanding": "Referrals rows without referred_at",
    "median_hours_to_referral": "median of referred_at - suspicion_formed_at over the Referrals "
    "rows, to 2 decimals",
    "content_items_total": "rows of the Content sheet",
    "removals_total": "rows of the Removals sheet",
    "removals_referred": "Removals rows with referred TRUE",
    "removals_referred_ratio": "removals_referred / removals_total, to 4 decimals",
    "accounts_duty_triggered_unreferred": "DTR-D001 rows of the Validation sheet",
    "issues_error": "fatal and error rows of the Validation sheet",
    "issues_warning": "warning rows of the Validation sheet",
}


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
    computed = figures(referrals, content_items, removals, issues)
    checker.metrics(computed)
    cover = checker.cover(computed)
    received = ReceivedReturn(
        cover=cover,
        metrics=tuple((name, parsed.summary.values[name]) for name in METRIC_NAMES),
        referrals=tuple(referrals),
        content_items=content_items,
        removals=tuple(removals),
        issues=tuple(issues),
    )
    return received, checker.reasons
