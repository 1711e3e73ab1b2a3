"""Untrusted text on its way to a terminal or a log line: shown, never obeyed.

Identifiers, file names, messages and platform names come from files someone else wrote (a
file name can hold any byte but ``/``), so before they reach a terminal every character a
terminal or a log viewer would act on is shown as a ``[U+202E]`` marker instead: C0 and C1
controls (an ANSI escape could retitle the window or rewrite the screen; a line feed or
carriage return would forge a line of output), the line and paragraph separators, the bidi
marks, embeddings, overrides and isolates (which would make a line read other than it is),
and lone surrogates (which no encoding can write: ``print`` would raise, and a file name
that is not UTF-8 decodes to them).

Apply :func:`safe` to each untrusted piece, not to a whole message: the line breaks a
command writes itself stay line breaks.
"""

from __future__ import annotations

import re
from datetime import datetime

from compliance.durations import format_timestamp

_SHOWN = re.compile(
    "[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069\ud800-\udfff]"
)
"""C0 and C1 controls, the line and paragraph separators, the bidi marks, embeddings,
overrides and isolates, and lone surrogates."""


def safe(value: object) -> str:
    """Text for a terminal: control, bidi and surrogate characters shown as markers."""
    text = format_timestamp(value) if isinstance(value, datetime) else str(value)
    return _SHOWN.sub(lambda match: f"[U+{ord(match.group()):04X}]", text)
