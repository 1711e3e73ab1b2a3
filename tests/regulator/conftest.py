"""Fixtures of the regulator tests: the received folder, rendered once per session."""

from __future__ import annotations

import shutil
from datetime import UTC, datetime
from typing import Any

import pytest
from regulator_helpers import (
    PLATFORMS,
    Received,
    make_late_and_unreferred,
    make_submission,
    render,
)


@pytest.fixture(scope="session")
def renderer() -> Any:
    from compliance.render.pdf import get_renderer

    return get_renderer()


@pytest.fixture(scope="session")
def received(tmp_path_factory: pytest.TempPathFactory, renderer: Any) -> Received:
    root = tmp_path_factory.mktemp("received")
    folder = Received(root)
    for number, spec in enumerate(PLATFORMS):
        for quarter_number, period in enumerate(spec.quarters, start=1):
            document = make_submission(spec, period, seed=100 * number + quarter_number)
            if spec.slug == "kestrel" and period in ("2026-Q3", "2026-Q4"):
                end = (
                    datetime(2026, 10, 1, tzinfo=UTC)
                    if period == "2026-Q3"
                    else datetime(2027, 1, 1, tzinfo=UTC)
                )
                make_late_and_unreferred(document, end)
            with_pdf = period == "2026-Q3" and spec.slug in ("kestrel", "lumen")
            folder.returns[f"{spec.slug}-{period}"] = render(
                document,
                root / spec.slug / document["submission_id"],
                pdf=with_pdf,
                renderer=renderer,
            )
    # Kestrel amends its Q3 return: other figures, one more referral.
    kestrel = PLATFORMS[0]
    amendment = make_submission(kestrel, "2026-Q3", seed=977, referrals=kestrel.referrals + 2)
    amendment["submission_id"] = "KESTREL-2026-Q3-A1"
    amendment["submission_type"] = "amendment"
    amendment["amends_submission_id"] = "KESTREL-2026-Q3"
    folder.returns["kestrel-2026-Q3-amendment"] = render(
        amendment, root / "kestrel" / "KESTREL-2026-Q3-A1", pdf=True, renderer=renderer
    )
    # Lumen's Q2 return, received a second time.
    original = folder.returns["lumen-2026-Q2"].xlsx
    folder.duplicate = root / "inbox-copies" / "lumen-q2" / "return.xlsx"
    folder.duplicate.parent.mkdir(parents=True)
    shutil.copyfile(original, folder.duplicate)
    # Outside the folder: a second, competing initial return of Tern for Q1.
    tern = PLATFORMS[2]
    rival = make_submission(tern, "2026-Q1", seed=4242)
    rival["submission_id"] = "TERN-2026-Q1-AGAIN"
    spare = tmp_path_factory.mktemp("spare")
    folder.spare["tern-2026-Q1-rival"] = render(rival, spare / "TERN-2026-Q1-AGAIN")
    return folder
