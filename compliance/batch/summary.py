"""The batch's own outputs: OUTDIR/manifest.json and OUTDIR/batch-summary.xlsx."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

from compliance.atomic import atomic_target, write_bytes_atomic
from compliance.figures import Sheet
from compliance.json_text import escape_surrogates, file_bytes
from compliance.metrics import METRIC_NAMES
from compliance.period import Period
from compliance.render.xlsx import write_workbook
from compliance.statuses import BatchStatus
from compliance.versions import versions

SUMMARY_COLUMNS = (
    "input",
    "submission_id",
    "platform",
    "status",
    "reason",
    "fatal",
    "errors",
    "breaches",
    "warnings",
    *METRIC_NAMES,
)


def status_counts(entries: list[dict[str, Any]]) -> dict[str, int]:
    tally = Counter(entry["status"] for entry in entries)
    return {status: tally.get(status, 0) for status in BatchStatus}


def write_batch_manifest(
    out_dir: Path, period: str, key_fingerprint: str, entries: list[dict[str, Any]]
) -> None:
    manifest = {
        "period": period,
        "versions": versions(),
        "pseudonym_key_fingerprint": key_fingerprint,
        "counts": status_counts(entries),
        "inputs": entries,
    }
    write_bytes_atomic(out_dir / "manifest.json", file_bytes(manifest))


def _cell(text: str | None) -> str | None:
    """An input's name (or a reason naming it) as a cell can hold it.

    A file name that is not UTF-8 decodes to lone surrogates, which no workbook can hold:
    each is written as its escape, ``\\udcff``, as manifest.json writes it.
    """
    return None if text is None else escape_surrogates(text)


def write_batch_summary(out_dir: Path, period: str, entries: list[dict[str, Any]]) -> None:
    rows = []
    for entry in entries:
        counts = entry.get("counts") or {}
        metrics = dict(entry.get("metrics") or [])
        rows.append(
            (
                _cell(entry["input"]),
                entry.get("submission_id"),
                entry.get("platform"),
                entry["status"],
                _cell(entry.get("reason")),
                counts.get("fatal"),
                counts.get("error"),
                counts.get("breach"),
                counts.get("warning"),
                *(metrics.get(name) for name in METRIC_NAMES),
            )
        )
    sheet = Sheet("Submissions", SUMMARY_COLUMNS, tuple(rows))
    with atomic_target(out_dir / "batch-summary.xlsx") as temporary:
        write_workbook(
            [sheet],
            temporary,
            properties={
                "title": f"DTR-1 batch summary {period}",
                # Pinned so that the same batch gives the same bytes.
                "created": Period.parse(period).end.replace(tzinfo=None),
            },
        )
