"""Where the project's own rendering assets live: the only files a PDF may load."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

TEMPLATE_DIR: Path = Path(str(resources.files("compliance.templates"))).resolve()
FONT_DIR: Path = TEMPLATE_DIR / "fonts"
