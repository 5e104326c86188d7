"""``consentry crawlers``: install a crawler list from ai.robots.txt's shape or ours."""

from __future__ import annotations

import json
from pathlib import Path

from consentry.cli import app
from tests.cli.conftest import runner

AI_ROBOTS = {
    "GPTBot": {"operator": "[OpenAI](https://openai.com)", "respect": "Yes",
               "function": "Scrapes data to train OpenAI's products."},
    "NewSearchBot": {"operator": "Example Search", "respect": "Yes",
                     "function": "Search engine indexing."},
    "AskBot": {"operator": "Example AI", "respect": "No",
               "function": "Fetches pages when a user asks the assistant."},
    "Odd Bot 2.0": {"operator": "Nobody", "respect": "Unclear", "function": "?"},
}


def test_update_installs_a_robots_json_and_reports_what_changed(
        cli_env: dict[str, str], tmp_path: Path) -> None:
    source = tmp_path / "robots.json"
    source.write_text(json.dumps(AI_ROBOTS))
    result = runner.invoke(app, ["crawlers", "update", str(source), "--date", "2026-11-01"])
    assert result.exit_code == 0, result.output
    said = " ".join(result.output.split())
    assert "installed 3 crawlers" in said and "2 added, 20 removed, 1 changed" in said
    assert "skipped 'Odd Bot 2.0': not an RFC 9309 product token" in said
    listed = json.loads(runner.invoke(app, ["crawlers", "list", "--json"]).output)
    assert listed["date"] == "2026-11-01"
    kinds = {c["token"]: (c["operator"], c["purpose"], c["respects_robots"], c["judged_as"])
             for c in listed["crawlers"]}
    assert kinds == {
        "GPTBot": ("OpenAI", "training", True, "third-party-training:openai"),
        "NewSearchBot": ("Example Search", "search", True, "web-search"),
        "AskBot": ("Example AI", "user", False, "ai-input"),
        # the web search engines are built in, whatever list is installed
        "Googlebot": ("Google", "search", True, "web-search"),
        "Bingbot": ("Microsoft", "search", True, "web-search")}
    # our own shape round-trips
    installed = Path(cli_env["CONSENTRY_DATA_DIR"]) / "crawlers.json"
    again = runner.invoke(app, ["crawlers", "update", str(installed)])
    assert "0 added, 0 removed, 0 changed" in " ".join(again.output.split())


def test_a_broken_file_changes_nothing(cli_env: dict[str, str], tmp_path: Path) -> None:
    broken = tmp_path / "robots.json"
    broken.write_text("{not json")
    result = runner.invoke(app, ["crawlers", "update", str(broken)])
    assert result.exit_code == 1
    assert "not JSON" in str(result.exception)
    assert not (Path(cli_env["CONSENTRY_DATA_DIR"]) / "crawlers.json").exists()
    listed = json.loads(runner.invoke(app, ["crawlers", "list", "--json"]).output)
    # the bundled list is still in use, with the two built-in web search engines
    assert len(listed["crawlers"]) == 21 + 2
