"""Read a return's PDF as PDF readers do: its embedded files and its printed text.

The return's PDF carries ``return.json`` as a PDF/A-3 associated file. The PDF is opened with
pypdf, which resolves objects through the cross-reference table and its incremental updates
(the last update wins), exactly as a viewer or ``pdfdetach`` does: a file appended after
``%%EOF`` that no cross-reference section points to is not what anybody sees, so it is not
what the receiver reads either. Embedded files are found where a reader looks for them: the
document catalog's ``/Names /EmbeddedFiles`` name tree and its ``/AF`` associated files.

If the file embeds more than one *different* ``return.json`` the caller is told so rather than
shown one of them. Encrypted PDFs are refused; an embedded file is inflated under a cap (a PDF
bomb stops there), the name tree is walked under a cap, and every failure is
:class:`PdfUnreadable` with one sentence.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import logging
import warnings
import zlib
from collections.abc import Iterator
from typing import Any

from compliance.errors import ComplianceError

MAX_STREAM_BYTES = 512 * 1024 * 1024
"""An embedded file is inflated up to this size; a larger one is a PDF bomb, not a return."""
MAX_DEPTH = 32
MAX_NAMES = 10_000
"""File specifications read from the name tree and /AF at most."""
MAX_TEXT_PAGES = 40
"""Pages whose text is extracted at most: the Cover and Summary come first."""


class PdfUnreadable(ComplianceError):
    """Not a PDF this reader can read, or its embedded file is damaged; the message says why."""


def _reader(data: bytes) -> Any:
    from pypdf import PdfReader

    if not data.startswith(b"%PDF-"):
        raise PdfUnreadable("the file is not a PDF")
    reader = PdfReader(io.BytesIO(data), strict=False)
    if reader.is_encrypted:
        raise PdfUnreadable("the PDF is encrypted")
    return reader


@contextlib.contextmanager
def _quiet() -> Iterator[None]:
    """pypdf logs and warns about damaged files; the receipt says it instead."""
    logger = logging.getLogger("pypdf")
    level = logger.level
    logger.setLevel(logging.ERROR)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            yield
    finally:
        logger.setLevel(level)


def _resolve(value: Any) -> Any:
    for _ in range(MAX_DEPTH):
        if not hasattr(value, "get_object"):
            return value
        resolved = value.get_object()
        if resolved is value:
            return value
        value = resolved
    raise PdfUnreadable("the PDF's references go round in a circle")


def _file_specs(catalog: Any) -> Iterator[Any]:
    """Every file specification of the catalog's EmbeddedFiles name tree and of its /AF."""
    count = 0
    names = _resolve(catalog.get("/Names"))
    tree = _resolve(names.get("/EmbeddedFiles")) if isinstance(names, dict) else None
    pending: list[tuple[Any, int]] = [(tree, 0)] if isinstance(tree, dict) else []
    seen: set[int] = set()
    while pending:
        node, depth = pending.pop()
        if depth > MAX_DEPTH or id(node) in seen:
            raise PdfUnreadable("the PDF's embedded-file tree is too deep or goes round")
        seen.add(id(node))
        pairs = _resolve(node.get("/Names"))
        if isinstance(pairs, list):
            for spec in pairs[1::2]:
                count += 1
                if count > MAX_NAMES:
                    raise PdfUnreadable("the PDF names far more embedded files than a return")
                yield _resolve(spec)
        kids = _resolve(node.get("/Kids"))
        if isinstance(kids, list):
            for kid in kids[: MAX_NAMES + 1]:
                kid = _resolve(kid)
                if isinstance(kid, dict):
                    pending.append((kid, depth + 1))
    associated = _resolve(catalog.get("/AF"))
    if isinstance(associated, list):
        for spec in associated[:MAX_NAMES]:
            yield _resolve(spec)


def _text(value: Any) -> str | None:
    return str(value) if isinstance(value, str) else None


def _inflate(stream: Any) -> bytes:
    """The decoded content of an embedded-file stream, never more than MAX_STREAM_BYTES."""
    filters = _resolve(stream.get("/Filter"))
    names = [_resolve(item) for item in filters] if isinstance(filters, list) else [filters]
    data: bytes = stream._data  # the stored (encoded) bytes: inflated here, under a cap
    for name in names:
        if name is None:
            continue
        if name not in ("/FlateDecode", "/Fl"):
            raise PdfUnreadable("a PDF stream uses a compression this reader does not support")
        if stream.get("/DecodeParms"):
            raise PdfUnreadable("a PDF stream uses a predictor this reader does not support")
        inflater = zlib.decompressobj()
        try:
            out = inflater.decompress(data, MAX_STREAM_BYTES)
        except zlib.error:
            raise PdfUnreadable("a compressed PDF stream is damaged") from None
        if inflater.unconsumed_tail:
            raise PdfUnreadable("a PDF stream expands beyond what is read (a PDF bomb)")
        data = out
    return data


def embedded_files(data: bytes, name: str) -> list[bytes]:
    """The distinct contents of every file embedded under ``name`` (an empty list: none).

    A file whose stored MD5 checksum does not match its content is damaged:
    :class:`PdfUnreadable`.
    """
    with _quiet():
        try:
            reader = _reader(data)
            catalog = _resolve(reader.trailer.get("/Root"))
            if not isinstance(catalog, dict):
                raise PdfUnreadable("the PDF has no document catalog")
            contents: list[bytes] = []
            for spec in _file_specs(catalog):
                if not isinstance(spec, dict):
                    continue
                names = {_text(_resolve(spec.get(key))) for key in ("/UF", "/F")}
                if name not in names:
                    continue
                files = _resolve(spec.get("/EF"))
                if not isinstance(files, dict):
                    raise PdfUnreadable(f"the PDF's file specification of {name} is damaged")
                stream = _resolve(files.get("/UF") or files.get("/F"))
                if not isinstance(stream, dict) or not hasattr(stream, "_data"):
                    raise PdfUnreadable(f"the PDF names {name} but holds no content for it")
                content = _inflate(stream)
                params = _resolve(stream.get("/Params"))
                checksum = _resolve(params.get("/CheckSum")) if isinstance(params, dict) else None
                stored = getattr(checksum, "original_bytes", None)
                if isinstance(stored, bytes) and stored != hashlib.md5(content).digest():
                    raise PdfUnreadable(f"the embedded {name} does not match its own checksum")
                if content not in contents:
                    contents.append(content)
            return contents
        except PdfUnreadable:
            raise
        except Exception as error:  # any failure of a parser on untrusted bytes
            raise PdfUnreadable(f"the PDF is damaged ({type(error).__name__})") from None


def page_texts(data: bytes, pages: int = MAX_TEXT_PAGES) -> Iterator[str]:
    """The text a reader sees on each of the first ``pages`` pages, in order."""
    with _quiet():
        try:
            reader = _reader(data)
            for index, page in enumerate(reader.pages):
                if index >= pages:
                    return
                yield page.extract_text()
        except PdfUnreadable:
            raise
        except Exception as error:  # any failure of a parser on untrusted bytes
            raise PdfUnreadable(f"the PDF's text cannot be read ({type(error).__name__})") from None
