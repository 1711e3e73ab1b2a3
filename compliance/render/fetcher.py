"""The only way a PDF may load anything: files of the project's own template folder.

WeasyPrint's default fetcher reads any ``file://`` URL (a ``<link rel=attachment>`` even
embeds the file into the PDF), follows ``http://127.0.0.1:...`` and decodes ``data:`` URIs.
Submitted text never reaches an attribute that fetches, but if it ever did, this fetcher
stops it: it serves a ``file:`` URL only when the file's real path (symlinks and ``..``
resolved) lies inside :data:`~compliance.render.assets.TEMPLATE_DIR`, and refuses every other
URL by raising. WeasyPrint logs a refused fetch and renders without the resource.
"""

from __future__ import annotations

import mimetypes
from pathlib import Path
from urllib.parse import unquote, urlsplit

from weasyprint.urls import URLFetcher, URLFetcherResponse

from compliance.errors import ComplianceError
from compliance.render.assets import TEMPLATE_DIR

_CONTENT_TYPES = {
    ".css": "text/css",
    ".ttf": "font/ttf",
    ".otf": "font/otf",
    ".woff": "font/woff",
    ".woff2": "font/woff2",
    ".svg": "image/svg+xml",
    ".png": "image/png",
}


class FetchRefused(ComplianceError, PermissionError):
    """A URL outside the template folder, or of any scheme but ``file:``."""


class TemplateOnlyFetcher(URLFetcher):  # type: ignore[misc]  # WeasyPrint ships no types
    """A :class:`weasyprint.urls.URLFetcher` that serves files under one folder only."""

    def __init__(self, root: Path = TEMPLATE_DIR) -> None:
        # No handler is ever used (fetch never calls urllib), but keep the base usable.
        super().__init__(timeout=1, allowed_protocols=("file",), allow_redirects=False)
        self.root = Path(root).resolve(strict=True)

    def resolve(self, url: str) -> Path:
        """The real path a ``file:`` URL names, if it is a file inside the root; else raise."""
        try:
            parts = urlsplit(url)
        except ValueError as error:
            raise FetchRefused(f"malformed URL refused: {url[:80]!r}") from error
        if parts.scheme.lower() != "file":
            raise FetchRefused(f"only template files may be loaded, refused: {url[:80]!r}")
        if parts.netloc not in ("", "localhost"):
            raise FetchRefused(f"remote file URL refused: {url[:80]!r}")
        raw = unquote(parts.path)
        if "\x00" in raw:
            raise FetchRefused("file URL with a NUL byte refused")
        try:
            real = Path(raw).resolve(strict=True)
        except (OSError, RuntimeError) as error:
            raise FetchRefused(f"no such template file: {url[:80]!r}") from error
        if not real.is_relative_to(self.root) or not real.is_file():
            raise FetchRefused(f"outside the template folder, refused: {url[:80]!r}")
        return real

    def fetch(self, url: str, headers: object = None) -> URLFetcherResponse:
        path = self.resolve(url)
        content_type = _CONTENT_TYPES.get(path.suffix.lower()) or (
            mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        )
        return URLFetcherResponse(path.as_uri(), path.read_bytes(), {"Content-Type": content_type})

    def open(self, url: object, data: object = None, timeout: object = None) -> URLFetcherResponse:
        # urllib-style entry point of the base class: same rule.
        full_url = getattr(url, "full_url", url)
        return self.fetch(str(full_url))

    def __call__(self, url: str) -> URLFetcherResponse:
        return self.fetch(url)
