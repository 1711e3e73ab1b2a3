"""compliance: check DTR-1 submissions and render referral packs and quarterly returns.

The names below are the public API, the few a platform's own code needs; everything else is
internal and may change. ``__all__`` is locked by a test. Names whose modules load the PDF
stack (WeasyPrint) or the regulator's readers are imported on first use, so that
``import compliance`` stays cheap for a service that only checks documents.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from compliance.check import CheckResult, check_bytes, check_path
from compliance.config import DEFAULT_CONFIG, RuleConfig
from compliance.deadlines import Deadline, assess_deadline, due_at
from compliance.errors import ComplianceError
from compliance.issues import Issue, Report, Severity
from compliance.metrics import METRICS, Figures, compute_figures
from compliance.model import Referral, Submission
from compliance.statuses import BatchStatus, DeadlineState, ReceiptStatus

if TYPE_CHECKING:
    from compliance.regulator.receive import Receipt, receive_return
    from compliance.returns import render_submission

_LAZY = {
    "render_submission": "compliance.returns",
    "receive_return": "compliance.regulator.receive",
    "Receipt": "compliance.regulator.receive",
}

__all__ = [
    "DEFAULT_CONFIG",
    "METRICS",
    "BatchStatus",
    "CheckResult",
    "ComplianceError",
    "Deadline",
    "DeadlineState",
    "Figures",
    "Issue",
    "Receipt",
    "ReceiptStatus",
    "Referral",
    "Report",
    "RuleConfig",
    "Severity",
    "Submission",
    "assess_deadline",
    "check_bytes",
    "check_path",
    "compute_figures",
    "due_at",
    "receive_return",
    "render_submission",
]


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'compliance' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value
