"""Attribution: what police need to identify a person or a file (DTR-A)."""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Iterator

from compliance.codes import ContentType, HashAlgorithm
from compliance.formats import ip_address_of, is_traceable
from compliance.issues import Severity
from compliance.model import Referral
from compliance.quoting import quote_value
from compliance.rules.registry import Finding, RuleContext, referral_rule

_HEX_DIGITS = {
    HashAlgorithm.MD5: 32,
    HashAlgorithm.SHA1: 40,
    HashAlgorithm.SHA256: 64,
    HashAlgorithm.PDQ: 64,
}
_HEX = re.compile(r"[0-9a-fA-F]+")
_PHOTODNA_BYTES = 144
_HASHABLE = frozenset({ContentType.IMAGE, ContentType.VIDEO, ContentType.AUDIO, ContentType.FILE})


@referral_rule("DTR-A001", Severity.WARNING, "A subject with no ip_events", "DTR-1 §4.3")
def subject_has_ip_events(referral: Referral, ctx: RuleContext) -> Iterator[Finding]:
    for j, subject in enumerate(referral.subjects):
        if not subject.ip_events:
            yield Finding(
                f"/subjects/{j}/ip_events",
                f"Subject {subject.subject_id} has no IP events, which leaves police little to "
                "trace the account with.",
            )


@referral_rule(
    "DTR-A002",
    Severity.WARNING,
    "A public IPv4 address without port (useless behind carrier-grade NAT)",
    "DTR-1 §4.3",
)
def public_ipv4_has_port(referral: Referral, ctx: RuleContext) -> Iterator[Finding]:
    for j, subject in enumerate(referral.subjects):
        for k, event in enumerate(subject.ip_events):
            # The port test first: it is cheap, and most events carry a port.
            if (
                event.port is None
                and ip_address_of(event.ip).version == 4
                and is_traceable(event.ip)
            ):
                yield Finding(
                    f"/subjects/{j}/ip_events/{k}/port",
                    f"An IPv4 event of subject {subject.subject_id} has no source port; behind "
                    "carrier-grade NAT the address alone does not identify the user.",
                )


@referral_rule(
    "DTR-A003",
    Severity.WARNING,
    "A private, loopback, link-local, multicast or otherwise non-global address",
    "DTR-1 §4.3",
)
def ip_is_global(referral: Referral, ctx: RuleContext) -> Iterator[Finding]:
    for j, subject in enumerate(referral.subjects):
        for k, event in enumerate(subject.ip_events):
            if not is_traceable(event.ip):
                # The address itself is personal data: the message names the field only.
                yield Finding(
                    f"/subjects/{j}/ip_events/{k}/ip",
                    f"An IP event of subject {subject.subject_id} records a private, loopback, "
                    "link-local or otherwise non-global address, which police cannot trace.",
                )


def hash_fits(algorithm: HashAlgorithm, value: str) -> bool:
    if algorithm is HashAlgorithm.PHOTODNA:
        try:
            return len(base64.b64decode(value, validate=True)) == _PHOTODNA_BYTES
        except (binascii.Error, ValueError):
            return False
    return len(value) == _HEX_DIGITS[algorithm] and _HEX.fullmatch(value) is not None


def _hash_form(algorithm: HashAlgorithm) -> str:
    if algorithm is HashAlgorithm.PHOTODNA:
        return f"standard base64 of exactly {_PHOTODNA_BYTES} bytes"
    return f"exactly {_HEX_DIGITS[algorithm]} hexadecimal digits"


@referral_rule(
    "DTR-A004", Severity.ERROR, "A hash value that does not fit its algorithm", "DTR-1 §4.4"
)
def hashes_well_formed(referral: Referral, ctx: RuleContext) -> Iterator[Finding]:
    for j, item in enumerate(referral.content_items):
        for k, digest in enumerate(item.hashes):
            if not hash_fits(digest.algorithm, digest.value):
                # Whatever was typed as the hash is quoted only as compliance.quoting allows
                # (an e-mail address pasted there is still personal data).
                shown = quote_value("value", digest.value)
                length = len(digest.value)
                described = (
                    f"{shown} ({length} characters)" if shown else f"{length} characters long"
                )
                yield Finding(
                    f"/content_items/{j}/hashes/{k}/value",
                    f"The {digest.algorithm.value} hash of content item {item.content_id} is "
                    f"{described}; it must be {_hash_form(digest.algorithm)}.",
                )


@referral_rule(
    "DTR-A005",
    Severity.WARNING,
    "An image, video, audio or file item with no hash",
    "DTR-1 §4.4",
)
def media_is_hashed(referral: Referral, ctx: RuleContext) -> Iterator[Finding]:
    for j, item in enumerate(referral.content_items):
        if item.content_type in _HASHABLE and not item.hashes:
            yield Finding(
                f"/content_items/{j}/hashes",
                f"Content item {item.content_id} is a {item.content_type.value} with no hash, so "
                "copies elsewhere cannot be matched.",
            )
