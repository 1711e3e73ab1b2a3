"""Strict JSON reading (RFC 8259) and a lazy map from JSON Pointers to line numbers.

Parsing uses the C decoder for speed; its hooks refuse what RFC 8259 leaves undefined and a
filing must not contain (duplicate keys, NaN/Infinity, numbers that overflow). Line numbers
are found only for the pointers that issues name, after checking, by walking the text along
those pointers and skipping every other value with the C decoder, so a clean file costs
nothing and a file with issues costs about one more parse.
"""

from __future__ import annotations

import contextlib
import json
import math
import re
from collections.abc import Iterable
from typing import Any

from compliance.errors import ComplianceError
from compliance.issues import Source
from compliance.readers.errors import UnreadableDocument

_BOM = "\ufeff"


class _DuplicateKey(ComplianceError, ValueError):
    pass


def _refuse_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    document = dict(pairs)
    if len(document) != len(pairs):
        seen: set[str] = set()
        for key, _ in pairs:
            if key in seen:
                raise _DuplicateKey(key)
            seen.add(key)
    return document


def _refuse_constant(name: str) -> Any:
    raise UnreadableDocument(f"The JSON contains {name}, which is not a JSON number.")


def _finite_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise UnreadableDocument(f"The JSON number {text[:40]} is too large to represent.")
    return value


def decode_text(data: bytes) -> str:
    """UTF-8 text of the input; a leading byte-order mark (common from Windows tools) is dropped."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise UnreadableDocument(
            f"The file is not valid UTF-8 (byte {error.start} cannot be decoded)."
        ) from None
    return text[1:] if text.startswith(_BOM) else text


def parse_json(data: bytes) -> tuple[Any, str]:
    """Parse bytes as strict JSON; returns the document and its text (for line lookup)."""
    text = decode_text(data)
    try:
        document = json.loads(
            text,
            object_pairs_hook=_refuse_duplicates,
            parse_constant=_refuse_constant,
            parse_float=_finite_float,
        )
    except json.JSONDecodeError as error:
        raise UnreadableDocument(
            f"The file is not valid JSON: {error.msg} at line {error.lineno}, "
            f"column {error.colno}.",
            {"line": error.lineno},
        ) from None
    except _DuplicateKey as error:
        raise UnreadableDocument(
            f"The JSON repeats the key {str(error)[:80]!r} in one object; which value is meant "
            "is undefined, so the file cannot be read."
        ) from None
    except RecursionError:
        raise UnreadableDocument(
            "The JSON is nested far deeper than any DTR-1 document can be."
        ) from None
    except ValueError as error:  # e.g. an integer beyond Python's digit limit
        raise UnreadableDocument(f"The JSON cannot be read: {error}.") from None
    return document, text


_WHITESPACE = re.compile(r"[ \t\n\r]*")


def pointer_tokens(pointer: str) -> tuple[str, ...]:
    if not pointer:
        return ()
    return tuple(t.replace("~1", "/").replace("~0", "~") for t in pointer.split("/")[1:])


class JsonLineLocator:
    """Finds the line of each JSON Pointer in a text (the member's key line, or the item's)."""

    def __init__(self, text: str) -> None:
        self._text = text

    def locate(self, pointers: Iterable[str]) -> dict[str, Source]:
        wanted = {pointer: pointer_tokens(pointer) for pointer in pointers}
        prefixes = {tokens[:n] for tokens in wanted.values() for n in range(len(tokens) + 1)}
        found: dict[tuple[str, ...], int] = {(): 1}
        walker = _Walker(self._text, prefixes, found)
        # A text that did not parse has no line map; its issues keep their paths only.
        with contextlib.suppress(ValueError, IndexError):
            walker.value(walker.skip_whitespace(0), ())
        sources: dict[str, Source] = {}
        for pointer, tokens in wanted.items():
            for n in range(len(tokens), -1, -1):
                if tokens[:n] in found:
                    sources[pointer] = {"line": found[tokens[:n]]}
                    break
        return sources

    def reported_by_header(self, pointer: str) -> bool:
        return False  # a JSON file has no columns: every issue stands on its own line


class _Walker:
    """Walks only along wanted pointer prefixes; everything else is skipped by the C decoder."""

    def __init__(
        self, text: str, prefixes: set[tuple[str, ...]], found: dict[tuple[str, ...], int]
    ) -> None:
        self.text = text
        self.prefixes = prefixes
        self.found = found
        self.decoder = json.JSONDecoder()
        self._line_pos = 0
        self._line = 1

    def line_at(self, position: int) -> int:
        # Positions only move forward along the walk, so counting is incremental.
        self._line += self.text.count("\n", self._line_pos, position)
        self._line_pos = position
        return self._line

    def skip_whitespace(self, position: int) -> int:
        match = _WHITESPACE.match(self.text, position)
        return match.end() if match else position

    def value(self, position: int, path: tuple[str, ...]) -> int:
        if path not in self.prefixes:
            return int(self.decoder.raw_decode(self.text, position)[1])
        opener = self.text[position]
        if opener == "{":
            return self._object(position, path)
        if opener == "[":
            return self._array(position, path)
        return int(self.decoder.raw_decode(self.text, position)[1])

    def _object(self, position: int, path: tuple[str, ...]) -> int:
        position = self.skip_whitespace(position + 1)
        if self.text[position] == "}":
            return position + 1
        while True:
            key_start = position
            key, position = json.decoder.scanstring(self.text, position + 1)  # type: ignore[attr-defined]
            child = (*path, key)
            if child in self.prefixes:
                self.found[child] = self.line_at(key_start)
            position = self.skip_whitespace(position)
            position = self.skip_whitespace(position + 1)  # the colon
            position = self.skip_whitespace(self.value(position, child))
            if self.text[position] == "}":
                return position + 1
            position = self.skip_whitespace(position + 1)  # the comma

    def _array(self, position: int, path: tuple[str, ...]) -> int:
        position = self.skip_whitespace(position + 1)
        if self.text[position] == "]":
            return position + 1
        index = 0
        while True:
            child = (*path, str(index))
            if child in self.prefixes:
                self.found[child] = self.line_at(position)
            position = self.skip_whitespace(self.value(position, child))
            if self.text[position] == "]":
                return position + 1
            position = self.skip_whitespace(position + 1)
            index += 1
