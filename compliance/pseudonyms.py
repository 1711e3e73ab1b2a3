"""Keyed pseudonyms for account ids: the only way an account reaches the regulator.

``account_ref`` is HMAC-SHA-256 over the service and account id with a key the platform
controls, cut to 16 hex digits: stable for one key, irreversible without it. The key comes
from ``COMPLIANCE_PSEUDONYM_KEY`` (text), else from a key file (``COMPLIANCE_PSEUDONYM_KEY_FILE``
or the per-user default), which is generated on first use with owner-only permissions so that
later renders give the same references.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from pathlib import Path

KEY_ENV = "COMPLIANCE_PSEUDONYM_KEY"
KEY_FILE_ENV = "COMPLIANCE_PSEUDONYM_KEY_FILE"
REFERENCE_HEX_DIGITS = 16


def default_key_file() -> Path:
    base = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "compliance" / "pseudonym.key"


def load_key(key_file: Path | None = None) -> bytes:
    """The pseudonym key: from the environment, else the key file (created if absent)."""
    text = os.environ.get(KEY_ENV)
    if text:
        return text.encode("utf-8")
    path = key_file or Path(os.environ.get(KEY_FILE_ENV) or default_key_file())
    try:
        return path.read_bytes().strip()
    except FileNotFoundError:
        pass
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    key = secrets.token_hex(32).encode("ascii")
    # O_EXCL: two processes creating the key at once must not end with different keys.
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_bytes().strip()
    with os.fdopen(descriptor, "wb") as handle:
        handle.write(key + b"\n")
    return key


def key_fingerprint(key: bytes) -> str:
    """Identifies a key in manifests without revealing it."""
    return hashlib.sha256(b"compliance-pseudonym-key\x00" + key).hexdigest()[:16]


class Pseudonymiser:
    def __init__(self, key: bytes) -> None:
        self._key = key
        self.fingerprint = key_fingerprint(key)

    def account_ref(self, service_id: str, account_id: str) -> str:
        message = f"{service_id}\x1f{account_id}".encode()
        digest = hmac.new(self._key, message, hashlib.sha256).hexdigest()
        return digest[:REFERENCE_HEX_DIGITS]
