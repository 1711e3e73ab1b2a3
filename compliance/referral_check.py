"""The check of a referral document (DTR-1 10.1): one referral, filed the moment it is made.

It is the submission checker's own machinery (the readers with their line locator, the
structure errors, the rule registry) run on a document of another shape: the envelope
(version, ``document``, ``generated_at``, platform) and the referral are validated on their
own, so that a broken platform hides nothing of the referral, and every rule of one referral
runs with the document's ``generated_at`` as now. A quarter's rules need a quarter, which a
referral document has not, so they do not apply.
"""

from __future__ import annotations

import hashlib
import shlex
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from compliance.check import (
    CheckResult,
    check_read_submission,
    check_referral,
    cyclic_gc_paused,
    located,
    printable_path,
    read_document,
    read_input,
    referral_checks,
    rule_context,
    unreadable_issue,
    unreadable_reason,
    validation_context,
)
from compliance.config import DEFAULT_CONFIG, RuleConfig
from compliance.issues import Issue, Report, Severity
from compliance.model import ReferralDocument, ReferralEnvelope, ReferralEnvelopeWithRawReferral
from compliance.readers.errors import UnreadableDocument
from compliance.readers.locator import Locator
from compliance.structure_errors import structure_issues

REFERRAL_DOCUMENT = "referral"
"""The value of ``document`` that marks a referral document."""

QUARTER_CODES = frozenset(
    {
        "DTR-I001",
        "DTR-I006",
        "DTR-T009",
        "DTR-T010",
        "DTR-D001",
        "DTR-D002",
        "DTR-D003",
        "DTR-R002",
    }
)
"""The rules of a quarterly submission, which a referral document does not answer to (10.1);
the ledger's rules take I001's place."""

_SHOWN_LIMIT = 64


@dataclass
class ReferralCheckResult:
    """The outcome of checking one referral document."""

    input_name: str
    source_sha256: str
    report: Report
    """Paths point into the document: ``/referral/...``, ``/platform/...``, ``/generated_at``."""
    document: ReferralDocument | None
    """What could be read: ``None`` when the document, its envelope or its referral is not."""

    @property
    def referral_id(self) -> str | None:
        return self.document.referral.referral_id if self.document else None

    def to_json(self) -> dict[str, Any]:
        return {
            "input": self.input_name,
            "document": REFERRAL_DOCUMENT,
            "referral_id": self.referral_id,
            "filing_ready": self.report.filing_ready,
            "counts": self.report.counts,
            "issues": self.report.to_json(),
        }


def is_referral_document(raw: object) -> bool:
    """Whether a parsed document claims to be a referral document: a JSON object with a
    ``document`` field (a submission has none). Its value is checked as DTR-S000."""
    return isinstance(raw, dict) and "document" in raw


def check_referral_bytes(
    data: bytes, *, name: str = "", config: RuleConfig = DEFAULT_CONFIG
) -> ReferralCheckResult:
    """Check a referral document given as bytes; anything else is DTR-S000."""
    digest = hashlib.sha256(data).hexdigest()
    try:
        raw, locate, _reader_issues = read_document(data, name=name)
    except UnreadableDocument as error:
        return ReferralCheckResult(name, digest, Report([unreadable_issue(error)]), None)
    # A workbook's own issues are left out with it: a workbook is never a referral document.
    return _check_read_referral(raw, locate, name=name, digest=digest, config=config)


def check_any_bytes(
    data: bytes, *, name: str = "<bytes>", config: RuleConfig = DEFAULT_CONFIG
) -> CheckResult | ReferralCheckResult:
    """Check a submission or a referral document, whichever ``data`` holds, reading it once.

    A submission's result is exactly :func:`compliance.check.check_bytes`'s.
    """
    digest = hashlib.sha256(data).hexdigest()
    with cyclic_gc_paused():
        try:
            raw, locate, reader_issues = read_document(data, name=name)
        except UnreadableDocument as error:
            return CheckResult(name, digest, Report([unreadable_issue(error)]), None)
        if is_referral_document(raw):
            return _check_read_referral(raw, locate, name=name, digest=digest, config=config)
        return check_read_submission(
            raw, locate, reader_issues, source_name=name, digest=digest, config=config
        )


def check_any_path(
    path: str | Path, *, config: RuleConfig = DEFAULT_CONFIG
) -> CheckResult | ReferralCheckResult:
    """Check a file that holds a submission or a referral document; raises
    :class:`compliance.check.InputError` only if it cannot be opened."""
    path = Path(path)
    return check_any_bytes(read_input(path), name=printable_path(path), config=config)


def not_rendered_reason(result: ReferralCheckResult) -> str:
    """Why ``render`` does not take a referral document, in one line: it is filed with
    ``refer`` (DTR-1 10.4), or, if it cannot be read at all, what is wrong with it."""
    if result.report.is_fatal:
        return (
            f"{result.input_name}: not a readable DTR-1 document: {result.report.issues[0].message}"
        )
    return (
        f"{result.input_name} is a referral document, not a submission; file it with "
        f"`compliance refer {shlex.quote(result.input_name)} --ledger L --out DIR`."
    )


def _check_read_referral(
    raw: Any, locate: Locator, *, name: str, digest: str, config: RuleConfig
) -> ReferralCheckResult:
    fatal = _unreadable_referral_reason(raw)
    if fatal:
        report = Report([Issue("DTR-S000", Severity.FATAL, fatal, "")])
        return ReferralCheckResult(name, digest, report, None)
    document, issues = _check(raw, config)
    return ReferralCheckResult(name, digest, Report(located(issues, locate)), document)


def _unreadable_referral_reason(raw: Any) -> str | None:
    if not isinstance(raw, dict):
        return "The document is not a JSON object, so it cannot be a DTR-1 referral document."
    if "document" not in raw:
        return (
            "The document has no document field, so it is no referral document; a referral "
            'document says "document": "referral" (DTR-1 10.1).'
        )
    value = raw["document"]
    if value != REFERRAL_DOCUMENT:
        shown = repr(value)
        shown = shown if isinstance(value, str) and len(shown) <= _SHOWN_LIMIT else "not text"
        return (
            f'document is {shown}; a referral document says "document": "referral", and a '
            "submission has no document field (DTR-1 10.1)."
        )
    return unreadable_reason(raw)


def _check(raw: dict[str, Any], config: RuleConfig) -> tuple[ReferralDocument | None, list[Issue]]:
    # No period: a referral document belongs to no quarter until a submission is compiled.
    context = rule_context(raw, config, period=None)
    validation = validation_context(context)
    issues: list[Issue] = []
    envelope = None
    try:
        envelope = ReferralEnvelopeWithRawReferral.model_validate(raw, context=validation)
    except ValidationError as error:
        issues.extend(structure_issues(error))
    referral = None
    if "referral" in raw:  # a missing one is the envelope's DTR-S001, reported once
        referral = check_referral(
            raw["referral"],
            ("referral",),
            issues,
            checks=referral_checks(excluded=QUARTER_CODES),
            context=context,
            validation_context=validation,
        )
    if envelope is None or referral is None:
        return None, issues
    fields = {name: getattr(envelope, name) for name in ReferralEnvelope.model_fields}
    return ReferralDocument.model_construct(**fields, referral=referral), issues
