"""Options that several `compliance` commands share, declared once so they read the same."""

from __future__ import annotations

from collections.abc import Callable
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
