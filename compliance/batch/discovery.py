"""Finding the submissions of a batch: JSON files and intake workbooks, recursively."""

from __future__ import annotations

from pathlib import Path

from compliance.readers.file_kind import WORKBOOK_SUFFIXES

# .xls and .xlsm are not accepted formats, but a folder of returns may hold one by mistake:
# found, it is rejected with a reason that says how to save it, rather than left out unseen.
SUBMISSION_SUFFIXES = frozenset({".json", *WORKBOOK_SUFFIXES})
# Excel writes "~$name.xlsx" beside a workbook while it is open: a lock file holding the
# user's name, never a submission.
OFFICE_LOCK_PREFIX = "~$"


def discover_inputs(root: Path, exclude: Path | None = None) -> list[Path]:
    """Every candidate submission under ``root`` in a stable order; hidden files and folders,
    Office lock files and the batch's own output folder (if it lies inside) left out;
    unreadable entries kept."""
    excluded = exclude.resolve() if exclude else None
    found = []
    for path in root.rglob("*"):
        relative = path.relative_to(root)
        if any(part.startswith(".") for part in relative.parts):
            continue
        if path.name.startswith(OFFICE_LOCK_PREFIX):
            continue
        if excluded and (path.resolve() == excluded or excluded in path.resolve().parents):
            continue
        # Anything but a folder: a link to nothing or a named pipe called *.json is an input
        # that cannot be read, to be reported as such, not one to leave out without a word.
        if path.suffix.lower() in SUBMISSION_SUFFIXES and not path.is_dir():
            found.append(path)
    return sorted(found, key=lambda p: p.relative_to(root).as_posix())
