"""The versioned schema: a ledger of version 1, with rows in it, upgrades to the latest."""

from __future__ import annotations

from ledger_documents import PLATFORM, filing, suspicion

from compliance.ledger import (
    LATEST_VERSION,
    AcknowledgementOutcome,
    AcknowledgementStatus,
    FilingOutcome,
    ReceivedFile,
    ReceivedReturn,
    open_ledger,
    sha256_hex,
)
from compliance.ledger.migrations import MIGRATIONS


def test_migrations_are_numbered_one_by_one() -> None:
    assert [migration.version for migration in MIGRATIONS] == list(range(1, LATEST_VERSION + 1))
    assert LATEST_VERSION >= 2


def test_a_version_1_ledger_with_rows_is_upgraded_whole(target: str) -> None:
    with open_ledger(target, upgrade_to=1) as old:
        assert (old.schema_version, old.applied_migrations) == (1, (1,))
        with old._database.transaction(write=False) as transaction:
            assert transaction.has_table("referral_versions")
            assert not transaction.has_table("acknowledgements")
        filed = old.file_referral(filing("R-1")).receipt
        open_ = old.record_suspicion(suspicion("R-2")).receipt
        before = old.versions(PLATFORM, "R-1") + old.versions(PLATFORM, "R-2")

    with open_ledger(target) as upgraded:
        assert upgraded.applied_migrations == tuple(range(2, LATEST_VERSION + 1))
        assert upgraded.schema_version == LATEST_VERSION
        assert upgraded.versions(PLATFORM, "R-1") + upgraded.versions(PLATFORM, "R-2") == before
        assert upgraded.file_referral(filing("R-1")).receipt == filed
        assert [record.latest.receipt for record in upgraded.open_suspicions()] == [open_]
        received = ReceivedReturn(
            status=AcknowledgementStatus.ACCEPTED,
            received_at=upgraded.clock(),
            files=(ReceivedFile("return.xlsx", sha256_hex(b"return")),),
            platform=PLATFORM,
            period="2026-Q3",
        )
        assert upgraded.record_acknowledgement(received).outcome is AcknowledgementOutcome.RECORDED
        with upgraded._database.transaction(write=False) as transaction:
            applied = transaction.rows("SELECT version FROM schema_migrations ORDER BY version")
        assert [row[0] for row in applied] == list(range(1, LATEST_VERSION + 1))

    with open_ledger(target) as again:
        assert again.applied_migrations == ()
        assert again.file_referral(filing("R-3")).outcome is FilingOutcome.FILED
