"""The checker: raw document -> typed submission (what could be read) + a Report of every issue.

It never stops at the first problem. The envelope, each referral and each moderation-log row
are validated on their own, so one broken referral hides nothing else; the business rules then
run over whatever could be read.
"""

from __future__ import annotations

import contextlib
import gc
import hashlib
from collections.abc import Callable, Iterable, Iterator
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
from compliance.readers.file_kind import is_workbook, misnamed_workbook_reason
from compliance.readers.json_reader import JsonLineLocator, parse_json
from compliance.rules.registry import Check, Finding, RuleContext, SubmissionFacts
from compliance.structure_errors import structure_issues

Locator = Callable[[Iterable[str]], dict[str, Source]]

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


def check_path(path: str | Path, *, config: RuleConfig = DEFAULT_CONFIG) -> CheckResult:
    """Check a submission file; raises :class:`InputError` only if it cannot be opened."""
    path = Path(path)
    return check_bytes(read_input(path), source_name=str(path), config=config)


def check_bytes(
    data: bytes, *, source_name: str = "<bytes>", config: RuleConfig = DEFAULT_CONFIG
) -> CheckResult:
    """Check a submission given as bytes (JSON, or an XLSX intake workbook)."""
    digest = hashlib.sha256(data).hexdigest()
    with cyclic_gc_paused():
        try:
            document, locate, reader_issues = read_document(data, name=source_name)
        except UnreadableDocument as error:
            fatal = Issue("DTR-S000", Severity.FATAL, error.message, "", None, error.source)
            return CheckResult(source_name, digest, Report([fatal]), None)
        submission, report = check_document(document, locate=locate, config=config)
    if reader_issues and not report.is_fatal:
        # A workbook's own problems (a formula, merged cells, an orphan row) are located
        # exactly; a structure issue the checker found at the same path says less.
        taken = {issue.path for issue in reader_issues}
        # A missing or misspelt column is reported once, at its header, not on every row.
        by_header = getattr(locate, "reported_by_header", None)
        kept = [
            issue
            for issue in report.issues
            if not (issue.path in taken and issue.code in {"DTR-S001", "DTR-S002"})
            and not (
                by_header is not None
                and issue.code in {"DTR-S001", "DTR-S003"}
                and by_header(issue.path)
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
    reason = misnamed_workbook_reason(data, name)
    if reason is not None:
        raise UnreadableDocument(reason)
    if is_workbook(data):
        from compliance.readers.xlsx_reader import read_workbook  # only when needed

        return read_workbook(data)
    document, text = parse_json(data)
    return document, JsonLineLocator(text).locate, []


def check_document(
    document: Any, *, locate: Locator | None = None, config: RuleConfig = DEFAULT_CONFIG
) -> tuple[Submission | None, Report]:
    """Check a parsed document; returns what could be read and the report."""
    fatal = _unreadable_reason(document)
    if fatal:
        return None, Report([Issue("DTR-S000", Severity.FATAL, fatal, "")])
    with cyclic_gc_paused():
        submission, issues = _Checker(document, config).run()
    if locate is not None and issues:
        sources = locate({issue.path for issue in issues})
        issues = [_with_source(issue, sources.get(issue.path)) for issue in issues]
    return submission, Report(issues)


def _with_source(issue: Issue, source: Source | None) -> Issue:
    if source is None or issue.source is not None:
        return issue
    return Issue(issue.code, issue.severity, issue.message, issue.path, issue.referral_id, source)


def _unreadable_reason(document: Any) -> str | None:
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
        self.context = self._rule_context()
        reference_date = self.context.generated_at.date() if self.context.generated_at else None
        self.validation_context = {"reference_date": reference_date, "age_range": config.age_range}
        self.referral_checks = _functions(rules.CHECKS, "referral")
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

    def _rule_context(self) -> RuleContext:
        generated_at = _valid_or_none(_timestamp, self.raw.get("generated_at"))
        period_text = _valid_or_none(_period_text, self.raw.get("period"))
        return RuleContext(
            config=self.config,
            generated_at=generated_at,
            period=Period.parse(period_text) if period_text else None,
            service_ids=_declared_services(self.raw.get("platform")),
        )

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
            referral_id = referral_id_of(raw)
            try:
                referral = Referral.model_validate(raw, context=self.validation_context)
            except ValidationError as error:
                self.issues.extend(structure_issues(error, ("referrals", index), referral_id))
                continue
            prefix = f"/referrals/{index}"
            for check, function in self.referral_checks:
                for finding in function(referral, self.context):
                    self._add(check, finding, prefix, referral.referral_id)
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
        rule = check.rule
        self.issues.append(
            Issue(
                rule.code,
                rule.severity,
                finding.message,
                prefix + finding.path,
                finding.referral_id or referral_id,
            )
        )


def _functions(checks: list[Check], scope: str) -> list[tuple[Check, Callable[..., Any]]]:
    return [(check, check.function) for check in checks if check.scope == scope]


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
