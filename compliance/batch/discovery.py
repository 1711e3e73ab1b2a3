"""Finding the submissions of a batch: JSON files and intake workbooks, recursively."""

from __future__ import annotations

from pathlib import Path

SUBMISSION_SUFFIXES = frozenset({".json", ".xlsx"})


def discover_inputs(root: Path, exclude: Path | None = None) -> list[Path]:
    """Every candidate submission under ``root`` in a stable order, hidden files and folders
    (and the batch's own output folder, if it lies inside) left out."""
    excluded = exclude.resolve() if exclude else None
    found = []
    for path in root.rglob("*"):
        relative = path.relative_to(root)
        if any(part.startswith(".") for part in relative.parts):
            continue
        if excluded and (path.resolve() == excluded or excluded in path.resolve().parents):
            continue
        if path.suffix.lower() in SUBMISSION_SUFFIXES and path.is_file():
            found.append(path)
    return sorted(found, key=lambda p: p.relative_to(root).as_posix())
