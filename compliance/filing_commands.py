"""The commands of filing as it happens (DTR-1.1 10.4): suspect, refer, withdraw, due, compile.

Thin: each parses its arguments, opens the ledger and calls :mod:`compliance.filing`. The
ledger is named by ``--ledger`` (a SQLite file path or a ``postgresql://`` URL) or by the
environment variable ``COMPLIANCE_LEDGER``.
"""

from __future__ import annotations

import json
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import click

from compliance.atomic import write_bytes_atomic
from compliance.check import InputError, read_input
from compliance.cli_options import at_option, format_option, refuse_to_overwrite
from compliance.durations import format_timestamp
from compliance.exit_status import EXIT_NOT_READY, EXIT_OK, UsageError
from compliance.filing import (
    DueSuspicion,
    FilingError,
    FilingLedger,
    FilingReport,
    read_moderation_log,
)
from compliance.ledger import LedgerError, PlatformKey, WithdrawalOutcome
from compliance.period import Period
from compliance.report_text import issue_line

LEDGER_ENV = "COMPLIANCE_LEDGER"


def ledger_option(function: Any) -> Any:
    return click.option(
        "--ledger",
        "ledger_target",
        envvar=LEDGER_ENV,
        required=True,
        help=f"The filing ledger: a SQLite file, or a postgresql:// URL (or ${LEDGER_ENV}).",
    )(function)


def platform_option(function: Any) -> Any:
    return click.option(
        "--platform",
        "platform_text",
        default=None,
        help="REGISTRATION:JURISDICTION, needed when the ledger holds several platforms.",
    )(function)


def parse_timestamp(text: str | None, what: str = "--at") -> datetime | None:
    """An ISO 8601 timestamp with its UTC offset, as every DTR-1 timestamp is written."""
    if text is None:
        return None
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        raise UsageError(f"{what} {text!r} is not an ISO 8601 timestamp") from None
    if moment.tzinfo is None:
        raise UsageError(f"{what} {text!r} has no UTC offset; write it like 2026-10-01T00:00:00Z")
    return moment.astimezone(UTC)


def parse_platform(text: str | None) -> PlatformKey | None:
    if text is None:
        return None
    try:
        return PlatformKey.parse(text)
    except ValueError as error:
        raise UsageError(f"--platform: {error}") from None


def open_filing_ledger(target: str, *, out_dir: Path | None = None) -> FilingLedger:
    """The ledger, refused with one line when it cannot be opened or would sit in an output
    folder (a ledger holds personal data; outputs are sent on)."""
    if out_dir is not None and "://" not in target:
        ledger_path = Path(target).resolve()
        if ledger_path.is_relative_to(out_dir.resolve()):
            raise UsageError(f"the ledger {target} would be inside the output folder {out_dir}")
    try:
        return FilingLedger.open(target)
    except (LedgerError, OSError) as error:
        raise UsageError(f"cannot open the ledger {target}: {error}") from None


def _read(path: Path) -> bytes:
    try:
        return read_input(path)
    except InputError as error:
        raise UsageError(str(error)) from None


def _print_report(report: FilingReport, output_format: str, what: str) -> None:
    if output_format == "json":
        click.echo(json.dumps(report.to_json(), indent=2, ensure_ascii=False))
        return
    name = report.check.input_name
    receipt = report.receipt
    if report.refusal is not None or receipt is None:
        click.echo(f"{name}: REFUSED: {report.refusal}")
    else:
        state = "recorded as an open suspicion" if what == "suspect" else "filed"
        click.echo(
            f"{name}: {state}: referral {receipt.referral_id} version {receipt.version} "
            f"({report.outcome}); receipt {receipt.receipt_id}"
        )
        if report.deadline is not None:
            click.echo(f"  deadline     {format_timestamp(report.deadline)}")
        if what == "refer":
            timing = {True: "on time", False: "late", None: "not judged (a correction)"}
            click.echo(f"  timing       {timing[receipt.on_time]}")
        if receipt.breach_codes:
            click.echo(
                f"  breaches     {', '.join(receipt.breach_codes)} (on the receipt; disclosed "
                "in the quarter's return)"
            )
        for path in report.written:
            click.echo(f"  wrote        {path}")
        for path in report.kept:
            click.echo(f"  already      {path} (as recorded)")
    for issue in report.issues:
        click.echo(issue_line(issue))


@click.command()
@click.argument("file", type=click.Path(path_type=Path))
@ledger_option
@format_option("text for people; json for machines.")
def suspect(file: Path, ledger_target: str, output_format: str) -> None:
    """Record a suspicion before it is referred; print its deadline.

    FILE is a referral document (DTR-1.1 10.1) whose referred_at is empty. It is checked
    like a referral and recorded open, with the deadline its priority sets; recording a
    later document of the same referral updates the open record, but never moves its
    deadline (DTR-L004). Exit status 1 when it is refused.

    \b
    Example:
      compliance suspect R-0042.json --ledger ledger.db
    """
    data = _read(file)
    with open_filing_ledger(ledger_target) as ledger:
        report = ledger.suspect(data, name=str(file))
    _print_report(report, output_format, "suspect")
    sys.exit(EXIT_OK if report.filed else EXIT_NOT_READY)


@click.command()
@click.argument("file", type=click.Path(path_type=Path))
@ledger_option
@click.option(
    "--out",
    "out_dir",
    required=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="Folder for <referral_id>.pdf and <referral_id>.receipt.json (owner-only).",
)
@click.option("--force", is_flag=True, help="Replace a different file of the same name.")
@format_option("text for people; json for machines.")
def refer(file: Path, ledger_target: str, out_dir: Path, force: bool, output_format: str) -> None:
    """File a referral as it is made: its police pack and a receipt.

    FILE is a referral document whose referred_at and referred_to are set. With no fatal
    and no error issue it is filed in one step: OUT/<referral_id>.pdf (the pack, never a
    draft) and OUT/<referral_id>.receipt.json, recorded in the ledger. A late referral is
    filed like any other, with its breach on the receipt. Filing the same document again
    returns the same receipt and restores any missing file. Exit status 1 when refused.

    \b
    Example:
      compliance refer R-0042.json --ledger ledger.db --out packs/
    """
    data = _read(file)
    with open_filing_ledger(ledger_target, out_dir=out_dir) as ledger:
        try:
            report = ledger.refer(data, out_dir=out_dir, name=str(file), force=force)
        except FilingError as error:
            raise UsageError(str(error)) from None
        except OSError as error:
            raise UsageError(f"cannot write under {out_dir}: {error.strerror or error}") from None
    _print_report(report, output_format, "refer")
    sys.exit(EXIT_OK if report.filed else EXIT_NOT_READY)


@click.command()
@click.argument("referral_id")
@ledger_option
@click.option("--reason", required=True, help="Why the suspicion was recorded in error.")
@platform_option
def withdraw(referral_id: str, ledger_target: str, reason: str, platform_text: str | None) -> None:
    """Close an open suspicion recorded in error.

    The ledger keeps it, with the reason; due no longer lists it and compile leaves it out.
    A referral that was filed is never withdrawn: file a correction instead.
    """
    if not reason.strip():
        raise UsageError("--reason must say why the suspicion was recorded in error")
    with open_filing_ledger(ledger_target) as ledger:
        try:
            outcome = ledger.withdraw(referral_id, reason, platform=parse_platform(platform_text))
        except FilingError as error:
            raise UsageError(str(error)) from None
    messages = {
        WithdrawalOutcome.WITHDRAWN: "withdrawn; the ledger keeps it with the reason",
        WithdrawalOutcome.ALREADY_WITHDRAWN: "withdrawn before; that reason stands",
    }
    if outcome not in messages:
        problem = {
            WithdrawalOutcome.NOT_FOUND: "the ledger holds no suspicion of that id",
            WithdrawalOutcome.REFERRED: "it was filed as referred; file a correction instead",
        }[outcome]
        raise UsageError(f"{referral_id} cannot be withdrawn: {problem}")
    click.echo(f"{referral_id}: {messages[outcome]}")


def _span(delta: timedelta) -> str:
    seconds = abs(int(delta.total_seconds()))
    days, rest = divmod(seconds, 86_400)
    hours, rest = divmod(rest, 3_600)
    minutes = rest // 60
    parts = [f"{days} d"] if days else []
    if hours or days:
        parts.append(f"{hours} h")
    parts.append(f"{minutes} min")
    return " ".join(parts)


def _due_line(item: DueSuspicion) -> str:
    state = (
        f"OVERDUE by {_span(item.remaining)}" if item.overdue else f"{_span(item.remaining)} left"
    )
    return (
        f"{format_timestamp(item.deadline)}  {state:<24} {item.referral_id}  ({item.priority}, "
        f"{item.platform})"
    )


@click.command()
@ledger_option
@at_option("The moment to judge at (ISO 8601 with offset); default now.")
@platform_option
@format_option("text for people; json for machines.")
def due(
    ledger_target: str, at_text: str | None, platform_text: str | None, output_format: str
) -> None:
    """List open suspicions, the nearest deadline first.

    Overdue means the moment (--at, default now) is after the deadline. Exit status 1 when
    one is overdue, so that a monitor can page someone.
    """
    at = parse_timestamp(at_text)
    with open_filing_ledger(ledger_target) as ledger:
        items = ledger.due(at, platform=parse_platform(platform_text))
    if output_format == "json":
        click.echo(json.dumps([item.to_json() for item in items], indent=2))
    elif not items:
        click.echo("No open suspicion.")
    else:
        for item in items:
            click.echo(_due_line(item))
    sys.exit(EXIT_NOT_READY if any(item.overdue for item in items) else EXIT_OK)


@click.command(name="compile")
@ledger_option
@click.option("--period", required=True, help="The quarter, e.g. 2026-Q3.")
@click.option(
    "--moderation-log",
    "moderation_log",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="The quarter's removals: a JSON array of Removals, or CSV with their field names.",
)
@click.option("--out", "out_file", required=True, type=click.Path(dir_okay=False, path_type=Path))
@at_option("Compile the ledger as it stood then; it becomes generated_at. Default now.")
@click.option("--submission-id", default=None, help="Default: <registration_number>-<period>.")
@click.option("--amends", default=None, help="The submission_id this amends.")
@click.option(
    "--attestation",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="The signed attestation, as a JSON object (else none, and DTR-R002 stays).",
)
@platform_option
@click.option("--force", is_flag=True, help="Replace an existing --out file.")
def compile_quarter(
    ledger_target: str,
    period: str,
    moderation_log: Path,
    out_file: Path,
    at_text: str | None,
    submission_id: str | None,
    amends: str | None,
    attestation: Path | None,
    platform_text: str | None,
    force: bool,
) -> None:
    """Write the quarter's submission from the filing ledger.

    Every referral of the period as its latest filed version, still-open suspicions as
    unreferred referrals, the platform as in the document filed last, and the moderation
    log and attestation from their files. Validate it with --ledger before filing.
    """
    try:
        quarter = Period.from_argument(period)
    except ValueError as error:
        raise UsageError(f"--period: {error}") from None
    refuse_to_overwrite(out_file, force)
    removals = read_moderation_log(_read(moderation_log), str(moderation_log))
    signed: dict[str, Any] | None = None
    if attestation is not None:
        try:
            signed = json.loads(_read(attestation))
        except ValueError as error:
            raise UsageError(f"{attestation} is not valid JSON: {error}") from None
        if not isinstance(signed, dict):
            raise UsageError(f"{attestation} must hold one JSON object")
    with open_filing_ledger(ledger_target) as ledger:
        try:
            submission = ledger.compile(
                quarter,
                removals,
                at=parse_timestamp(at_text),
                platform=parse_platform(platform_text),
                submission_id=submission_id,
                amends=amends,
                attestation=signed,
            )
        except FilingError as error:
            raise UsageError(str(error)) from None
    data = (json.dumps(submission, indent=2, ensure_ascii=False) + "\n").encode("utf-8")
    try:
        # The compiled quarter holds the referrals' personal data: owner-only, like a pack.
        write_bytes_atomic(out_file, data, 0o600)
    except OSError as error:
        raise UsageError(f"cannot write {out_file}: {error.strerror or error}") from None
    click.echo(
        f"{out_file}: {len(submission['referrals'])} referrals and "
        f"{len(submission['moderation_log'])} removals of {quarter} as the ledger stood at "
        f"{submission['generated_at']}"
    )


COMMANDS = (suspect, refer, withdraw, due, compile_quarter)

__all__ = ["COMMANDS", "LEDGER_ENV", "open_filing_ledger", "parse_timestamp"]
