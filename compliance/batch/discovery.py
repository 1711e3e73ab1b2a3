"""Finding the submissions of a batch: JSON files and intake workbooks, recursively."""

from __future__ import annotations

from pathlib import Path

SUBMISSION_SUFFIXES = frozenset({".json", ".xlsx"})


def discover_inputs(root: Path, exclude: Path | None = None) -> list[Path]:
    """Every candidate submission under ``root`` in a stable order, hidden files and folders
    (and the batch's own output folder, if it lies inside) left out; unreadable entries kept."""
    excluded = exclude.resolve() if exclude else None
    found = []
    for path in root.rglob("*"):
        relative = path.relative_to(root)
        if any(part.startswith(".") for part in relative.parts):
            continue
        if excluded and (path.resolve() == excluded or excluded in path.resolve().parents):
            continue
        # Anything but a folder: a link to nothing or a named pipe called *.json is an input
        # that cannot be read, to be reported as such, not one to leave out without a word.
        if path.suffix.lower() in SUBMISSION_SUFFIXES and not path.is_dir():
            found.append(path)
    return sorted(found, key=lambda p: p.relative_to(root).as_posix())
