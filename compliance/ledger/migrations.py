"""The ledger's schema, as an ordered list of migrations, and the one way to apply them.

A ledger records its version in ``schema_migrations``: one row per migration applied. A newer
tool upgrades an older ledger when it opens it (spec 10.2), all pending migrations in one
transaction, so an upgrade is whole or not at all. The transaction first takes the writers'
lock (SQLite ``BEGIN IMMEDIATE``, a PostgreSQL advisory lock), then reads the version again:
of two processes opening a fresh ledger at once, one migrates and the other finds it done.

A migration is never edited once released: a change is a new migration at the end.
"""

from __future__ import annotations

from dataclasses import dataclass

from compliance.ledger.database import Database, Transaction
from compliance.ledger.errors import LedgerError

VERSION_TABLE = "schema_migrations"


@dataclass(frozen=True)
class Migration:
    version: int
    name: str
    statements: tuple[str, ...]
    """SQL with ``{timestamp}``, ``{bytes}``, ``{boolean}`` and ``{key}`` for column types."""


_FILING_LEDGER = Migration(
    1,
    "the platform's filing ledger: platforms, referrals, and every version with its receipt",
    (
        # Keys are stored normalised (identity.py), so equality in SQL is DTR-1's equality.
        """CREATE TABLE platforms (
            registration_number {key} NOT NULL,
            jurisdiction {key} NOT NULL,
            first_recorded_at {timestamp} NOT NULL,
            PRIMARY KEY (registration_number, jurisdiction)
        )""",
        # One row per referral: where it stands now. The deadline is the one recorded first
        # (DTR-L004); referral_id is spelt as in the latest document.
        """CREATE TABLE referrals (
            registration_number {key} NOT NULL,
            jurisdiction {key} NOT NULL,
            referral_key {key} NOT NULL,
            referral_id {key} NOT NULL,
            state TEXT NOT NULL CHECK (state IN ('open', 'referred', 'withdrawn')),
            deadline {timestamp} NOT NULL,
            latest_version INTEGER NOT NULL,
            withdrawn_at {timestamp},
            withdrawal_reason TEXT,
            PRIMARY KEY (registration_number, jurisdiction, referral_key),
            FOREIGN KEY (registration_number, jurisdiction) REFERENCES platforms
        )""",
        "CREATE INDEX referrals_by_deadline ON referrals (state, deadline, referral_id)",
        # Every document recorded for a referral, open or referred, never updated, each with
        # its receipt. Receipt and version are one to one, so they are one row: a receipt
        # can never name a document the ledger does not hold.
        """CREATE TABLE referral_versions (
            registration_number {key} NOT NULL,
            jurisdiction {key} NOT NULL,
            referral_key {key} NOT NULL,
            version INTEGER NOT NULL,
            receipt_id {key} NOT NULL UNIQUE,
            referral_id {key} NOT NULL,
            state TEXT NOT NULL CHECK (state IN ('open', 'referred')),
            priority TEXT NOT NULL,
            suspicion_formed_at {timestamp} NOT NULL,
            generated_at {timestamp} NOT NULL,
            referred_at {timestamp},
            referred_to TEXT,
            document {bytes} NOT NULL,
            document_sha256 {key} NOT NULL,
            pack_sha256 {key},
            filed_at {timestamp} NOT NULL,
            on_time {boolean},
            breach_codes TEXT NOT NULL,
            tool_version TEXT NOT NULL,
            ruleset_version TEXT NOT NULL,
            PRIMARY KEY (registration_number, jurisdiction, referral_key, version),
            UNIQUE (registration_number, jurisdiction, referral_key, document_sha256),
            FOREIGN KEY (registration_number, jurisdiction, referral_key) REFERENCES referrals
        )""",
    ),
)

_ACKNOWLEDGEMENTS = Migration(
    2,
    "the regulator's acknowledgements of returns received (spec 11)",
    (
        # Platform, period and submission may be unreadable in a rejected return: nullable.
        # Both idempotency keys are unique: the files received, and the values they carry.
        # NULLs are distinct in a UNIQUE constraint, so a return without readable values
        # is keyed by its files alone.
        """CREATE TABLE acknowledgements (
            acknowledgement_id {key} NOT NULL PRIMARY KEY,
            status TEXT NOT NULL CHECK (status IN ('accepted', 'accepted_with_breaches',
                'accepted_with_warnings', 'rejected')),
            received_at {timestamp} NOT NULL,
            recorded_at {timestamp} NOT NULL,
            files TEXT NOT NULL,
            files_key {key} NOT NULL UNIQUE,
            registration_number {key},
            jurisdiction {key},
            period {key},
            submission_id {key},
            submission_key {key},
            values_digest {key},
            late_days INTEGER,
            reasons TEXT NOT NULL,
            UNIQUE (registration_number, jurisdiction, period, submission_key, values_digest),
            FOREIGN KEY (registration_number, jurisdiction) REFERENCES platforms
        )""",
        "CREATE INDEX acknowledgements_by_period ON acknowledgements (period, received_at)",
    ),
)

MIGRATIONS: tuple[Migration, ...] = (_FILING_LEDGER, _ACKNOWLEDGEMENTS)
LATEST_VERSION = MIGRATIONS[-1].version


def migrate(database: Database, *, upto: int = LATEST_VERSION) -> tuple[int, ...]:
    """Bring the ledger to version ``upto``; the versions this call applied, often none."""
    if not 0 < upto <= LATEST_VERSION:
        raise ValueError(f"schema version {upto} does not exist (1 to {LATEST_VERSION})")
    # A look without the lock first: a ledger already current (the usual case) costs no
    # writer's lock, and a read-only copy of a ledger can still be opened.
    with database.transaction(write=False) as transaction:
        if _version(transaction, database) >= upto:
            return ()
    with database.transaction(write=True) as transaction:
        transaction.lock("migrations")
        current = _version(transaction, database)
        if current == 0:
            transaction.execute(
                f"""CREATE TABLE IF NOT EXISTS {VERSION_TABLE} (
                    version INTEGER NOT NULL PRIMARY KEY,
                    name TEXT NOT NULL,
                    applied_at {database.column_types["timestamp"]} NOT NULL
                )"""
            )
        applied = []
        for migration in MIGRATIONS:
            if current < migration.version <= upto:
                for statement in migration.statements:
                    transaction.execute(statement.format_map(database.column_types))
                transaction.execute(
                    f"INSERT INTO {VERSION_TABLE} (version, name, applied_at) VALUES (?, ?, ?)",
                    (migration.version, migration.name, transaction.clock()),
                )
                applied.append(migration.version)
        return tuple(applied)


def schema_version(database: Database) -> int:
    with database.transaction(write=False) as transaction:
        return _version(transaction, database)


def _version(transaction: Transaction, database: Database) -> int:
    if not transaction.has_table(VERSION_TABLE):
        return 0
    found = transaction.row(f"SELECT MAX(version) FROM {VERSION_TABLE}")
    version = int(found[0]) if found and found[0] is not None else 0
    if version > LATEST_VERSION:
        raise LedgerError(
            f"ledger {database.location} has schema version {version}, and this tool knows only "
            f"up to {LATEST_VERSION}: use a newer version of the tool"
        )
    return version
