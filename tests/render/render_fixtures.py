"""Helpers of the PDF tests: the canary HTTP server, the test submission, what was rendered.

The submission (data/submission.json) carries Arabic, Urdu and Cyrillic text and hostile
text: an ``<img>`` whose ``src`` points at a canary HTTP server started here on 127.0.0.1
(its request log must stay empty), a ``<script>``, a spreadsheet formula and a right-to-left
override.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from compliance.check import CheckResult
from compliance.figures import ReturnView
from compliance.issues import Issue

DATA = Path(__file__).parent / "data" / "submission.json"
PORT_PLACEHOLDER = "__CANARY_PORT__"
PSEUDONYM_KEY = b"test-key"


class CanaryServer:
    """An HTTP server on 127.0.0.1 that records every request it receives."""

    def __init__(self) -> None:
        self.requests: list[str] = []
        canary = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                canary.requests.append(self.path)
                self.send_response(200)
                self.send_header("Content-Type", "image/png")
                self.end_headers()

            do_POST = do_HEAD = do_GET

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> CanaryServer:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()


def submission_text(port: int) -> str:
    return DATA.read_text(encoding="utf-8").replace(PORT_PLACEHOLDER, str(port))


@dataclass
class Rendered:
    """Everything the tests look at, rendered once."""

    document: dict[str, Any]
    result: CheckResult
    view: ReturnView
    packs: dict[str, bytes]
    pack_draft: bytes
    return_pdf: bytes
    return_draft: bytes

    def issues_of(self, referral_id: str) -> list[Issue]:
        return [i for i in self.result.report.issues if i.referral_id == referral_id]
