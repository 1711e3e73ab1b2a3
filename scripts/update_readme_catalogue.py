"""Rewrite the README's rule catalogue from the registry (a test fails until this is run)."""

import re
from pathlib import Path

from compliance.catalogue import catalogue_markdown

README = Path(__file__).resolve().parent.parent / "README.md"
text = README.read_text(encoding="utf-8")
updated = re.sub(
    r"(<!-- catalogue:start -->\n).*?(\n<!-- catalogue:end -->)",
    lambda match: match.group(1) + catalogue_markdown() + match.group(2),
    text,
    flags=re.S,
)
README.write_text(updated, encoding="utf-8")
print("README catalogue", "updated" if updated != text else "already current")
