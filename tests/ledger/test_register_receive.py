"""``receive --ledger``: an acknowledgement per return, recorded once (DTR-1 section 11), on
SQLite and PostgreSQL, with real returns."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from click.testing import CliRunner
from register_returns import KESTREL, LUMEN, rendered_return

from compliance.cli import cli
from compliance.ledger import open_ledger

AT = "2026-11-02T09:00:00Z"  # 2 days 9 hours after Q3's due date: 3 days late


@pytest.fixture(scope="module")
def returns(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("register-returns")
    made = {
        "lumen": rendered_return(root / "lumen", LUMEN, "2026-Q3", seed=11),
        "lumen-other": rendered_return(
            root / "lumen-other", LUMEN, "2026-Q3", seed=12, submission_id="LUMEN-2026-Q3"
        ),
        "kestrel-amendment": rendered_return(
            root / "kestrel-a1",
            KESTREL,
            "2026-Q3",
            seed=14,
            submission_id="KESTREL-2026-Q3-A1",
            amends="KESTREL-2026-Q3",
        ),
    }
    resaved = root / "lumen-resaved" / "return.xlsx"
    resaved.parent.mkdir()
    workbook = openpyxl.load_workbook(made["lumen"])
    workbook.save(resaved)
    made["lumen-resaved"] = resaved
    # Rejected: a Summary metric that disagrees with the rows (under the same submission_id).
    tampered = root / "lumen-tampered" / "return.xlsx"
    tampered.parent.mkdir()
    workbook = openpyxl.load_workbook(made["lumen-other"])
    summary = workbook["Summary"]
    summary["B2"] = (summary["B2"].value or 0) + 1
    workbook.save(tampered)
    made["lumen-tampered"] = tampered
    return made


def receive(target: str, *files: Path, extra: tuple[str, ...] = ()) -> tuple[int, list[Any]]:
    result = CliRunner().invoke(
        cli,
        ["receive", *map(str, files), "--ledger", target, "--at", AT, "--format", "json", *extra],
    )
    assert result.exit_code in (0, 1), result.output
    return result.exit_code, json.loads(result.stdout)


def test_every_return_received_gets_an_acknowledgement(
    target: str, returns: dict[str, Path], tmp_path: Path
) -> None:
    acks = tmp_path / "acks"
    status, (receipt,) = receive(target, returns["lumen"], extra=("--ack-dir", str(acks)))
    assert status == 0
    assert receipt["status"] == "accepted"
    assert receipt["late_days"] == 3
    assert receipt["received_before"] is False
    identifier = receipt["acknowledgement_id"]
    written = json.loads((acks / f"{identifier}.json").read_text())
    assert written["acknowledgement_id"] == identifier
    assert written["files"] == [{"name": str(returns["lumen"]), "sha256": receipt["sha256"]}]
    assert (written["registration_number"], written["jurisdiction"]) == ("IE654321", "IE")
    assert (written["period"], written["late_days"]) == ("2026-Q3", 3)
    with open_ledger(target) as ledger:
        recorded = ledger.acknowledgement(identifier)
    assert recorded is not None and recorded.received_at.isoformat() == "2026-11-02T09:00:00+00:00"
    text = CliRunner().invoke(cli, ["receive", str(returns["lumen"]), "--ledger", target]).output
    assert f"acknowledged {identifier}" in text and "received before" in text


def test_the_same_return_again_gets_its_existing_acknowledgement(
    target: str, returns: dict[str, Path], tmp_path: Path
) -> None:
    _, (first,) = receive(target, returns["lumen"])
    copy = tmp_path / "copy" / "return.xlsx"
    copy.parent.mkdir()
    shutil.copyfile(returns["lumen"], copy)
    _, (again,) = receive(target, copy)
    _, (resaved,) = receive(target, returns["lumen-resaved"])
    assert resaved["sha256"] != first["sha256"]
    assert (
        again["acknowledgement_id"] == resaved["acknowledgement_id"] == first["acknowledgement_id"]
    )
    assert again["received_before"] and resaved["received_before"]
    with open_ledger(target) as ledger:
        assert len(ledger.acknowledgements("2026-Q3")) == 1


def test_the_same_submission_id_with_other_values_is_rejected(
    target: str, returns: dict[str, Path]
) -> None:
    receive(target, returns["lumen"])
    status, (receipt,) = receive(target, returns["lumen-other"])
    assert status == 1
    assert receipt["status"] == "rejected"
    assert [reason["code"] for reason in receipt["reasons"]] == ["RCV-L001"]
    _, (again,) = receive(target, returns["lumen-other"])  # the same answer, recorded once
    assert again["acknowledgement_id"] == receipt["acknowledgement_id"]
    assert [reason["code"] for reason in again["reasons"]] == ["RCV-L001"]


def test_a_rejected_return_does_not_use_up_its_submission_id(
    target: str, returns: dict[str, Path]
) -> None:
    status, (tampered,) = receive(target, returns["lumen-tampered"])
    assert (status, tampered["status"]) == (1, "rejected")
    assert tampered["submission_id"] == "LUMEN-2026-Q3"
    status, (accepted,) = receive(target, returns["lumen"])
    assert (status, accepted["status"], accepted["received_before"]) == (0, "accepted", False)


def test_an_amendment_of_a_return_never_accepted_is_rejected(
    target: str, returns: dict[str, Path]
) -> None:
    status, (receipt,) = receive(target, returns["kestrel-amendment"])
    assert (status, receipt["status"]) == (1, "rejected")
    assert [reason["code"] for reason in receipt["reasons"]] == ["RCV-L002"]


def test_ack_dir_never_overwrites_another_file(
    target: str, returns: dict[str, Path], tmp_path: Path
) -> None:
    acks = tmp_path / "acks"
    _, (receipt,) = receive(target, returns["lumen"], extra=("--ack-dir", str(acks)))
    written = acks / f"{receipt['acknowledgement_id']}.json"
    receive(target, returns["lumen"], extra=("--ack-dir", str(acks)))  # the same file: fine
    written.write_text("someone else's\n")
    result = CliRunner().invoke(
        cli, ["receive", str(returns["lumen"]), "--ledger", target, "--ack-dir", str(acks)]
    )
    assert result.exit_code == 2
    assert "not overwritten" in result.output
    assert written.read_text() == "someone else's\n"
    assert not [p for p in os.listdir(acks) if p.endswith(".part")]


def test_filers_shows_the_filed_the_late_and_the_missing(
    target: str, returns: dict[str, Path], tmp_path: Path
) -> None:
    register = tmp_path / "register.csv"
    register.write_text(
        "registration_number,jurisdiction,legal_name,first_period,last_period\n"
        " ie654321,IE,Lumen Video Teoranta,2026-Q1,\n"
        "SC612345,GB,Kestrel Forums plc,2026-Q1,\n"
    )
    _, (receipt,) = receive(target, returns["lumen"])
    args = ["filers", "--register", str(register), "--ledger", target, "--period", "2026-Q3"]
    early = CliRunner().invoke(cli, [*args, "--at", "2026-10-30T00:00:00Z"])
    assert early.exit_code == 0, early.output
    assert "not_yet_due" in early.output
    late = CliRunner().invoke(cli, [*args, "--at", "2026-11-05T00:00:00Z", "--format", "json"])
    assert late.exit_code == 1, late.output
    rows = {row["registration_number"]: row for row in json.loads(late.stdout)["filers"]}
    assert rows["IE654321"]["status"] == "filed"
    assert rows["IE654321"]["late_days"] == 3
    assert rows["IE654321"]["acknowledgement_id"] == receipt["acknowledgement_id"]
    assert rows["SC612345"]["status"] == "missing"
    bad = CliRunner().invoke(cli, [*args[:-1], "2026-H2"])
    assert bad.exit_code == 2 and "not a quarter" in bad.output
