"""Options that several `compliance` commands share, declared once so they read the same."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import click


def format_option(help_text: str, *extra: str) -> Callable[[Any], Any]:
    """``--format text|json`` (plus ``extra`` choices), passed as ``output_format``."""
    return click.option(
        "--format",
        "output_format",
        type=click.Choice(["text", "json", *extra]),
        default="text",
        show_default=True,
        help=help_text,
    )


def force_option(what: str) -> Callable[[Any], Any]:
    """``--force``: replace an existing file a person may have made (DTR-1.1 section 8)."""
    return click.option("--force", is_flag=True, help=f"Replace {what} if it exists.")


def refuse_to_overwrite(path: Path, force: bool) -> None:
    """Nothing a person made is replaced without being told to: one line, exit status 2."""
    if path.exists() and not force:
        from compliance.exit_status import UsageError
        from compliance.terminal import safe

        raise UsageError(f"{safe(path)} exists; give --force to replace it")


def ledger_target_option(help_text: str, *, required: bool = False) -> Callable[[Any], Any]:
    """``--ledger``: a SQLite file or a ``postgresql://`` URL, passed as ``ledger_target``."""
    return click.option(
        "--ledger", "ledger_target", required=required, default=None, help=help_text
    )


def at_option(help_text: str) -> Callable[[Any], Any]:
    """``--at``: the moment to act as of (ISO 8601 with its offset), passed as ``at_text``."""
    return click.option("--at", "at_text", default=None, help=help_text)
