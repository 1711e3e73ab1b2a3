"""Exit statuses of every `compliance` command (DTR-1 section 8), and the error that maps to 2.

0 success; 1 some input is not filing-ready, was rejected, or (for ``aggregate``) is in
conflict; 2 bad usage, or a file that does not exist or cannot be opened or written.
"""

from __future__ import annotations

import click

EXIT_OK, EXIT_NOT_READY, EXIT_USAGE = 0, 1, 2
# The regulator's commands call status 1 "rejected"; it is the same number.
EXIT_REJECTED = EXIT_NOT_READY


class UsageError(click.ClickException):
    """A user's mistake: one line on stderr and exit status 2, never a traceback."""

    exit_code = EXIT_USAGE
