"""Coverage-guided fuzzing of the JSON reader and the checker with atheris (libFuzzer).

    python scripts/fuzz_checker.py -runs=200000          # or -max_total_time=600

Seeds are the conformance base and every case's document. Half of the mutations are
JSON-aware (replace, delete or duplicate one node with a hostile value), half are libFuzzer's
byte mutations. Any exception escaping ``check_bytes`` is a crash: it is saved under
``fuzz-crashes/`` and counted, and fuzzing goes on. At exit the script prints the inputs tried
and the crashes found, and exits 1 if there was any.
"""

from __future__ import annotations

import hashlib
import json
import random
import sys
import traceback
from pathlib import Path
from typing import Any

import atheris

with atheris.instrument_imports():
    from compliance.check import check_bytes

ROOT = Path(__file__).resolve().parent.parent
CASES = ROOT / "tests" / "conformance"
CRASH_DIR = Path("fuzz-crashes")
HOSTILE_VALUES: list[Any] = [
    None,
    True,
    0,
    -1,
    2**63,
    1.5,
    "",
    "x" * 300,
    "\u0000",
    "\u202e",
    "=1+1",
    "0001-01-01T00:00:00+01:00",
    "9999-12-31T23:59:59-01:00",
    "2026-08-14 10:00",
    "..",
    [],
    {},
    [[[]]],
    {"a": {"b": {}}},
    "2026-13-45T25:61:61Z",
    "::ffff:10.0.0.1",
    "ff02::1",
    "999.1.1.1",
    "9999-Q4",
    "0000-Q1",
]
statistics = {"inputs": 0, "crashes": 0}
REPORT_EVERY = 1000


def seeds() -> list[bytes]:
    base = json.loads((CASES / "base.json").read_text())
    documents = [base]
    for case in sorted((CASES / "cases").glob("*.json")):
        data = json.loads(case.read_text())
        if "document" in data:
            documents.append(data["document"])
    return [json.dumps(document, ensure_ascii=False).encode() for document in documents]


def _nodes(value: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [path]
    if isinstance(value, dict):
        for key, child in value.items():
            found += _nodes(child, (*path, key))
    elif isinstance(value, list):
        for index, child in enumerate(value):
            found += _nodes(child, (*path, index))
    return found


def _mutate_json(data: bytes, seed: int) -> bytes | None:
    try:
        document = json.loads(data)
    except (ValueError, RecursionError):
        return None
    chooser = random.Random(seed)
    path = chooser.choice(_nodes(document))
    if not path:
        return None
    parent = document
    for token in path[:-1]:
        parent = parent[token]
    last = path[-1]
    action = chooser.random()
    if action < 0.6:
        parent[last] = chooser.choice(HOSTILE_VALUES)
    elif action < 0.8:
        del parent[last]
    elif isinstance(parent, list):
        parent.append(parent[last])
    else:
        parent[f"{last}_extra"] = parent[last]
    return json.dumps(document, ensure_ascii=False).encode()


def custom_mutator(data: bytes, max_size: int, seed: int) -> bytes:
    if seed % 2 == 0:
        mutated = _mutate_json(data, seed)
        if mutated is not None and len(mutated) <= max_size:
            return mutated
    return atheris.Mutate(data, max_size)


def test_one_input(data: bytes) -> None:
    statistics["inputs"] += 1
    # libFuzzer ends the process without running Python's exit handlers: report as we go.
    if statistics["inputs"] % REPORT_EVERY == 0:
        report()
    try:
        check_bytes(data)
    except Exception:  # any escape is a crash; keep it and go on
        statistics["crashes"] += 1
        CRASH_DIR.mkdir(exist_ok=True)
        name = hashlib.sha256(data).hexdigest()[:16]
        (CRASH_DIR / f"crash-{name}.json").write_bytes(data)
        (CRASH_DIR / f"crash-{name}.txt").write_text(traceback.format_exc())
        print(f"fuzz: crash saved as {CRASH_DIR}/crash-{name}.json", flush=True)


def report() -> None:
    print(f"fuzz: inputs tried {statistics['inputs']}, crashes {statistics['crashes']}", flush=True)


def main() -> None:
    corpus = Path("fuzz-corpus")
    corpus.mkdir(exist_ok=True)
    for seed in seeds():
        (corpus / hashlib.sha256(seed).hexdigest()[:16]).write_bytes(seed)
    args = [*sys.argv, "-max_len=400000", "-rss_limit_mb=4096", str(corpus)]
    atheris.Setup(args, test_one_input, custom_mutator=custom_mutator)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
