"""The regulator's commands, ``receive``, ``aggregate`` and ``filers``, registered on the
``compliance`` group.

Heavy modules (openpyxl, the PDF stack, the ledger) load inside the command bodies, so that
``compliance --help`` stays quick. Exit status as everywhere (DTR-1 section 8): 0 every return
accepted, 1 some rejected (or, for ``aggregate``, in conflict; for ``filers``, a platform
missing or rejected after its due date), 2 bad usage or a file that cannot be opened.
"""

from __future__ import annotations

import json
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import click

from compliance.cli_options import at_option, format_option, ledger_target_option
from compliance.exit_status import EXIT_OK, EXIT_REJECTED, UsageError


def _many(count: int, word: str) -> str:
    return f"{count} {word}" + ("" if count == 1 else "s")


def _open_ledger(target: str) -> Any:
    from compliance.ledger import LedgerError, open_ledger

    try:
        return open_ledger(target)
    except (LedgerError, OSError) as error:
        raise UsageError(f"cannot open the ledger {target}: {error}") from None


def _at(text: str | None) -> datetime | None:
    from compliance.filing_commands import parse_timestamp

    return parse_timestamp(text)


@click.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@format_option("text for people; json for machines (one receipt object per return).")
@ledger_target_option(
    "Record an acknowledgement of every return in this ledger (a SQLite file or a "
    "postgresql:// URL); a return received before gets its existing one."
)
@click.option(
    "--ack-dir",
    "ack_dir",
    default=None,
    type=click.Path(file_okay=False, path_type=Path),
    help="With --ledger: write <acknowledgement_id>.json per return here, for the platform.",
)
@at_option("With --ledger: when the returns were received (ISO 8601 with offset; default now).")
def receive(
    files: tuple[Path, ...],
    output_format: str,
    ledger_target: str | None,
    ack_dir: Path | None,
    at_text: str | None,
) -> None:
    """Check received quarterly returns; print a receipt for each.

    A return is accepted when it is a well-formed DTR-1 return (sheets, headers, cell types),
    its metrics agree with its own rows, it holds nothing shaped like an e-mail address, phone
    number or IP address, and the return.pdf beside it (if there is one) embeds the same
    return.json. Each receipt gives the platform, period, submission id, the workbook's
    SHA-256 and, for a rejected return, every reason with its sheet, row and column. With
    --ledger each return gets an acknowledgement (id, status, late days), recorded once: the
    same return received again gets the same one; the same submission id with other values
    is rejected. Exit status 0 when all are accepted, 1 when any is rejected, 2 when a file
    cannot be opened.

    \b
    Example:
      compliance receive received/*/return.xlsx
      compliance receive received/HLM-2026-Q3/return.xlsx --format json
      compliance receive inbox/*/return.xlsx --ledger register.db --ack-dir acks/
    """
    from compliance.check import InputError
    from compliance.regulator.receipts import receipt_text, tally_text
    from compliance.regulator.receive import receive_return

    if ledger_target is None and (ack_dir is not None or at_text is not None):
        raise UsageError("--ack-dir and --at need --ledger")
    at = _at(at_text)
    receipts = []
    for path in files:
        try:
            receipts.append(receive_return(path))
        except InputError as error:
            raise UsageError(str(error)) from None
    acknowledged: list[Any] = [None] * len(receipts)
    if ledger_target is not None:
        acknowledged = _acknowledge_all(receipts, ledger_target, ack_dir, at)
        receipts = [done.receipt for done in acknowledged]
    if output_format == "json":
        objects = [_receipt_json(r, done) for r, done in zip(receipts, acknowledged, strict=True)]
        click.echo(json.dumps(objects, indent=2, ensure_ascii=False))
    else:
        click.echo(
            "\n\n".join(
                receipt_text(r, done) for r, done in zip(receipts, acknowledged, strict=True)
            )
        )
        click.echo("\n" + tally_text(receipts))
    sys.exit(EXIT_OK if all(r.accepted for r in receipts) else EXIT_REJECTED)


def _acknowledge_all(
    receipts: list[Any], ledger_target: str, ack_dir: Path | None, at: datetime | None
) -> list[Any]:
    from compliance.ledger import LedgerError
    from compliance.regulator.acknowledge import (
        AcknowledgementFileError,
        acknowledge,
        write_acknowledgement,
    )

    done = []
    with _open_ledger(ledger_target) as ledger:
        for receipt in receipts:
            try:
                received_at = at or ledger.clock()
                done.append(acknowledge(ledger, receipt, received_at=received_at))
            except LedgerError as error:
                raise UsageError(f"the ledger {ledger_target}: {error}") from None
            if ack_dir is not None:
                try:
                    write_acknowledgement(ack_dir, done[-1].acknowledgement)
                except AcknowledgementFileError as error:
                    raise UsageError(str(error)) from None
    return done


def _receipt_json(receipt: Any, done: Any) -> dict[str, Any]:
    found: dict[str, Any] = receipt.to_json()
    if done is not None:
        found["acknowledgement_id"] = done.acknowledgement.acknowledgement_id
        found["received_at"] = done.acknowledgement.to_json()["received_at"]
        found["late_days"] = done.acknowledgement.late_days
        found["received_before"] = done.outcome == "existing"
    return found


@click.command()
@click.argument("returns_dir", type=click.Path(file_okay=False, path_type=Path))
@click.option(
    "--period",
    required=True,
    help="A quarter (2026-Q3), a half-year (2026-H2 = Q3 + Q4) or a year (2026).",
)
@click.option(
    "--out",
    "out_dir",
    required=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="Where sector.xlsx and sector.pdf are written.",
)
@click.option(
    "--register",
    "register_path",
    default=None,
    type=click.Path(dir_okay=False, path_type=Path),
    help="The register of platforms expected to file (CSV): adds each one's filing status, "
    "including those that never filed.",
)
@ledger_target_option(
    "With --register: the ledger of acknowledgements (ids, late days) to report from."
)
@at_option("With --register: decide missing against not yet due as of this moment (default now).")
def aggregate(
    returns_dir: Path,
    period: str,
    out_dir: Path,
    register_path: Path | None,
    ledger_target: str | None,
    at_text: str | None,
) -> None:
    """Build the sector report of a period from the returns received.

    Every .xlsx under RETURNS_DIR (at any depth) is received again, as `receive` does;
    those of the period's quarters are used, except that an amendment supersedes the return
    it amends and a duplicate counts once. Writes OUT/sector.xlsx (one row per platform with
    its metrics and the sector's, a sheet per metric family, the returns used with their
    SHA-256) and OUT/sector.pdf (the same with charts comparing platforms). Counts add up;
    medians and ratios are recomputed from the returns' rows. Exit status 1 if a return of the
    period was rejected or two returns conflict (the report is still written, without them).

    \b
    Example:
      compliance aggregate received/ --period 2026-Q3 --out sector/2026-Q3
      compliance aggregate received/ --period 2026-H2 --out sector/2026-H2
      compliance aggregate received/ --period 2026 --out sector/2026
    """
    from compliance.period import Period
    from compliance.regulator.aggregate import build_report
    from compliance.regulator.receipts import safe
    from compliance.regulator.sector_outputs import write_sector_report
    from compliance.statuses import SelectionStatus

    try:
        span = Period.from_argument(period)
    except ValueError as error:
        raise UsageError(str(error)) from None
    if not returns_dir.is_dir():
        raise UsageError(f"{returns_dir}: no such directory")
    if register_path is None and (ledger_target is not None or at_text is not None):
        raise UsageError("--ledger and --at need --register")
    register = _read_register(register_path) if register_path is not None else None
    at = _at(at_text)
    if at is None and register is not None and ledger_target is None:
        at = datetime.now(UTC)
    report = build_report(returns_dir, span, skip=out_dir)
    if register is not None:
        report = _with_filing(report, register, ledger_target, at)
    if not report.used:
        click.echo(
            f"no return of {span.label} under {returns_dir} could be used; nothing written",
            err=True,
        )
        for entry in report.entries:
            click.echo(f"{entry.status}: {safe(entry.receipt.input)}: {safe(entry.note)}", err=True)
        sys.exit(EXIT_REJECTED)
    try:
        outputs = write_sector_report(report, out_dir)
    except OSError as error:
        raise UsageError(f"cannot write under {out_dir}: {error.strerror or error}") from None
    counts = {status: report.count(status) for status in SelectionStatus}
    click.echo(
        f"{span.label}: {_many(len(report.platforms), 'platform')}, "
        f"{_many(counts[SelectionStatus.USED], 'return')} used "
        f"({counts[SelectionStatus.SUPERSEDED]} superseded, "
        f"{counts[SelectionStatus.DUPLICATE]} duplicate, "
        f"{counts[SelectionStatus.CONFLICT]} in conflict, "
        f"{counts[SelectionStatus.REJECTED]} rejected)"
    )
    for output in outputs:
        click.echo(f"  {out_dir / output.path}  {output.size} bytes  sha256 {output.sha256}")
    told = (SelectionStatus.REJECTED, SelectionStatus.CONFLICT, SelectionStatus.DUPLICATE)
    for entry in report.entries:
        if entry.status in told:
            click.echo(f"{entry.status}: {safe(entry.receipt.input)}: {safe(entry.note)}")
    if report.filing is not None:
        from compliance.statuses import FilerStatus

        tally = ", ".join(
            f"{report.filing.count(status)} {status}"
            for status in FilerStatus
            if report.filing.count(status)
        )
        click.echo(
            f"register: {_many(report.filing.expected, 'platform-quarter')} expected"
            + (f"; {tally}" if tally else "")
        )
        for row in report.filing.rows:
            if row.status in ("missing", "rejected", "unregistered"):
                name = f"{safe(row.name)} ({row.platform})" if row.name else str(row.platform)
                click.echo(f"{row.status}: {name} for {row.quarter}")
    for platform in report.platforms if report.filing is None else ():
        if platform.quarters_missing:
            click.echo(
                f"missing: {safe(platform.name)} has no return used for "
                + ", ".join(platform.quarters_missing)
            )
    sys.exit(EXIT_OK if report.complete else EXIT_REJECTED)


def _with_filing(report: Any, register: Any, ledger_target: str | None, at: Any) -> Any:
    from dataclasses import replace

    from compliance.regulator.sector_filing import from_folder, from_ledger

    if ledger_target is None:
        filing = from_folder(register, report.entries, report.quarters, at=at)
    else:
        with _open_ledger(ledger_target) as ledger:
            moment = at or ledger.clock()
            filing = from_ledger(register, ledger, report.quarters, at=moment)
    return replace(report, filing=filing)


def _read_register(path: Path) -> Any:
    from compliance.regulator.register import RegisterError, read_register

    try:
        return read_register(path)
    except RegisterError as error:
        raise UsageError(str(error)) from None


@click.command()
@click.option(
    "--register",
    "register_path",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="The register of platforms expected to file (CSV, DTR-1 section 11).",
)
@ledger_target_option(
    "The ledger receive --ledger recorded the returns in (SQLite file or postgresql:// URL).",
    required=True,
)
@click.option("--period", required=True, help="The quarter, written YYYY-Qn.")
@at_option("As of this moment (ISO 8601 with offset; default now).")
@format_option("text for people; json for machines.")
def filers(
    register_path: Path, ledger_target: str, period: str, at_text: str | None, output_format: str
) -> None:
    """Who filed a quarter's return, who is late, who never filed.

    One row per platform the register expects for the quarter: filed (with the late days of
    its first accepted return, and whether it was amended since), rejected (nothing accepted
    yet), missing (nothing received and the due date passed) or not_yet_due; and a row
    unregistered for each platform that filed but is not expected. Exit status 1 when a
    platform is missing, or rejected after its due date.

    \b
    Example:
      compliance filers --register register.csv --ledger register.db --period 2026-Q3
    """
    from compliance.regulator.filers import filers_text, list_filers
    from compliance.regulator.receipts import safe
    from compliance.regulator.register import quarter as parse_quarter

    try:
        span = parse_quarter(period)
    except ValueError as error:
        raise UsageError(f"--period: {error}") from None
    register = _read_register(register_path)
    at = _at(at_text)
    with _open_ledger(ledger_target) as ledger:
        found = list_filers(
            register, ledger.acknowledgements(span.label), span, at=at or ledger.clock()
        )
    if output_format == "json":
        click.echo(json.dumps(found.to_json(), indent=2, ensure_ascii=False))
    else:
        click.echo(filers_text(found, safe))
    sys.exit(EXIT_REJECTED if found.needs_action else EXIT_OK)
