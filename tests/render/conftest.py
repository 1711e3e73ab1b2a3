"""Fixtures of the PDF tests: one submission (data/submission.json), rendered once per session."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from render_fixtures import PSEUDONYM_KEY, CanaryServer, Rendered, submission_text

from compliance.check import CheckResult, check_bytes
from compliance.figures import ReturnView, build_return_view
from compliance.pseudonyms import Pseudonymiser


@pytest.fixture(scope="session")
def canary() -> Iterator[CanaryServer]:
    with CanaryServer() as server:
        yield server


@pytest.fixture(scope="session")
def submission_bytes(canary: CanaryServer) -> bytes:
    return submission_text(canary.port).encode("utf-8")


@pytest.fixture(scope="session")
def checked(submission_bytes: bytes) -> CheckResult:
    result = check_bytes(submission_bytes)
    assert result.submission is not None
    assert result.report.filing_ready, result.report.to_json()
    return result


@pytest.fixture(scope="session")
def view(checked: CheckResult) -> ReturnView:
    assert checked.submission is not None
    return build_return_view(
        checked.submission,
        checked.report,
        source_sha256=checked.source_sha256,
        pseudonymiser=Pseudonymiser(PSEUDONYM_KEY),
    )


@pytest.fixture(scope="session")
def renderer():  # type: ignore[no-untyped-def]
    from compliance.render.pdf import get_renderer

    return get_renderer()


@pytest.fixture(scope="session")
def rendered(
    submission_bytes: bytes, checked: CheckResult, view: ReturnView, renderer: Any
) -> Rendered:
    submission = checked.submission
    assert submission is not None
    issues = checked.report.issues
    packs = {
        r.referral_id: renderer.render_referral_pack(
            r, submission, [i for i in issues if i.referral_id == r.referral_id], draft=False
        )
        for r in submission.referrals
    }
    first = submission.referrals[0]
    pack_draft = renderer.render_referral_pack(
        first, submission, [i for i in issues if i.referral_id == first.referral_id], draft=True
    )
    return Rendered(
        document=json.loads(submission_bytes),
        result=checked,
        view=view,
        packs=packs,
        pack_draft=pack_draft,
        return_pdf=renderer.render_return(view, draft=False),
        return_draft=renderer.render_return(view, draft=True),
    )
