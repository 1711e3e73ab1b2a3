"""DTR-1 business rules, one module per family; importing this package registers them all."""

from compliance.rules import (  # noqa: F401  (imported for their registrations)
    attestation,
    attribution,
    categorisation,
    duty,
    integrity,
    narrative,
    preservation,
    structure,
    timeliness,
)
from compliance.rules.registry import CHECKS, RULES, Check, Finding, Rule, RuleContext

# The catalogue reads family by family, as the standard lists them, whatever the import order.
_FAMILY_ORDER = "SITCPANDR"
_ordered = sorted(RULES.items(), key=lambda item: (_FAMILY_ORDER.index(item[0][4]), item[0]))
RULES.clear()
RULES.update(_ordered)

__all__ = ["CHECKS", "RULES", "Check", "Finding", "Rule", "RuleContext"]
