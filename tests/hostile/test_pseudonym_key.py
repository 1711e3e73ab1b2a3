"""The pseudonym key stays its owner's: with it, anyone could test a guessed account id
against the account_ref in a regulator's return."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from compliance.pseudonyms import KEY_ENV, KEY_FILE_ENV, default_key_file, load_key


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
