"""Versions and fingerprints that say which code produced an output (for manifests and caches)."""

from __future__ import annotations

import hashlib
import os
from functools import cache
from importlib import metadata
from pathlib import Path

from compliance.config import RULESET_VERSION
from compliance.render.assets import TEMPLATE_DIR

PACKAGE_DIR: Path = Path(__file__).resolve().parent
"""The installed ``compliance`` package (the source tree itself in an editable install)."""


@cache
def tool_version() -> str:
    try:
        return metadata.version("compliance")
    except metadata.PackageNotFoundError:
        return "0+unknown"


def _tree_digest(root: Path, skip: Path | None = None) -> str:
    """SHA-256 over the name and the SHA-256 of every file under ``root``, in a fixed order.

    Compiled ``__pycache__`` files are left out: Python writes them beside the sources on
    import, so they would change the digest of code that did not change. ``skip`` is a folder
    hashed on its own (the templates, which an ordinary install puts inside the package).
    """
    files: list[tuple[tuple[str, ...], Path]] = []
    for directory, subdirectories, names in os.walk(root):
        here = Path(directory)
        subdirectories[:] = [
            name for name in subdirectories if name != "__pycache__" and here / name != skip
        ]
        files += [((here / name).relative_to(root).parts, here / name) for name in names]
    digest = hashlib.sha256()
    for parts, path in sorted(files):  # by path components, as pathlib sorts paths
        digest.update("/".join(parts).encode() + b"\0")
        digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


@cache
def template_fingerprint() -> str:
    """SHA-256 over every template, stylesheet and font (part of every manifest)."""
    return _tree_digest(TEMPLATE_DIR)


@cache
def code_fingerprint() -> str:
    """SHA-256 over every file of the installed package, its templates included.

    Every line of this project's code and every template that produced an output is in these
    files, so a cache keyed on this digest never hands back what other code wrote, whether or
    not the version number was raised. About 2 MB, most of it fonts: a few milliseconds, once
    per process.
    """
    digest = hashlib.sha256()
    digest.update(b"compliance\0" + _tree_digest(PACKAGE_DIR, skip=TEMPLATE_DIR).encode())
    digest.update(b"\0compliance.templates\0" + template_fingerprint().encode())
    return digest.hexdigest()


def versions() -> dict[str, str]:
    return {
        "tool": tool_version(),
        "ruleset": RULESET_VERSION,
        "templates_sha256": template_fingerprint(),
    }
