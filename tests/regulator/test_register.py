"""The regulator's register (DTR-1 section 11): the CSV, due dates and late days."""

from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from compliance.config import RuleConfig
from compliance.ledger import PlatformKey
from compliance.period import Period
from compliance.regulator.register import (
    RegisterError,
    due_date,
    late_days,
    parse_register,
    read_register,
)

REGISTER = Path(__file__).parents[1] / "data" / "register" / "register.csv"
HEADER = "registration_number,jurisdiction,legal_name,first_period,last_period\n"
Q3 = Period.parse("2026-Q3")
DUE = datetime(2026, 10, 31, tzinfo=UTC)


def test_the_register_is_read_with_platforms_normalised() -> None:
    register = read_register(REGISTER)
    assert [entry.platform for entry in register.platforms] == [
        PlatformKey("SC612345", "GB"),
        PlatformKey("IE654321", "IE"),
        PlatformKey("NL81234567", "NL"),
        PlatformKey("GB0000001", "GB"),
    ]
    lumen = register.get(PlatformKey(" ie654321", "IE "))
    assert lumen is not None and lumen.legal_name == "Lumen Video Teoranta"


def test_a_duty_starting_mid_year_is_expected_from_its_first_period() -> None:
    register = read_register(REGISTER)
    lumen = PlatformKey("IE654321", "IE")
    q2 = [e.platform for e in register.expected(Period.parse("2026-Q2"))]
    q3 = [e.platform for e in register.expected(Q3)]
    assert lumen not in q2 and lumen in q3


def test_a_platform_whose_last_period_passed_is_no_longer_expected() -> None:
    register = read_register(REGISTER)
    tern = PlatformKey("NL81234567", "NL")
    assert tern in [e.platform for e in register.expected(Period.parse("2026-Q2"))]
    assert tern not in [e.platform for e in register.expected(Q3)]


def test_the_due_date_is_thirty_days_after_the_quarter_ends_and_configurable() -> None:
    assert due_date(Q3) == DUE
    assert due_date(Q3, RuleConfig(return_due_after=timedelta(days=45))) == DUE + timedelta(days=15)


@pytest.mark.parametrize(
    ("received", "days"),
    [
        (DUE - timedelta(days=3), 0),
        (DUE, 0),
        (DUE + timedelta(minutes=1), 1),
        (DUE + timedelta(days=1), 1),
        (DUE + timedelta(days=1, seconds=1), 2),
        (DUE + timedelta(days=40), 40),
    ],
)
def test_late_days_count_started_24_hour_periods(received: datetime, days: int) -> None:
    assert late_days(received, DUE) == days


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "empty"),
        ("registration_number,jurisdiction,legal_name\n", "line 1: no column first_period"),
        (HEADER + "SC1,GB,A,2026-Q5,\n", "line 2: first_period"),
        (HEADER + "SC1,GB,A,2026-H1,\n", "not a quarter"),
        (HEADER + "SC1,GB,A,2026-Q3,2026-Q1\n", "before first_period"),
        (HEADER + ",GB,A,2026-Q1,\n", "needs a registration_number"),
        (HEADER + "SC1,GB,A,2026-Q1,\nsc1 ,gb,B,2026-Q1,\n", "line 3: SC1:GB is already"),
        (HEADER + "SC1,GB,A,2026-Q1,,extra\n", "line 2: 6 fields"),
    ],
)
def test_a_bad_register_is_one_line_naming_the_line(text: str, message: str) -> None:
    with pytest.raises(RegisterError) as raised:
        parse_register(text.encode(), name="r.csv")
    assert message in str(raised.value)
    assert "\n" not in str(raised.value)


def test_a_register_that_is_not_utf8_or_a_pipe_is_refused(tmp_path: Path) -> None:
    with pytest.raises(RegisterError, match="not UTF-8"):
        parse_register(HEADER.encode() + b"SC1,GB,\xff,2026-Q1,\n")
    pipe = tmp_path / "register.csv"
    os.mkfifo(pipe)
    with pytest.raises(RegisterError, match="not a regular file"):
        read_register(pipe)
