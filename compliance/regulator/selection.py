"""Which received returns count: amendments supersede, duplicates are counted once.

Returns are grouped by platform (registration number in jurisdiction) and quarter. Within a
group:

- the same submission received twice (same ``submission_id`` and same ``source_sha256``, so
  the same input rendered, usually the very same file) is a **duplicate**: the first by file
  path is used, the others are listed and not counted;
- a return named by an amendment's ``amends_submission_id`` is **superseded** and not counted;
  chains (an amendment of an amendment) resolve to their last link;
- if more than one return is still standing (two initial returns, two amendments of the same
  return, or two different returns under one ``submission_id``), no document says which one
  is right: the one generated last is used, the others are listed as in **conflict**, and the
  regulator is told (exit status 1). Counting both would double-count the quarter; counting
  neither would hide the platform.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from compliance.regulator.model import Cover, ReceivedReturn
from compliance.regulator.receive import Receipt
from compliance.statuses import SelectionStatus


@dataclass(frozen=True)
class Entry:
    """One received file of the period and what became of it."""

    receipt: Receipt
    status: SelectionStatus
    note: str = ""

    @property
    def received(self) -> ReceivedReturn:
        assert self.receipt.received is not None
        return self.receipt.received


def select(receipts: list[Receipt]) -> list[Entry]:
    """An entry per receipt (in the order given): used, superseded, duplicate, conflict or
    rejected, with a note saying why."""
    entries: dict[int, Entry] = {}
    groups: dict[tuple[tuple[str, str], str], list[int]] = defaultdict(list)
    for index, receipt in enumerate(receipts):
        if receipt.received is None:
            first = receipt.reasons[0].text() if receipt.reasons else "not readable"
            more = len(receipt.reasons) - 1
            note = first + (f" (and {more} more reason(s))" if more > 0 else "")
            entries[index] = Entry(receipt, SelectionStatus.REJECTED, note)
            continue
        cover = receipt.received.cover
        groups[(cover.platform_key, cover.period)].append(index)
    for members in groups.values():
        entries.update(_select_group(receipts, members))
    return [entries[index] for index in range(len(receipts))]


def _select_group(receipts: list[Receipt], members: list[int]) -> dict[int, Entry]:
    result: dict[int, Entry] = {}
    # Duplicates: one per (submission_id, source_sha256), the first by input path.
    kept: dict[tuple[str, str], int] = {}
    for index in sorted(members, key=lambda i: receipts[i].input):
        cover = _cover(receipts[index])
        key = (cover.submission_id, cover.source_sha256)
        if key in kept:
            original = receipts[kept[key]]
            same_file = original.sha256 == receipts[index].sha256
            result[index] = Entry(
                receipts[index],
                SelectionStatus.DUPLICATE,
                f"duplicate of {original.input} ("
                + ("the same file" if same_file else "the same submission, rendered again")
                + "); counted once",
            )
        else:
            kept[key] = index
    distinct = list(kept.values())
    amended_by: dict[str, int] = {}
    for index in distinct:
        cover = _cover(receipts[index])
        if cover.submission_type == "amendment" and cover.amends_submission_id:
            amended_by.setdefault(cover.amends_submission_id, index)
    standing = []
    for index in distinct:
        cover = _cover(receipts[index])
        if cover.submission_id in amended_by and amended_by[cover.submission_id] != index:
            amendment = receipts[amended_by[cover.submission_id]]
            result[index] = Entry(
                receipts[index],
                SelectionStatus.SUPERSEDED,
                f"superseded by amendment {_cover(amendment).submission_id} ({amendment.input})",
            )
        else:
            standing.append(index)
    # An amendment cycle leaves nothing standing: then every distinct return competes.
    candidates = standing or distinct
    chosen = max(
        candidates,
        key=lambda i: (_cover(receipts[i]).generated_at, _cover(receipts[i]).submission_id),
    )
    for index in candidates:
        if index == chosen:
            continue
        result[index] = Entry(
            receipts[index],
            SelectionStatus.CONFLICT,
            f"competes with {_cover(receipts[chosen]).submission_id} ({receipts[chosen].input}) "
            "for the same platform and quarter, and no amendment says which replaces which; "
            "the one generated last is used",
        )
    chosen_cover = _cover(receipts[chosen])
    note = ""
    amends = chosen_cover.amends_submission_id
    if amends is not None and not any(_cover(receipts[i]).submission_id == amends for i in members):
        note = f"amends {amends}, which was not received"
    elif amends is not None:
        note = f"amends {amends}"
    result[chosen] = Entry(receipts[chosen], SelectionStatus.USED, note)
    return result


def _cover(receipt: Receipt) -> Cover:
    assert receipt.received is not None
    return receipt.received.cover
