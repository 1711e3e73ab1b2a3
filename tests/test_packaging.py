"""A normal (non-editable) install ships every subpackage and the templates."""

import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_every_subpackage_is_listed_for_setuptools() -> None:
    setuptools = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]
    listed = set(setuptools["packages"])
    on_disk = {
        ".".join(path.parent.relative_to(ROOT).parts)
        for path in (ROOT / "compliance").rglob("*.py")
        if "__pycache__" not in path.parts
    }
    assert on_disk <= listed, f"add to [tool.setuptools] packages: {sorted(on_disk - listed)}"
    for package in on_disk:
        assert (ROOT / package.replace(".", "/") / "__init__.py").exists(), package
    assert setuptools["package-dir"]["compliance.templates"] == "templates"
    assert (ROOT / "templates" / "__init__.py").exists()
