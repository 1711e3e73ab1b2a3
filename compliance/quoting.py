"""How a message may quote a submitted value: the one rule every message builder follows.

DTR-1 section 5: a message quotes the offending value only when its field is not personal
data and the value is short and printable (at most 64 characters, escaped); otherwise it
names the field. "Not personal data" is decided twice over, because a field is only as
clean as what was typed into it: an e-mail address typed as an ``account_status`` or a
phone number as a ``port`` is still personal data. So a value is quoted only when

- its field is one DTR-1 defines and does not list as personal data (an unknown key's value
  is never quoted, and the key's own name only when it passes the next test), and
- the value has the shape of a code or an identifier (letters, digits, ``.``, ``_``, ``:``
  and ``-``, 1 to 64 of them) and looks like none of an e-mail address, a phone number, an IP
  address or a web address.

Everything else is named, never shown: the message stays short, printable and encodable
(no control character, bidi override or lone surrogate can reach a terminal, a log or a
spreadsheet cell through it), and no personal data reaches a message by a side door.

Identifiers that passed validation are checked identifiers and messages print them as they
are; an identifier that did *not* pass (a salvaged ``referral_id``, a repeated raw
``action_id``) is a value like any other and goes through :func:`quote_value`.
"""

from __future__ import annotations

import ipaddress
import re
import typing
from typing import Any

from pydantic import BaseModel

from compliance.formats import IDENTIFIER_PATTERN
from compliance.model import PERSONAL_DATA_FIELDS, Submission

QUOTED_MAX_CHARS = 64
_SAFE_SHAPE = re.compile(r"[A-Za-z0-9._:-]{1,64}")
_IDENTIFIER = re.compile(IDENTIFIER_PATTERN)
_DOTTED_QUAD = re.compile(r"[0-9]+(?:\.[0-9]+){3}")
_COLON_HEX = re.compile(r"[0-9A-Fa-f.]*:[0-9A-Fa-f.:]*:[0-9A-Fa-f.:]*")
"""Hex digits and at least two colons: IPv6 written any way, valid or not."""
_DIGITS = re.compile(r"[0-9]")
_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_PHONE_DIGITS = 7
"""A run of letterless text with this many digits could be a phone number (E.164 numbers
have 8 to 15 with the country code; local ones 7 and up)."""


def _models_in(annotation: Any) -> typing.Iterator[type[BaseModel]]:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        yield annotation
        return
    for argument in typing.get_args(annotation):
        yield from _models_in(argument)


def _field_names(model: type[BaseModel], seen: set[type[BaseModel]]) -> set[str]:
    names: set[str] = set()
    if model in seen:
        return names
    seen.add(model)
    for name, info in model.model_fields.items():
        names.add(name)
        for inner in _models_in(info.annotation):
            names |= _field_names(inner, seen)
    return names


NON_PERSONAL_FIELDS: frozenset[str] = frozenset(_field_names(Submission, set())) - (
    PERSONAL_DATA_FIELDS
)
"""Every field DTR-1 defines, personal-data fields aside: the only ones whose values a
message may quote, and only when the value passes :func:`is_quotable_text`."""


def looks_personal(text: str) -> bool:
    """Whether ``text`` looks like an e-mail address, a phone number, an IP address or a URL.

    Deliberately broad: a false alarm costs a value that a message names instead of quoting.
    """
    if "@" in text or "://" in text or text.lower().startswith("www."):
        return True
    if _DOTTED_QUAD.fullmatch(text) or _COLON_HEX.fullmatch(text):
        return True
    try:
        ipaddress.ip_address(text)
    except ValueError:
        pass
    else:
        return True
    # Letterless text with enough digits: a phone number however it is punctuated, unless it
    # is a calendar date (which the shape test lets through and a message may well quote).
    letterless = not any(character.isalpha() for character in text)
    return letterless and len(_DIGITS.findall(text)) >= _PHONE_DIGITS and not _DAY.fullmatch(text)


def is_quotable_text(text: str) -> bool:
    """Whether text has the shape of a code or an identifier and nothing personal about it."""
    return bool(_SAFE_SHAPE.fullmatch(text)) and not looks_personal(text)


def _as_text(value: object) -> str | None:
    """A scalar as JSON writes it; ``None`` for what is never quoted (objects, lists)."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float | str):
        return value if isinstance(value, str) else str(value)
    return None


def quote_value(field: str, value: object) -> str:
    """``value`` of ``field`` as a message may quote it, or ``""`` when it must only be named.

    A string is quoted in single quotes (``'urgnet'``), a number, boolean or null as JSON
    writes it (``70000``, ``true``, ``null``). Whatever is quoted is at most 64 characters
    of letters, digits and ``._:-``, so it needs no further escaping anywhere.
    """
    if field not in NON_PERSONAL_FIELDS:
        return ""
    text = _as_text(value)
    if text is None or not is_quotable_text(text):
        return ""
    return f"'{text}'" if isinstance(value, str) else text


def shown_name(name: str) -> str | None:
    """A key the submission used, as a message may show it; ``None`` if it must not be.

    A field's name is untrusted too when it is not one DTR-1 defines: it can be anything,
    an e-mail address included.
    """
    if name in NON_PERSONAL_FIELDS or name in PERSONAL_DATA_FIELDS:
        return name
    return name if is_quotable_text(name) else None


def checked_identifier(value: object) -> str | None:
    """``value`` if it is a valid DTR-1 identifier (which messages print as it is), else None.

    An identifier from a part of the submission that failed validation has not been
    checked: only its form says whether it may stand in a message unquoted.
    """
    if isinstance(value, str) and _IDENTIFIER.fullmatch(value):
        return value
    return None


def shown_identifier(field: str, value: object) -> str | None:
    """An identifier that may not have been checked, as a message may show it, or None.

    A valid identifier is printed as it is (as every message prints checked ids); another
    value is quoted if :func:`quote_value` allows, and otherwise not shown at all.
    """
    return checked_identifier(value) or quote_value(field, value) or None
