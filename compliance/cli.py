"""The `compliance` command: parse arguments, call the library, choose the exit status.

Exit status (DTR-1 section 8): 0 success; 1 some input is not filing-ready or was rejected;
2 bad usage, or a file that does not exist or cannot be opened. A user's mistake is never a
traceback: it is a located issue, or one line on stderr with status 2.
"""

from __future__ import annotations

import contextlib
import json
import os
import sys
from pathlib import Path
from typing import Any

import click

from compliance.check import CheckResult, InputError
from compliance.cli_options import force_option, format_option, refuse_to_overwrite
from compliance.exit_status import EXIT_NOT_READY, EXIT_OK, EXIT_USAGE, UsageError
from compliance.filing_commands import COMMANDS as FILING_COMMANDS
from compliance.regulator.commands import aggregate, filers, receive
from compliance.terminal import safe


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="compliance")
def cli() -> None:
    """File DTR-1 duty-to-report referrals and quarterly compliance returns.

    \b
    Typical use:
      compliance validate submission.json
      compliance render submission.json --out output/
      compliance rules
    """


@cli.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@format_option("text for people; json for machines (one object per input).")
@click.option(
    "--ledger",
    "ledger_target",
    default=None,
    help="Check a quarter against the filing ledger too (DTR-L002, L003; D001's wider reach).",
)
def validate(files: tuple[Path, ...], output_format: str, ledger_target: str | None) -> None:
    """Check submissions and referral documents; report every issue.

    Each issue has its code, severity, a plain-English message, the JSON Pointer of the
    offending value and where it is in the file (line, or sheet/row/column). A referral
    document (one referral, "document": "referral") is checked by the rules of one referral.
    Exit status is 0 when every file is filing-ready, 1 when any is not, 2 when a file cannot
    be opened.

    \b
    Example:
      compliance validate sample_inputs/*.json --format json
    """
    from compliance.referral_check import check_any_path

    # Every input that can be read is reported, in order; one that cannot be opened gets its
    # error in its place (and on stderr), and the status 2 that wins over 1 (DTR-1 8).
    results: list[Any] = []
    unopened: dict[int, str] = {}
    for path in files:
        try:
            results.append(check_any_path(path))
        except InputError as error:
            unopened[len(results) + len(unopened)] = str(error)
            results.append(None)
    checked = [result for result in results if result is not None]
    if ledger_target is not None and checked:
        widened = iter(_against_ledger(checked, ledger_target))
        results = [None if result is None else next(widened) for result in results]
    if output_format == "json":
        from compliance.json_text import dumps

        entries = [
            {"input": str(path), "error": unopened[index]} if result is None else result.to_json()
            for index, (path, result) in enumerate(zip(files, results, strict=True))
        ]
        click.echo(dumps(entries, indent=2))
    else:
        from compliance.report_text import result_text

        click.echo(
            "\n\n".join(
                f"{safe(path)}: cannot be read: {safe(unopened[index])}"
                if result is None
                else result_text(result)
                for index, (path, result) in enumerate(zip(files, results, strict=True))
            )
        )
    for message in unopened.values():
        click.echo(f"Error: {safe(message)}", err=True)
    if unopened:
        sys.exit(EXIT_USAGE)
    ready = all(result.report.filing_ready for result in results if result is not None)
    sys.exit(EXIT_OK if ready else EXIT_NOT_READY)


def _against_ledger(results: list[Any], ledger_target: str) -> list[Any]:
    """Each quarter's check widened by the filing ledger (referral documents as they are)."""
    from compliance.filing_commands import open_filing_ledger

    with open_filing_ledger(ledger_target) as ledger:
        return [
            ledger.check_quarter(result) if isinstance(result, CheckResult) else result
            for result in results
        ]


@cli.command()
@format_option("text for people; json for machines; markdown for the README.", "markdown")
def rules(output_format: str) -> None:
    """Print the DTR-1 rule catalogue from the tool's own registry.

    \b
    Example:
      compliance rules --format json
    """
    from compliance import catalogue

    render = {
        "text": catalogue.catalogue_text,
        "json": catalogue.catalogue_json,
        "markdown": catalogue.catalogue_markdown,
    }[output_format]
    click.echo(render())


@cli.command()
@click.option(
    "--document",
    "document",
    type=click.Choice(["submission", "referral"]),
    default="submission",
    show_default=True,
    help="The document whose schema to print: a quarterly submission or a referral document.",
)
def schema(document: str) -> None:
    """Print the JSON Schema of a submission or a referral document.

    A submission's schema is sections 3 and 4 of the standard; a referral document's is
    section 10.1.

    \b
    Example:
      compliance schema > dtr1.schema.json
      compliance schema --document referral > dtr1-referral.schema.json
    """
    from compliance.model import referral_document_json_schema, submission_json_schema

    schemas = {"submission": submission_json_schema, "referral": referral_document_json_schema}
    click.echo(json.dumps(schemas[document](), indent=2, ensure_ascii=False))


@cli.command()
@click.argument("file", type=click.Path(path_type=Path))
@click.option(
    "--out",
    "out_dir",
    required=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="Directory under which <submission_id>/ is written.",
)
@click.option(
    "--draft", is_flag=True, help="Render a submission that is not filing-ready, marked DRAFT."
)
@click.option(
    "--ledger",
    "ledger_target",
    default=None,
    help="Check against the filing ledger, and do not render again the packs filed in it.",
)
def render(file: Path, out_dir: Path, draft: bool, ledger_target: str | None) -> None:
    """Render a submission's returns and its referral packs.

    Writes OUT/<submission_id>/ with return.xlsx and return.pdf (for the regulator, no
    personal data), referrals/<referral_id>.pdf (for police), validation.json and
    manifest.json (every file's SHA-256 and size). A submission that is not filing-ready is
    refused with exit status 1 unless --draft, which marks every page DRAFT. The same input
    and version give byte-identical files.

    \b
    Example:
      compliance render sample_inputs/harbourlight-2026-Q3.json --out output/
    """
    from compliance.batch.journal import BatchLocked
    from compliance.pseudonyms import Pseudonymiser
    from compliance.referral_check import ReferralCheckResult, check_any_path, not_rendered_reason
    from compliance.returns import FiledPack, NotRenderable, render_submission

    try:
        result = check_any_path(file)
    except InputError as error:
        raise UsageError(safe(error)) from None
    if isinstance(result, ReferralCheckResult):  # filed one by one with `refer`, not rendered
        click.echo(not_rendered_reason(result), err=True)
        sys.exit(EXIT_NOT_READY)
    filed: list[FiledPack] = []
    if ledger_target is not None:
        from compliance.filing_commands import open_filing_ledger

        with open_filing_ledger(ledger_target, out_dir=out_dir) as ledger:
            result = ledger.check_quarter(result)
            if result.submission is not None:
                filed = ledger.filed_packs(result.submission)
    try:
        outputs = render_submission(
            result,
            out_dir,
            draft=draft,
            pseudonymiser=Pseudonymiser(_pseudonym_key()),
            filed_packs=filed,
        )
    except NotRenderable as refusal:
        click.echo(str(refusal), err=True)
        sys.exit(EXIT_NOT_READY)
    except BatchLocked as error:
        raise UsageError(str(error)) from None
    except OSError as error:
        in_the_way = error.filename2 or error.filename
        where = safe(in_the_way) if in_the_way else f"under {safe(out_dir)}"
        raise UsageError(f"cannot write {where}: {error.strerror or error}") from None
    target = out_dir / (result.submission_id or "")
    state = "filing-ready" if result.report.filing_ready else "DRAFT (not filing-ready)"
    click.echo(f"{safe(file)}: {state}; wrote {len(outputs)} files to {safe(target)}/")
    for output in outputs:
        click.echo(f"  {safe(output.path)}  {output.size} bytes  sha256 {output.sha256[:16]}")


def _pseudonym_key() -> bytes:
    """The pseudonym key, or one line and exit status 2 if it is weak or cannot be read."""
    from compliance.pseudonyms import WeakPseudonymKey, load_key

    try:
        return load_key()
    except WeakPseudonymKey as error:
        raise UsageError(str(error)) from None
    except OSError as error:
        where = f" {error.filename}" if error.filename else ""
        reason = error.strerror or error
        raise UsageError(f"cannot read or create the pseudonym key{where}: {reason}") from None


@cli.command()
@click.argument("source", type=click.Path(file_okay=False, path_type=Path))
@click.option("--period", required=True, help="The quarter to file, e.g. 2026-Q3.")
@click.option(
    "--out",
    "out_dir",
    required=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="Where each submission's returns, manifest.json and batch-summary.xlsx go.",
)
@click.option(
    "--workers",
    type=click.IntRange(min=1),
    default=None,
    help="Worker processes (default: the machine's cores).",
)
@click.option(
    "--scheduler",
    default=None,
    metavar="ADDRESS",
    help="Run on a Dask distributed scheduler instead, e.g. tcp://10.0.0.5:8786.",
)
@click.option("--quiet", is_flag=True, help="No progress bar and no summary table.")
def batch(
    source: Path,
    period: str,
    out_dir: Path,
    workers: int | None,
    scheduler: str | None,
    quiet: bool,
) -> None:
    """Check and render every submission under SOURCE for one quarter.

    Finds JSON submissions and intake workbooks recursively. Filing-ready ones are rendered
    as `render` does; the rest are rejected with their validation report under
    OUT/rejected/; readable submissions of another period are skipped. OUT/manifest.json
    accounts for every input and OUT/batch-summary.xlsx has one row per submission. A run
    that is interrupted can be started again: work already done is reused, not redone.
    Exit status 1 if any input was rejected.

    \b
    Example:
      compliance batch submissions/ --period 2026-Q3 --out returns/ --workers 2
    """
    import os

    from compliance.batch import BatchOptions, run_batch
    from compliance.batch.executor import DaskBackend, LocalBackend
    from compliance.batch.journal import BatchLocked
    from compliance.period import Period
    from compliance.statuses import BatchStatus

    try:
        period = Period.from_argument(period).label
        if "Q" not in period:
            raise ValueError(f"{period!r} is not a quarter: write it YYYY-Qn, like 2026-Q3")
    except ValueError as error:
        raise UsageError(safe(error)) from None
    if not source.is_dir():
        raise UsageError(f"{safe(source)}: no such directory")
    try:
        backend = (
            DaskBackend(scheduler) if scheduler else LocalBackend(workers or os.cpu_count() or 1)
        )
    except (RuntimeError, OSError, TimeoutError) as error:
        raise UsageError(f"cannot reach scheduler {safe(scheduler)}: {safe(error)}") from None
    show = not quiet and sys.stderr.isatty()
    bar: Any = None

    def on_total(total: int) -> None:
        nonlocal bar
        if show and total:
            bar = click.progressbar(length=total, label="Checking and rendering", file=sys.stderr)
            bar.__enter__()

    def progress(done: int) -> None:
        if bar is not None:
            bar.update(done - bar.pos)

    options = BatchOptions(
        source=source,
        period=period,
        out_dir=out_dir,
        key=_pseudonym_key(),
        backend=backend,
        progress=progress,
        on_total=on_total,
    )
    try:
        outcome = run_batch(options)
    except BatchLocked as error:
        raise UsageError(safe(error)) from None
    except OSError as error:
        # The batch's own files (journal, manifest, summary) could not be written: a full
        # disk or a read-only OUT. Each input's own failures are already in the manifest.
        # A failed rename names the temporary file first; the user cares about the target.
        target = error.filename2 or error.filename
        where = f" {safe(target)}" if target else f" under {safe(out_dir)}"
        raise UsageError(f"cannot write{where}: {error.strerror or error}") from None
    finally:
        if bar is not None:
            bar.__exit__(None, None, None)
        backend.close()
    counts = outcome.counts
    if not quiet:
        click.echo(f"{'status':<10} {'inputs':>6}")
        for status, number in counts.items():
            click.echo(f"{status:<10} {number:>6}")
        click.echo(f"{'reused':<10} {outcome.reused:>6}  (unchanged since the last run)")
        click.echo(f"manifest: {safe(out_dir / 'manifest.json')}")
        for entry in outcome.entries:
            if entry["status"] == BatchStatus.REJECTED:
                # Input names are file names anyone could have chosen: made safe to print.
                click.echo(
                    f"{BatchStatus.REJECTED}: {safe(entry['input'])}: {safe(entry['reason'])}"
                )
    sys.exit(EXIT_NOT_READY if counts[BatchStatus.REJECTED] else EXIT_OK)


@cli.command()
@click.option(
    "--out",
    "out_file",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="Where to write the blank workbook (.xlsx).",
)
@force_option("the workbook")
def template(out_file: Path, force: bool) -> None:
    """Write the blank DTR-1 intake workbook, to fill in by hand.

    One sheet per part of a submission (Platform, Services, Referrals, Subjects, IPEvents,
    ContentItems, Hashes, ModerationLog, Attestation) after an Instructions sheet; child rows
    name their parents' ids, every code list has a drop-down and every header a note. Check
    the filled workbook with `compliance validate`.

    \b
    Example:
      compliance template --out intake.xlsx
    """
    from compliance.intake.template import save_intake

    refuse_to_overwrite(out_file, force)  # a filled-in workbook must never be wiped
    try:
        save_intake(out_file)
    except OSError as error:
        raise UsageError(f"cannot write {safe(out_file)}: {error.strerror or error}") from None
    click.echo(f"wrote {safe(out_file)}")


@cli.command()
@click.argument("file", type=click.Path(path_type=Path))
@click.option(
    "--to",
    "target",
    required=True,
    type=click.Choice(["json", "xlsx"]),
    help="The format to write: a JSON submission or an intake workbook.",
)
@click.option(
    "--out",
    "out_file",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="The file to write (an existing one only with --force, then atomically).",
)
@force_option("the --out file")
def convert(file: Path, target: str, out_file: Path, force: bool) -> None:
    """Convert a submission between JSON and the intake workbook.

    FILE may be either format (it is recognised by its content). A submission with errors
    converts too, errors included, so they can be fixed in the other format; a file that is
    not a DTR-1 document at all is refused with exit status 1. Time stamps come out in UTC.
    Exit status 1 also when some workbook cells could not be read (a formula, merged cells, a
    row naming no parent): the output is written without them and each is listed.

    \b
    Example:
      compliance convert submission.json --to xlsx --out submission.xlsx
      compliance convert submission.xlsx --to json --out submission.json
    """
    from compliance.intake.convert import ConversionRefused, convert_file
    from compliance.report_text import describe_source

    refuse_to_overwrite(out_file, force)
    try:
        conversion = convert_file(file, target, out_file)  # type: ignore[arg-type]
    except InputError as error:
        raise UsageError(safe(error)) from None
    except ConversionRefused as refusal:
        click.echo(f"{safe(file)}: not converted: {safe(refusal.message)}", err=True)
        sys.exit(EXIT_NOT_READY)
    except OSError as error:
        raise UsageError(f"cannot write {safe(out_file)}: {error.strerror or error}") from None
    click.echo(
        f"wrote {safe(out_file)} ({conversion.referrals} referrals, "
        f"{conversion.removals} moderation-log rows)"
    )
    # Notes and dropped cells name JSON Pointers, whose keys come from the input.
    for note in conversion.notes:
        click.echo(f"note: {safe(note)}", err=True)
    for issue in conversion.dropped:
        where = describe_source(issue.source)
        click.echo(f"not converted: {where}: {safe(issue.message)}", err=True)
    problems = conversion.counts.get("error", 0)
    if problems:
        click.echo(
            f"note: the submission has {problems} error(s); `compliance validate` lists them",
            err=True,
        )
    sys.exit(EXIT_NOT_READY if conversion.dropped else EXIT_OK)


# The regulator's side; its heavy imports load inside the command bodies.
cli.add_command(receive)
cli.add_command(aggregate)
cli.add_command(filers)
for _command in FILING_COMMANDS:
    cli.add_command(_command)


def main() -> None:
    _exit_without_teardown(_run())


def _run() -> int:
    """Run the command line; returns the exit status instead of raising SystemExit."""
    try:
        cli.main(standalone_mode=False, prog_name="compliance")
    except SystemExit as done:
        return _status(done.code)
    except click.exceptions.Exit as done:
        return done.exit_code
    except click.ClickException as error:
        error.show()
        return EXIT_USAGE
    except click.exceptions.Abort:
        click.echo("Aborted.", err=True)
        return EXIT_USAGE
    return EXIT_OK


def _status(code: object) -> int:
    if code is None:
        return EXIT_OK
    if isinstance(code, int):
        return code
    print(code, file=sys.stderr)  # what Python itself does with sys.exit("message")
    return EXIT_NOT_READY


def _exit_without_teardown(status: int) -> None:
    """Flush the output and end the process at once.

    Every command has finished its work and closed its files, pools and clients by now. What
    is left is the interpreter freeing every object one by one: for a 100,000-referral
    submission that is 6 s of a 29 s `validate` (measured), and nothing depends on it.
    """
    for stream in (sys.stdout, sys.stderr):
        # A closed pipe or stream: nothing more can be said, and the status still stands.
        with contextlib.suppress(OSError, ValueError):
            stream.flush()
    os._exit(status)
