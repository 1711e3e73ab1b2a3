"""Referral documents for the filing tests, made from the returns fixture's submission."""

from __future__ import annotations

import copy
import json
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from returns_fixture import submission


def referral_document(index: int = 0, **changes: Any) -> dict[str, Any]:
    """Referral ``index`` of the fixture (R1 threat to life on time, R2 urgent and late, R3
    routine not yet referred) as a referral document generated when it was referred."""
    source = submission()
    referral = copy.deepcopy(source["referrals"][index])
    referral.update(changes)
    generated = referral["referred_at"] or referral["suspicion_formed_at"]
    return {
        "schema_version": "1.0",
        "document": "referral",
        "generated_at": generated,
        "platform": source["platform"],
        "referral": referral,
    }


def numbered(document: dict[str, Any], number: int) -> dict[str, Any]:
    """The same referral under another id, as another filing of the same platform."""
    copied = copy.deepcopy(document)
    copied["referral"]["referral_id"] = f"{copied['referral']['referral_id']}-{number:04d}"
    return copied


def write(path: Path, document: dict[str, Any]) -> Path:
    path.write_text(json.dumps(document, ensure_ascii=False, indent=1), encoding="utf-8")
    return path
