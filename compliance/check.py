"""The checker: raw document -> typed submission (what could be read) + a Report of every issue.

It never stops at the first problem. The envelope, each referral and each moderation-log row
are validated on their own, so one broken referral hides nothing else; the business rules then
run over whatever could be read.
"""

from __future__ import annotations

import contextlib
import gc
import hashlib
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import TypeAdapter, ValidationError

from compliance import rules
from compliance.config import DEFAULT_CONFIG, RuleConfig
from compliance.errors import ComplianceError
from compliance.formats import SCHEMA_VERSION, PeriodText, Timestamp
from compliance.issues import Issue, Report, Severity, Source
from compliance.model import (
    EnvelopeWithRawLists,
    Referral,
    Removal,
    Submission,
    referral_id_of,
)
from compliance.period import Period
from compliance.quoting import quote_value
from compliance.readers.errors import UnreadableDocument
from compliance.readers.file_kind import (
    foreign_file_reason,
    is_workbook,
    misnamed_workbook_reason,
)
from compliance.readers.json_reader import JsonLineLocator, parse_json
from compliance.readers.locator import Locator
from compliance.rules.registry import Check, Finding, RuleContext, SubmissionFacts
from compliance.structure_errors import json_pointer, structure_issues

_timestamp = TypeAdapter(Timestamp)
_period_text = TypeAdapter(PeriodText)


@dataclass
class CheckResult:
    """The outcome of checking one input."""

    input_name: str
    source_sha256: str
    report: Report
    submission: Submission | None
    """What could be read: ``None`` when the document or its envelope is unreadable."""

    @property
    def submission_id(self) -> str | None:
        return self.submission.submission_id if self.submission else None

    def to_json(self) -> dict[str, Any]:
        return {
            "input": self.input_name,
            "submission_id": self.submission_id,
            "filing_ready": self.report.filing_ready,
            "counts": self.report.counts,
            "issues": self.report.to_json(),
        }


class InputError(ComplianceError):
    """A file that does not exist or cannot be opened at all (exit status 2, not an issue)."""


def read_input(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except FileNotFoundError:
        raise InputError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise InputError(f"{path}: is a directory, not a submission file") from None
    except OSError as error:
        raise InputError(f"{path}: cannot be opened ({error.strerror or error})") from None


@contextlib.contextmanager
def cyclic_gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while a submission is parsed and checked.

    Parsing and validation create millions of small objects and free none; the collector
    would rescan them all again and again for nothing (measured: parsing 1.3-3x and
    validation 2-3x slower with it on). Reference counting still frees what is dropped.
    """
    collecting = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if collecting:
            gc.enable()


def printable_path(path: Path) -> str:
    """``path`` as text that can be written anywhere (JSON, a report, a manifest): bytes of a
    name that are not UTF-8 (carried by Python as lone surrogates) shown as ``\\xNN``."""
    return os.fsencode(path).decode("utf-8", "backslashreplace")


def check_path(path: str | Path, *, config: RuleConfig = DEFAULT_CONFIG) -> CheckResult:
    """Check a submission file; raises :class:`InputError` only if it cannot be opened."""
    path = Path(path)
    return check_bytes(read_input(path), source_name=printable_path(path), config=config)


def check_bytes(
    data: bytes, *, source_name: str = "<bytes>", config: RuleConfig = DEFAULT_CONFIG
) -> CheckResult:
    """Check a submission given as bytes (JSON, or an XLSX intake workbook)."""
    digest = hashlib.sha256(data).hexdigest()
    with cyclic_gc_paused():
        try:
            document, locator, reader_issues = read_document(data, name=source_name)
        except UnreadableDocument as error:
            return CheckResult(source_name, digest, Report([unreadable_issue(error)]), None)
        return check_read_submission(
            document, locator, reader_issues, source_name=source_name, digest=digest, config=config
        )


def unreadable_issue(error: UnreadableDocument) -> Issue:
    """The fatal issue of an input that no reader could read."""
    return Issue("DTR-S000", Severity.FATAL, error.message, "", None, error.source)


def check_read_submission(
    document: Any,
    locator: Locator,
    reader_issues: list[Issue],
    *,
    source_name: str,
    digest: str,
    config: RuleConfig = DEFAULT_CONFIG,
) -> CheckResult:
    """Check a submission that :func:`read_document` has read, with the reader's issues."""
    submission, report = check_document(document, locator=locator, config=config)
    if reader_issues and not report.is_fatal:
        # A workbook's own problems (a formula, merged cells, an orphan row) are located
        # exactly; a structure issue the checker found at the same path says less.
        taken = {issue.path for issue in reader_issues}
        # A missing or misspelt column is reported once, at its header, not on every row.
        kept = [
            issue
            for issue in report.issues
            if not (issue.path in taken and issue.code in {"DTR-S001", "DTR-S002"})
            and not (
                issue.code in {"DTR-S001", "DTR-S003"} and locator.reported_by_header(issue.path)
            )
        ]
        report = Report(kept + reader_issues)
    return CheckResult(source_name, digest, report, submission)


def read_document(data: bytes, *, name: str = "") -> tuple[Any, Locator, list[Issue]]:
    """Choose the reader by content: a zip is an intake workbook, anything else JSON.

    Returns the raw document, its locator, and the issues only the reader can see (a
    workbook's formulas, merged cells, orphan rows; always none for JSON). ``name`` (the
    file's name, if any) only words the refusal of a file that claims to be a workbook.
    """
    reason = misnamed_workbook_reason(data, name) or foreign_file_reason(data)
    if reason is not None:
        raise UnreadableDocument(reason)
    if is_workbook(data):
        from compliance.readers.intake_xlsx.reader import read_intake_workbook  # when needed

        return read_intake_workbook(data)
    document, text = parse_json(data)
    return document, JsonLineLocator(text), []


def check_document(
    document: Any, *, locator: Locator | None = None, config: RuleConfig = DEFAULT_CONFIG
) -> tuple[Submission | None, Report]:
    """Check a parsed document; returns what could be read and the report."""
    fatal = unreadable_reason(document)
    if fatal:
        return None, Report([Issue("DTR-S000", Severity.FATAL, fatal, "")])
    with cyclic_gc_paused():
        submission, issues = _Checker(document, config).run()
    return submission, Report(located(issues, locator))


def located(issues: list[Issue], locator: Locator | None) -> list[Issue]:
    """The issues with their place in the input file, where the locator knows it."""
    if locator is None or not issues:
        return issues
    sources = locator.locate({issue.path for issue in issues})
    return [_with_source(issue, sources.get(issue.path)) for issue in issues]


def _with_source(issue: Issue, source: Source | None) -> Issue:
    if source is None or issue.source is not None:
        return issue
    return Issue(issue.code, issue.severity, issue.message, issue.path, issue.referral_id, source)


def unreadable_reason(document: Any) -> str | None:
    """Why ``document`` cannot be read as DTR-1 at all (DTR-S000), or ``None``."""
    if not isinstance(document, dict):
        return "The document is not a JSON object, so it cannot be a DTR-1 submission."
    version = document.get("schema_version", None)
    if "schema_version" not in document:
        return "The document has no schema_version, so it cannot be read as DTR-1."
    if version != SCHEMA_VERSION:
        # Whatever was typed there is untrusted: quoted only as compliance.quoting allows.
        shown = quote_value("schema_version", version) or "not a version this tool reads"
        return f"schema_version is {shown}; this tool reads DTR-1 version {SCHEMA_VERSION} only."
    return None


class _Checker:
    def __init__(self, raw: dict[str, Any], config: RuleConfig) -> None:
        self.raw = raw
        self.config = config
        self.issues: list[Issue] = []
        self.context = rule_context(raw, config, period=raw.get("period"))
        self.validation_context = validation_context(self.context)
        self.referral_checks = referral_checks()
        self.removal_checks = _functions(rules.CHECKS, "removal")

    def run(self) -> tuple[Submission | None, list[Issue]]:
        envelope = self._envelope()
        referrals = list(self._referrals())
        removals = list(self._removals())
        facts = self._facts(envelope, referrals, removals)
        for check in rules.CHECKS:
            if check.scope == "submission":
                for finding in check.function(facts, self.context):
                    self._add(check, finding, "", finding.referral_id)
        submission = None
        if envelope is not None:
            fields = {name: getattr(envelope, name) for name in type(envelope).model_fields}
            fields["referrals"] = [referral for _, referral in referrals]
            fields["moderation_log"] = [removal for _, removal in removals]
            submission = Submission.model_construct(**fields)
        return submission, self.issues

    def _envelope(self) -> EnvelopeWithRawLists | None:
        try:
            return EnvelopeWithRawLists.model_validate(self.raw, context=self.validation_context)
        except ValidationError as error:
            # Errors inside the two long lists are reported item by item below.
            self.issues.extend(
                issue for issue in structure_issues(error) if not _inside_list_items(issue.path)
            )
            return None

    def _list(self, name: str) -> list[Any]:
        value = self.raw.get(name)
        return value if isinstance(value, list) else []

    def _referrals(self) -> Iterator[tuple[int, Referral]]:
        for index, raw in enumerate(self._list("referrals")):
            referral = check_referral(
                raw,
                ("referrals", index),
                self.issues,
                checks=self.referral_checks,
                context=self.context,
                validation_context=self.validation_context,
            )
            if referral is not None:
                yield index, referral

    def _removals(self) -> Iterator[tuple[int, Removal]]:
        for index, raw in enumerate(self._list("moderation_log")):
            try:
                removal = Removal.model_validate(raw, context=self.validation_context)
            except ValidationError as error:
                self.issues.extend(structure_issues(error, ("moderation_log", index)))
                continue
            prefix = f"/moderation_log/{index}"
            for check, function in self.removal_checks:
                for finding in function(removal, self.context):
                    self._add(check, finding, prefix, removal.referral_id)
            yield index, removal

    def _facts(
        self,
        envelope: EnvelopeWithRawLists | None,
        referrals: list[tuple[int, Referral]],
        removals: list[tuple[int, Removal]],
    ) -> SubmissionFacts:
        raw_referrals = self._list("referrals")
        referral_ids = [
            (index, rid)
            for index, raw in enumerate(raw_referrals)
            if (rid := referral_id_of(raw)) is not None
        ]
        # An account is the (service_id, account_id) pair: account ids are keys of one
        # service, so a subject covers only the account on its own service (DTR-1 6.2).
        subject_accounts = {
            (subject["service_id"], subject["account_id"])
            for raw in raw_referrals
            if isinstance(raw, dict) and isinstance(raw.get("subjects"), list)
            for subject in raw["subjects"]
            if isinstance(subject, dict)
            and isinstance(subject.get("account_id"), str)
            and isinstance(subject.get("service_id"), str)
        }
        action_ids = [
            (index, raw["action_id"])
            for index, raw in enumerate(self._list("moderation_log"))
            if isinstance(raw, dict) and isinstance(raw.get("action_id"), str)
        ]
        return SubmissionFacts(
            raw=self.raw,
            envelope=envelope,
            referrals=referrals,
            removals=removals,
            referral_ids=referral_ids,
            subject_accounts=subject_accounts,
            action_ids=action_ids,
        )

    def _add(self, check: Check, finding: Finding, prefix: str, referral_id: str | None) -> None:
        self.issues.append(rule_issue(check, finding, prefix, referral_id))


def rule_issue(check: Check, finding: Finding, prefix: str, referral_id: str | None) -> Issue:
    """The issue a business rule's finding makes, at ``prefix`` + the finding's own path."""
    rule = check.rule
    return Issue(
        rule.code,
        rule.severity,
        finding.message,
        prefix + finding.path,
        finding.referral_id or referral_id,
    )


def _functions(checks: list[Check], scope: str) -> list[tuple[Check, Callable[..., Any]]]:
    return [(check, check.function) for check in checks if check.scope == scope]


CheckFunctions = list[tuple[Check, Callable[..., Any]]]


def referral_checks(excluded: frozenset[str] = frozenset()) -> CheckFunctions:
    """The registered checks of one referral, less the codes ``excluded``."""
    return [
        (check, function)
        for check, function in _functions(rules.CHECKS, "referral")
        if check.rule.code not in excluded
    ]


def rule_context(raw: dict[str, Any], config: RuleConfig, *, period: Any) -> RuleContext:
    """What rules know beyond their own object, read from the raw document so that a broken
    envelope costs only what is broken: ``generated_at`` (the "now"), the declared services,
    and the period of a quarterly submission (``None`` for anything else)."""
    period_text = _valid_or_none(_period_text, period)
    return RuleContext(
        config=config,
        generated_at=_valid_or_none(_timestamp, raw.get("generated_at")),
        period=Period.parse(period_text) if period_text else None,
        service_ids=_declared_services(raw.get("platform")),
    )


def validation_context(context: RuleContext) -> dict[str, Any]:
    """What the models' own validators need: the date that ages are counted on."""
    reference_date = context.generated_at.date() if context.generated_at else None
    return {"reference_date": reference_date, "age_range": context.config.age_range}


def check_referral(
    raw: Any,
    location: tuple[str | int, ...],
    issues: list[Issue],
    *,
    checks: CheckFunctions,
    context: RuleContext,
    validation_context: dict[str, Any],
) -> Referral | None:
    """Validate one raw referral at ``location`` and run ``checks`` on it if it is readable.

    Its issues are appended to ``issues``; returns the referral, or ``None`` if unreadable.
    """
    try:
        referral = Referral.model_validate(raw, context=validation_context)
    except ValidationError as error:
        issues.extend(structure_issues(error, location, referral_id_of(raw)))
        return None
    prefix = json_pointer(location)
    for check, function in checks:
        for finding in function(referral, context):
            issues.append(rule_issue(check, finding, prefix, referral.referral_id))
    return referral


def _inside_list_items(path: str) -> bool:
    parts = path.split("/")
    return len(parts) > 2 and parts[1] in {"referrals", "moderation_log"}


def _valid_or_none(adapter: TypeAdapter[Any], value: Any) -> Any:
    try:
        return adapter.validate_python(value)
    except ValidationError:
        return None


def _declared_services(platform: Any) -> frozenset[str] | None:
    if not isinstance(platform, dict) or not isinstance(platform.get("services"), list):
        return None
    return frozenset(
        service["service_id"]
        for service in platform["services"]
        if isinstance(service, dict) and isinstance(service.get("service_id"), str)
    )
