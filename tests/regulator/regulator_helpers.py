"""Helpers of the regulator tests: three synthetic platforms over the quarters of 2026.

The submissions come from the seeded generator of ``benchmarks/synthetic.py``; the tests
compute every expected figure from these JSON documents (and the checker's issue counts)
directly, never from the returns, so the roll-up is checked against an independent count.

- Kestrel (GB): Q1-Q4. Its Q3 return is amended (the amendment has other figures); Q3 and
  Q4 each have one referral made late and one not made (so they are drafts: not filing-ready,
  but real returns the regulator must count).
- Lumen (IE): Q1-Q4; its Q2 return was received twice (a copy in another folder).
- Tern (NL): Q1-Q3; no Q4 return.

Only return.xlsx is rendered for most returns; return.pdf is rendered for the three Q3 returns
that the PDF tests use (Kestrel's original and amendment, Lumen's), since a PDF costs ~0.5 s.
"""

from __future__ import annotations

import copy
import importlib.util
import json
import shutil
import sys
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from compliance.check import CheckResult, check_bytes
from compliance.figures import ReturnView, build_return_view
from compliance.pseudonyms import Pseudonymiser
from compliance.render.xlsx import write_return_xlsx

_SYNTHETIC = Path(__file__).resolve().parents[2] / "benchmarks" / "synthetic.py"
KEY = b"regulator-test-key"
QUARTERS = ("2026-Q1", "2026-Q2", "2026-Q3", "2026-Q4")
DEADLINES = {"threat_to_life": 1.0, "urgent": 24.0, "routine": 168.0}


def _synthetic() -> Any:
    name = "dtr1_synthetic"
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(name, _SYNTHETIC)
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
    return sys.modules[name]


@dataclass(frozen=True)
class PlatformSpec:
    slug: str
    legal_name: str
    jurisdiction: str
    registration: str
    quarters: tuple[str, ...]
    referrals: int


PLATFORMS = (
    PlatformSpec("kestrel", "Kestrel Forums plc", "GB", "SC612345", QUARTERS, 5),
    PlatformSpec("lumen", "Lumen Video Teoranta", "IE", "IE654321", QUARTERS, 4),
    PlatformSpec("tern", "Tern Streams B.V.", "NL", "NL81234567", QUARTERS[:3], 3),
)


@dataclass
class Rendered:
    """One rendered return: its submission, check result, view and files."""

    document: dict[str, Any]
    result: CheckResult
    view: ReturnView
    xlsx: Path
    pdf: Path | None


@dataclass
class Received:
    """The folder a regulator received, and what the tests know about each return in it."""

    root: Path
    returns: dict[str, Rendered] = field(default_factory=dict)
    """By a short name: ``kestrel-2026-Q3``, ``kestrel-2026-Q3-amendment`` ..."""
    duplicate: Path | None = None
    spare: dict[str, Rendered] = field(default_factory=dict)
    """Rendered outside ``root``: for tests that build their own folders."""


def _stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _parse(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00")).astimezone(UTC)


def make_late_and_unreferred(document: dict[str, Any], period_end: datetime) -> None:
    """One referral referred 3 hours after its deadline, one not referred at all."""
    changed = 0
    for referral in document["referrals"]:
        suspicion = _parse(referral["suspicion_formed_at"])
        late = suspicion + timedelta(hours=DEADLINES[referral["priority"]] + 3)
        start = period_end - timedelta(days=80)
        if not (start < suspicion and late < period_end - timedelta(hours=1)):
            continue
        if changed == 0:
            referral["referred_at"] = _stamp(late)
        else:
            referral["referred_at"] = None
            referral["referred_to"] = None
            referral["authority_reference"] = None
        changed += 1
        if changed == 2:
            return
    raise AssertionError("no referral could be made late")


def make_submission(
    spec: PlatformSpec, period: str, *, seed: int, referrals: int | None = None
) -> dict[str, Any]:
    document = _synthetic().generate_submission(
        referrals if referrals is not None else spec.referrals,
        seed=seed,
        period=period,
        submission_id=f"{spec.slug.upper()}-{period}",
        platform_name=spec.legal_name,
    )
    platform = document["platform"]
    platform["legal_name"] = spec.legal_name
    platform["jurisdiction"] = spec.jurisdiction
    platform["registration_number"] = spec.registration
    return document


def render(
    document: dict[str, Any], directory: Path, *, pdf: bool = False, renderer: Any = None
) -> Rendered:
    data = json.dumps(document, ensure_ascii=False).encode("utf-8")
    result = check_bytes(data, source_name=f"{document['submission_id']}.json")
    assert result.submission is not None, result.report.to_json()
    view = build_return_view(
        result.submission,
        result.report,
        source_sha256=result.source_sha256,
        pseudonymiser=Pseudonymiser(KEY),
    )
    draft = not result.report.filing_ready
    directory.mkdir(parents=True, exist_ok=True)
    xlsx = directory / "return.xlsx"
    write_return_xlsx(view, xlsx, draft=draft)
    pdf_path = None
    if pdf:
        pdf_path = directory / "return.pdf"
        pdf_path.write_bytes(renderer.render_return(view, draft=draft))
    return Rendered(document, result, view, xlsx, pdf_path)


def copy_return(rendered: Rendered, directory: Path, *, with_pdf: bool = True) -> Path:
    """A copy of a return (and its PDF) under ``directory``, to tamper with."""
    directory.mkdir(parents=True, exist_ok=True)
    target = directory / "return.xlsx"
    shutil.copyfile(rendered.xlsx, target)
    if with_pdf and rendered.pdf is not None:
        shutil.copyfile(rendered.pdf, directory / "return.pdf")
    return target


def deep(document: dict[str, Any]) -> dict[str, Any]:
    return copy.deepcopy(document)


# ------------------------------------------------------------------ independent figures


def _hours(start: str, end: str) -> float:
    return (_parse(end) - _parse(start)).total_seconds() / 3600


def expected_figures(returns: list[Rendered]) -> dict[str, Any]:
    """The 16 metrics and the category counts of a set of returns, computed from their JSON
    submissions and check results alone, the way DTR-1.1 7.4 defines them (a correction is
    left out of the timing figures)."""
    import statistics

    from compliance.codes import Category

    referrals = [r for x in returns for r in x.document["referrals"]]
    timed = [r for r in referrals if r["referral_type"] != "correction"]
    referred = [r for r in timed if r["referred_at"] is not None]
    taken = [_hours(r["suspicion_formed_at"], r["referred_at"]) for r in referred]
    on_time = sum(
        1 for r, hours in zip(referred, taken, strict=True) if hours <= DEADLINES[r["priority"]]
    )
    removals_total = sum(len(x.document["moderation_log"]) for x in returns)
    removals_referred = 0
    for x in returns:
        ids = {r["referral_id"] for r in x.document["referrals"]}
        removals_referred += sum(1 for m in x.document["moderation_log"] if m["referral_id"] in ids)
    counts = [x.result.report.counts for x in returns]
    categories: dict[str, int] = {category.code: 0 for category in Category}
    for r in referrals:
        for value in r["categories"]:
            categories[Category(value).code] += 1
    by_priority = {
        priority: [
            hours for r, hours in zip(referred, taken, strict=True) if r["priority"] == priority
        ]
        for priority in DEADLINES
    }
    return {
        "referrals_total": len(referrals),
        "referrals_threat_to_life": sum(1 for r in referrals if r["priority"] == "threat_to_life"),
        "referrals_urgent": sum(1 for r in referrals if r["priority"] == "urgent"),
        "referrals_routine": sum(1 for r in referrals if r["priority"] == "routine"),
        "referrals_on_time": on_time,
        "referrals_late": len(referred) - on_time,
        "referrals_outstanding": len(timed) - len(referred),
        "median_hours_to_referral": round(statistics.median(taken), 2) if taken else None,
        "content_items_total": sum(len(r["content_items"]) for r in referrals),
        "removals_total": removals_total,
        "removals_referred": removals_referred,
        "removals_referred_ratio": (
            round(removals_referred / removals_total, 4) if removals_total else None
        ),
        "accounts_duty_triggered_unreferred": sum(
            1 for x in returns for issue in x.result.report.issues if issue.code == "DTR-D001"
        ),
        "issues_error": sum(c["fatal"] + c["error"] for c in counts),
        "issues_breach": sum(c["breach"] for c in counts),
        "issues_warning": sum(c["warning"] for c in counts),
        "categories": categories,
        "median_by_priority": {
            p: round(statistics.median(v), 2) if v else None for p, v in by_priority.items()
        },
    }


def sheet_records(path: Path, sheet: str) -> list[dict[str, Any]]:
    """A sheet of a workbook as records (header row -> values)."""
    import openpyxl

    workbook = openpyxl.load_workbook(path, read_only=True)
    try:
        rows = list(workbook[sheet].iter_rows(values_only=True))
    finally:
        workbook.close()
    header = rows[0]
    return [dict(zip(header, row, strict=False)) for row in rows[1:]]
