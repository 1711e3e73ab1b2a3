"""The one deadline computation (DTR-1 6.1): states, the exact edge, the calendar's end."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner
from returns_fixture import submission, submission_bytes

from compliance.cli import cli
from compliance.codes import Priority
from compliance.config import RuleConfig
from compliance.deadlines import NEVER, DeadlineState, assess_deadline, due_at

FORMED = datetime(2026, 8, 14, 9, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("referred_after", "now_after", "state", "met"),
    [
        (timedelta(hours=24), None, DeadlineState.MET, True),  # exactly on the deadline
        (timedelta(hours=24, seconds=1), None, DeadlineState.LATE, False),
        (None, timedelta(hours=24), DeadlineState.PENDING, None),  # due now: not yet passed
        (None, timedelta(hours=24, seconds=1), DeadlineState.OVERDUE, False),  # DTR-1.1
        (None, None, DeadlineState.PENDING, None),
    ],
)
def test_states_of_an_urgent_referral(
    referred_after: timedelta | None,
    now_after: timedelta | None,
    state: DeadlineState,
    met: bool | None,
) -> None:
    referred_at = FORMED + referred_after if referred_after is not None else None
    now = FORMED + now_after if now_after is not None else None
    deadline = assess_deadline(Priority.URGENT, FORMED, referred_at, now)
    assert deadline.state is state
    assert deadline.met is met
    assert deadline.due == FORMED + timedelta(hours=24)
    assert deadline.allowed == timedelta(hours=24)


def test_the_deadline_follows_the_rule_set() -> None:
    config = RuleConfig(referral_deadlines={p: timedelta(minutes=30) for p in Priority})
    late = assess_deadline("routine", FORMED, FORMED + timedelta(hours=1), None, config)
    assert late.state is DeadlineState.LATE
    assert due_at("routine", FORMED, config) == FORMED + timedelta(minutes=30)


def test_a_deadline_past_the_calendar_is_never() -> None:
    formed = datetime(9999, 12, 31, 23, 30, tzinfo=UTC)
    assert due_at(Priority.ROUTINE, formed) == NEVER
    deadline = assess_deadline(Priority.ROUTINE, formed, None, formed)
    assert deadline.state is DeadlineState.PENDING
    referred = assess_deadline(Priority.ROUTINE, formed, formed + timedelta(minutes=5), None)
    assert referred.state is DeadlineState.MET


def test_a_suspicion_at_the_end_of_year_9999_renders_as_a_draft(tmp_path: Path) -> None:
    # The renderer once had its own copy of the deadline arithmetic, without the guard, and
    # crashed with an OverflowError traceback on this routine referral.
    document = submission()
    document["referrals"] = document["referrals"][:1]
    referral = document["referrals"][0]
    referral["priority"] = "routine"
    referral["categories"] = ["incitement"]
    referral["suspicion_formed_at"] = "9999-12-30T12:00:00Z"
    referral["referred_at"] = None
    referral["referred_to"] = None
    source = tmp_path / "late-9999.json"
    source.write_bytes(submission_bytes(document))
    result = CliRunner().invoke(cli, ["render", str(source), "--out", str(tmp_path), "--draft"])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    assert result.exit_code == 0, result.output
    out = tmp_path / document["submission_id"]
    packs = list((out / "referrals").glob("*.pdf"))
    assert len(packs) == 1 and packs[0].stat().st_size > 0
    validation = json.loads((out / "validation.json").read_text())
    codes = {issue["code"] for issue in validation["issues"]}
    assert "DTR-T004" in codes  # a suspicion in the future of generated_at
