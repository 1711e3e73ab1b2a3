"""Rewrite the README's rule catalogue and receipt reasons from their registries (a test fails
until this is run)."""

import re
from pathlib import Path

from compliance.catalogue import catalogue_markdown, metrics_markdown, reasons_markdown

README = Path(__file__).resolve().parent.parent / "README.md"
SECTIONS = {
    "catalogue": catalogue_markdown,
    "reasons": reasons_markdown,
    "metrics": metrics_markdown,
}
"""Marker name (``<!-- NAME:start -->`` ... ``<!-- NAME:end -->``) -> the table it holds."""

text = README.read_text(encoding="utf-8")
updated = text
for name, table in SECTIONS.items():
    updated, found = re.subn(
        rf"(<!-- {name}:start -->\n).*?(\n<!-- {name}:end -->)",
        lambda match, table=table: match.group(1) + table() + match.group(2),
        updated,
        flags=re.S,
    )
    if not found:
        raise SystemExit(f"README.md has no <!-- {name}:start --> ... <!-- {name}:end --> section")
README.write_text(updated, encoding="utf-8")
print("README catalogues", "updated" if updated != text else "already current")
