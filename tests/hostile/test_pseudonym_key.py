"""The pseudonym key stays its owner's: with it, anyone could test a guessed account id
against the account_ref in a regulator's return."""

from __future__ import annotations

import errno
import os
import re
import stat
import subprocess
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from returns_fixture import ready_submission, write_json

from compliance.pseudonyms import (
    KEY_ENV,
    KEY_FILE_ENV,
    WeakPseudonymKey,
    default_key_file,
    load_key,
)


def test_the_key_file_is_created_owner_only_and_then_reused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(KEY_ENV, raising=False)
    monkeypatch.delenv(KEY_FILE_ENV, raising=False)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    # Under umask 0 a mode left to chance would come out readable by everyone.
    previous = os.umask(0)
    try:
        key = load_key()
    finally:
        os.umask(previous)
    path = default_key_file()
    assert path.is_relative_to(tmp_path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    assert len(key) == 64 and load_key() == key


def _key_file_environment(monkeypatch: pytest.MonkeyPatch, path: Path) -> None:
    monkeypatch.delenv(KEY_ENV, raising=False)
    monkeypatch.setenv(KEY_FILE_ENV, str(path))


@pytest.mark.parametrize(
    "content",
    [b"", b"\n", b"   \t\n  ", b"short-key\n", b"a" * 64, b"ab" * 40, b"\n\n" + b"x" * 31],
    ids=["empty", "newline", "whitespace", "short", "one-character", "two-characters", "31"],
)
def test_a_weak_key_file_is_refused_naming_the_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, content: bytes
) -> None:
    path = tmp_path / "pseudonym.key"
    path.write_bytes(content)
    _key_file_environment(monkeypatch, path)
    with pytest.raises(WeakPseudonymKey, match=re.escape(str(path))):
        load_key()
    assert path.read_bytes() == content  # left for its owner to look at, never replaced


@pytest.mark.parametrize("value", [" ", "\t\n", "short", "k" * 40, "0123456" * 10])
def test_a_weak_key_in_the_environment_is_refused(
    monkeypatch: pytest.MonkeyPatch, value: str
) -> None:
    monkeypatch.setenv(KEY_ENV, value)
    with pytest.raises(WeakPseudonymKey, match=KEY_ENV):
        load_key()


def test_a_strong_key_is_used_as_it_is(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    strong = "strong-test-key-0123456789abcdef"
    monkeypatch.setenv(KEY_ENV, strong)
    assert load_key() == strong.encode()
    path = tmp_path / "pseudonym.key"
    path.write_bytes(b"  " + strong.encode() + b"\n")
    _key_file_environment(monkeypatch, path)
    assert load_key() == strong.encode()


@pytest.mark.parametrize("command", ["render", "batch"])
def test_a_weak_key_ends_render_and_batch_in_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, command: str
) -> None:
    path = tmp_path / "pseudonym.key"
    path.write_bytes(b"   \n")
    _key_file_environment(monkeypatch, path)
    source = tmp_path / "in"
    write_json(source / "a.json", ready_submission("KEY-2026-Q3"))
    out = tmp_path / "out"
    target = str(source / "a.json") if command == "render" else str(source)
    arguments = [command, target, "--out", str(out)]
    if command == "batch":
        arguments += ["--period", "2026-Q3", "--workers", "1"]
    finished = subprocess.run(
        [sys.executable, "-m", "compliance", *arguments],
        capture_output=True,
        text=True,
        env=dict(os.environ, **{KEY_FILE_ENV: str(path)}),
    )
    assert finished.returncode == 2, finished.stderr
    lines = finished.stderr.strip().splitlines()
    assert len(lines) == 1 and str(path) in lines[0] and "Traceback" not in finished.stderr
    assert not (out / "KEY-2026-Q3").exists()


def test_an_interrupted_key_creation_leaves_no_key_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "config" / "pseudonym.key"
    _key_file_environment(monkeypatch, path)
    real_fsync = os.fsync

    def full_disk(descriptor: int) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "fsync", full_disk)
    with pytest.raises(OSError):
        load_key()
    monkeypatch.setattr(os, "fsync", real_fsync)
    assert list(path.parent.iterdir()) == []  # neither the key nor its temporary file
    key = load_key()  # the next run makes a whole key
    assert len(key) == 64 and path.read_bytes() == key + b"\n"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
