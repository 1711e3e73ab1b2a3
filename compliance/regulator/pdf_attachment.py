"""Read the files embedded in a PDF, without a PDF library, from untrusted bytes.

The return's PDF carries ``return.json`` as a PDF/A-3 associated file. The project has no PDF
reader among its dependencies (WeasyPrint only writes), and a receiver needs very little: the
objects of the file, the file specifications naming ``return.json`` and the embedded-file
streams they point to. This module parses exactly that much of PDF syntax (ISO 32000-1 7.3):
objects at the top level and inside object streams, dictionaries, arrays, names, strings,
numbers and references, and Flate-compressed streams.

Objects are found by scanning the file rather than trusting its cross-reference table, so a
damaged or edited table does not hide anything; a later definition of an object replaces an
earlier one, as an incremental update does. If the file embeds more than one *different*
``return.json`` the caller is told so rather than shown one of them. Every size is bounded and
every failure is :class:`PdfUnreadable` with one sentence.
"""

from __future__ import annotations

import hashlib
import re
import zlib
from dataclasses import dataclass
from typing import Any

from compliance.errors import ComplianceError

MAX_STREAM_BYTES = 512 * 1024 * 1024
MAX_DEPTH = 64

_WHITESPACE = b"\x00\t\n\x0c\r "
_DELIMITERS = b"()<>[]{}/%"
_OBJECT = re.compile(rb"(\d{1,10})\s+(\d{1,5})\s+obj\b")
_NAME_ESCAPE = re.compile(rb"#([0-9A-Fa-f]{2})")
_NUMBER = re.compile(rb"[+-]?(?:\d+\.?\d*|\.\d+)")
_ESCAPES = {
    ord("n"): b"\n",
    ord("r"): b"\r",
    ord("t"): b"\t",
    ord("b"): b"\b",
    ord("f"): b"\f",
    ord("("): b"(",
    ord(")"): b")",
    ord("\\"): b"\\",
}


class PdfUnreadable(ComplianceError):
    """Not a PDF this reader can read, or its embedded file is damaged; the message says why."""


class Name(str):
    """A PDF name (``/Type``), kept apart from strings (which are ``bytes``)."""


@dataclass(frozen=True)
class Ref:
    number: int
    generation: int


@dataclass(frozen=True)
class Stream:
    dictionary: dict[Name, Any]
    raw: bytes


class _Parser:
    def __init__(self, data: bytes, position: int = 0) -> None:
        self.data = data
        self.position = position

    def skip(self) -> None:
        data, length = self.data, len(self.data)
        while self.position < length:
            byte = data[self.position]
            if byte in _WHITESPACE:
                self.position += 1
            elif byte == ord("%"):
                end = data.find(b"\n", self.position)
                self.position = length if end < 0 else end + 1
            else:
                return

    def peek(self, token: bytes) -> bool:
        self.skip()
        return self.data.startswith(token, self.position)

    def keyword(self) -> bytes:
        self.skip()
        start = self.position
        while (
            self.position < len(self.data)
            and self.data[self.position] not in _WHITESPACE
            and self.data[self.position] not in _DELIMITERS
        ):
            self.position += 1
        return self.data[start : self.position]

    def value(self, depth: int = 0) -> Any:
        if depth > MAX_DEPTH:
            raise PdfUnreadable("the PDF nests its objects too deeply")
        self.skip()
        data = self.data
        if self.position >= len(data):
            raise PdfUnreadable("the PDF ends in the middle of an object")
        if data.startswith(b"<<", self.position):
            self.position += 2
            result: dict[Name, Any] = {}
            while not self.peek(b">>"):
                key = self.value(depth + 1)
                if not isinstance(key, Name):
                    raise PdfUnreadable("a PDF dictionary has a key that is not a name")
                result[key] = self.value(depth + 1)
            self.position += 2
            return result
        byte = data[self.position]
        if byte == ord("["):
            self.position += 1
            items = []
            while not self.peek(b"]"):
                items.append(self.value(depth + 1))
            self.position += 1
            return items
        if byte == ord("("):
            return self.literal()
        if byte == ord("<"):
            end = data.find(b">", self.position)
            if end < 0:
                raise PdfUnreadable("a PDF hex string is not closed")
            digits = bytes(b for b in data[self.position + 1 : end] if b not in _WHITESPACE)
            self.position = end + 1
            if len(digits) % 2:
                digits += b"0"
            try:
                return bytes.fromhex(digits.decode("ascii"))
            except ValueError:
                raise PdfUnreadable("a PDF hex string holds something other than hex") from None
        if byte == ord("/"):
            self.position += 1
            raw = _NAME_ESCAPE.sub(lambda m: bytes.fromhex(m[1].decode()), self.keyword())
            return Name(raw.decode("latin-1"))
        match = _NUMBER.match(data, self.position)
        if match:
            self.position = match.end()
            text = match.group()
            if b"." in text:
                return float(text)
            number = int(text)
            # "12 0 R" is a reference: look ahead for a generation and an R.
            saved = self.position
            follow = _REFERENCE_TAIL.match(data, self.position)
            if follow:
                self.position = follow.end()
                return Ref(number, int(follow.group(1)))
            self.position = saved
            return number
        word = self.keyword()
        if word == b"true":
            return True
        if word == b"false":
            return False
        if word == b"null":
            return None
        raise PdfUnreadable("the PDF holds a token this reader does not know")

    def literal(self) -> bytes:
        data = self.data
        self.position += 1
        depth, out = 1, bytearray()
        while self.position < len(data):
            byte = data[self.position]
            self.position += 1
            if byte == ord("\\"):
                if self.position >= len(data):
                    break
                escaped = data[self.position]
                self.position += 1
                if escaped in _ESCAPES:
                    out += _ESCAPES[escaped]
                elif 48 <= escaped <= 55:  # octal, up to three digits
                    digits = bytes([escaped])
                    while (
                        len(digits) < 3
                        and self.position < len(data)
                        and 48 <= data[self.position] <= 55
                    ):
                        digits += bytes([data[self.position]])
                        self.position += 1
                    out.append(int(digits, 8) & 0xFF)
                elif escaped == ord("\r"):
                    if self.position < len(data) and data[self.position] == ord("\n"):
                        self.position += 1
                elif escaped != ord("\n"):
                    out.append(escaped)
            elif byte == ord("("):
                depth += 1
                out.append(byte)
            elif byte == ord(")"):
                depth -= 1
                if depth == 0:
                    return bytes(out)
                out.append(byte)
            else:
                out.append(byte)
        raise PdfUnreadable("a PDF string is not closed")


_REFERENCE_TAIL = re.compile(rb"\s+(\d{1,5})\s+R(?![^\x00\t\n\x0c\r ()<>\[\]{}/%])")


def _objects(data: bytes) -> dict[int, Any]:
    """Every object of the file by number: top-level ones, then those of object streams."""
    found: dict[int, Any] = {}
    position = 0
    while True:
        match = _OBJECT.search(data, position)
        if match is None:
            break
        parser = _Parser(data, match.end())
        try:
            value = parser.value()
        except PdfUnreadable:
            position = match.end()
            continue
        if isinstance(value, dict) and parser.peek(b"stream"):
            value, position = _stream(data, parser.position, value)
        else:
            position = parser.position
        found[int(match.group(1))] = value
    if not found:
        raise PdfUnreadable("no PDF objects were found in the file")
    for value in list(found.values()):
        if isinstance(value, Stream) and value.dictionary.get(Name("Type")) == "ObjStm":
            for inner, inner_value in _object_stream(value, found).items():
                # An object defined at the top level as well is the one a reader sees.
                found.setdefault(inner, inner_value)
    return found


def _stream(data: bytes, position: int, dictionary: dict[Name, Any]) -> tuple[Stream, int]:
    start = data.index(b"stream", position) + len(b"stream")
    if data.startswith(b"\r\n", start):
        start += 2
    elif data.startswith(b"\n", start) or data.startswith(b"\r", start):
        start += 1
    length = dictionary.get(Name("Length"))
    end = -1
    if isinstance(length, int) and 0 <= length <= len(data) - start:
        tail = data[start + length : start + length + 32].lstrip(b"\r\n \t")
        if tail.startswith(b"endstream"):
            end = start + length
    if end < 0:  # an indirect or wrong /Length: the data ends at the next "endstream"
        end = data.find(b"endstream", start)
        if end < 0:
            raise PdfUnreadable("a PDF stream is not closed")
        while end > start and data[end - 1] in b"\r\n":
            end -= 1
    after = data.find(b"endstream", end)
    return Stream(dictionary, data[start:end]), (after + len(b"endstream") if after >= 0 else end)


def _object_stream(stream: Stream, found: dict[int, Any]) -> dict[int, Any]:
    content = decode_stream(stream, found)
    count = stream.dictionary.get(Name("N"))
    first = stream.dictionary.get(Name("First"))
    if not isinstance(count, int) or not isinstance(first, int) or count < 0:
        raise PdfUnreadable("a PDF object stream has no valid /N and /First")
    header = _Parser(content[:first])
    pairs = []
    for _ in range(count):
        number, offset = header.value(), header.value()
        if not isinstance(number, int) or not isinstance(offset, int):
            raise PdfUnreadable("a PDF object stream has a damaged header")
        pairs.append((number, offset))
    objects: dict[int, Any] = {}
    for number, offset in pairs:
        objects[number] = _Parser(content, first + offset).value()
    return objects


def _resolve(value: Any, found: dict[int, Any], hops: int = 0) -> Any:
    while isinstance(value, Ref):
        hops += 1
        if hops > MAX_DEPTH:
            raise PdfUnreadable("the PDF's references go round in a circle")
        value = found.get(value.number)
    return value


def decode_stream(stream: Stream, found: dict[int, Any]) -> bytes:
    filters = _resolve(stream.dictionary.get(Name("Filter")), found)
    if filters is None:
        names: list[Any] = []
    elif isinstance(filters, list):
        names = [_resolve(item, found) for item in filters]
    else:
        names = [filters]
    data = stream.raw
    for name in names:
        if name not in ("FlateDecode", "Fl"):
            raise PdfUnreadable("a PDF stream uses a compression this reader does not support")
        if stream.dictionary.get(Name("DecodeParms")):
            raise PdfUnreadable("a PDF stream uses a predictor this reader does not support")
        inflater = zlib.decompressobj()
        try:
            out = inflater.decompress(data, MAX_STREAM_BYTES)
        except zlib.error:
            raise PdfUnreadable("a compressed PDF stream is damaged") from None
        if inflater.unconsumed_tail:
            raise PdfUnreadable("a PDF stream expands beyond what is read")
        data = out
    return data


def _text(value: Any) -> str | None:
    if not isinstance(value, bytes):
        return None
    if value.startswith(b"\xfe\xff"):
        return value[2:].decode("utf-16-be", errors="replace")
    if value.startswith(b"\xef\xbb\xbf"):
        return value[3:].decode("utf-8", errors="replace")
    return value.decode("latin-1")


def embedded_files(data: bytes, name: str) -> list[bytes]:
    """The distinct contents of every file embedded under ``name`` (an empty list: none).

    A file whose stored MD5 checksum does not match its content is damaged:
    :class:`PdfUnreadable`.
    """
    if not data.startswith(b"%PDF-"):
        raise PdfUnreadable("the file is not a PDF")
    try:
        found = _objects(data)
        contents: list[bytes] = []
        for value in found.values():
            if not isinstance(value, dict):
                continue
            names = {_text(_resolve(value.get(Name(key)), found)) for key in ("UF", "F")}
            if name not in names or Name("EF") not in value:
                continue
            files = _resolve(value[Name("EF")], found)
            if not isinstance(files, dict):
                raise PdfUnreadable(f"the PDF's file specification of {name} is damaged")
            stream = _resolve(files.get(Name("UF")) or files.get(Name("F")), found)
            if not isinstance(stream, Stream):
                raise PdfUnreadable(f"the PDF names {name} but holds no content for it")
            content = decode_stream(stream, found)
            params = _resolve(stream.dictionary.get(Name("Params")), found)
            checksum = params.get(Name("CheckSum")) if isinstance(params, dict) else None
            if isinstance(checksum, bytes) and checksum != hashlib.md5(content).digest():
                raise PdfUnreadable(f"the embedded {name} does not match its own checksum")
            if content not in contents:
                contents.append(content)
        return contents
    except PdfUnreadable:
        raise
    except (ValueError, IndexError, KeyError, TypeError, RecursionError, MemoryError):
        raise PdfUnreadable("the PDF is damaged") from None
