"""Platforms and referrals compared as DTR-1 compares them (spec 10.2, 11)."""

from __future__ import annotations

import pytest

from compliance.ledger import PlatformKey, identifier_key


def test_a_platform_is_its_trimmed_upper_cased_registration_and_jurisdiction() -> None:
    assert PlatformKey(" 0123-ab ", "gb ") == PlatformKey("0123-AB", "GB")
    assert PlatformKey(" 0123-ab ", "gb ").registration_number == "0123-AB"
    assert str(PlatformKey("sc0123", "ie")) == "SC0123:IE"
    assert PlatformKey.parse(" sc0123 : ie") == PlatformKey("SC0123", "IE")
    assert PlatformKey.parse("A:B:gb") == PlatformKey("A:B", "GB")


@pytest.mark.parametrize("text", ["SC0123", ":GB", "SC0123:", "  :  "])
def test_a_platform_without_both_parts_is_refused(text: str) -> None:
    with pytest.raises(ValueError):
        PlatformKey.parse(text)


def test_identifiers_are_keyed_without_regard_to_case() -> None:
    assert identifier_key("R-2026-Ab.1") == identifier_key("r-2026-aB.1")
    assert identifier_key("R-1") != identifier_key("R-2")
