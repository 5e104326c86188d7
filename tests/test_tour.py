"""The tour is a test (issue 23): docs/tour.md runs as written on a fresh directory, and the
README's five-minute tour is a part of it, block for block."""

from __future__ import annotations

import importlib.util
import re
import sys
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _load_runner() -> ModuleType:
    spec = importlib.util.spec_from_file_location("tour_runner", ROOT / "scripts" / "tour.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


tour = _load_runner()


def readme_tour() -> str:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    start = text.index("## A five-minute tour")
    end = text.find("\n## ", start + 1)
    return text[start : end if end != -1 else len(text)]


@pytest.mark.slow
def test_the_tour_runs_as_written() -> None:
    steps = tour.read_steps(tour.TOUR.read_text(encoding="utf-8"))
    results = tour.run(steps)
    differences = tour.differences(steps, results)
    assert differences == [], "the tour printed something else:\n\n" + "\n\n".join(differences)


def test_the_readme_tour_is_part_of_the_tested_one() -> None:
    shown = [m.group(0) for m in tour.FENCE.finditer(readme_tour())]
    tested = [m.group(0) for m in tour.FENCE.finditer(tour.TOUR.read_text(encoding="utf-8"))]
    assert shown, "the README's tour shows no console block"
    # the first blocks of the tested tour, in order: a reader who stops there ran them all
    assert shown == tested[: len(shown)]
    # and it shows no command outside those blocks that a reader would have to trust
    others = re.findall(r"^```\w*\n(.*?)^```$", tour.FENCE.sub("", readme_tour()), re.M | re.S)
    assert [b for b in others if re.search(r"^\$ |^consentry |^curl ", b, re.M)] == []


def test_the_tour_starts_with_the_path_and_runs_no_relative_venv() -> None:
    steps = tour.read_steps(tour.TOUR.read_text(encoding="utf-8"))
    assert steps[0].command == 'export PATH="$PWD/.venv/bin:$PATH"'
    assert not [s.command for s in steps if ".venv/bin/" in s.command][1:]
    assert not [s.command for s in steps if re.match(r"cd\b", s.command)]


def test_steps_and_masks() -> None:
    text = (
        "```console\n$ echo one \\\n  two\none two\n$ consentry demo\n"
        "  admin  cst_AYuq6oYaLzJTCqgNssvcNRAgClTaT3sO51C2Hy0XUa4\n```\n"
        "```json\n$ not run\n```\n"
    )
    first, second = tour.read_steps(text)
    assert (first.command, first.expected) == ("echo one \\\n  two", "one two")
    assert second.expected.endswith("cst_AYuq6oYaLzJTCqgNssvcNRAgClTaT3sO51C2Hy0XUa4")
    assert (
        tour.masked(
            "at 2026-11-23T08:54:14.061714Z, 2026-12-04 14:31 UTC, on 3 Jan 2027; "
            "cst_tJfDjTjhfrfhxQBCUYaTBn6VuGI0dI6wpiH4SFo8uPY sha256 e0daf9e5c76dc859; 0.3 s",
            approximate=False,
        )
        == "at <instant>, <instant> UTC, on <date>; cst_<secret> sha256 <hash>; <duration>"
    )
    assert tour.masked("2024-01 and 2026-12 stay", approximate=False) == (
        "2024-01 and 2026-12 stay"
    )
    assert tour.masked("0.47 13.5 track 5", approximate=True) == "<n> <n> track 5"


def test_a_difference_is_shown_as_a_diff() -> None:
    [step] = tour.read_steps("```console\n$ consentry decide x 1\nALLOW\n```\n")
    [diff] = tour.differences([step], [tour.Result("DENY", 1, 0.1)])
    assert "-ALLOW" in diff and "+DENY" in diff and "+[exit status 1]" in diff
