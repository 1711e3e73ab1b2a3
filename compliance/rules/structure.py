"""Structural codes: found by the reader and by pydantic, registered here for the catalogue."""

from compliance.issues import Severity
from compliance.rules.registry import structural_code

structural_code(
    "DTR-S000",
    Severity.FATAL,
    "The input is not a readable DTR-1 document",
    "DTR-1 §2, §3 schema_version",
)
structural_code("DTR-S001", Severity.ERROR, "A required field is missing", "DTR-1 §2")
structural_code(
    "DTR-S002", Severity.ERROR, "A value has the wrong type or format", "DTR-1 §2, §3–4"
)
structural_code("DTR-S003", Severity.ERROR, "A field the schema does not define", "DTR-1 §2")
structural_code("DTR-S004", Severity.ERROR, "A value not in its code list", "DTR-1 §4.1–4.2")
structural_code("DTR-S005", Severity.ERROR, "A value out of its range or length", "DTR-1 §3–4")
