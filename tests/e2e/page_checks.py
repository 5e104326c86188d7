"""What every page of a browser journey must pass: a full-page screenshot kept as a test
artefact, axe-core's accessibility rules (no serious or critical violation), and on a phone
a layout that hides nothing and never scrolls sideways."""

from __future__ import annotations

from pathlib import Path

from playwright.sync_api import Page

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts" / "journeys"
# Installed by scripts/install-system-deps.sh (npm ci in tests/browser, pinned in its lock file).
AXE = ROOT / "tests" / "browser" / "node_modules" / "axe-core" / "axe.min.js"
PHONE_WIDTH = 640  # below this the style sheet's phone layout applies (40rem)

_AXE_VIOLATIONS = """async () => (await axe.run(document, {resultTypes: ["violations"]}))
    .violations.filter(v => v.impact === "serious" || v.impact === "critical")
    .map(v => ({id: v.id, impact: v.impact, help: v.help,
                targets: v.nodes.map(n => n.target.join(" "))}))"""

_HIDDEN_DESCRIPTIONS = """() => [...document.querySelectorAll(".description, .reason, th small")]
    .filter(e => !e.closest("details:not([open])") && e.getClientRects().length === 0)
    .map(e => e.textContent.trim().slice(0, 60))"""


def check_page(page: Page, name: str) -> None:
    """Screenshot ``page`` as ``name``, then fail on what a user could not read or reach."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)
    assert AXE.exists(), f"{AXE} is missing: run scripts/install-system-deps.sh"
    if not page.evaluate("() => typeof axe !== 'undefined'"):
        page.add_script_tag(path=str(AXE))
    violations = page.evaluate(_AXE_VIOLATIONS)
    assert not violations, f"{name}: " + "; ".join(
        f"{v['impact']} {v['id']} ({v['help']}) at {', '.join(v['targets'][:5])}"
        for v in violations
    )
    viewport = page.viewport_size
    assert viewport is not None
    if viewport["width"] < PHONE_WIDTH:
        check_phone_layout(page, name, viewport["width"], viewport["height"])


# A table whose header row is out of sight must name each cell's column itself.
_UNNAMED_CELLS = """() => [...document.querySelectorAll("table")]
    .filter(t => t.tHead && t.tHead.getBoundingClientRect().right <= 0)
    .flatMap(t => [...t.querySelectorAll("tbody td")])
    .filter(td => !td.dataset.label).map(td => td.textContent.trim().slice(0, 60))"""


def check_phone_layout(page: Page, name: str, width: int, height: int) -> None:
    scroll_width = page.evaluate("document.documentElement.scrollWidth")
    assert scroll_width <= width, f"{name}: the page scrolls sideways ({scroll_width} px)"
    hidden = page.evaluate(_HIDDEN_DESCRIPTIONS)
    assert not hidden, f"{name}: descriptions hidden on a phone: {hidden}"
    unnamed = page.evaluate(_UNNAMED_CELLS)
    assert not unnamed, f"{name}: cells whose column heading a phone hides: {unnamed}"
    banner = page.locator("#terms-banner")
    if banner.count():
        box = banner.bounding_box()
        assert box is not None and box["height"] < height / 3, (
            f"{name}: the terms banner takes {box and box['height']} px of a {height} px screen"
        )


def boxes_apart(page: Page, first: str, second: str, gap: float = 8) -> bool:
    """Whether two elements' boxes neither overlap nor touch (at least ``gap`` px apart)."""
    a, b = page.locator(first).bounding_box(), page.locator(second).bounding_box()
    assert a is not None and b is not None
    apart_x = a["x"] + a["width"] + gap <= b["x"] or b["x"] + b["width"] + gap <= a["x"]
    apart_y = a["y"] + a["height"] + gap <= b["y"] or b["y"] + b["height"] + gap <= a["y"]
    return apart_x or apart_y
