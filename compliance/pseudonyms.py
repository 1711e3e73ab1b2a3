"""Keyed pseudonyms for account ids: the only way an account reaches the regulator.

``account_ref`` is HMAC-SHA-256 over the service and account id with a key the platform
controls, cut to 16 hex digits: stable for one key, irreversible without it. The key comes
from ``COMPLIANCE_PSEUDONYM_KEY`` (text), else from a key file (``COMPLIANCE_PSEUDONYM_KEY_FILE``
or the per-user default), which is generated on first use with owner-only permissions so that
later renders give the same references.

A weak key is as bad as none: anyone could recompute the references of guessed account ids.
So the key file is created whole or not at all (written aside, synced, then linked into
place), and a key that is empty, short or one repeated character is refused, from the file
or the environment alike, rather than used in silence.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import os
import secrets
import tempfile
from pathlib import Path

from compliance.errors import ComplianceError

KEY_ENV = "COMPLIANCE_PSEUDONYM_KEY"
KEY_FILE_ENV = "COMPLIANCE_PSEUDONYM_KEY_FILE"
REFERENCE_HEX_DIGITS = 16
MINIMUM_KEY_BYTES = 32
"""Bytes a key must have once surrounding white space is stripped."""
MINIMUM_DISTINCT_BYTES = 8
"""Distinct byte values a key must use: ``aaaa…`` or ``abab…`` is no secret at any length."""
NEW_KEY_HINT = "python3 -c 'import secrets; print(secrets.token_hex(32))'"


class WeakPseudonymKey(ComplianceError):
    """The pseudonym key is missing its substance: empty, short or a repeated character."""


def default_key_file() -> Path:
    base = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "compliance" / "pseudonym.key"


def key_weakness(key: bytes) -> str | None:
    """Why ``key`` is too weak to pseudonymise with, or None if it will do."""
    material = key.strip()
    if not material:
        return "is empty"
    if len(material) < MINIMUM_KEY_BYTES:
        return f"has {len(material)} bytes, fewer than {MINIMUM_KEY_BYTES}"
    if len(set(material)) < MINIMUM_DISTINCT_BYTES:
        return f"uses fewer than {MINIMUM_DISTINCT_BYTES} different characters"
    return None


def load_key(key_file: Path | None = None) -> bytes:
    """The pseudonym key: from the environment, else the key file (created if absent).

    Raises :class:`WeakPseudonymKey` for a key that is empty, short or weak.
    """
    text = os.environ.get(KEY_ENV)
    if text:  # set but empty counts as unset, as it always has
        key = text.encode("utf-8", "surrogateescape")
        weakness = key_weakness(key)
        if weakness:
            raise WeakPseudonymKey(
                f"{KEY_ENV} {weakness}: set it to at least {MINIMUM_KEY_BYTES} random "
                f"characters (e.g. the output of {NEW_KEY_HINT}), or unset it to use the key file"
            )
        return key
    path = key_file or Path(os.environ.get(KEY_FILE_ENV) or default_key_file())
    try:
        return _checked(path, path.read_bytes())
    except FileNotFoundError:
        pass
    return _checked(path, _create_key_file(path))


def _checked(path: Path, content: bytes) -> bytes:
    key = content.strip()
    weakness = key_weakness(key)
    if weakness:
        raise WeakPseudonymKey(
            f"pseudonym key file {path} {weakness}: if no return was filed with it, delete "
            f"it and a new key is made on the next run; otherwise write at least "
            f"{MINIMUM_KEY_BYTES} random characters into it (e.g. {NEW_KEY_HINT} > {path})"
        )
    return key


def _create_key_file(path: Path) -> bytes:
    """Make a new key file whole, or leave none: an interrupted creation (a full disk, a
    kill) must never leave an empty or partial key that later runs would take for the key.

    The key is written to a temporary file, synced, and then linked to its name, which fails
    if another process got there first: that process's key wins, for both, so two processes
    creating the key at once never end with different keys.
    """
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    key = secrets.token_hex(32).encode("ascii")
    # mkstemp creates the file 0600 whatever the umask.
    descriptor, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(key + b"\n")
            handle.flush()
            os.fsync(handle.fileno())
        try:
            os.link(temporary, path)
        except FileExistsError:
            return path.read_bytes()
        _sync_directory(path.parent)
    finally:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
    return key


def _sync_directory(directory: Path) -> None:
    with contextlib.suppress(OSError):
        descriptor = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(descriptor)
        finally:
            os.close(descriptor)


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
