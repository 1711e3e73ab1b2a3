"""The installed command as a user runs it: a real process, its output and its exit status.

``main`` ends the process without the interpreter's teardown (see ``cli.main``); these tests
show that nothing written before is lost and every exit status survives it.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from returns_fixture import broken_submission, submission_bytes

COMMAND = [sys.executable, "-m", "compliance"]


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*COMMAND, *args], capture_output=True, text=True, timeout=120, check=False
    )


def test_a_long_json_report_reaches_the_pipe_whole(tmp_path: Path) -> None:
    files = []
    for number in range(40):
        path = tmp_path / f"s{number}.json"
        path.write_bytes(submission_bytes(broken_submission(f"S-{number}")))
        files.append(str(path))
    result = run("validate", *files, "--format", "json")
    assert result.returncode == 1  # referred_at without referred_to: not filing-ready
    reports = json.loads(result.stdout)
    assert len(reports) == 40 and all(report["issues"] for report in reports)


def test_exit_statuses_survive(tmp_path: Path) -> None:
    assert run("rules").returncode == 0
    missing = run("validate", str(tmp_path / "missing.json"))
    assert missing.returncode == 2 and "no such file" in missing.stderr
    unknown = run("no-such-command")
    assert unknown.returncode == 2 and "No such command" in unknown.stderr
    assert run("--version").stdout.startswith("compliance, version")
