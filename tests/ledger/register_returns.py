"""Real returns for the register tests: rendered with the regulator tests' helpers."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

_REGULATOR = str(Path(__file__).resolve().parents[1] / "regulator")
if _REGULATOR not in sys.path:
    sys.path.insert(0, _REGULATOR)

from regulator_helpers import (  # noqa: E402
    PLATFORMS,
    make_submission,
    render,
)

KESTREL, LUMEN, TERN = PLATFORMS


def rendered_return(
    directory: Path,
    platform: Any,
    period: str,
    *,
    seed: int,
    submission_id: str | None = None,
    amends: str | None = None,
    renderer: Any = None,
    registration: str | None = None,
) -> Path:
    """``directory/return.xlsx`` (and return.pdf with ``renderer``); its path."""
    document = make_submission(platform, period, seed=seed)
    if submission_id is not None:
        document["submission_id"] = submission_id
    if amends is not None:
        document["submission_type"] = "amendment"
        document["amends_submission_id"] = amends
    if registration is not None:
        document["platform"]["registration_number"] = registration
    return render(document, directory, pdf=renderer is not None, renderer=renderer).xlsx
