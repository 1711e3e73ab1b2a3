"""``receive --ledger``: every return received gets an acknowledgement (DTR-1 section 11).

The receipt says what the return is; the ledger says whether it was received before. A
return received again (the same files, or the same platform, period and ``submission_id``
with the same values) gets its existing acknowledgement. Decided under the ledger's lock,
so that two processes receiving at once agree:

- the same ``submission_id`` (of the platform and period) received before with other values
  and not rejected: rejected, ``SUBMISSION_ID_TAKEN`` (send an amendment instead);
- an amendment of a return that was never accepted: rejected, ``AMENDS_UNACCEPTED``.

A rejected return does not use up its ``submission_id``: only what was accepted counts.
"""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path
from typing import Any

from compliance.config import DEFAULT_CONFIG, RuleConfig
from compliance.errors import ComplianceError
from compliance.ledger import (
    Acknowledgement,
    AcknowledgementOutcome,
    AcknowledgementStatus,
    Ledger,
    PlatformKey,
    ReceivedFile,
    ReceivedReturn,
)
from compliance.ledger.acknowledgements import Lookup
from compliance.period import Period
from compliance.regulator import reason_codes
from compliance.regulator.reasons import Reason
from compliance.regulator.receive import Receipt
from compliance.regulator.register import due_date, late_days, quarter


class AcknowledgementFileError(ComplianceError):
    """An acknowledgement file could not be written, or another file is in its place."""


@dataclass(frozen=True)
class Acknowledged:
    receipt: Receipt
    """The receipt, with the ledger's reasons added when the ledger rejected the return."""
    acknowledgement: Acknowledgement
    outcome: AcknowledgementOutcome


def cover_platform(cover: dict[str, Any]) -> PlatformKey | None:
    registration, jurisdiction = cover.get("registration_number"), cover.get("jurisdiction")
    if not isinstance(registration, str) or not isinstance(jurisdiction, str):
        return None
    try:
        return PlatformKey(registration, jurisdiction)
    except ValueError:
        return None


def cover_quarter(cover: dict[str, Any]) -> Period | None:
    period = cover.get("period")
    if not isinstance(period, str):
        return None
    try:
        return quarter(period)
    except ValueError:
        return None


def _text(cover: dict[str, Any], key: str) -> str | None:
    value = cover.get(key)
    return value.strip() if isinstance(value, str) and value.strip() else None


def acknowledge(
    ledger: Ledger,
    receipt: Receipt,
    *,
    received_at: datetime,
    config: RuleConfig = DEFAULT_CONFIG,
) -> Acknowledged:
    """Record ``receipt`` in the ledger (once), and the receipt as the ledger decided it."""
    files = [ReceivedFile(receipt.input, receipt.sha256)]
    if receipt.pdf.sha256:
        files.append(ReceivedFile(receipt.pdf.path, receipt.pdf.sha256))
    cover = receipt.cover
    platform = cover_platform(cover)
    period = cover_quarter(cover)
    submission_id = _text(cover, "submission_id")
    received = ReceivedReturn(
        status=AcknowledgementStatus(receipt.status.value),
        received_at=received_at,
        files=tuple(files),
        platform=platform,
        period=period.label if period else None,
        submission_id=submission_id,
        values_digest=receipt.values_sha256 if receipt.accepted else None,
        late_days=late_days(received_at, due_date(period, config)) if period else None,
        reasons=tuple(reason.to_json() for reason in receipt.reasons),
    )
    amends = (
        _text(cover, "amends_submission_id")
        if cover.get("submission_type") == "amendment"
        else None
    )

    def decide(candidate: ReceivedReturn, lookup: Lookup) -> ReceivedReturn:
        if candidate.status is AcknowledgementStatus.REJECTED:
            return candidate
        if platform is None or period is None or submission_id is None:
            return candidate
        reasons = _ledger_reasons(candidate, lookup, platform, period.label, submission_id, amends)
        if not reasons:
            return candidate
        return replace(
            candidate,
            status=AcknowledgementStatus.REJECTED,
            values_digest=None,
            reasons=candidate.reasons + tuple(reason.to_json() for reason in reasons),
        )

    result = ledger.record_acknowledgement(received, decide=decide)
    acknowledgement = result.acknowledgement
    if acknowledgement.status is AcknowledgementStatus.REJECTED and receipt.accepted:
        ledger_reasons = tuple(
            _reason(found) for found in acknowledgement.reasons if _is_ledger_reason(found)
        )
        receipt = replace(receipt, reasons=receipt.reasons + ledger_reasons, received=None)
    return Acknowledged(receipt, acknowledgement, result.outcome)


def _ledger_reasons(
    candidate: ReceivedReturn,
    lookup: Lookup,
    platform: PlatformKey,
    period: str,
    submission_id: str,
    amends: str | None,
) -> list[Reason]:
    reasons = []
    accepted = [
        found
        for found in lookup(platform, period, submission_id)
        if found.status is not AcknowledgementStatus.REJECTED
    ]
    other = [found for found in accepted if found.values_digest != candidate.values_digest]
    if other:
        reasons.append(
            Reason(
                reason_codes.SUBMISSION_ID_TAKEN,
                f"{submission_id} was received before with other values (acknowledgement "
                f"{other[0].acknowledgement_id}); a return that changes a filed one is an "
                "amendment with a submission_id of its own",
                sheet="Cover",
                header="submission_id",
            )
        )
    if amends is not None and not any(
        found.status is not AcknowledgementStatus.REJECTED
        for found in lookup(platform, period, amends)
    ):
        reasons.append(
            Reason(
                reason_codes.AMENDS_UNACCEPTED,
                f"amends {amends}, but no return {amends} of {platform} for {period} was "
                "accepted; file it as an initial return",
                sheet="Cover",
                header="amends_submission_id",
            )
        )
    return reasons


def _is_ledger_reason(found: Any) -> bool:
    code = reason_codes.REASON_CODES.get(str(found.get("code")))
    return code is not None and code.kind is reason_codes.Kind.LEDGER


def _reason(found: Any) -> Reason:
    code = reason_codes.REASON_CODES.get(str(found.get("code")), reason_codes.SUBMISSION_ID_TAKEN)
    return Reason(
        code,
        str(found.get("message", "")),
        sheet=found.get("sheet"),
        row=found.get("row"),
        column=found.get("column"),
        header=found.get("header"),
        part=found.get("part"),
    )


def acknowledgement_bytes(acknowledgement: Acknowledgement) -> bytes:
    text = json.dumps(acknowledgement.to_json(), indent=2, ensure_ascii=False, sort_keys=False)
    return (text + "\n").encode("utf-8")


def write_acknowledgement(directory: Path, acknowledgement: Acknowledgement) -> Path:
    """``DIR/<acknowledgement_id>.json``, written atomically and never over a different file
    (the same file already there is left as it is)."""
    data = acknowledgement_bytes(acknowledgement)
    target = directory / f"{acknowledgement.acknowledgement_id}.json"
    try:
        directory.mkdir(parents=True, exist_ok=True)
        descriptor, temporary = tempfile.mkstemp(
            prefix=f".{target.name}.", suffix=".part", dir=directory
        )
        try:
            with open(descriptor, "wb") as handle:
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
            os.chmod(temporary, 0o644)
            try:
                os.link(temporary, target)  # fails, rather than replaces, if the name is taken
            except FileExistsError:
                if target.is_file() and not target.is_symlink() and target.read_bytes() == data:
                    return target
                raise AcknowledgementFileError(
                    f"{target}: another file is already there; not overwritten"
                ) from None
        finally:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(temporary)
    except OSError as error:
        raise AcknowledgementFileError(
            f"cannot write {target}: {error.strerror or error}"
        ) from None
    return target
