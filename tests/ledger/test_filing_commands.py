"""Filing as it happens through the commands, on a real SQLite and a real PostgreSQL ledger."""

from __future__ import annotations

import hashlib
import json
import stat
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result
from filing_documents import referral_document, write
from pypdf import PdfReader

from compliance.cli import cli

# Each test renders referral packs through real filings: the CI run, not the quick loop.
pytestmark = pytest.mark.slow


@pytest.fixture(autouse=True)
def _pseudonym_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COMPLIANCE_PSEUDONYM_KEY", "filing-tests-key-0123456789abcdef")


def run(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def refer(target: str, document: dict[str, Any], tmp_path: Path, *extra: str) -> Result:
    name = f"{document['referral']['referral_id']}-{document['generated_at'][:19]}.json"
    source = write(tmp_path / name.replace(":", ""), document)
    return run("refer", str(source), "--ledger", target, "--out", str(tmp_path / "packs"), *extra)


def suspect(target: str, document: dict[str, Any], tmp_path: Path, *extra: str) -> Result:
    source = write(tmp_path / f"{document['referral']['referral_id']}-open.json", document)
    return run("suspect", str(source), "--ledger", target, *extra)


def test_refer_files_a_pack_and_a_receipt_and_a_retry_returns_the_same(
    target: str, tmp_path: Path
) -> None:
    document = referral_document(0)
    first = refer(target, document, tmp_path, "--format", "json")
    assert first.exit_code == 0, first.output
    receipt = json.loads(first.output)["receipt"]
    assert receipt["referral_id"] == "R1" and receipt["state"] == "referred"
    assert receipt["on_time"] is True and receipt["breaches"] == []
    packs = tmp_path / "packs"
    pack = packs / "R1.pdf"
    assert sha256(pack) == receipt["pack_sha256"]
    assert stat.S_IMODE(pack.stat().st_mode) == 0o600
    assert stat.S_IMODE(packs.stat().st_mode) == 0o700
    on_disk = json.loads((packs / "R1.receipt.json").read_text())
    assert on_disk["receipt_id"] == receipt["receipt_id"]
    text = " ".join(PdfReader(pack).pages[0].extract_text().split())
    assert "Filed as it happens" in text and "DRAFT" not in text

    again = refer(target, document, tmp_path, "--format", "json")
    assert again.exit_code == 0, again.output
    assert json.loads(again.output)["receipt"]["receipt_id"] == receipt["receipt_id"]
    assert json.loads(again.output)["outcome"] == "unchanged"

    pack.unlink()  # lost after filing: a retry restores it, byte for byte as recorded
    restored = refer(target, document, tmp_path)
    assert restored.exit_code == 0, restored.output
    assert sha256(pack) == receipt["pack_sha256"]
    assert not list(packs.glob(".*.part"))


def test_a_late_referral_is_filed_with_its_breach_on_the_receipt(
    target: str, tmp_path: Path
) -> None:
    result = refer(target, referral_document(1), tmp_path)  # R2: 30 h for an urgent one
    assert result.exit_code == 0, result.output
    assert "timing       late" in result.output
    assert "breaches     DTR-T005" in result.output
    receipt = json.loads((tmp_path / "packs" / "R2.receipt.json").read_text())
    assert receipt["breaches"] == ["DTR-T005"] and receipt["on_time"] is False


def test_a_filed_referral_never_changes_but_later_facts_make_a_new_version(
    target: str, tmp_path: Path
) -> None:
    document = referral_document(0)
    assert refer(target, document, tmp_path).exit_code == 0
    changed = referral_document(0, narrative=document["referral"]["narrative"] + " More.")
    refused = refer(target, changed, tmp_path)
    assert refused.exit_code == 1
    assert "DTR-L001" in refused.output and "REFUSED" in refused.output
    later = referral_document(0, authority_reference="CTP-2026-0815")
    later["generated_at"] = "2026-08-20T09:00:00Z"
    newer = refer(target, later, tmp_path, "--format", "json")
    assert newer.exit_code == 0, newer.output
    printed = json.loads(newer.output)
    assert printed["outcome"] == "new_version" and printed["receipt"]["version"] == 2
    receipt = json.loads((tmp_path / "packs" / "R1.receipt.json").read_text())
    assert receipt["receipt_id"] == printed["receipt"]["receipt_id"]


def test_a_suspicion_shows_in_due_and_becomes_overdue(target: str, tmp_path: Path) -> None:
    document = referral_document(2)  # R3: routine, not referred
    recorded = suspect(target, document, tmp_path)
    assert recorded.exit_code == 0, recorded.output
    assert "deadline     2026-10-05T12:00:00Z" in recorded.output
    before = run("due", "--ledger", target, "--at", "2026-10-01T12:00:00Z")
    assert before.exit_code == 0, before.output
    assert "R3" in before.output and "4 d 0 h 0 min left" in before.output
    after = run("due", "--ledger", target, "--at", "2026-10-05T12:00:01Z", "--format", "json")
    assert after.exit_code == 1
    [item] = json.loads(after.output)
    assert item["referral_id"] == "R3" and item["overdue"] is True
    on_time = referral_document(2, referred_at="2026-10-01T09:00:00Z")
    on_time["referral"]["referred_to"] = "Counter Terrorism Policing (GB)"
    on_time["generated_at"] = "2026-10-01T09:00:00Z"
    assert refer(target, on_time, tmp_path).exit_code == 0
    cleared = run("due", "--ledger", target, "--at", "2026-10-09T00:00:00Z")
    assert cleared.exit_code == 0 and "No open suspicion." in cleared.output


def test_a_deadline_is_fixed_when_first_recorded(target: str, tmp_path: Path) -> None:
    assert suspect(target, referral_document(2), tmp_path).exit_code == 0
    moved = referral_document(2, suspicion_formed_at="2026-09-29T12:00:00Z")
    moved["generated_at"] = "2026-09-29T13:00:00Z"
    refused = suspect(target, moved, tmp_path)
    assert refused.exit_code == 1 and "DTR-L004" in refused.output


def test_a_document_from_the_future_of_the_ledgers_clock_is_refused(
    target: str, tmp_path: Path
) -> None:
    document = referral_document(2)
    document["generated_at"] = "2099-01-01T00:00:00Z"
    refused = suspect(target, document, tmp_path)
    assert refused.exit_code == 1 and "DTR-L005" in refused.output


def test_refer_refuses_an_unreferred_document_and_suspect_a_referred_one(
    target: str, tmp_path: Path
) -> None:
    assert "record it with suspect" in refer(target, referral_document(2), tmp_path).output
    assert "file it with refer" in suspect(target, referral_document(0), tmp_path).output


def test_withdraw_closes_a_suspicion_and_never_a_filed_referral(
    target: str, tmp_path: Path
) -> None:
    assert suspect(target, referral_document(2), tmp_path).exit_code == 0
    assert refer(target, referral_document(0), tmp_path).exit_code == 0
    closed = run("withdraw", "R3", "--ledger", target, "--reason", "recorded in error")
    assert closed.exit_code == 0, closed.output
    assert "No open suspicion." in run("due", "--ledger", target).output
    kept = run("withdraw", "R1", "--ledger", target, "--reason", "oops")
    assert kept.exit_code == 2 and "file a correction instead" in kept.output


def test_compile_writes_the_quarter_from_the_ledger(target: str, tmp_path: Path) -> None:
    from returns_fixture import submission

    assert refer(target, referral_document(0), tmp_path).exit_code == 0
    assert refer(target, referral_document(1), tmp_path).exit_code == 0
    assert suspect(target, referral_document(2), tmp_path).exit_code == 0
    log = tmp_path / "log.csv"
    rows = submission()["moderation_log"]
    header = list(rows[0])
    lines = [",".join(header)] + [
        ",".join("" if row[key] is None else str(row[key]) for key in header) for row in rows
    ]
    log.write_text("\n".join(lines) + "\n", encoding="utf-8")
    attestation = tmp_path / "attestation.json"
    attestation.write_text(json.dumps(submission()["attestation"]), encoding="utf-8")
    out = tmp_path / "quarter.json"
    compiled = run(
        "compile", "--ledger", target, "--period", "2026-q3", "--moderation-log", str(log),
        "--out", str(out), "--attestation", str(attestation),
    )  # fmt: skip
    assert compiled.exit_code == 0, compiled.output
    quarter = json.loads(out.read_text())
    assert quarter["submission_id"] == "09876543-2026-Q3"
    assert quarter["generated_at"] > "2026-10-01T00:00:00Z"  # now, by the ledger's clock
    assert [r["referral_id"] for r in quarter["referrals"]] == ["R1", "R2", "R3"]
    assert quarter["referrals"][2]["referred_at"] is None
    assert quarter["moderation_log"] == rows
    checked = run("validate", str(out), "--format", "json")
    printed = json.loads(checked.output)[0]
    assert printed["filing_ready"] is True, printed["issues"]
    breaches = {i["code"]: i["referral_id"] for i in printed["issues"] if i["severity"] == "breach"}
    assert breaches == {"DTR-T005": "R2", "DTR-T006": "R3"}  # late; still unreferred, overdue
    again = run(
        "compile", "--ledger", target, "--period", "2026-Q3", "--moderation-log", str(log),
        "--out", str(out),
    )  # fmt: skip
    assert again.exit_code == 2 and "give --force" in again.output


def test_a_ledger_is_never_written_into_the_output_folder(tmp_path: Path) -> None:
    packs = tmp_path / "packs"
    packs.mkdir()
    source = write(tmp_path / "r1.json", referral_document(0))
    inside = run("refer", str(source), "--ledger", str(packs / "l.db"), "--out", str(packs))
    assert inside.exit_code == 2 and "inside the output folder" in inside.output
    assert not (packs / "l.db").exists()


def _filed_quarter(target: str, tmp_path: Path) -> tuple[Path, dict[str, Any]]:
    """R1 and R2 filed, R3 open; the quarter compiled from the ledger, with the fixture's log."""
    from returns_fixture import submission

    assert refer(target, referral_document(0), tmp_path).exit_code == 0
    assert refer(target, referral_document(1), tmp_path).exit_code == 0
    assert suspect(target, referral_document(2), tmp_path).exit_code == 0
    log = tmp_path / "log.json"
    rows = submission()["moderation_log"]
    for row in rows:  # R3 is an open suspicion: a removal names only a referral filed as made
        row["referral_id"] = None if row["referral_id"] == "R3" else row["referral_id"]
    log.write_text(json.dumps(rows), encoding="utf-8")
    attestation = tmp_path / "attestation.json"
    attestation.write_text(json.dumps(submission()["attestation"]), encoding="utf-8")
    out = tmp_path / "quarter.json"
    result = run(
        "compile", "--ledger", target, "--period", "2026-Q3", "--moderation-log", str(log),
        "--out", str(out), "--attestation", str(attestation),
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    return out, json.loads(out.read_text())


def _codes(result: Result) -> dict[str, list[str]]:
    [printed] = json.loads(result.output)
    codes: dict[str, list[str]] = {}
    for issue in printed["issues"]:
        codes.setdefault(issue["code"], []).append(issue["path"])
    return codes


def test_validate_against_the_ledger_finds_what_the_quarter_left_out_or_changed(
    target: str, tmp_path: Path
) -> None:
    path, quarter = _filed_quarter(target, tmp_path)
    clean = run("validate", str(path), "--ledger", target, "--format", "json")
    assert clean.exit_code == 0, clean.output
    assert not {code for code in _codes(clean) if code.startswith("DTR-L")}

    quarter["referrals"] = quarter["referrals"][1:]  # R1 left out
    quarter["referrals"][0]["narrative"] += " Edited after filing."  # R2 changed
    quarter["referrals"][0]["related_referral_ids"] = ["R-NEVER-FILED"]
    quarter["moderation_log"][3]["referral_id"] = "R-404"
    path.write_text(json.dumps(quarter), encoding="utf-8")
    result = run("validate", str(path), "--ledger", target, "--format", "json")
    assert result.exit_code == 1
    codes = _codes(result)
    assert sorted(codes["DTR-L003"]) == ["/referrals", "/referrals/0"]
    assert sorted(codes["DTR-L002"]) == [
        "/moderation_log/3/referral_id",
        "/referrals/0/related_referral_ids/0",
    ]


def test_a_subject_filed_in_an_earlier_quarter_covers_its_account(
    target: str, tmp_path: Path
) -> None:
    path, quarter = _filed_quarter(target, tmp_path)
    subject = quarter["referrals"][0]["subjects"][0]
    quarter["referrals"] = quarter["referrals"][1:]  # R1 (filed in the ledger) left out
    quarter["moderation_log"] = [
        {
            "action_id": f"REPEAT-{n}",
            "service_id": subject["service_id"],
            "account_id": subject["account_id"],
            "content_id": None,
            "category": "incitement",
            "actioned_at": f"2026-09-0{n + 1}T10:00:00Z",
            "referral_id": None,
        }
        for n in range(3)
    ]
    path.write_text(json.dumps(quarter), encoding="utf-8")
    alone = _codes(run("validate", str(path), "--format", "json"))
    assert alone["DTR-D001"] == ["/moderation_log/2"]
    widened = _codes(run("validate", str(path), "--ledger", target, "--format", "json"))
    assert "DTR-D001" not in widened


def test_render_against_the_ledger_does_not_render_filed_packs_again(
    target: str, tmp_path: Path
) -> None:
    path, _quarter = _filed_quarter(target, tmp_path)
    out = tmp_path / "output"
    result = run("render", str(path), "--ledger", target, "--out", str(out))
    assert result.exit_code == 0, result.output
    folder = out / "09876543-2026-Q3"
    assert sorted(p.name for p in (folder / "referrals").iterdir()) == ["R3.pdf"]
    manifest = json.loads((folder / "manifest.json").read_text())
    filed = {pack["referral_id"]: pack for pack in manifest["filed_packs"]}
    assert sorted(filed) == ["R1", "R2"]
    for referral_id, pack in filed.items():
        receipt = json.loads((tmp_path / "packs" / f"{referral_id}.receipt.json").read_text())
        assert pack["receipt_id"] == receipt["receipt_id"]
        assert pack["sha256"] == sha256(tmp_path / "packs" / f"{referral_id}.pdf")
