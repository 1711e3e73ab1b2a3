"""Time return.xlsx for a large quarter: our streamed XlsxWriter against pandas ``to_excel``.

    .venv/bin/python benchmarks/bench_return_xlsx.py [--referrals 100000] [--repeat 2]

Generates (once; benchmarks/data/ is git-ignored) a synthetic submission with
``benchmarks/synthetic.py``, checks it and builds the return's view, then, in the same run,
writes the same six sheets two ways, each in a forked child so that memory is measured apart:

1. ours: ``write_return_xlsx(view, path)`` (XlsxWriter, constant-memory, every text through
   ``write_string``);
2. pandas: one ``DataFrame`` per sheet written with ``DataFrame.to_excel`` into one
   ``ExcelWriter`` with pandas' default engine (XlsxWriter when installed, as here), date-times
   made naive first because Excel has no time zones: the usual way people would do it.

The view is built once in the parent before forking, so both children start from the same
memory; "extra MB" is the child's peak RSS minus its RSS at the start, i.e. what writing costs.
Prints best and median seconds, extra MB and the speed-up pandas/ours (goal >= 2). pandas is
not a dependency of the tool: install it in the venv to run this (pip install pandas).
Asserts nothing.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))

from synthetic import write_submission  # noqa: E402

from compliance.check import check_path  # noqa: E402
from compliance.figures import ReturnView  # noqa: E402
from compliance.pseudonyms import Pseudonymiser  # noqa: E402
from compliance.render.xlsx import write_return_xlsx  # noqa: E402
from compliance.returns import return_view  # noqa: E402

DATA = ROOT / "benchmarks" / "data"


def resident_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def ours(view: ReturnView, path: Path) -> None:
    write_return_xlsx(view, path)


def with_pandas(view: ReturnView, path: Path) -> None:
    import pandas

    def naive(cell: object) -> object:  # Excel holds no time zone; the cells are UTC
        return cell.replace(tzinfo=None) if isinstance(cell, datetime) else cell

    with pandas.ExcelWriter(path) as writer:
        for sheet in view.sheets:
            rows = [[naive(cell) for cell in row] for row in sheet.rows]
            frame = pandas.DataFrame(rows, columns=list(sheet.header))
            frame.to_excel(writer, sheet_name=sheet.name, index=False)


def timed_in_child(
    writer: Callable[[ReturnView, Path], None], view: ReturnView
) -> tuple[float, float]:
    """Seconds and extra peak MB of one write, measured in a forked child."""
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: write, report, leave without running the parent's cleanup
        os.close(read_end)
        try:
            start_mb = resident_mb()
            with tempfile.TemporaryDirectory() as scratch:
                started = time.perf_counter()
                writer(view, Path(scratch) / "return.xlsx")
                seconds = time.perf_counter() - started
                size = (Path(scratch) / "return.xlsx").stat().st_size
            peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
            os.write(write_end, f"{seconds} {peak_mb - start_mb} {size}".encode())
        finally:
            os._exit(0)
    os.close(write_end)
    with os.fdopen(read_end) as pipe:
        report = pipe.read().split()
    os.waitpid(pid, 0)
    if len(report) != 3:
        raise SystemExit(f"{writer.__name__} failed in its child process (see above)")
    seconds, extra_mb, size = report
    print(
        f"    {writer.__name__:<12} {float(seconds):7.2f} s  +{float(extra_mb):6.0f} MB"
        f"  {int(size) / 1e6:6.1f} MB file"
    )
    return float(seconds), float(extra_mb)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--referrals", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument("--seed", type=int, default=1)
    options = parser.parse_args(argv)
    try:
        import pandas  # noqa: F401
    except ImportError:
        print("pandas is the baseline: .venv/bin/python -m pip install pandas", file=sys.stderr)
        return 2

    DATA.mkdir(parents=True, exist_ok=True)
    source = DATA / f"sub-{options.referrals}-seed{options.seed}.json"
    if not source.exists():
        with open(source, "w", encoding="utf-8") as out:
            write_submission(out, options.referrals, seed=options.seed)
    result = check_path(source)
    view = return_view(result, Pseudonymiser(b"benchmark-key"))
    rows = {sheet.name: len(sheet.rows) for sheet in view.sheets}
    print(f"return.xlsx for {options.referrals} referrals: rows {rows}")

    figures: dict[str, list[tuple[float, float]]] = {"ours": [], "with_pandas": []}
    for round_number in range(1, options.repeat + 1):
        print(f"  round {round_number}")
        for writer in (ours, with_pandas):
            figures[writer.__name__].append(timed_in_child(writer, view))

    def summary(name: str) -> tuple[float, float, float]:
        seconds = [s for s, _ in figures[name]]
        return min(seconds), statistics.median(seconds), max(mb for _, mb in figures[name])

    print(f"  {'writer':<12} {'best s':>8} {'median s':>9} {'extra MB':>9}")
    for name in figures:
        best, median, extra = summary(name)
        print(f"  {name:<12} {best:8.2f} {median:9.2f} {extra:9.0f}")
    speed_up = summary("with_pandas")[1] / summary("ours")[1]
    print(f"  speed-up pandas/ours (median): {speed_up:.2f}x (goal >= 2)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
