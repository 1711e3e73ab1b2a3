"""Every exception the library defines is a ComplianceError, so one clause can catch them all."""

from __future__ import annotations

import importlib
import inspect
import pkgutil

import compliance
from compliance.errors import ComplianceError
from compliance.exit_status import UsageError

# click's own exception for the command line: it belongs to click's hierarchy, which maps it to
# exit status 2, and a handler catching ComplianceError must not swallow it.
OUTSIDE = {UsageError}


def _exceptions_defined_in_the_package() -> dict[str, type[BaseException]]:
    found: dict[str, type[BaseException]] = {}
    for module_info in pkgutil.walk_packages(compliance.__path__, "compliance."):
        if module_info.name.endswith("__main__"):
            continue  # importing it runs the command line
        module = importlib.import_module(module_info.name)
        for name, value in vars(module).items():
            if (
                inspect.isclass(value)
                and issubclass(value, BaseException)
                and value.__module__ == module.__name__
            ):
                found[f"{module.__name__}.{name}"] = value
    return found


def test_every_exception_of_the_package_derives_from_compliance_error() -> None:
    found = _exceptions_defined_in_the_package()
    assert len(found) >= 12  # the walk found the package's exceptions at all
    outside_the_hierarchy = sorted(
        name
        for name, kind in found.items()
        if kind not in OUTSIDE and not issubclass(kind, ComplianceError)
    )
    assert outside_the_hierarchy == []


def test_built_in_bases_are_kept_where_code_catches_them() -> None:
    from compliance.intake.template import IntakeWriteError
    from compliance.regulator.layout import BadCell
    from compliance.render.fetcher import FetchRefused
    from compliance.xlsx.cells import XlsxLimitError

    assert issubclass(FetchRefused, PermissionError)
    for kind in (BadCell, XlsxLimitError, IntakeWriteError):
        assert issubclass(kind, ValueError), kind
