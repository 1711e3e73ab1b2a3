"""The public API: the names a platform's own code may use, locked (as httpx does)."""

from __future__ import annotations

import subprocess
import sys

import compliance

PUBLIC = {
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
}


def test_all_is_locked() -> None:
    assert set(compliance.__all__) == PUBLIC
    assert compliance.__all__ == sorted(compliance.__all__, key=lambda n: (not n.isupper(), n))


def test_every_public_name_resolves_and_is_documented() -> None:
    for name in compliance.__all__:
        value = getattr(compliance, name)
        assert value is not None, name
        if callable(value):
            assert (value.__doc__ or "").strip() or isinstance(value, type), name


def test_importing_the_package_does_not_load_the_pdf_stack() -> None:
    code = "import sys, compliance; print('weasyprint' in sys.modules)"
    loaded = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert loaded.stdout.strip() == "False", loaded.stderr


def test_a_platform_checks_a_document_through_the_public_names() -> None:
    result = compliance.check_bytes(b'{"schema_version": "2.0"}')
    assert isinstance(result, compliance.CheckResult)
    assert not result.report.filing_ready
    assert result.report.issues[0].severity is compliance.Severity.FATAL
