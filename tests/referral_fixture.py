"""Referral documents (DTR-1 10.1) for the tests: one referral filed on its own.

Derived from the returns fixture's submission: its platform and its referral R1, with the
document's ``generated_at`` the moment R1 was referred, as a platform files it. A public
example of the format is copied in tests/data/kestrel-referral.json.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from returns_fixture import submission

KESTREL_REFERRAL = Path(__file__).parent / "data" / "kestrel-referral.json"


def referral_document(index: int = 0) -> dict[str, Any]:
    """The submission's referral ``index`` as a referral document, generated when referred
    (or, for the unreferred R3, when its suspicion was formed)."""
    whole = submission()
    referral = whole["referrals"][index]
    return {
        "schema_version": "1.0",
        "document": "referral",
        "generated_at": referral["referred_at"] or referral["suspicion_formed_at"],
        "platform": whole["platform"],
        "referral": referral,
    }


def document_bytes(document: dict[str, Any] | None = None) -> bytes:
    return json.dumps(document or referral_document(), ensure_ascii=False, indent=2).encode()
