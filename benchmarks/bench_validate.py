"""Time our full DTR-1 check against structure-only JSON Schema validation and bare parsing.

    .venv/bin/python benchmarks/bench_validate.py [--referrals 20000] [--seed 1] [--repeat 3]

Generates ``benchmarks/data/sub-<n>.json`` with ``benchmarks/synthetic.py`` if it is missing
(benchmarks/data/ is git-ignored), exports the JSON Schema with ``compliance schema``, then
times three things, each as a whole separate process (interpreter start and imports included),
``--repeat`` times each:

1. ours: ``python -m compliance validate FILE --format json > /dev/null`` (every rule);
2. jsonschema: ``Draft202012Validator(schema).iter_errors(json.load(FILE))``, every error
   consumed, no format checker (structure only: no business rule at all);
3. json.loads: reading the file's bytes and ``json.loads`` of them (the floor).

Wall time is measured around each child; peak RSS is that child's own ``ru_maxrss``, read with
``os.wait4`` so each measurement is separate. Prints best and median seconds, peak MB and the
ratios jsonschema/ours (goal >= 5) and ours/json.loads (goal <= 8). Asserts nothing.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "benchmarks" / "data"
SYNTHETIC = ROOT / "benchmarks" / "synthetic.py"

JSONSCHEMA_CHILD = """
import json, sys
from jsonschema import Draft202012Validator
with open(sys.argv[2], "rb") as f:
    schema = json.load(f)
with open(sys.argv[1], "rb") as f:
    document = json.load(f)
validator = Draft202012Validator(schema, format_checker=None)
errors = sum(1 for _ in validator.iter_errors(document))
print(errors)
"""

JSON_LOADS_CHILD = """
import json, sys
with open(sys.argv[1], "rb") as f:
    data = f.read()
document = json.loads(data)
print(type(document).__name__)
"""


@dataclass
class Measurement:
    name: str
    command: list[str]
    seconds: list[float] = field(default_factory=list)
    peak_kb: list[int] = field(default_factory=list)
    output: str = ""
    status: int = 0

    @property
    def best(self) -> float:
        return min(self.seconds)

    @property
    def median(self) -> float:
        return statistics.median(self.seconds)

    @property
    def peak_mb(self) -> float:
        return max(self.peak_kb) / 1024  # ru_maxrss is in kilobytes on Linux


def label(referrals: int) -> str:
    if referrals >= 1000 and referrals % 1000 == 0:
        return f"{referrals // 1000}k"
    return str(referrals)


def data_file(referrals: int, seed: int) -> Path:
    suffix = "" if seed == 1 else f"-seed{seed}"
    return DATA / f"sub-{label(referrals)}{suffix}.json"


def ensure_data(path: Path, referrals: int, seed: int) -> None:
    if path.exists():
        print(f"using {path.relative_to(ROOT)}")
        return
    print(f"generating {path.relative_to(ROOT)} ({referrals} referrals, seed {seed}) ...")
    subprocess.run(
        [sys.executable, str(SYNTHETIC), "--referrals", str(referrals), "--seed", str(seed),
         "--out", str(path)],
        check=True,
        cwd=ROOT,
    )  # fmt: skip


def export_schema(path: Path) -> None:
    """``compliance schema > path``; the library function if the command is unavailable."""
    result = subprocess.run(
        [sys.executable, "-m", "compliance", "schema"], cwd=ROOT, capture_output=True
    )
    if result.returncode == 0 and result.stdout.strip():
        text = result.stdout.decode("utf-8")
        json.loads(text)  # it must be JSON
    else:
        sys.path.insert(0, str(ROOT))
        from compliance.model import submission_json_schema

        text = json.dumps(submission_json_schema(), indent=2)
    path.write_text(text, encoding="utf-8")


def run_once(measurement: Measurement, *, stdout_to_null: bool) -> None:
    """One child process: wall time around it, and its own peak RSS via wait4."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        started = time.perf_counter()
        process = subprocess.Popen(
            measurement.command,
            cwd=ROOT,
            stdout=subprocess.DEVNULL if stdout_to_null else out,
            stderr=err,
        )
        _, status, usage = os.wait4(process.pid, 0)
        elapsed = time.perf_counter() - started
        process.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        output, error = out.read(), err.read()
    measurement.seconds.append(elapsed)
    measurement.peak_kb.append(usage.ru_maxrss)
    measurement.status = process.returncode
    measurement.output = output.decode("utf-8", "replace").strip()
    if process.returncode not in (0, 1):
        sys.stderr.write(error.decode("utf-8", "replace")[-2000:])
        raise SystemExit(f"{measurement.name} failed with exit status {process.returncode}")


def verify_ours(path: Path) -> str:
    """One untimed run of the checker to say what it found (the benchmark wants a clean file)."""
    result = subprocess.run(
        [sys.executable, "-m", "compliance", "validate", str(path), "--format", "json"],
        cwd=ROOT,
        capture_output=True,
    )
    try:
        entry = json.loads(result.stdout)[0]
    except (ValueError, IndexError, KeyError):
        return f"could not read the checker's output (exit {result.returncode})"
    counts = entry["counts"]
    return (
        f"filing_ready={entry['filing_ready']} fatal={counts['fatal']} "
        f"error={counts['error']} warning={counts['warning']}"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--referrals", type=int, default=20_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--repeat", type=int, default=3, help="runs of each measurement")
    parser.add_argument("--file", type=Path, help="benchmark this submission instead")
    parser.add_argument("--skip-jsonschema", action="store_true", help="it is the slow one")
    parser.add_argument("--no-verify", action="store_true", help="skip the untimed issue count")
    args = parser.parse_args(argv)
    sys.stdout.reconfigure(line_buffering=True)  # type: ignore[union-attr]

    DATA.mkdir(parents=True, exist_ok=True)
    path = args.file.resolve() if args.file else data_file(args.referrals, args.seed)
    if not args.file:
        ensure_data(path, args.referrals, args.seed)
    schema = DATA / "schema.json"
    export_schema(schema)

    python = sys.executable
    measurements = [
        Measurement(
            "ours (compliance validate)",
            [python, "-m", "compliance", "validate", str(path), "--format", "json"],
        ),
        Measurement(
            "jsonschema (structure only)",
            [python, "-c", JSONSCHEMA_CHILD, str(path), str(schema)],
        ),
        Measurement("json.loads", [python, "-c", JSON_LOADS_CHILD, str(path)]),
    ]
    if args.skip_jsonschema:
        measurements.pop(1)

    size = path.stat().st_size
    print(
        f"input: {path.name}, {size / 1e6:.1f} MB; Python {platform.python_version()}, "
        f"{os.cpu_count()} cores; {args.repeat} run(s) each, each a separate process"
    )
    if not args.no_verify:
        print(f"checker on this input: {verify_ours(path)}")
    for measurement in measurements:
        for _ in range(args.repeat):
            run_once(measurement, stdout_to_null=measurement.name.startswith("ours"))
        extra = ""
        if measurement.name.startswith("jsonschema"):
            extra = f" ({measurement.output} schema errors)"
        print(
            f"  {measurement.name}: " + ", ".join(f"{s:.2f}s" for s in measurement.seconds) + extra,
            flush=True,
        )

    print()
    print(f"{'measurement':<30} {'best s':>9} {'median s':>9} {'peak MB':>9} {'MB/s':>8}")
    for m in measurements:
        print(
            f"{m.name:<30} {m.best:>9.2f} {m.median:>9.2f} {m.peak_mb:>9.0f} "
            f"{size / 1e6 / m.best:>8.1f}"
        )
    by_name = {m.name.split()[0]: m for m in measurements}
    ours, loads = by_name["ours"], by_name["json.loads"]
    print()
    if "jsonschema" in by_name:
        js = by_name["jsonschema"]
        print(
            f"jsonschema / ours:  {js.best / ours.best:6.2f}x best, "
            f"{js.median / ours.median:6.2f}x median   (goal >= 5x)"
        )
    print(
        f"ours / json.loads:  {ours.best / loads.best:6.2f}x best, "
        f"{ours.median / loads.median:6.2f}x median   (goal <= 8x)"
    )
    print(f"peak memory, ours / json.loads: {ours.peak_mb / loads.peak_mb:.2f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
