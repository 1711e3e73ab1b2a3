"""The rule catalogue is one set: the spec's, the registry's and the README's."""

import json
import re
from pathlib import Path

from click.testing import CliRunner

from compliance.catalogue import catalogue_markdown, catalogue_text
from compliance.cli import cli
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
