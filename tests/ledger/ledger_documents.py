"""Referral documents for the ledger tests, the same in every process that builds them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from compliance.ledger import (
    Filing,
    PlatformKey,
    Suspicion,
    ToolVersions,
    canonical_bytes,
)

PLATFORM = PlatformKey("0123 4567", "GB")
OTHER_PLATFORM = PlatformKey("SC765432", "IE")
VERSIONS = ToolVersions("0.1.0", "DTR-1.0-rules.1")
FORMED = datetime(2026, 8, 14, 9, 0, tzinfo=UTC)
DEADLINES = {
    "threat_to_life": timedelta(hours=1),
    "urgent": timedelta(hours=24),
    "routine": timedelta(days=7),
}


def document(
    referral_id: str,
    *,
    generated_at: datetime,
    priority: str,
    formed: datetime,
    referred_at: datetime | None,
    narrative: str,
    authority_reference: str | None = None,
    platform: PlatformKey = PLATFORM,
) -> dict[str, Any]:
    return {
        "schema_version": "1.0",
        "document": "referral",
        "generated_at": generated_at,
        "platform": {
            "legal_name": "Harbourlight Social Ltd",
            "registration_number": platform.registration_number,
            "jurisdiction": platform.jurisdiction,
        },
        "referral": {
            "referral_id": referral_id,
            "priority": priority,
            "suspicion_formed_at": formed,
            "referred_at": referred_at,
            "referred_to": None if referred_at is None else "Counter Terrorism Policing (GB)",
            "authority_reference": authority_reference,
            "narrative": narrative,
            "content_items": [],
            "preservation": None,
        },
    }


def suspicion(
    referral_id: str,
    *,
    generated_at: datetime | None = None,
    priority: str = "urgent",
    formed: datetime = FORMED,
    narrative: str = "Posts instructions for an attack; انضموا إلينا 🔥",
    platform: PlatformKey = PLATFORM,
) -> Suspicion:
    generated = generated_at or formed + timedelta(minutes=10)
    body = document(
        referral_id,
        generated_at=generated,
        priority=priority,
        formed=formed,
        referred_at=None,
        narrative=narrative,
        platform=platform,
    )
    return Suspicion(
        platform=platform,
        referral_id=referral_id,
        priority=priority,
        suspicion_formed_at=formed,
        deadline=formed + DEADLINES[priority],
        generated_at=generated,
        canonical=canonical_bytes(body),
        versions=VERSIONS,
    )


def filing(
    referral_id: str,
    *,
    referred_after: timedelta = timedelta(hours=2),
    generated_at: datetime | None = None,
    priority: str = "urgent",
    formed: datetime = FORMED,
    narrative: str = "Posts instructions for an attack; انضموا إلينا 🔥",
    authority_reference: str | None = None,
    platform: PlatformKey = PLATFORM,
    pack_sha256: str = "ab" * 32,
) -> Filing:
    referred_at = formed + referred_after
    generated = generated_at or referred_at + timedelta(minutes=1)
    deadline = formed + DEADLINES[priority]
    body = document(
        referral_id,
        generated_at=generated,
        priority=priority,
        formed=formed,
        referred_at=referred_at,
        narrative=narrative,
        authority_reference=authority_reference,
        platform=platform,
    )
    late = referred_at > deadline
    return Filing(
        platform=platform,
        referral_id=referral_id,
        priority=priority,
        suspicion_formed_at=formed,
        deadline=deadline,
        generated_at=generated,
        referred_at=referred_at,
        referred_to="Counter Terrorism Policing (GB)",
        canonical=canonical_bytes(body),
        pack_sha256=pack_sha256,
        on_time=not late,
        versions=VERSIONS,
        breach_codes=("DTR-T005",) if late else (),
    )
