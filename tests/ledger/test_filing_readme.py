"""The README's Python example of filing runs as written, on a real ledger."""

from __future__ import annotations

import re
import runpy
from pathlib import Path

import pytest
from filing_documents import referral_document, write

README = Path(__file__).resolve().parents[2] / "README.md"

# Each test renders referral packs through real filings: the CI run, not the quick loop.
pytestmark = pytest.mark.slow


def test_the_readme_python_example_files_a_referral(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    section = README.read_text(encoding="utf-8").split("## Filing as it happens", 1)[1]
    [example] = re.findall(r"```python\n(.*?)```", section.split("\n## ", 1)[0], re.S)
    document = referral_document(0)
    document["referral"]["referral_id"] = "R-0042"
    write(tmp_path / "R-0042.json", document)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("COMPLIANCE_PSEUDONYM_KEY", "readme-example-key-0123456789abcdef")
    script = tmp_path / "example.py"
    script.write_text(example, encoding="utf-8")
    runpy.run_path(str(script))
    printed = capsys.readouterr().out.splitlines()
    assert re.fullmatch(r"R-[0-9A-Z]{26} [0-9a-f]{64}", printed[0]), printed
    assert (tmp_path / "packs" / "R-0042.pdf").is_file()
    assert (tmp_path / "ledger.db").is_file()
