"""`compliance aggregate`: the sector report of a quarter, a half-year and a year.

Every expected figure is computed here from the platforms' JSON submissions (see
``regulator_helpers.expected_figures``), never read back from the returns.
"""

from __future__ import annotations

import hashlib
import io
import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from regulator_helpers import Received, Rendered, expected_figures, sheet_records

from compliance.cli import cli
from compliance.metrics import METRIC_NAMES
from compliance.regulator.pdf_attachment import embedded_files
from compliance.statuses import SelectionStatus

# Which returns each report must use, by the fixture's names (see conftest.py).
USED = {
    "2026-Q3": ["kestrel-2026-Q3-amendment", "lumen-2026-Q3", "tern-2026-Q3"],
    "2026-H2": [
        "kestrel-2026-Q3-amendment",
        "kestrel-2026-Q4",
        "lumen-2026-Q3",
        "lumen-2026-Q4",
        "tern-2026-Q3",
    ],
    "2026": [
        *(f"kestrel-2026-Q{n}" for n in (1, 2, 4)),
        "kestrel-2026-Q3-amendment",
        *(f"lumen-2026-Q{n}" for n in (1, 2, 3, 4)),
        *(f"tern-2026-Q{n}" for n in (1, 2, 3)),
    ],
}
NAMES = {
    "kestrel": "Kestrel Forums plc",
    "lumen": "Lumen Video Teoranta",
    "tern": "Tern Streams B.V.",
}


def run(*args: str) -> Any:
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


@pytest.fixture(scope="session")
def reports(received: Received, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    out = tmp_path_factory.mktemp("sector")
    results = {}
    for period in USED:
        result = run(
            "aggregate", str(received.root), "--period", period, "--out", str(out / period)
        )
        results[period] = (out / period, result)
    return results


def _used(received: Received, period: str, platform: str | None = None) -> list[Rendered]:
    return [
        received.returns[name]
        for name in USED[period]
        if platform is None or name.startswith(platform)
    ]


def _check_metrics(row: dict[str, Any], expected: dict[str, Any], label: str) -> None:
    for name in METRIC_NAMES:
        assert row[name] == expected[name], (label, name, row[name], expected[name])


@pytest.mark.parametrize("period", list(USED))
def test_rollup_matches_independent_figures(
    received: Received, reports: dict[str, Any], period: str
) -> None:
    out, result = reports[period]
    assert result.exit_code == 0, result.output
    platforms = sheet_records(out / "sector.xlsx", "Platforms")
    by_name = {row["platform"]: row for row in platforms}
    assert [row["scope"] for row in platforms] == ["platform"] * 3 + ["sector"]
    for slug, name in NAMES.items():
        expected = expected_figures(_used(received, period, slug))
        _check_metrics(by_name[name], expected, f"{period} {slug}")
    sector = expected_figures(_used(received, period))
    _check_metrics(by_name["All platforms"], sector, f"{period} sector")

    categories = {row["platform"]: row for row in sheet_records(out / "sector.xlsx", "Categories")}
    timeliness = {row["platform"]: row for row in sheet_records(out / "sector.xlsx", "Timeliness")}
    for code, count in sector["categories"].items():
        column = next(c for c in categories["All platforms"] if c.startswith(code))
        assert categories["All platforms"][column] == count
    for priority, median in sector["median_by_priority"].items():
        assert timeliness["All platforms"][f"median_hours_{priority}"] == median


def test_counts_add_up_and_medians_are_pooled(received: Received, reports: dict[str, Any]) -> None:
    out, _ = reports["2026"]
    rows = sheet_records(out / "sector.xlsx", "Platforms")
    platforms, sector = rows[:-1], rows[-1]
    for name in METRIC_NAMES:
        if name in ("median_hours_to_referral", "removals_referred_ratio"):
            continue
        assert sector[name] == sum(row[name] for row in platforms), name
    quarters = sheet_records(out / "sector.xlsx", "Quarters")
    assert len(quarters) == len(USED["2026"])
    assert sector["referrals_total"] == sum(row["referrals_total"] for row in quarters)
    # The year's median is the median of all referrals of the year, not a mean of medians.
    assert (
        sector["median_hours_to_referral"]
        == expected_figures(_used(received, "2026"))["median_hours_to_referral"]
    )
    # Kestrel's late and unreferred referrals (Q3 amendment aside, Q4) are in the year.
    assert sector["referrals_late"] >= 1 and sector["referrals_outstanding"] >= 1


def test_half_year_is_its_two_quarters(reports: dict[str, Any]) -> None:
    q3 = sheet_records(reports["2026-Q3"][0] / "sector.xlsx", "Platforms")[-1]
    h2 = sheet_records(reports["2026-H2"][0] / "sector.xlsx", "Platforms")[-1]
    assert h2["referrals_total"] > q3["referrals_total"]
    assert h2["quarters_filed"] == "2026-Q3;2026-Q4"
    coverage = {
        row["platform"]: row
        for row in sheet_records(reports["2026-H2"][0] / "sector.xlsx", "Platforms")
    }
    assert coverage["Tern Streams B.V."]["quarters_missing"] == "2026-Q4"
    assert coverage["Lumen Video Teoranta"]["quarters_missing"] is None
    _, result = reports["2026-H2"]
    assert "missing: Tern Streams B.V. has no return used for 2026-Q4" in result.output


def test_amendment_supersedes_and_duplicates_count_once(
    received: Received, reports: dict[str, Any]
) -> None:
    out, result = reports["2026"]
    returns = {row["file"]: row for row in sheet_records(out / "sector.xlsx", "Returns")}
    original = returns["kestrel/KESTREL-2026-Q3/return.xlsx"]
    amendment = returns["kestrel/KESTREL-2026-Q3-A1/return.xlsx"]
    assert original["status"] == SelectionStatus.SUPERSEDED
    assert "KESTREL-2026-Q3-A1" in original["note"]
    assert amendment["status"] == SelectionStatus.USED
    assert amendment["note"] == "amends KESTREL-2026-Q3"
    # The same file twice: the first by path is used, the other names it and is not counted.
    copy, original_q2 = "inbox-copies/lumen-q2/return.xlsx", "lumen/LUMEN-2026-Q2/return.xlsx"
    assert returns[copy]["status"] == SelectionStatus.USED
    assert returns[original_q2]["status"] == SelectionStatus.DUPLICATE
    assert returns[original_q2]["note"] == f"duplicate of {copy} (the same file); counted once"
    assert len(returns) == 13
    assert sum(r["status"] == SelectionStatus.USED for r in returns.values()) == 11
    for row in returns.values():
        path = received.root / row["file"]
        assert row["sha256"] == hashlib.sha256(path.read_bytes()).hexdigest()
    assert f"{SelectionStatus.DUPLICATE}: {original_q2}" in result.output
    # The amended figures are the ones counted, not the original's.
    kestrel = sheet_records(reports["2026-Q3"][0] / "sector.xlsx", "Platforms")[0]
    assert kestrel["platform"] == "Kestrel Forums plc"
    assert kestrel["referrals_total"] == len(
        received.returns["kestrel-2026-Q3-amendment"].document["referrals"]
    )
    cover = {r["field"]: r["value"] for r in sheet_records(out / "sector.xlsx", "Cover")}
    assert (cover["returns_used"], cover["returns_superseded"], cover["returns_duplicate"]) == (
        11,
        1,
        1,
    )
    assert cover["complete"] is True and cover["quarters"] == "2026-Q1;2026-Q2;2026-Q3;2026-Q4"


def test_sector_pdf_embeds_the_workbook_and_lists_the_returns(
    received: Received, reports: dict[str, Any]
) -> None:
    from pypdf import PdfReader

    out, _ = reports["2026-H2"]
    pdf = (out / "sector.pdf").read_bytes()
    (content,) = embedded_files(pdf, "sector.json")
    document = json.loads(content)
    assert document["format"] == "DTR-1 sector report"
    assert document["Platforms"] == [
        {k: v for k, v in row.items()} for row in _json_records(out / "sector.xlsx", "Platforms")
    ]
    reader = PdfReader(io.BytesIO(pdf))
    text = "".join((page.extract_text() or "") for page in reader.pages).replace("\n", " ")
    for name in USED["2026-H2"]:
        digest = hashlib.sha256(received.returns[name].xlsx.read_bytes()).hexdigest()
        assert digest in text.replace(" ", ""), name
    for heading in (
        "Referral timeliness",
        "Moderation-log removals referred",
        "Referrals by category",
    ):
        assert heading in text
    assert "/PDF/A-3" not in text  # sanity: text, not structure
    assert reader.metadata is not None and reader.metadata.title == "DTR-1 sector report 2026-H2"


def _json_records(path: Path, sheet: str) -> list[dict[str, Any]]:
    from datetime import datetime

    return [
        {
            k: (v.strftime("%Y-%m-%dT%H:%M:%SZ") if isinstance(v, datetime) else v)
            for k, v in r.items()
        }
        for r in sheet_records(path, sheet)
    ]


@pytest.mark.slow
def test_same_returns_give_the_same_bytes(
    received: Received, reports: dict[str, Any], tmp_path: Path
) -> None:
    out, _ = reports["2026-Q3"]
    again = tmp_path / "again"
    result = run("aggregate", str(received.root), "--period", "2026-Q3", "--out", str(again))
    assert result.exit_code == 0, result.output
    for name in ("sector.xlsx", "sector.pdf"):
        assert (again / name).read_bytes() == (out / name).read_bytes(), name
    assert not [p for p in again.iterdir() if p.name.startswith(".")]  # no temporary left


def test_a_rejected_or_competing_return_is_reported(received: Received, tmp_path: Path) -> None:
    folder = tmp_path / "in"
    tern = received.returns["tern-2026-Q1"]
    rival = received.spare["tern-2026-Q1-rival"]
    for rendered, name in ((tern, "a"), (rival, "b")):
        (folder / name).mkdir(parents=True)
        shutil.copyfile(rendered.xlsx, folder / name / "return.xlsx")
    (folder / "junk.xlsx").write_bytes(b"not a workbook")
    out = tmp_path / "out"
    result = run("aggregate", str(folder), "--period", "2026-Q1", "--out", str(out))
    assert result.exit_code == 1, result.output
    assert f"{SelectionStatus.REJECTED}: junk.xlsx" in result.output
    later = max(
        (tern, rival), key=lambda r: (r.document["generated_at"], r.document["submission_id"])
    )
    returns = {row["file"]: row for row in sheet_records(out / "sector.xlsx", "Returns")}
    statuses = {returns["a/return.xlsx"]["status"], returns["b/return.xlsx"]["status"]}
    assert statuses == {SelectionStatus.USED, SelectionStatus.CONFLICT}
    used = next(row for row in returns.values() if row["status"] == SelectionStatus.USED)
    assert used["submission_id"] == later.document["submission_id"]
    assert returns["junk.xlsx"]["status"] == SelectionStatus.REJECTED
    platforms = sheet_records(out / "sector.xlsx", "Platforms")
    _check_metrics(platforms[0], expected_figures([later]), "conflict winner")


def test_usage_errors_and_an_empty_period(received: Received, tmp_path: Path) -> None:
    bad = CliRunner().invoke(
        cli, ["aggregate", str(received.root), "--period", "2026-Q5", "--out", str(tmp_path)]
    )
    assert bad.exit_code == 2 and "2026-Q5" in bad.output
    missing = CliRunner().invoke(
        cli, ["aggregate", str(tmp_path / "nope"), "--period", "2026", "--out", str(tmp_path)]
    )
    assert missing.exit_code == 2
    empty = run("aggregate", str(received.root), "--period", "2025", "--out", str(tmp_path / "o"))
    assert empty.exit_code == 1
    assert not (tmp_path / "o").exists()


def test_output_inside_the_folder_is_not_read_back(received: Received, tmp_path: Path) -> None:
    folder = tmp_path / "in"
    shutil.copytree(received.returns["lumen-2026-Q4"].xlsx.parent, folder / "lumen")
    for _ in range(2):
        result = run(
            "aggregate", str(folder), "--period", "2026-Q4", "--out", str(folder / "report")
        )
        assert result.exit_code == 0, result.output
        assert "1 platform, 1 return used" in result.output


def test_a_chain_of_amendments_resolves_to_its_last_link(
    received: Received, tmp_path: Path
) -> None:
    from regulator_helpers import PLATFORMS, deep, make_submission, render

    folder = tmp_path / "in"
    kestrel = received.returns
    for name in ("kestrel-2026-Q3", "kestrel-2026-Q3-amendment"):
        shutil.copytree(kestrel[name].xlsx.parent, folder / kestrel[name].xlsx.parent.name)
    second = deep(make_submission(PLATFORMS[0], "2026-Q3", seed=31, referrals=2))
    second["submission_id"] = "KESTREL-2026-Q3-A2"
    second["submission_type"] = "amendment"
    second["amends_submission_id"] = "KESTREL-2026-Q3-A1"
    last = render(second, folder / "KESTREL-2026-Q3-A2")
    out = tmp_path / "out"
    result = run("aggregate", str(folder), "--period", "2026-Q3", "--out", str(out))
    assert result.exit_code == 0, result.output
    statuses = {
        row["submission_id"]: row["status"] for row in sheet_records(out / "sector.xlsx", "Returns")
    }
    assert statuses == {
        "KESTREL-2026-Q3": SelectionStatus.SUPERSEDED,
        "KESTREL-2026-Q3-A1": SelectionStatus.SUPERSEDED,
        "KESTREL-2026-Q3-A2": SelectionStatus.USED,
    }
    _check_metrics(
        sheet_records(out / "sector.xlsx", "Platforms")[0], expected_figures([last]), "A2"
    )
