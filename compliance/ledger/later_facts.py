"""Which changes to a filed referral are facts that arrive later, not a new story (spec 10.2).

Police give back an ``authority_reference``; content kept up at police request is removed
later, and its ``preservation`` goes with it. A document that differs from a filed one only
there (and in its own ``generated_at``, since it was produced later) is a new version of the
referral. Any other difference is ``DTR-L001``: a filed referral never changes.

"Differs only there" is an equivalence: two documents equal once those fields are set aside.
So every version of a referral is equivalent to every other, and it does not matter which
filed version a document is compared with, nor which of two racing versions lands first.
"""

from __future__ import annotations

import json
from typing import Any


def differs_only_in_later_facts(filed: bytes, new: bytes) -> bool:
    """Whether two canonical referral documents are equal once the later facts are set aside."""
    same: bool = _without_later_facts(json.loads(filed)) == _without_later_facts(json.loads(new))
    return same


def _without_later_facts(document: Any) -> Any:
    if not isinstance(document, dict) or not isinstance(document.get("referral"), dict):
        return document
    document = {**document, "generated_at": None}
    referral = {**document["referral"], "authority_reference": None, "preservation": None}
    items = referral.get("content_items")
    if isinstance(items, list):
        referral["content_items"] = [
            {**item, "removed_at": None} if isinstance(item, dict) else item for item in items
        ]
    document["referral"] = referral
    return document
