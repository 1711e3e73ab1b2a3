"""Receipts as people read them: one block per return, the reasons located, nothing obeyed.

Platform names and other text come from the received file, so before they reach a terminal
every control character (an ANSI escape could rewrite the screen) and every bidi override
is shown as a ``[U+202E]`` marker instead of being obeyed.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from compliance.regulator.receive import Receipt
from compliance.statuses import PdfState, ReceiptStatus

# One definition of terminal-safe text for every command; imported here under its old name,
# which the regulator's commands use.
from compliance.terminal import safe as safe

if TYPE_CHECKING:
    from compliance.regulator.acknowledge import Acknowledged


def _pdf_line(receipt: Receipt) -> str:
    pdf = receipt.pdf
    digest = f" (sha256 {pdf.sha256})" if pdf.sha256 else ""
    return {
        PdfState.MATCHES: f"{safe(pdf.path)} embeds the same return.json{digest}",
        PdfState.DIFFERS: f"{safe(pdf.path)} does NOT embed the same return.json{digest}",
        PdfState.UNREADABLE: f"{safe(pdf.path)} could not be read{digest}",
        PdfState.NOT_COMPARED: f"{safe(pdf.path)} not compared: the workbook is not a return",
        PdfState.ABSENT: f"none beside it ({safe(pdf.path)}); only the workbook was checked",
    }[pdf.state]


def _plural(count: int, noun: str, plural: str) -> str:
    return f"{count} {noun if count == 1 else plural}"


def receipt_text(receipt: Receipt, acknowledged: Acknowledged | None = None) -> str:
    cover = receipt.cover
    received = receipt.received
    if receipt.status is ReceiptStatus.ACCEPTED_WITH_BREACHES and received is not None:
        breaches = _plural(received.count("issues_breach"), "breach", "breaches")
        heading = (
            f"{safe(receipt.input)}: ACCEPTED WITH BREACHES ({breaches} of the duty disclosed)"
        )
    elif receipt.status is ReceiptStatus.ACCEPTED_WITH_WARNINGS and received is not None:
        warnings = _plural(received.count("issues_warning"), "warning", "warnings")
        heading = f"{safe(receipt.input)}: ACCEPTED WITH WARNINGS ({warnings})"
    elif receipt.accepted:
        heading = f"{safe(receipt.input)}: ACCEPTED"
    else:
        count = len(receipt.reasons)
        heading = f"{safe(receipt.input)}: REJECTED ({count} reason{'s' if count != 1 else ''})"
    lines = [heading]

    def field(label: str, value: str) -> None:
        lines.append(f"  {label:<13}{value}")

    if "platform" in cover or "registration_number" in cover:
        who = safe(cover.get("platform", "(unreadable)"))
        registration = cover.get("registration_number")
        if registration is not None:
            who += f" (registration {safe(registration)}"
            who += f", {safe(cover['jurisdiction'])})" if "jurisdiction" in cover else ")"
        field("platform", who)
    if "period" in cover:
        field("period", safe(cover["period"]))
    if "submission_id" in cover:
        submission = safe(cover["submission_id"])
        if "submission_type" in cover:
            submission += f" ({safe(cover['submission_type'])}"
            amends = cover.get("amends_submission_id")
            submission += f" of {safe(amends)})" if amends else ")"
        if "generated_at" in cover:
            submission += f", generated {safe(cover['generated_at'])}"
        field("submission", submission)
    if "filing_ready" in cover:
        field("filing-ready", "yes" if cover["filing_ready"] else "no: a draft")
    if received is not None:
        field("standard", f"DTR-{safe(received.cover.standard_version)}")
    field("sha256", receipt.sha256)
    field("pdf", _pdf_line(receipt))
    if acknowledged is not None:
        field("acknowledged", _acknowledgement_line(acknowledged))
    if receipt.reasons:
        lines.append("  reasons:")
        # The code first, in a column of its own: it is what a platform looks up (README,
        # "Receipt reasons") and what a person scanning a long receipt sorts by.
        lines.extend(f"    - {reason.code}  {safe(reason.text())}" for reason in receipt.reasons)
    return "\n".join(lines)


def _acknowledgement_line(acknowledged: Acknowledged) -> str:
    acknowledgement = acknowledged.acknowledgement
    text = f"{acknowledgement.acknowledgement_id}, received {safe(acknowledgement.received_at)}"
    if acknowledgement.late_days:
        text += f", {_plural(acknowledgement.late_days, 'day', 'days')} late"
    elif acknowledgement.late_days == 0:
        text += ", on time"
    if acknowledged.outcome == "existing":
        text += " (received before: its existing acknowledgement)"
    return text


def tally_text(receipts: list[Receipt]) -> str:
    accepted = sum(1 for receipt in receipts if receipt.accepted)
    rejected = len(receipts) - accepted
    noun = "return" if len(receipts) == 1 else "returns"
    text = f"{len(receipts)} {noun} received: {accepted} accepted, {rejected} rejected"
    with_breaches = sum(1 for r in receipts if r.status is ReceiptStatus.ACCEPTED_WITH_BREACHES)
    if with_breaches:
        text += f"; {with_breaches} of those accepted disclose breaches of the duty"
    return text + "."
