"""The filing ledger: what a platform filed, and what a regulator received (spec 10.2, 11).

This first part holds its pure pieces: the canonical form of a document, platform and
referral identity, minted ids, and which changes to a filed referral are later facts.
"""

from compliance.ledger.canonical import canonical_bytes, canonical_sha256, sha256_hex, utc_text
from compliance.ledger.errors import LedgerError
from compliance.ledger.identity import PlatformKey, identifier_key
from compliance.ledger.ids import mint_acknowledgement_id, mint_receipt_id, minted_at
from compliance.ledger.later_facts import differs_only_in_later_facts

__all__ = [
    "LedgerError",
    "PlatformKey",
    "canonical_bytes",
    "canonical_sha256",
    "differs_only_in_later_facts",
    "identifier_key",
    "mint_acknowledgement_id",
    "mint_receipt_id",
    "minted_at",
    "sha256_hex",
    "utc_text",
]
