"""compliance: check DTR-1 submissions and render referral packs and quarterly returns.

The names below are the public API, the few a platform's own code needs; everything else is
internal and may change. ``__all__`` is locked by a test. Every name is imported on first use,
so that ``import compliance`` loads nothing (the PDF stack least of all) until it is asked.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from compliance.check import CheckResult, check_bytes, check_path
    from compliance.config import DEFAULT_CONFIG, RuleConfig
    from compliance.deadlines import Deadline, assess_deadline, due_at
    from compliance.errors import ComplianceError
    from compliance.issues import Issue, Report, Severity
    from compliance.metrics import METRICS, Figures, compute_figures
    from compliance.model import Referral, Submission
    from compliance.regulator.receive import Receipt, receive_return
    from compliance.returns import render_submission
    from compliance.statuses import BatchStatus, DeadlineState, ReceiptStatus

# Every public name is imported on first use: ``import compliance.ledger`` (a service that
# only files) loads neither the checker nor the renderers through this package.
_LAZY = {
    "CheckResult": "compliance.check",
    "check_bytes": "compliance.check",
    "check_path": "compliance.check",
    "DEFAULT_CONFIG": "compliance.config",
    "RuleConfig": "compliance.config",
    "Deadline": "compliance.deadlines",
    "assess_deadline": "compliance.deadlines",
    "due_at": "compliance.deadlines",
    "ComplianceError": "compliance.errors",
    "Issue": "compliance.issues",
    "Report": "compliance.issues",
    "Severity": "compliance.issues",
    "METRICS": "compliance.metrics",
    "Figures": "compliance.metrics",
    "compute_figures": "compliance.metrics",
    "Referral": "compliance.model",
    "Submission": "compliance.model",
    "Receipt": "compliance.regulator.receive",
    "receive_return": "compliance.regulator.receive",
    "render_submission": "compliance.returns",
    "BatchStatus": "compliance.statuses",
    "DeadlineState": "compliance.statuses",
    "ReceiptStatus": "compliance.statuses",
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
