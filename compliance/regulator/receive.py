"""Receive one return: read it as untrusted input, verify it, and say why if it is refused.

A return is accepted when its workbook is a well-formed DTR-1 return (sheets, headers, cell
types), agrees with itself (metrics, derived columns, Cover), holds nothing shaped like
personal data, and, when its PDF is beside it, the PDF embeds the same ``return.json``.
Everything else is a located reason on the receipt. Nothing a file holds can raise out of
:func:`receive_return`: a file that cannot be opened at all is
:class:`compliance.check.InputError` (a usage error for the command), everything else is
a receipt.

A return whose Cover says ``filing_ready`` FALSE (rendered as a draft because the platform
could not make it filing-ready, e.g. after a late referral) is still a return: it is received
and counted, and its receipt says so. A late referral is precisely what the regulator must
see, so refusing such returns would hide the non-compliance the roll-up exists to show.
"""

from __future__ import annotations

import errno
import hashlib
import json
import math
import os
import stat
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from compliance.check import InputError
from compliance.config import DEFAULT_CONFIG, RuleConfig
from compliance.durations import format_timestamp
from compliance.regulator import reason_codes
from compliance.regulator.consistency import check_consistency
from compliance.regulator.model import ReceivedReturn
from compliance.regulator.pdf_attachment import PdfUnreadable, embedded_files, page_texts
from compliance.regulator.pdf_figures import check_printed_figures
from compliance.regulator.pii_scan import scan_workbook
from compliance.regulator.presentation import check_presentation
from compliance.regulator.reasons import Reason
from compliance.regulator.return_json import compare_return_json
from compliance.regulator.structure import ParsedReturn, parse_return
from compliance.regulator.workbook import read_workbook
from compliance.statuses import PdfState, ReceiptStatus
from compliance.xlsx.package import RefusedPackage

EMBEDDED_NAME = "return.json"


@dataclass(frozen=True)
class PdfCheck:
    path: str
    state: PdfState
    sha256: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {"path": self.path, "state": self.state, "sha256": self.sha256}


@dataclass(frozen=True)
class Receipt:
    """What the regulator tells itself (and the platform) about one received return."""

    input: str
    sha256: str
    size: int
    cover: dict[str, Any]
    """What could be read of the Cover (typed), even of a rejected return."""
    pdf: PdfCheck
    reasons: tuple[Reason, ...]
    received: ReceivedReturn | None
    """The verified return, when accepted."""
    values_sha256: str | None = None
    """A digest of the values the workbook holds (Cover, Summary, every table row), not of
    its bytes: the same return saved again by a spreadsheet program keeps it (DTR-1 11)."""

    @property
    def accepted(self) -> bool:
        return not self.reasons and self.received is not None

    @property
    def status(self) -> ReceiptStatus:
        """Breaches win over warnings: a regulator reads a breach first (DTR-1.1 11)."""
        if not self.accepted or self.received is None:
            return ReceiptStatus.REJECTED
        if self.received.metric("issues_breach"):
            return ReceiptStatus.ACCEPTED_WITH_BREACHES
        if self.received.metric("issues_warning"):
            return ReceiptStatus.ACCEPTED_WITH_WARNINGS
        return ReceiptStatus.ACCEPTED

    def to_json(self) -> dict[str, Any]:
        cover = {
            key: format_timestamp(value) if isinstance(value, datetime) else value
            for key, value in self.cover.items()
        }
        return {
            "input": self.input,
            "status": self.status,
            "platform": cover.get("platform"),
            "registration_number": cover.get("registration_number"),
            "jurisdiction": cover.get("jurisdiction"),
            "period": cover.get("period"),
            "submission_id": cover.get("submission_id"),
            "submission_type": cover.get("submission_type"),
            "amends_submission_id": cover.get("amends_submission_id"),
            "generated_at": cover.get("generated_at"),
            "filing_ready": cover.get("filing_ready"),
            "sha256": self.sha256,
            "size": self.size,
            "pdf": self.pdf.to_json(),
            "reasons": [reason.to_json() for reason in self.reasons],
        }


def pdf_beside(path: Path) -> Path:
    """``.../return.xlsx`` -> ``.../return.pdf``: the PDF a return is rendered with."""
    return path.with_suffix(".pdf")


def receive_return(
    path: Path, *, display_name: str | None = None, config: RuleConfig = DEFAULT_CONFIG
) -> Receipt:
    """Check the return at ``path`` (and the PDF beside it, if there is one).

    Raises :class:`compliance.check.InputError` only if the workbook cannot be opened.
    """
    data = read_regular_file(path)
    name = display_name or str(path)
    sha256 = hashlib.sha256(data).hexdigest()
    pdf_path = pdf_beside(path)
    pdf_name = str(pdf_beside(Path(name)))
    try:
        return _receive(data, name, sha256, pdf_path, pdf_name, config)
    except Exception as error:  # a bug must not become a traceback at the regulator's desk
        reason = Reason(
            reason_codes.NOT_CHECKABLE,
            f"the return could not be checked ({type(error).__name__}); it is not accepted",
        )
        pdf = PdfCheck(pdf_name, PdfState.NOT_COMPARED)
        return Receipt(name, sha256, len(data), {}, pdf, (reason,), None)


class NotARegularFile(InputError):
    """A named pipe, socket or device where a file was expected: never read."""


def unread_receipt(name: str, message: str) -> Receipt:
    """The receipt of a file that is not a regular file (a named pipe, a device): rejected,
    with the reason, never hanging on it."""
    reason = Reason(reason_codes.NOT_A_REGULAR_FILE, message)
    pdf = PdfCheck(str(pdf_beside(Path(name))), PdfState.NOT_COMPARED)
    return Receipt(name, "", 0, {}, pdf, (reason,), None)


def _receive(
    data: bytes, name: str, sha256: str, pdf_path: Path, pdf_name: str, config: RuleConfig
) -> Receipt:
    try:
        workbook = read_workbook(data)
    except RefusedPackage as error:
        reason = Reason(reason_codes.PACKAGE_REFUSED, str(error))
        pdf = _pdf_state_only(pdf_path, pdf_name)
        return Receipt(name, sha256, len(data), {}, pdf, (reason,), None)
    parsed = parse_return(workbook)
    reasons = list(parsed.reasons)
    reasons += check_presentation(workbook)
    reasons += scan_workbook(workbook)
    received: ReceivedReturn | None = None
    if parsed.well_formed:
        received, inconsistencies = check_consistency(parsed, config)
        reasons += inconsistencies
        if not inconsistencies and not received.cover.filing_ready:
            reasons.append(
                Reason(
                    reason_codes.NOT_FILING_READY,
                    "states FALSE: the return is a draft, with errors its Validation sheet "
                    "lists; a return that is not filing-ready cannot be filed (DTR-1.1 11)",
                    sheet="Cover",
                    row=parsed.cover.rows["filing_ready"],
                    column="B",
                    header="filing_ready",
                )
            )
    pdf, pdf_reasons = _check_pdf(pdf_path, pdf_name, parsed)
    reasons += pdf_reasons
    return Receipt(
        name,
        sha256,
        len(data),
        dict(parsed.cover.values),
        pdf,
        tuple(reasons),
        received if not reasons else None,
        values_digest(parsed) if parsed.well_formed else None,
    )


MAX_RETURN_BYTES = 2 * 1024 * 1024 * 1024


def read_regular_file(path: Path, *, limit: int = MAX_RETURN_BYTES) -> bytes:
    """The bytes of ``path`` if it is a regular file (after links) of at most ``limit`` bytes.

    Opened without blocking and checked on the open descriptor: a named pipe would hang the
    read, a device such as /dev/zero would never end it. Anything else is
    :class:`compliance.check.InputError`, one line naming the file.
    """
    try:
        descriptor = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    except FileNotFoundError:
        raise InputError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise InputError(f"{path}: is a directory, not a file") from None
    except OSError as error:
        raise InputError(f"{path}: cannot be opened ({error.strerror or error})") from None
    with open(descriptor, "rb") as handle:
        mode = os.fstat(descriptor).st_mode
        if stat.S_ISDIR(mode):
            raise InputError(f"{path}: is a directory, not a file")
        if not stat.S_ISREG(mode):
            raise NotARegularFile(f"{path}: not a regular file (a named pipe, socket or device)")
        try:
            data = handle.read(limit + 1)
        except OSError as error:
            code = errno.errorcode.get(error.errno or 0, "")
            raise InputError(f"{path}: cannot be read ({error.strerror or code})") from None
    if len(data) > limit:
        raise InputError(f"{path}: larger than {limit} bytes")
    return data


def _digest_value(value: Any) -> Any:
    """A cell as the digest sees it: what a spreadsheet program may change when it saves a
    file again (an empty text for an empty cell, a float's last digits) does not count."""
    if isinstance(value, datetime):
        return format_timestamp(value)
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, int | float):
        number = float(value)
        return f"{number:.12g}" if math.isfinite(number) else str(number)
    if isinstance(value, tuple | list):
        return [_digest_value(item) for item in value]
    if value == "":
        return None
    return str(value)


def values_digest(parsed: ParsedReturn) -> str:
    """SHA-256 of the return's values in a canonical JSON form (:attr:`Receipt.values_sha256`)."""
    content = {
        "cover": {k: _digest_value(v) for k, v in sorted(parsed.cover.values.items())},
        "summary": {k: _digest_value(v) for k, v in sorted(parsed.summary.values.items())},
        "tables": {
            name: {
                "header": list(table.header),
                "rows": [[_digest_value(cell) for cell in row] for row in table.rows],
            }
            for name, table in sorted(parsed.tables.items())
        },
    }
    text = json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _pdf_state_only(pdf_path: Path, pdf_name: str) -> PdfCheck:
    state = PdfState.NOT_COMPARED if pdf_path.is_file() else PdfState.ABSENT
    return PdfCheck(pdf_name, state)


def _check_pdf(
    pdf_path: Path, pdf_name: str, parsed: ParsedReturn
) -> tuple[PdfCheck, list[Reason]]:
    if not pdf_path.is_file():
        return PdfCheck(pdf_name, PdfState.ABSENT), []
    try:
        data = pdf_path.read_bytes()
    except OSError as error:
        reason = Reason(
            reason_codes.PDF_UNREADABLE,
            f"cannot be opened ({error.strerror or error})",
            part=pdf_path.name,
        )
        return PdfCheck(pdf_name, PdfState.UNREADABLE), [reason]
    digest = hashlib.sha256(data).hexdigest()
    if not parsed.well_formed:
        return PdfCheck(pdf_name, PdfState.NOT_COMPARED, digest), []
    try:
        contents = embedded_files(data, EMBEDDED_NAME)
        printed = check_printed_figures(parsed, page_texts(data), pdf_path.name)
    except PdfUnreadable as error:
        reason = Reason(
            reason_codes.PDF_UNREADABLE,
            f"{error}, so its {EMBEDDED_NAME} cannot be read",
            part=pdf_path.name,
        )
        return PdfCheck(pdf_name, PdfState.UNREADABLE, digest), [reason]
    if not contents:
        reason = Reason(
            reason_codes.PDF_WITHOUT_RETURN_JSON, f"embeds no {EMBEDDED_NAME}", part=pdf_path.name
        )
        return PdfCheck(pdf_name, PdfState.DIFFERS, digest), [reason]
    if len(contents) > 1:
        reason = Reason(
            reason_codes.PDF_RETURN_JSON_AMBIGUOUS,
            f"embeds {len(contents)} different files named {EMBEDDED_NAME}; which one is the "
            "return cannot be told",
            part=pdf_path.name,
        )
        return PdfCheck(pdf_name, PdfState.DIFFERS, digest), [reason]
    differences = compare_return_json(parsed, contents[0], pdf_path.name) + printed
    state = PdfState.DIFFERS if differences else PdfState.MATCHES
    return PdfCheck(pdf_name, state, digest), differences
