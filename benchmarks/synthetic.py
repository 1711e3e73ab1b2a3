"""Seeded generator of large, realistic, fully valid DTR-1 submissions.

    .venv/bin/python benchmarks/synthetic.py --referrals 100000 --seed 1 \\
        --out benchmarks/data/sub-100k.json

The output is meant to check clean: no error and no warning. Every business rule of DTR-1
section 6.2 is respected by construction (see the notes in :class:`_Generator`):

- every referral is referred inside its priority's deadline (sometimes exactly on it), in the
  quarter being filed; chronology holds (posted <= detected <= removed; detected <=
  suspicion_formed <= referred; the referral's detected_at is its earliest item's);
- every timestamp lies before ``generated_at``, which (with the attestation) falls a few days
  after the quarter ends;
- subjects have public IPv4 addresses with a source port, or global IPv6 addresses;
- image, video, audio and file items carry well-formed hashes;
- removed content is preserved for at least 183 days after the last removal, and
  ``content_removed`` is listed exactly when some item was removed;
- narratives are at least 200 characters and name the subject's account;
- threat, attack_planning and attack_footage are never ``routine``;
- the moderation log (about two rows per referral) lies inside the quarter, and its rows
  name existing referrals; a removal without a referral is never in category threat or
  attack_planning, and an account that is nobody's subject has at most two removals, so the
  duty-to-report rule (3 within 90 days) never fires.

Free text (narratives, excerpts, display names, the attestation statement) mixes English,
Arabic, Urdu, Cyrillic, emoji, right-to-left marks, markup and formula-looking text, as real
filings do. Times are kept as integer UTC seconds and written with assorted UTC offsets.

The same (referrals, seed, period, ids) always gives the same document. ``generate_submission``
returns it as a dict; the CLI streams it to a file one referral per line, so 100,000 referrals
never sit in memory at once; both give the same JSON value.
"""

from __future__ import annotations

import argparse
import base64
import json
import random
import sys
import time
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any, TextIO

# --------------------------------------------------------------------------------------------
# Constants of the standard (DTR-1 section 6, defaults)

DEADLINE_SECONDS = {"threat_to_life": 3600, "urgent": 24 * 3600, "routine": 7 * 24 * 3600}
GRAVE_CATEGORIES = ("threat", "attack_planning", "attack_footage")  # never routine (C001)
ALWAYS_REFERRED = ("threat", "attack_planning")  # never an unreferred removal (D002)
ORDINARY_CATEGORIES = (
    "incitement",
    "solicitation",
    "recruitment",
    "instruction",
    "financing",
    "proscribed_support",
)
UNREFERRED_CATEGORIES = tuple(
    category
    for category in (*ORDINARY_CATEGORIES, *GRAVE_CATEGORIES)
    if category not in ALWAYS_REFERRED
)
PRESERVATION_DAYS = 183
SLOW_SUSPICION_SECONDS = 30 * 86400  # T008 warns above this

DAY = 86400
HOUR = 3600
_EPOCH_ORDINAL = date(1970, 1, 1).toordinal()

# --------------------------------------------------------------------------------------------
# Vocabulary

PLATFORMS = (
    ("Kestrel Forums plc", "kestrel", "GB", "SC612345"),
    ("Harrier Social Ltd", "harrier", "GB", "09876543"),
    ("Lumen Video Teoranta", "lumen", "IE", "IE654321"),
    ("Corvid Messaging Inc.", "corvid", "US", "DE-7734519"),
    ("Ostrava Files s.r.o.", "ostrava", "CZ", "CZ27082440"),
    ("Tern Streams B.V.", "tern", "NL", "NL81234567"),
)
SERVICE_SHAPES = (
    ("", "forum"),
    ("-video", "video_sharing"),
    ("-chat", "messaging"),
    ("-live", "live_streaming"),
    ("-files", "file_hosting"),
    ("-social", "social_media"),
)
AUTHORITIES = {
    "GB": ("Counter Terrorism Policing (GB)", "Police Scotland Counter Terrorism Unit"),
    "IE": ("An Garda Síochána Special Detective Unit", "Europol EU IRU"),
    "US": ("FBI National Threat Operations Center", "Europol EU IRU"),
    "CZ": ("Národní centrála proti organizovanému zločinu", "Europol EU IRU"),
    "NL": ("Nationale Politie – Dienst Landelijke Informatieorganisatie", "Europol EU IRU"),
}
# fmt: off
COUNTRIES = (
    "GB", "IE", "US", "FR", "DE", "NL", "BE", "ES", "IT", "SE", "DK", "NO", "PL", "AT", "CZ",
    "PK", "AF", "SA", "EG", "IQ", "SY", "JO", "TR", "RU", "UA", "MA", "NG", "SO", "IN", "AE",
)
# fmt: on
OFFICERS = (
    ("Morag Lindsay", "Trust and Safety Lead"),
    ("Zainab Al-Hashimi", "Head of Counter-Extremism Operations"),
    ("Oleksandr Kovalenko", "Nominated Officer"),
    ("Siobhán Ní Bhriain", "Director, Platform Integrity"),
    ("Priya Raghunathan", "Law Enforcement Response Manager"),
)
ATTESTERS = (
    ("Ewan Baird", "Director of Compliance"),
    ("Amira Haddad", "General Counsel"),
    ("Jonas Vermeulen", "Chief Executive Officer"),
    ("Fatima Zahra Benali", "Chief Trust Officer"),
)
STATEMENTS = (
    "I confirm that this return is complete and accurate.",
    "I confirm that this return is complete and accurate to the best of my knowledge.\n"
    "All referrals listed were made to the authorities named.",
    "Je certifie que la présente déclaration est complète et exacte. "
    "(Statement also filed in English.)",
    "I confirm this return.\tPrepared by the Trust & Safety team; reviewed by Legal <legal@>.",
)
# fmt: off
GIVEN = (
    "Gareth", "Ahmed", "Yusuf", "Oksana", "Dmitri", "Bilal", "Khadija", "Tom", "Hamza",
    "Ivan", "Sana", "Lewis", "Maryam", "Mohammed", "Aleksei", "Imran", "Noor", "Callum",
)
# fmt: on
DISPLAY_NAMES = (
    None,
    None,
    "{given}",
    "{given} 🔥",
    "أبو {given}",
    "أبو محمد الشامي",
    "\u200fالمهاجر\u200f",
    "مجاہد {given}",
    "سپاہیِ حق",
    "Воин Севера",
    "{given} ⚔️🏴",
    "<b>{given}</b>",
    '=HYPERLINK("https://x.example","{given}")',
    "@{given}_official",
    "{given} (backup #3)",
    "Ẓ̷a̴l̸g̶o̵ {given}",
    "\u202e{given}\u202c",
)
# fmt: off
USERNAME_STEMS = (
    "quietmechanic", "north_standard", "lion.of.dawn", "ghazwa_media", "truthseeker88",
    "al-bayan-news", "voice_of_east", "sever_voin", "khorasan_call", "old.soldier",
    "media.wing", "the_caller", "sabr_wa_jihad", "nord.front", "anon-relay",
)
# fmt: on
EXCERPTS = (
    ("en", "Their flag, with the slogan underneath"),
    ("en", "Step 1: get the following from any hardware store…"),
    ("en", "Brothers, the time for talk is over. Be ready on the day we announce."),
    ("en", "Donate via the wallet in my bio, every coin reaches the fighters 💰"),
    ("en", "Who's coming to the gathering? DM me for the location.\nBring nothing traceable."),
    ("en", "<script>alert('x')</script> watch before it's taken down"),
    ("en", '=HYPERLINK("https://mirror.example/v","full video")'),
    ("en", "+44 cell, ask for the manual\t(pdf, 12 pages)"),
    ("ar", "انضموا إلى القافلة قبل فوات الأوان"),
    ("ar", "\u200fالنصر قادم بإذن الله، جهزوا أنفسكم\u200f"),
    ("ar", "من يريد المساعدة فليتواصل معي على الخاص"),
    ("ur", "ہمارے ساتھ شامل ہو جاؤ، وقت کم ہے"),
    ("ur", "بھائیو، تیاری مکمل رکھو۔ اعلان جلد ہوگا"),
    ("ru", "Присоединяйтесь к нам, пока не поздно."),
    ("ru", "Инструкция в закрепе, читайте внимательно"),
    ("uk", "Збір коштів для «братів», реквізити нижче"),
    ("fa", "به ما بپیوندید، زمان کم است"),
    ("en", "🔥🔥🔥 they will remember this day 🔥🔥🔥"),
    ("en", ""),
)
REASONS = (
    "Our reviewer concluded that the material glorifies a recent attack and urges others to "
    "follow it.",
    "The posts give practical instructions that could be used to prepare an attack.",
    "The account solicited donations for a proscribed organisation and named a wallet.",
    "Messages discuss a target, a date and the means of travel, which suggests preparation.",
    "The content repeats the symbols and slogans of a proscribed organisation and invites "
    "others to join it.",
    "A user reported a direct threat against a named public event; the threat was specific "
    "about time and place.",
    "Review of the account history found earlier removals of similar material, which "
    "together show sustained support rather than a one-off.",
    "The upload matched a hash in the shared industry database of perpetrator-produced footage.",
    "Comments in Arabic and Urdu under the post encouraged the poster; translations are "
    "attached to the preserved evidence.",
    "The account created several new channels within hours of a previous suspension, "
    "evading enforcement.",
)
SERVICE_WORDS = ("thread", "post", "upload", "message", "stream", "comment", "file")
CONTENT_TYPES = ("text", "image", "video", "audio", "livestream", "link", "file", "message")
HASHED_TYPES = frozenset({"image", "video", "audio", "file"})
DETECTION_SOURCES = (
    "user_report",
    "trusted_flagger",
    "automated_classifier",
    "hash_match",
    "authority_notice",
    "internal_review",
)
OFFSETS = (0, 0, 0, 0, 0, 60, 60, 120, 180, 330, -240, -300, 0)  # minutes east of UTC
# fmt: off
IPV4_FIRST_OCTETS = (
    2, 5, 31, 37, 41, 46, 62, 77, 78, 79, 80, 81, 82, 83, 84, 85, 86, 87, 88, 89, 90, 91, 92,
    93, 94, 95, 102, 105, 109, 110, 111, 112, 113, 114, 115, 116, 117, 118, 119, 145, 154,
    176, 178, 185, 188, 193, 194, 195, 196, 197, 212, 213, 217,
)  # globally routed unicast blocks only: no private, CGNAT or documentation range
# fmt: on
IPV6_PREFIXES = (  # global unicast (RIPE, APNIC, ARIN, AFRINIC); never 2001:db8::/32
    "2a01:4b00",
    "2a02:c7c",
    "2a00:23c5",
    "2a02:6b8",
    "2400:cb00",
    "2600:1700",
    "2c0f:fb50",
)  # fmt: skip


def _period_bounds(period: str) -> tuple[int, int]:
    """[start, end) of a calendar quarter ``YYYY-Qn`` in UTC epoch seconds."""
    try:
        year_text, quarter_text = period.split("-Q")
        year, quarter = int(year_text), int(quarter_text)
    except ValueError:
        raise ValueError(f"period {period!r} is not written YYYY-Qn") from None
    if not 1 <= quarter <= 4 or not 1971 <= year <= 9998:
        raise ValueError(f"period {period!r} is out of range")
    first = date(year, 3 * quarter - 2, 1)
    last = date(year + 1, 1, 1) if quarter == 4 else date(year, 3 * quarter + 1, 1)
    return ((first.toordinal() - _EPOCH_ORDINAL) * DAY, (last.toordinal() - _EPOCH_ORDINAL) * DAY)


class _Clock:
    """Formats UTC epoch seconds as ISO 8601 with an offset, caching the date part."""

    def __init__(self) -> None:
        self._days: dict[int, str] = {}
        self._suffix = {
            m: "Z" if m == 0 else f"{'+' if m > 0 else '-'}{abs(m) // 60:02d}:{abs(m) % 60:02d}"
            for m in set(OFFSETS) | {0}
        }

    def day(self, days: int) -> str:
        text = self._days.get(days)
        if text is None:
            text = self._days[days] = date.fromordinal(days + _EPOCH_ORDINAL).isoformat()
        return text

    def stamp(self, seconds: int, offset_minutes: int = 0) -> str:
        days, rest = divmod(seconds + offset_minutes * 60, DAY)
        hours, rest = divmod(rest, HOUR)
        minutes, secs = divmod(rest, 60)
        return (
            f"{self.day(days)}T{hours:02d}:{minutes:02d}:{secs:02d}{self._suffix[offset_minutes]}"
        )

    def date_of(self, seconds: int) -> date:
        return date.fromordinal(seconds // DAY + _EPOCH_ORDINAL)


class _Generator:
    """Builds one submission; all randomness comes from one seeded ``random.Random``.

    Order of generation (and so of random draws) is fixed: envelope, referrals in order,
    then the unreferred part of the moderation log.
    """

    def __init__(
        self,
        referrals: int,
        seed: int,
        period: str,
        submission_id: str | None,
        platform_name: str | None,
    ) -> None:
        if referrals < 0:
            raise ValueError("referrals must be >= 0")
        self.count = referrals
        self.rng = random.Random(seed)
        self.clock = _Clock()
        self.period = period
        self.start, self.end = _period_bounds(period)
        rng = self.rng
        legal, slug, jurisdiction, registration = PLATFORMS[rng.randrange(len(PLATFORMS))]
        if platform_name is not None:
            legal = platform_name
            ascii_slug = "".join(
                ch for ch in platform_name.lower() if ch.isascii() and ch.isalnum()
            )
            slug = ascii_slug[:16] or slug
        self.legal_name, self.slug, self.jurisdiction = legal, slug, jurisdiction
        self.registration = registration
        self.prefix = slug[:3].upper()
        self.submission_id = submission_id or f"{self.prefix}-{period}"
        # generated_at 2-6 days after the quarter ends; the attestation shortly before it.
        self.generated_at = self.end + 2 * DAY + rng.randrange(4 * DAY)
        self.signed_at = self.generated_at - rng.randrange(30 * 60, 20 * HOUR)
        self.services = self._services()
        self.authorities = AUTHORITIES.get(jurisdiction, AUTHORITIES["GB"])
        self.account_serial = 0  # subject accounts: even numbers; others: odd (never clash)
        self.content_serial = 0
        self.removals: list[tuple[int, str, str, str, str, str | None]] = []
        self.recent: list[tuple[str, dict[str, Any]]] = []  # (referral_id, first subject)

    # ---------------------------------------------------------------- envelope

    def _services(self) -> list[dict[str, Any]]:
        rng = self.rng
        shapes = [SERVICE_SHAPES[0], *rng.sample(SERVICE_SHAPES[1:], rng.randrange(0, 4))]
        services = []
        for suffix, service_type in shapes:
            name = (
                self.slug.capitalize()
                + {
                    "forum": "",
                    "video_sharing": " Video",
                    "messaging": " Chat",
                    "live_streaming": " Live",
                    "file_hosting": " Files",
                    "social_media": " Social",
                }[service_type]
            )
            services.append(
                {
                    "service_id": self.slug + suffix,
                    "name": name,
                    "service_type": service_type,
                    "monthly_active_users": (
                        None if rng.random() < 0.15 else rng.randrange(5_000, 40_000_000)
                    ),
                }
            )
        return services

    def _stamp(self, seconds: int) -> str:
        return self.clock.stamp(seconds, OFFSETS[self.rng.randrange(len(OFFSETS))])

    def envelope_head(self) -> dict[str, Any]:
        rng = self.rng
        officer_name, officer_role = OFFICERS[rng.randrange(len(OFFICERS))]
        local = officer_name.split()[0].lower().replace("á", "a")
        return {
            "schema_version": "1.0",
            "submission_id": self.submission_id,
            "submission_type": "initial",
            "amends_submission_id": None,
            "period": self.period,
            "generated_at": self.clock.stamp(self.generated_at, 60),
            "platform": {
                "legal_name": self.legal_name,
                "registration_number": self.registration,
                "jurisdiction": self.jurisdiction,
                "services": self.services,
                "nominated_officer": {
                    "name": officer_name,
                    "role": officer_role,
                    "email": f"{local}.officer@{self.slug}.example",
                    "phone": f"+44{rng.randrange(1_000_000_000, 9_999_999_999)}",
                },
            },
        }

    def attestation(self) -> dict[str, Any]:
        name, role = ATTESTERS[self.rng.randrange(len(ATTESTERS))]
        return {
            "name": name,
            "role": role,
            "signed_at": self.clock.stamp(self.signed_at, 60),
            "statement": STATEMENTS[self.rng.randrange(len(STATEMENTS))],
        }

    # ---------------------------------------------------------------- referrals

    def referrals(self) -> Iterator[dict[str, Any]]:
        for number in range(1, self.count + 1):
            yield self._referral(number)

    def _new_account(self) -> str:
        self.account_serial += 1
        return str(10_000_000 + 2 * self.account_serial)

    def _subject(self, subject_id: str, first_seen: int, referred: int) -> dict[str, Any]:
        rng = self.rng
        service = self.services[rng.randrange(len(self.services))]
        account = f"{service['service_id'][:1]}-{self._new_account()}"
        stem = USERNAME_STEMS[rng.randrange(len(USERNAME_STEMS))]
        given = GIVEN[rng.randrange(len(GIVEN))]
        display = DISPLAY_NAMES[rng.randrange(len(DISPLAY_NAMES))]
        created = first_seen - rng.randrange(2 * DAY, 6 * 365 * DAY)
        status = ("active", "restricted", "suspended", "terminated", "terminated")[rng.randrange(5)]
        born = None
        if rng.random() < 0.3:
            generated_day = self.clock.date_of(self.generated_at)
            age = rng.randrange(16, 70)
            born = (
                date(generated_day.year - age, 1, 1) + timedelta(days=rng.randrange(365))
            ).isoformat()
        events = []
        for _ in range(rng.choice((1, 1, 2, 2, 3))):
            observed = rng.randrange(created, referred + 1)
            if rng.random() < 0.8:
                ip = (
                    f"{IPV4_FIRST_OCTETS[rng.randrange(len(IPV4_FIRST_OCTETS))]}."
                    f"{rng.randrange(256)}.{rng.randrange(256)}.{rng.randrange(1, 255)}"
                )
                port: int | None = rng.randrange(1024, 65536)
            else:
                ip = (
                    f"{IPV6_PREFIXES[rng.randrange(len(IPV6_PREFIXES))]}:"
                    f"{rng.getrandbits(16):x}:{rng.getrandbits(16):x}::{rng.getrandbits(16):x}"
                )
                port = None if rng.random() < 0.6 else rng.randrange(1024, 65536)
            events.append(
                {
                    "ip": ip,
                    "port": port,
                    "observed_at": self._stamp(observed),
                    "event": ("registration", "login", "login", "upload", "other")[
                        rng.randrange(5)
                    ],
                }
            )
        return {
            "subject_id": subject_id,
            "service_id": service["service_id"],
            "account_id": account,
            "username": None if rng.random() < 0.1 else f"{stem}{rng.randrange(100, 10_000)}",
            "display_name": None if display is None else display.format(given=given),
            "email": (
                f"{stem.replace('_', '.')}.{rng.randrange(1000)}@mail{rng.randrange(9)}.example"
                if rng.random() < 0.5
                else None
            ),
            "phone": (
                f"+{rng.choice(('44', '353', '1', '92', '7', '966', '20'))}"
                f"{rng.randrange(100_000_000, 9_999_999_999)}"
                if rng.random() < 0.25
                else None
            ),
            "date_of_birth": born,
            "declared_country": None if rng.random() < 0.4 else rng.choice(COUNTRIES),
            "account_created_at": None if rng.random() < 0.2 else self._stamp(created),
            "account_status": status,
            "ip_events": events,
        }

    def _hashes(self, content_type: str) -> list[dict[str, str]]:
        rng = self.rng
        if content_type not in HASHED_TYPES and rng.random() < 0.8:
            return []
        algorithms = ["sha256"]
        if content_type in ("image", "video") and rng.random() < 0.5:
            algorithms.append(rng.choice(("pdq", "photodna")))
        if rng.random() < 0.2:
            algorithms.append(rng.choice(("md5", "sha1")))
        hashes = []
        for algorithm in algorithms:
            if algorithm == "photodna":
                raw = rng.getrandbits(144 * 8).to_bytes(144, "big")
                value = base64.b64encode(raw).decode("ascii")
            else:
                bits = {"sha256": 256, "pdq": 256, "md5": 128, "sha1": 160}[algorithm]
                value = f"{rng.getrandbits(bits):0{bits // 4}x}"
                if rng.random() < 0.1:
                    value = value.upper()
            hashes.append({"algorithm": algorithm, "value": value})
        return hashes

    def _referral(self, number: int) -> dict[str, Any]:
        rng = self.rng
        referral_id = f"{self.prefix}-R{number:06d}"

        # Priority and categories (grave categories never routine: DTR-C001).
        roll = rng.random()
        priority = "threat_to_life" if roll < 0.08 else "urgent" if roll < 0.35 else "routine"
        pool = ORDINARY_CATEGORIES
        if priority != "routine":
            pool = ORDINARY_CATEGORIES + GRAVE_CATEGORIES
        categories = rng.sample(pool, rng.choice((1, 1, 1, 2, 2, 3)))
        if priority == "threat_to_life" and not set(categories) & {"threat", "attack_planning"}:
            categories[0] = rng.choice(("threat", "attack_planning"))
            categories = list(dict.fromkeys(categories))

        # Timeline, all in the quarter being filed and in time (DTR-T002, T005, T008, T009).
        deadline = DEADLINE_SECONDS[priority]
        referred = rng.randrange(self.start + HOUR, self.end - 60)
        taken = deadline if rng.random() < 0.03 else max(60, int(deadline * rng.random() ** 2))
        suspicion = referred - taken
        gap_scale = {"threat_to_life": 6 * HOUR, "urgent": 3 * DAY, "routine": 25 * DAY}[priority]
        detected = suspicion - min(int(gap_scale * rng.random() ** 2), SLOW_SUSPICION_SECONDS - 60)

        # Referral type; a continuing referral follows an earlier subject.
        type_roll = rng.random()
        referral_type = "initial"
        related: list[str] = []
        followed: dict[str, Any] | None = None
        if type_roll < 0.15:
            referral_type = "continuing" if type_roll < 0.1 else "correction"
            if self.recent and rng.random() < 0.7:
                related_id, followed = self.recent[rng.randrange(len(self.recent))]
                related.append(related_id)
            else:
                related.append(f"{self.prefix}-P{rng.randrange(1, 99_999):05d}")

        subjects = [
            self._subject(f"S{j}", detected, referred)
            for j in range(1, rng.choice((1, 1, 1, 2, 2, 3)) + 1)
        ]
        if followed is not None and referral_type == "continuing":
            # Same account, seen again; its own IP events and ids stay valid.
            for key in ("service_id", "account_id", "username", "display_name"):
                subjects[0][key] = followed[key]
        self.recent.append((referral_id, subjects[0]))
        if len(self.recent) > 64:
            self.recent.pop(0)

        # Content: the first item is what was detected first (DTR-T003 holds with equality).
        items = []
        removed_times = []
        for j in range(rng.choice((1, 1, 2, 2, 3, 4))):
            self.content_serial += 1
            subject = subjects[rng.randrange(len(subjects))] if rng.random() < 0.9 else None
            service_id = subject["service_id"] if subject else self.services[0]["service_id"]
            content_type = CONTENT_TYPES[rng.randrange(len(CONTENT_TYPES))]
            item_detected = detected if j == 0 else rng.randrange(detected, suspicion + 1)
            online = HOUR if content_type == "livestream" else 3 * DAY
            posted = item_detected - rng.randrange(0, online)
            removed = None
            if rng.random() < 0.75:
                upper = min(referred + 2 * DAY, self.end - 1)
                removed = item_detected + int((upper - item_detected) * rng.random() ** 3)
                removed_times.append(removed)
            word = SERVICE_WORDS[rng.randrange(len(SERVICE_WORDS))]
            content_id = f"{word[0]}-{self.content_serial}"
            language, excerpt = EXCERPTS[rng.randrange(len(EXCERPTS))]
            with_text = content_type in ("text", "message", "link", "livestream")
            items.append(
                {
                    "content_id": content_id,
                    "service_id": service_id,
                    "subject_id": subject["subject_id"] if subject else None,
                    "content_type": content_type,
                    "url": (
                        f"https://{service_id}.example/{content_type}/{self.content_serial}"
                        if content_type != "message"
                        else None
                    ),
                    "posted_at": self._stamp(posted),
                    "detected_at": self._stamp(item_detected),
                    "removed_at": None if removed is None else self._stamp(removed),
                    "detection_source": DETECTION_SOURCES[rng.randrange(len(DETECTION_SOURCES))],
                    "hashes": self._hashes(content_type),
                    "visibility": ("public", "public", "restricted", "private")[rng.randrange(4)],
                    "view_count": None if rng.random() < 0.2 else int(rng.paretovariate(1.2) * 10),
                    "excerpt": excerpt if with_text or rng.random() < 0.2 else None,
                    "language": language if with_text and excerpt else None,
                }
            )
            if removed is not None and self.start <= removed < self.end:
                account = subject["account_id"] if subject else subjects[0]["account_id"]
                self.removals.append(
                    (removed, service_id, account, content_id, rng.choice(categories), referral_id)
                )

        # Earlier, unreferred removals of the first subject (exempt from DTR-D001: a subject).
        if rng.random() < 0.12:
            first = subjects[0]
            for _ in range(rng.randrange(1, 4)):
                self.content_serial += 1
                when = rng.randrange(self.start, max(self.start + 1, detected))
                self.removals.append(
                    (
                        when,
                        first["service_id"],
                        first["account_id"],
                        f"p-{self.content_serial}",
                        rng.choice(UNREFERRED_CATEGORIES),
                        None,
                    )
                )

        # Preservation (DTR-P001, P002) and actions (DTR-P003).
        preservation = None
        if removed_times or rng.random() < 0.3:
            last = max(removed_times) if removed_times else suspicion
            extra = 0 if rng.random() < 0.05 else rng.randrange(0, 400)
            retain = self.clock.date_of(last) + timedelta(days=PRESERVATION_DAYS + extra)
            preservation = {
                "preserved_at": self._stamp(last + rng.randrange(60, 45 * 60)),
                "retain_until": retain.isoformat(),
                "reference": f"{self.prefix}-EV-{rng.randrange(10**7):07d}",
            }
        actions = []
        if removed_times:
            actions.append("content_removed")
        if any(item["removed_at"] is None for item in items) and rng.random() < 0.5:
            actions.append("content_restricted")
        statuses = {subject["account_status"] for subject in subjects}
        if "suspended" in statuses:
            actions.append("account_suspended")
        if "terminated" in statuses:
            actions.append("account_terminated")
        if preservation is not None:
            actions.append("data_preserved")
        if priority == "threat_to_life" and rng.random() < 0.6:
            actions.append("emergency_disclosure")
        if not actions:
            actions.append("no_action")

        countries = [self.jurisdiction]
        for _ in range(rng.choice((0, 0, 1, 2))):
            country = COUNTRIES[rng.randrange(len(COUNTRIES))]
            if country not in countries:
                countries.append(country)

        return {
            "referral_id": referral_id,
            "referral_type": referral_type,
            "related_referral_ids": related,
            "priority": priority,
            "categories": categories,
            "detected_at": self._stamp(detected),
            "suspicion_formed_at": self._stamp(suspicion),
            "referred_at": self._stamp(referred),
            "referred_to": self.authorities[rng.randrange(len(self.authorities))],
            "countries_concerned": countries,
            "authority_reference": (
                f"CTP-{(referred // (365 * DAY) + 1970) % 100:02d}-{rng.randrange(10**6):06d}"
                if rng.random() < 0.6
                else None
            ),
            "subjects": subjects,
            "content_items": items,
            "narrative": self._narrative(subjects, items, categories, priority),
            "actions_taken": actions,
            "preservation": preservation,
        }

    def _narrative(
        self,
        subjects: list[dict[str, Any]],
        items: list[dict[str, Any]],
        categories: list[str],
        priority: str,
    ) -> str:
        rng = self.rng
        first = subjects[0]
        who = f"Account {first['account_id']}"
        if first["username"]:
            who += f" ({first['username']})"
        if first["display_name"]:
            who += f", shown as “{first['display_name']}”,"
        ids = ", ".join(item["content_id"] for item in items)
        parts = [
            f"{who} posted {len(items)} item(s) ({ids}) that we assessed as "
            f"{' and '.join(c.replace('_', ' ') for c in categories)}.",
        ]
        if len(subjects) > 1:
            others = ", ".join(s["account_id"] for s in subjects[1:])
            parts.append(f"Linked accounts {others} shared or amplified the material.")
        while sum(len(p) for p in parts) < 260:
            parts.append(REASONS[rng.randrange(len(REASONS))])
        excerpt = next((i["excerpt"] for i in items if i["excerpt"]), None)
        if excerpt and rng.random() < 0.5:
            parts.append(f"The material reads: «{excerpt}».")
        if priority == "threat_to_life":
            parts.append("We judged the threat imminent and disclosed it to police at once.")
        separator = "\n\n" if rng.random() < 0.3 else " "
        return separator.join(parts)

    # ---------------------------------------------------------------- moderation log

    def moderation_log(self) -> list[dict[str, Any]]:
        """The quarter's removals: those of referred content, plus unreferred ones.

        Accounts that are no referral's subject get one or two removals each, so none
        reaches the DTR-D001 threshold of three within 90 days.
        """
        rng = self.rng
        target = 2 * self.count + rng.randrange(0, 4)
        while len(self.removals) < target:
            self.account_serial += 1
            service_id = self.services[rng.randrange(len(self.services))]["service_id"]
            account = f"{service_id[:1]}-{10_000_001 + 2 * self.account_serial}"  # odd: no subject
            for _ in range(1 if rng.random() < 0.6 else 2):
                self.content_serial += 1
                self.removals.append(
                    (
                        rng.randrange(self.start, self.end),
                        service_id,
                        account,
                        f"m-{self.content_serial}" if rng.random() < 0.95 else None,
                        UNREFERRED_CATEGORIES[rng.randrange(len(UNREFERRED_CATEGORIES))],
                        None,
                    )
                )
        self.removals.sort(key=lambda row: row[0])
        log = []
        for number, (when, service_id, account, content_id, category, referral_id) in enumerate(
            self.removals, start=1
        ):
            log.append(
                {
                    "action_id": f"{self.prefix}-M{number:07d}",
                    "service_id": service_id,
                    "account_id": account,
                    "content_id": content_id,
                    "category": category,
                    "actioned_at": self._stamp(when),
                    "referral_id": referral_id,
                }
            )
        return log


def generate_submission(
    referrals: int,
    seed: int = 0,
    period: str = "2026-Q3",
    submission_id: str | None = None,
    platform_name: str | None = None,
) -> dict[str, Any]:
    """A valid DTR-1 submission with ``referrals`` referrals, the same for the same arguments."""
    generator = _Generator(referrals, seed, period, submission_id, platform_name)
    document = generator.envelope_head()
    document["referrals"] = list(generator.referrals())
    document["moderation_log"] = generator.moderation_log()
    document["attestation"] = generator.attestation()
    return document


def write_submission(
    out: TextIO,
    referrals: int,
    seed: int = 0,
    period: str = "2026-Q3",
    submission_id: str | None = None,
    platform_name: str | None = None,
) -> None:
    """Stream the same document as :func:`generate_submission` as JSON, one item per line."""
    generator = _Generator(referrals, seed, period, submission_id, platform_name)
    dumps = json.JSONEncoder(ensure_ascii=False).encode
    head = generator.envelope_head()
    out.write("{\n")
    for key, value in head.items():
        out.write(f"{dumps(key)}: {dumps(value)},\n")
    out.write('"referrals": [')
    for index, referral in enumerate(generator.referrals()):
        out.write("\n" if index == 0 else ",\n")
        out.write(dumps(referral))
    out.write("\n],\n" if referrals else "],\n")
    log = generator.moderation_log()
    out.write('"moderation_log": [')
    for index, removal in enumerate(log):
        out.write("\n" if index == 0 else ",\n")
        out.write(dumps(removal))
    out.write("\n],\n" if log else "],\n")
    out.write(f'"attestation": {dumps(generator.attestation())}\n}}\n')


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--referrals", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--period", default="2026-Q3")
    parser.add_argument("--submission-id", default=None)
    parser.add_argument("--platform-name", default=None)
    parser.add_argument("--out", type=Path, required=True, help="output file ('-' for stdout)")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    options = {
        "referrals": args.referrals,
        "seed": args.seed,
        "period": args.period,
        "submission_id": args.submission_id,
        "platform_name": args.platform_name,
    }
    if str(args.out) == "-":
        write_submission(sys.stdout, **options)
        return 0
    args.out.parent.mkdir(parents=True, exist_ok=True)
    partial = args.out.with_name(args.out.name + ".partial")
    with partial.open("w", encoding="utf-8", newline="\n") as out:
        write_submission(out, **options)
    partial.replace(args.out)
    size = args.out.stat().st_size
    print(
        f"wrote {args.out} ({args.referrals} referrals, {size / 1e6:.1f} MB) "
        f"in {time.perf_counter() - started:.1f} s",
        file=sys.stderr,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
