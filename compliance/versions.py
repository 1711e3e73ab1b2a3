"""Versions and fingerprints that say which code produced an output (for manifests and caches)."""

from __future__ import annotations

import hashlib
from functools import cache
from importlib import metadata

from compliance.config import RULESET_VERSION
from compliance.render.assets import TEMPLATE_DIR


@cache
def tool_version() -> str:
    try:
        return metadata.version("compliance")
    except metadata.PackageNotFoundError:
        return "0+unknown"


@cache
def template_fingerprint() -> str:
    """SHA-256 over every template, stylesheet and font: a change re-renders cached results."""
    digest = hashlib.sha256()
    for path in sorted(
        p for p in TEMPLATE_DIR.rglob("*") if p.is_file() and "__pycache__" not in p.parts
    ):
        digest.update(path.relative_to(TEMPLATE_DIR).as_posix().encode() + b"\0")
        digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


def versions() -> dict[str, str]:
    return {
        "tool": tool_version(),
        "ruleset": RULESET_VERSION,
        "templates_sha256": template_fingerprint(),
    }
