"""docs/decisions.md has one section per rule, in the order the engine applies them."""

from __future__ import annotations

import re
from pathlib import Path

from consentry.consent import Rule

DOCS = Path(__file__).resolve().parents[1] / "docs" / "decisions.md"


def test_every_rule_has_a_section_in_precedence_order() -> None:
    headings = re.findall(r"^## (\S+)$", DOCS.read_text(), flags=re.MULTILINE)
    rule_headings = [h for h in headings if h in {r.value for r in Rule}]
    assert rule_headings == [r.value for r in Rule]
