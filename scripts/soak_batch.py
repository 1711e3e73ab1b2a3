"""Soak the quarterly batch: many small submissions, faults injected at random, then audited.

    .venv/bin/python scripts/soak_batch.py --count 10000 --workers 2

Builds ``--count`` inputs in a temporary folder (about ``--ready-share`` of them filing-ready,
the rest rejected, skipped or unreadable) and gives about ``--fault-share`` of them one fault
each: a link to nothing, a named pipe, a read error, a worker killed once or every time, a
full disk on an output, on a submission's manifest or on the journal (see
tests/hostile/soak_helpers.py). The batch runs twice with the faults armed (most fire once);
after each run the output folder is audited: every input accounted for once with a fitting
status and reason, every output present with its SHA-256, owner-only where it holds personal
data, nothing half-written. Prints the figures and every problem; exits 1 if there was one.
The CI run is tests/hostile/test_soak_batch.py (1,000 inputs).
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests" / "hostile"))
from soak_helpers import audit, build_plan, injected_faults, run


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=1000, help="inputs (default 1000)")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--ready-share", type=float, default=0.012)
    parser.add_argument("--fault-share", type=float, default=0.08)
    parser.add_argument("--keep", type=Path, help="build here and keep it (default: temporary)")
    options = parser.parse_args(argv)

    root = options.keep or Path(tempfile.mkdtemp(prefix="soak-batch-"))
    try:
        return _soak(root, options)
    finally:
        if options.keep is None:
            shutil.rmtree(root, ignore_errors=True)


def _soak(root: Path, options: argparse.Namespace) -> int:
    started = time.perf_counter()
    plan = build_plan(
        root,
        options.count,
        seed=options.seed,
        ready_share=options.ready_share,
        fault_share=options.fault_share,
    )
    print(
        f"inputs    {len(plan.inputs)} in {root} (built in {time.perf_counter() - started:.1f} s)"
    )
    print("kinds     " + ", ".join(f"{k} {n}" for k, n in sorted(plan.kinds().items())))
    faults = plan.faults()
    print(
        f"faults    {sum(faults.values())}: "
        + ", ".join(f"{k} {n}" for k, n in sorted(faults.items()))
    )
    problems_total = 0
    first_entries: list[dict] = []
    for number in (1, 2):
        started = time.perf_counter()
        with injected_faults(plan):
            result = run(plan, workers=options.workers)
        seconds = time.perf_counter() - started
        counts = ", ".join(f"{k} {n}" for k, n in result.counts.items())
        line = f"run {number}     {seconds:.1f} s; {counts}; reused {result.reused}"
        if number == 2:
            line += f" (expected {plan.reusable(first_entries)})"
            problems_total += result.reused != plan.reusable(first_entries)
        print(line)
        problems = audit(plan, number)
        for problem in problems:
            print(f"  problem: {problem}")
        problems_total += len(problems)
        if number == 1:
            manifest = json.loads((plan.out / "manifest.json").read_text(encoding="utf-8"))
            first_entries = manifest["inputs"]
    print(f"problems  {problems_total}")
    return 1 if problems_total else 0


if __name__ == "__main__":
    sys.exit(main())
