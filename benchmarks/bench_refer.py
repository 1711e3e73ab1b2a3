"""How fast a referral is filed as it happens, and how fast a quarter is compiled from the ledger.

    .venv/bin/python benchmarks/bench_refer.py [--filings 50] [--compile-referrals 100000]
        [--postgres postgresql://postgres@127.0.0.1:5432/test] [--skip-postgres]

On each back end (a SQLite file, and a schema of its own on the PostgreSQL server named by
``--postgres`` or ``$COMPLIANCE_BENCH_POSTGRES_URL``, dropped afterwards) it measures:

1. ``refer`` as a library call (``FilingLedger.refer``: check, render the pack, commit, write
   the receipt and the pack), ``--filings`` distinct referrals in one warm process: p50, p95;
2. ``refer`` as a whole command (``python -m compliance refer``: interpreter start and imports
   included), ``--filings`` processes one after another: p50, p95;
3. filings per second with 2 processes filing distinct referrals at once (whole commands);
4. ``compile`` of a ledger holding ``--compile-referrals`` referrals (filed through the
   storage layer, without packs, to build the ledger in minutes): one whole command.

The goals of the issue are printed beside the figures (library p95 <= 0.3 s, command p95
<= 1 s, which is 3,600 times inside a threat to life's one-hour deadline). Asserts nothing.
"""

from __future__ import annotations

import argparse
import copy
import json
import os
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))
from returns_fixture import submission  # noqa: E402

from compliance.filing import FilingLedger  # noqa: E402
from compliance.ledger import (  # noqa: E402
    Filing,
    PlatformKey,
    ToolVersions,
    canonical_bytes,
    open_ledger,
)

KEY_ENV = {"COMPLIANCE_PSEUDONYM_KEY": "bench-refer-key-0123456789abcdef0123"}


def document(number: int) -> dict[str, Any]:
    """A referral document: the returns fixture's first referral under a numbered id."""
    source = submission()
    referral = copy.deepcopy(source["referrals"][0])
    referral["referral_id"] = f"B-{number:07d}"
    return {
        "schema_version": "1.0",
        "document": "referral",
        "generated_at": referral["referred_at"],
        "platform": source["platform"],
        "referral": referral,
    }


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def with_schema(url: str, schema: str) -> str:
    parts = urlsplit(url)
    query = [(k, v) for k, v in parse_qsl(parts.query) if k != "options"]
    query.append(("options", f"-csearch_path={schema}"))
    return urlunsplit(parts._replace(query=urlencode(query)))


def command(args: list[str]) -> list[str]:
    return [sys.executable, "-m", "compliance", *args]


def run_quietly(args: list[str]) -> None:
    subprocess.run(args, check=True, env={**os.environ, **KEY_ENV}, stdout=subprocess.DEVNULL)


def library_latency(target: str, folder: Path, count: int) -> list[float]:
    os.environ.update(KEY_ENV)
    times = []
    with FilingLedger.open(target) as ledger:
        ledger.refer(json.dumps(document(9_999_999)).encode(), out_dir=folder)  # warm: fonts
        for number in range(count):
            data = json.dumps(document(number)).encode()
            start = time.perf_counter()
            filed = ledger.refer(data, out_dir=folder)
            times.append(time.perf_counter() - start)
            assert filed.filed, filed.refusal
    return times


def command_latency(target: str, folder: Path, count: int, offset: int) -> list[float]:
    times = []
    for number in range(offset, offset + count):
        source = folder / f"doc-{number}.json"
        source.write_text(json.dumps(document(number)), encoding="utf-8")
        start = time.perf_counter()
        run_quietly(command(["refer", str(source), "--ledger", target, "--out", str(folder)]))
        times.append(time.perf_counter() - start)
    return times


def two_processes(target: str, folder: Path, count: int, offset: int) -> float:
    """Filings per second, two processes each filing its own half, one after another."""
    halves = []
    for half in range(2):
        script = folder / f"half-{half}.sh"
        lines = []
        for number in range(offset + half * count, offset + (half + 1) * count):
            source = folder / f"doc-{number}.json"
            source.write_text(json.dumps(document(number)), encoding="utf-8")
            lines.append(" ".join(command(["refer", str(source), "--ledger", f"'{target}'",
                                           "--out", str(folder)])) + " >/dev/null")  # fmt: skip
        script.write_text("set -e\n" + "\n".join(lines) + "\n")
        halves.append(script)
    start = time.perf_counter()
    processes = [
        subprocess.Popen(["bash", str(script)], env={**os.environ, **KEY_ENV}) for script in halves
    ]
    assert all(process.wait() == 0 for process in processes)
    return 2 * count / (time.perf_counter() - start)


def fill_ledger(target: str, count: int) -> float:
    """``count`` referrals of one quarter filed through the storage layer (no packs)."""
    platform = PlatformKey("09876543", "GB")
    versions = ToolVersions("bench", "bench")
    base = datetime(2026, 7, 1, tzinfo=UTC)
    start = time.perf_counter()
    with open_ledger(target) as ledger:
        for number in range(count):
            raw = document(number)
            moment = base + timedelta(seconds=60 * number)
            raw["referral"]["suspicion_formed_at"] = moment.isoformat()
            raw["referral"]["detected_at"] = moment.isoformat()
            referred = moment + timedelta(minutes=30)
            raw["referral"]["referred_at"] = referred.isoformat()
            raw["generated_at"] = referred.isoformat()
            ledger.file_referral(
                Filing(
                    platform=platform,
                    referral_id=raw["referral"]["referral_id"],
                    priority="threat_to_life",
                    suspicion_formed_at=moment,
                    deadline=moment + timedelta(hours=1),
                    generated_at=referred,
                    referred_at=referred,
                    referred_to="Counter Terrorism Policing (GB)",
                    canonical=canonical_bytes(raw),
                    pack_sha256=None,
                    on_time=True,
                    versions=versions,
                )
            )
    return time.perf_counter() - start


def compile_seconds(target: str, folder: Path) -> float:
    log = folder / "log.json"
    log.write_text("[]", encoding="utf-8")
    start = time.perf_counter()
    run_quietly(command(["compile", "--ledger", target, "--period", "2026-Q3",
                         "--moderation-log", str(log), "--out", str(folder / "q.json"),
                         "--force"]))  # fmt: skip
    return time.perf_counter() - start


def report(name: str, values: list[float], goal: float) -> None:
    p50, p95 = percentile(values, 0.5), percentile(values, 0.95)
    verdict = "within" if p95 <= goal else "OVER"
    print(
        f"  {name:<26} p50 {p50:6.3f} s  p95 {p95:6.3f} s  (goal p95 <= {goal} s: {verdict}; "
        f"{3600 / p95:,.0f} times inside the one-hour deadline)"
    )


def bench(backend: str, make_target: Callable[[], str], args: argparse.Namespace) -> None:
    print(f"{backend}:")
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch)
        target = make_target()
        report("library call", library_latency(target, folder, args.filings), 0.3)
        report("whole command", command_latency(target, folder, args.filings, 100_000), 1.0)
        rate = two_processes(target, folder, args.filings // 2, 200_000)
        print(f"  {'2 processes':<26} {rate:6.2f} filings/s")
        big = make_target()
        filled = fill_ledger(big, args.compile_referrals)
        print(f"  {'ledger filled':<26} {args.compile_referrals:,} referrals in {filled:.1f} s")
        seconds = compile_seconds(big, folder)
        print(f"  {'compile':<26} {seconds:6.2f} s for {args.compile_referrals:,} referrals")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--filings", type=int, default=50)
    parser.add_argument("--compile-referrals", type=int, default=100_000)
    parser.add_argument(
        "--postgres",
        default=os.environ.get(
            "COMPLIANCE_BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test"
        ),
    )
    parser.add_argument("--skip-postgres", action="store_true")
    args = parser.parse_args()
    print(f"bench_refer: {args.filings} filings, compile of {args.compile_referrals:,} referrals")
    with tempfile.TemporaryDirectory() as home:
        counter = iter(range(100))
        bench("SQLite", lambda: str(Path(home) / f"ledger-{next(counter)}.db"), args)
    if args.skip_postgres:
        return
    import psycopg

    schemas: list[str] = []

    def make() -> str:
        schema = f"bench_{uuid.uuid4().hex[:16]}"
        with psycopg.connect(args.postgres, autocommit=True) as connection:
            connection.execute(f'CREATE SCHEMA "{schema}"')
        schemas.append(schema)
        return with_schema(args.postgres, schema)

    try:
        bench("PostgreSQL", make, args)
    finally:
        with psycopg.connect(args.postgres, autocommit=True) as connection:
            for schema in schemas:
                connection.execute(f'DROP SCHEMA "{schema}" CASCADE')


if __name__ == "__main__":
    main()
