"""A small submission whose return figures are computed by hand in the tests.

Three referrals: R1 threat to life referred after 0.5 h (on time), R2 urgent referred after
30 h (late, DTR-T005), R3 routine not yet referred with its deadline still ahead (DTR-T007).
Free text carries markup, formula-looking text and right-to-left scripts.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

HOSTILE_NARRATIVE_TAIL = (
    ' <img src="http://127.0.0.1:9/x"> <script>alert(1)</script> =HYPERLINK("http://evil.example")'
)

PERSONAL_VALUES = [
    "acc-1001",
    "ember_fox",
    "ember.fox@mail.example",
    "+447700900123",
    "81.2.69.160",
    "acc-2002",
    "nachtwache",
    "2a02:8010:1234::77",
    "acc-3003",
    "https://videos.example/v/5521",
    "Ahmed Example",
    "officer.h@harbour.example",
    "+442079460111",
]


def _subject(
    subject_id: str, account: str, username: str, ip: str, port: int | None
) -> dict[str, Any]:
    return {
        "subject_id": subject_id,
        "service_id": "vid",
        "account_id": account,
        "username": username,
        "display_name": "Ahmed Example" if account == "acc-1001" else None,
        "email": "ember.fox@mail.example" if account == "acc-1001" else None,
        "phone": "+447700900123" if account == "acc-1001" else None,
        "date_of_birth": "1990-04-02" if account == "acc-1001" else None,
        "declared_country": "GB",
        "account_created_at": "2025-01-05T10:00:00Z",
        "account_status": "terminated",
        "ip_events": [
            {"ip": ip, "port": port, "observed_at": "2026-07-30T20:00:00Z", "event": "upload"}
        ],
    }


def _item(
    content_id: str,
    subject_id: str,
    posted: str,
    detected: str,
    removed: str | None,
    excerpt: str,
    language: str,
    url: str | None = None,
) -> dict[str, Any]:
    return {
        "content_id": content_id,
        "service_id": "vid",
        "subject_id": subject_id,
        "content_type": "video",
        "url": url,
        "posted_at": posted,
        "detected_at": detected,
        "removed_at": removed,
        "detection_source": "user_report",
        "hashes": [{"algorithm": "sha256", "value": (content_id.encode().hex() * 64)[:64]}],
        "visibility": "public",
        "view_count": 120,
        "excerpt": excerpt,
        "language": language,
    }


def _narrative(account: str, content_id: str) -> str:
    return (
        f"Account {account} uploaded video {content_id}, which a user reported. Our reviewer "
        "watched it in full and found it glorifies a recent attack and calls on viewers to "
        "repeat it against named places of worship in the coming weeks; the account's earlier "
        "posts show the same intent." + HOSTILE_NARRATIVE_TAIL
    )


def _referral(
    referral_id: str,
    priority: str,
    categories: list[str],
    suspicion: str,
    referred: str | None,
    account: str,
    username: str,
    ip: str,
    port: int | None,
    content_id: str,
    excerpt: str,
    language: str,
    url: str | None = None,
) -> dict[str, Any]:
    return {
        "referral_id": referral_id,
        "referral_type": "initial",
        "related_referral_ids": [],
        "priority": priority,
        "categories": categories,
        "detected_at": "2026-07-31T09:00:00Z",
        "suspicion_formed_at": suspicion,
        "referred_at": referred,
        "referred_to": "Counter Terrorism Policing (GB)" if referred else None,
        "countries_concerned": ["GB"],
        "authority_reference": None,
        "subjects": [_subject("S1", account, username, ip, port)],
        "content_items": [
            _item(
                content_id,
                "S1",
                "2026-07-31T08:00:00Z",
                "2026-07-31T09:00:00Z",
                "2026-07-31T11:00:00Z",
                excerpt,
                language,
                url,
            )
        ],
        "narrative": _narrative(account, content_id),
        "actions_taken": ["content_removed", "account_terminated", "data_preserved"],
        "preservation": {
            "preserved_at": "2026-07-31T11:05:00Z",
            "retain_until": "2027-03-01",
            "reference": f"EV-{referral_id}",
        },
    }


_SUBMISSION: dict[str, Any] = {
    "schema_version": "1.0",
    "submission_id": "HBL-2026-Q3",
    "submission_type": "initial",
    "amends_submission_id": None,
    "period": "2026-Q3",
    "generated_at": "2026-10-02T09:00:00Z",
    "platform": {
        "legal_name": "Harbour Video Ltd",
        "registration_number": "09876543",
        "jurisdiction": "GB",
        "services": [
            {
                "service_id": "vid",
                "name": "Harbour Video",
                "service_type": "video_sharing",
                "monthly_active_users": 1200000,
            }
        ],
        "nominated_officer": {
            "name": "Helen Officer",
            "role": "Head of Trust and Safety",
            "email": "officer.h@harbour.example",
            "phone": "+442079460111",
        },
    },
    "referrals": [
        _referral(
            "R1",
            "threat_to_life",
            ["threat"],
            "2026-08-01T10:00:00Z",
            "2026-08-01T10:30:00Z",
            "acc-1001",
            "ember_fox",
            "81.2.69.160",
            5000,
            "v-5521",
            "سنضرب في الأسبوع القادم",
            "ar",
            "https://videos.example/v/5521",
        ),
        _referral(
            "R2",
            "urgent",
            ["incitement", "proscribed_support"],
            "2026-08-10T00:00:00Z",
            "2026-08-11T06:00:00Z",
            "acc-2002",
            "nachtwache",
            "2a02:8010:1234::77",
            None,
            "v-6610",
            "Присоединяйтесь к нам",
            "ru",
        ),
        _referral(
            "R3",
            "routine",
            ["recruitment"],
            "2026-09-28T12:00:00Z",
            None,
            "acc-3003",
            "quiet_river",
            "81.2.69.161",
            41000,
            "v-7702",
            "ہمارے ساتھ شامل ہو جاؤ",
            "ur",
        ),
    ],
    "moderation_log": [
        {
            "action_id": "M1",
            "service_id": "vid",
            "account_id": "acc-1001",
            "content_id": "v-5521",
            "category": "threat",
            "actioned_at": "2026-07-31T11:00:00Z",
            "referral_id": "R1",
        },
        {
            "action_id": "M2",
            "service_id": "vid",
            "account_id": "acc-2002",
            "content_id": "v-6610",
            "category": "incitement",
            "actioned_at": "2026-07-31T11:00:00Z",
            "referral_id": "R2",
        },
        {
            "action_id": "M3",
            "service_id": "vid",
            "account_id": "acc-9009",
            "content_id": None,
            "category": "incitement",
            "actioned_at": "2026-08-20T12:00:00Z",
            "referral_id": None,
        },
        {
            "action_id": "M4",
            "service_id": "vid",
            "account_id": "acc-3003",
            "content_id": "v-7702",
            "category": "recruitment",
            "actioned_at": "2026-07-31T11:00:00Z",
            "referral_id": "R3",
        },
    ],
    "attestation": {
        "name": "Helen Officer",
        "role": "Head of Trust and Safety",
        "signed_at": "2026-10-02T08:30:00Z",
        "statement": "I confirm this return is complete and accurate.",
    },
}


def submission() -> dict[str, Any]:
    return copy.deepcopy(_SUBMISSION)


def ready_submission(submission_id: str) -> dict[str, Any]:
    """A filing-ready submission with one referral: two PDFs to render, so batches of many
    stay affordable."""
    document = submission()
    document["submission_id"] = submission_id
    document["referrals"] = document["referrals"][:1]
    document["moderation_log"] = document["moderation_log"][:1]
    return document


def broken_submission(submission_id: str) -> dict[str, Any]:
    """Not filing-ready: R2 says it was referred but not to whom (DTR-I008, an error). Its late
    referral alone would not do: a breach is disclosed, never a reason to refuse (DTR-1.1)."""
    document = submission()
    document["submission_id"] = submission_id
    document["referrals"][1]["referred_to"] = None
    return document


def write_json(path: Path, document: dict[str, Any]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(document, ensure_ascii=False, indent=1), encoding="utf-8")
    return path


def submission_bytes(document: dict[str, Any] | None = None) -> bytes:
    return json.dumps(document or submission(), ensure_ascii=False, indent=2).encode("utf-8")
