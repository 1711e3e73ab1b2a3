"""Value formats of DTR-1 (identifiers, timestamps, e-mail, E.164, ISO codes, ...).

Each format is a pydantic-annotated type plus a plain-English description. The checker turns
a failed pattern into a message by looking the pattern up in :data:`PATTERN_DESCRIPTIONS`, so
the description of a format is written once, next to the format.
"""

from __future__ import annotations

import functools
import ipaddress
import re
from datetime import UTC, date, datetime
from importlib import resources
from typing import Annotated, Any

from pydantic import AfterValidator, AwareDatetime, BeforeValidator, StringConstraints
from pydantic_core import PydanticCustomError


def _load_codes(name: str) -> tuple[str, ...]:
    text = resources.files("compliance.data").joinpath(name).read_text(encoding="utf-8")
    return tuple(
        code for line in text.splitlines() if not line.startswith("#") for code in line.split()
    )


COUNTRY_CODES: tuple[str, ...] = _load_codes("iso3166_alpha2.txt")
LANGUAGE_CODES: tuple[str, ...] = _load_codes("iso639_1.txt")

# Control characters (C0, DEL and C1) break spreadsheets and police systems; free-text fields
# that may span lines keep tab and line feed. A single-line field refuses the line and
# paragraph separators U+2028 and U+2029 too, which would forge a new line in a document.
NO_CONTROL_PATTERN = r"^[^\x00-\x1f\x7f-\x9f" + "\u2028\u2029" + r"]*$"
MULTILINE_TEXT_PATTERN = r"^[^\x00-\x08\x0b-\x1f\x7f-\x9f]*$"
IDENTIFIER_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$"
PERIOD_PATTERN = r"^[0-9]{4}-Q[1-4]$"
EMAIL_PATTERN = (
    r"^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@"
    r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$"
)
E164_PATTERN = r"^\+[1-9][0-9]{1,14}$"
URL_PATTERN = r"^[Hh][Tt][Tt][Pp][Ss]?://[^\x00-\x20\x7f/?#]+(?:[/?#][^\x00-\x20\x7f]*)?$"
COUNTRY_PATTERN = "^(?:" + "|".join(COUNTRY_CODES) + ")$"
LANGUAGE_PATTERN = "^(?:" + "|".join(LANGUAGE_CODES) + ")$"
SCHEMA_VERSION = "1.0"
STANDARD_VERSION = "1.1"
"""The version of the DTR-1 standard the tool implements; documents keep schema_version 1.0,
since their shape did not change. A return says which standard's rules it was written under."""

PATTERN_DESCRIPTIONS: dict[str, str] = {
    NO_CONTROL_PATTERN: (
        "contains a control character or a line separator, which DTR-1 does not allow in a "
        "single-line field"
    ),
    MULTILINE_TEXT_PATTERN: "contains a control character other than tab or line feed",
    IDENTIFIER_PATTERN: (
        "is not a valid identifier (1 to 64 letters, digits, '.', '_' or '-', "
        "starting with a letter or digit)"
    ),
    PERIOD_PATTERN: "is not a calendar quarter written YYYY-Qn (n from 1 to 4)",
    EMAIL_PATTERN: "is not a valid e-mail address",
    E164_PATTERN: "is not a phone number in E.164 form (for example +442079460000)",
    URL_PATTERN: "is not an http(s) URL",
    COUNTRY_PATTERN: "is not an ISO 3166-1 alpha-2 country code (for example GB, IE, US)",
    LANGUAGE_PATTERN: "is not an ISO 639-1 language code (for example en, ar, ur)",
}


def _text(max_length: int, *, min_length: int = 1, pattern: str = NO_CONTROL_PATTERN) -> Any:
    return Annotated[
        str, StringConstraints(min_length=min_length, max_length=max_length, pattern=pattern)
    ]


WINDOWS_DEVICE_NAMES = frozenset(
    {"CON", "PRN", "AUX", "NUL"}
    | {f"COM{n}" for n in range(1, 10)}
    | {f"LPT{n}" for n in range(1, 10)}
)
"""Names Windows reserves for devices, alone or before a dot, in any case: an identifier
becomes a file name, and ``NUL.pdf`` cannot be written on Windows (DTR-1.1 2)."""


def _not_a_device_name(value: str) -> str:
    if value.split(".", 1)[0].upper() in WINDOWS_DEVICE_NAMES:
        raise PydanticCustomError(
            "reserved_device_name",
            "is a name Windows reserves for a device, so it cannot name a file",
        )
    return value


Identifier = Annotated[
    str, StringConstraints(pattern=IDENTIFIER_PATTERN), AfterValidator(_not_a_device_name)
]
Name = _text(200)
ShortText = _text(50)
Reference = _text(64)
AccountKey = _text(128)
Statement = _text(2000, pattern=MULTILINE_TEXT_PATTERN)
Narrative = _text(20_000, pattern=MULTILINE_TEXT_PATTERN)
Excerpt = _text(2000, min_length=0, pattern=MULTILINE_TEXT_PATTERN)
HashValue = _text(4096)
Email = Annotated[str, StringConstraints(max_length=254, pattern=EMAIL_PATTERN)]
Phone = Annotated[str, StringConstraints(pattern=E164_PATTERN)]
Url = Annotated[str, StringConstraints(max_length=2048, pattern=URL_PATTERN)]
CountryCode = Annotated[str, StringConstraints(pattern=COUNTRY_PATTERN)]
LanguageCode = Annotated[str, StringConstraints(pattern=LANGUAGE_PATTERN)]


def _require_text(value: Any) -> Any:
    # pydantic's lax mode would read a number as a Unix time; DTR-1 timestamps are ISO 8601
    # text, so anything else is a format error before parsing is even tried.
    if not isinstance(value, str):
        raise PydanticCustomError("iso_text_required", "must be ISO 8601 text")
    return value


def _to_utc(value: datetime) -> datetime:
    try:
        return value.astimezone(UTC)
    except OverflowError:  # e.g. 0001-01-01T00:00:00+01:00 is before the first UTC instant
        raise PydanticCustomError(
            "timestamp_out_of_range", "falls outside the range of dates that can be represented"
        ) from None


_DATE_TEXT = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def _require_date_text(value: Any) -> Any:
    # A timestamp where a date belongs is ambiguous (2027-01-21T00:00+09:00 is the 20th in
    # UTC), so only a plain calendar date is accepted.
    if not isinstance(value, str) or not _DATE_TEXT.fullmatch(value):
        raise PydanticCustomError(
            "date_text_required", "must be a calendar date written YYYY-MM-DD"
        )
    return value


def _valid_period(value: str) -> str:
    from compliance.period import Period  # period arithmetic lives there, defined once

    try:
        Period.parse(value)
    except ValueError as error:
        raise PydanticCustomError("period_out_of_range", str(error)) from None
    return value


@functools.lru_cache(maxsize=65_536)
def ip_address_of(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address:
    """Parse an address once: validation and two attribution rules all need it."""
    return ipaddress.ip_address(text)


@functools.lru_cache(maxsize=65_536)
def is_traceable(text: str) -> bool:
    """Whether an address can name a user: global, and not multicast (which Python counts as
    global, as it does 224.0.0.1 and ff02::1). Cached: two rules ask of every address, and
    ``is_global`` walks a dozen networks each time."""
    address = ip_address_of(text)
    return address.is_global and not address.is_multicast


def _check_ip(value: str) -> str:
    # Kept as the submitted text (outputs repeat it exactly); parsed only to prove its form.
    try:
        ip_address_of(value)
    except ValueError:
        raise PydanticCustomError("ip_address", "is not an IPv4 or IPv6 address") from None
    return value


Timestamp = Annotated[AwareDatetime, BeforeValidator(_require_text), AfterValidator(_to_utc)]
Day = Annotated[date, BeforeValidator(_require_date_text)]
IPAddressText = Annotated[str, AfterValidator(_check_ip)]
PeriodText = Annotated[
    str, StringConstraints(pattern=PERIOD_PATTERN), AfterValidator(_valid_period)
]
