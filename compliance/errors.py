"""The one base of every exception the library raises on purpose.

Each module keeps its own exception (:class:`compliance.check.InputError`,
:class:`compliance.xlsx.package.RefusedPackage`, ...), because callers tell them apart:
a file that cannot be opened is a usage error, a refused package is a receipt's reason. They
all derive from :class:`ComplianceError`, so that a caller who only needs "the library said
no" (an embedding application, a last-resort handler) catches one class and still lets a bug,
which is any other exception, surface as one.

Classes that code elsewhere catches by a built-in base keep it beside this one:
``BadCell`` is still a ``ValueError`` and ``FetchRefused`` still a ``PermissionError``.

This module imports nothing, so that any module may import it without a cycle.
"""

from __future__ import annotations


class ComplianceError(Exception):
    """Something the library refuses or cannot do, said in a sentence (``str(error)``)."""
