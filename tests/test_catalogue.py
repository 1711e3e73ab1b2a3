"""The rule catalogue is one set: the spec's, the registry's and the README's. So is the
catalogue of receipt reasons: the registry's, the README's and the codes the receiver uses."""

import ast
import json
import re
from pathlib import Path

from click.testing import CliRunner

from compliance.catalogue import catalogue_markdown, catalogue_text, reasons_markdown
from compliance.cli import cli
from compliance.regulator import reason_codes
from compliance.regulator.reason_codes import REASON_CODES, ReasonCode
from compliance.rules import CHECKS, RULES

ROOT = Path(__file__).resolve().parent.parent
SPEC_CATALOGUE = json.loads((ROOT / "tests/data/dtr1_catalogue.json").read_text())


def test_registry_matches_the_spec_codes_and_severities() -> None:
    spec = {entry["code"]: entry["severity"] for entry in SPEC_CATALOGUE}
    registry = {code: rule.severity.value for code, rule in RULES.items()}
    assert registry == spec


def test_registry_is_in_catalogue_order() -> None:
    assert list(RULES) == [entry["code"] for entry in SPEC_CATALOGUE]


def test_every_business_rule_has_a_check() -> None:
    checked = {check.rule.code for check in CHECKS}
    business = {code for code in RULES if not code.startswith("DTR-S")}
    assert checked == business


def test_readme_catalogue_is_generated_from_the_registry() -> None:
    readme = (ROOT / "README.md").read_text()
    match = re.search(r"<!-- catalogue:start -->\n(.*?)\n<!-- catalogue:end -->", readme, re.S)
    assert match, "README has no catalogue section"
    assert match.group(1).strip() == catalogue_markdown().strip()
    readme_codes = re.findall(r"^\| (DTR-[A-Z]\d{3}) \|", match.group(1), re.M)
    assert readme_codes == list(RULES)


def test_rules_command_prints_the_registry_as_json() -> None:
    result = CliRunner().invoke(cli, ["rules", "--format", "json"])
    assert result.exit_code == 0
    printed = json.loads(result.output)
    assert [rule["code"] for rule in printed] == list(RULES)
    assert all(rule["title"] and rule["reference"] for rule in printed)


def test_catalogue_titles_follow_the_rule_set() -> None:
    from datetime import timedelta

    from compliance.codes import Category
    from compliance.config import RuleConfig

    config = RuleConfig(
        slow_suspicion=timedelta(days=14),
        preservation_days=365,
        duty_removals=5,
        duty_window=timedelta(days=30),
        narrative_min_chars=120,
        never_routine=frozenset({Category.THREAT}),
        always_referred=frozenset({Category.THREAT, Category.FINANCING}),
    )
    text = catalogue_text(config)
    titles = {line.split()[0]: line for line in text.splitlines()}
    assert "More than 14 days from detected_at" in titles["DTR-T008"]
    assert "earlier than 365 days" in titles["DTR-P002"]
    assert "5 or more removals within 30 days" in titles["DTR-D001"]
    assert "shorter than 120 characters" in titles["DTR-N001"]
    assert "Category threat with priority routine" in titles["DTR-C001"]
    assert "in category threat or financing with" in titles["DTR-D002"]
    for number in ("183", "90 days", "200 char", "30 days from"):
        assert number not in text, number
    default = catalogue_text()
    assert "183 days" in default and "3 or more removals within 90 days" in default


# ----------------------------------------------------------------------------- receipt reasons


def test_readme_receipt_reasons_are_generated_from_the_registry() -> None:
    readme = (ROOT / "README.md").read_text()
    match = re.search(r"<!-- reasons:start -->\n(.*?)\n<!-- reasons:end -->", readme, re.S)
    assert match, "README has no receipt reasons section"
    assert match.group(1).strip() == reasons_markdown().strip()
    readme_codes = re.findall(r"^\| (RCV-[A-Z]\d{3}) \|", match.group(1), re.M)
    assert readme_codes == list(REASON_CODES)


def test_reason_codes_are_in_family_order_and_fully_described() -> None:
    families = "USCMPDL"  # the order in which a return is checked
    assert list(REASON_CODES) == sorted(
        REASON_CODES, key=lambda code: (families.index(code[4]), code)
    )
    for code, entry in REASON_CODES.items():
        assert entry.code == code and entry.title and entry.reference.startswith("DTR-1 §")


def _codes_named_in(path: Path) -> set[str]:
    """The registered codes a module names: ``reason_codes.NAME``, or NAME imported from it."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
            if node.value.id == "reason_codes":
                names.add(node.attr)
        elif isinstance(node, ast.ImportFrom) and node.module == reason_codes.__name__:
            names.update(alias.name for alias in node.names)
    codes = set()
    for name in names:
        value = getattr(reason_codes, name)  # an unknown name fails here: not registered
        if isinstance(value, ReasonCode):
            codes.add(value.code)
    return codes


def test_every_reason_code_is_used_and_every_code_used_is_registered() -> None:
    registry = Path(reason_codes.__file__)
    used: set[str] = set()
    literals: set[str] = set()
    for path in sorted((ROOT / "compliance").rglob("*.py")):
        if path == registry:
            continue
        used |= _codes_named_in(path)
        literals.update(re.findall(r"RCV-[A-Z]\d{3}", path.read_text(encoding="utf-8")))
    assert used == set(REASON_CODES), "registered but never used, or the other way round"
    # A code is always named through its registry entry, never retyped as text.
    assert literals == set()


def test_readme_metric_table_is_generated_from_the_metric_table() -> None:
    from compliance.catalogue import metrics_markdown
    from compliance.metrics import METRICS

    readme = (ROOT / "README.md").read_text()
    match = re.search(r"<!-- metrics:start -->\n(.*?)\n<!-- metrics:end -->", readme, re.S)
    assert match, "README has no metrics section"
    assert match.group(1).strip() == metrics_markdown().strip()
    names = re.findall(r"^\| `([a-z_]+)` \|", match.group(1), re.M)
    assert names == [metric.name for metric in METRICS]
