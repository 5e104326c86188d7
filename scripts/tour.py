"""Run the tour in docs/tour.md as written and compare what each command prints.

The tour is Markdown whose ```console blocks hold commands (``$ ``, continued by a trailing
backslash) followed by what they print. Every command runs, in order, in one bash session in
a fresh directory (its own ``consentry-data``, no ``CONSENTRY_*`` from outside), so a tour
that passes here runs for a reader on a fresh clone. What changes from run to run is masked
on both sides before comparing: instants, dates, tokens, secrets, hashes, durations. The
documented ports (8000, 8025, 8026, 8123) are swapped for free ones on the way in and back
on the way out. A block whose info string says ``approximate`` also masks decimals (scores
of a fingerprint match, which move with the MP3 encoder). A command that exits non-zero
prints ``[exit status N]``, and the tour must show it.

    .venv/bin/python scripts/tour.py            # run docs/tour.md, print a diff, exit 1 on any
    .venv/bin/python scripts/tour.py --write    # then write what was printed back (README too)

tests/test_tour.py runs it in the test suite; it also holds the README's tour to this file.
"""

from __future__ import annotations

import argparse
import contextlib
import difflib
import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TOUR = ROOT / "docs" / "tour.md"
PORTS = (8000, 8025, 8026, 8123)
FENCE = re.compile(r"^```console(?P<options>[^\n]*)\n(?P<body>.*?)^```$", re.M | re.S)
START, END = "\x1etour-start", "\x1etour-end"

MASKS = (
    (re.compile(r"(/[^\s/]+)+/(?=(consentry|tour)-data\b)"), "<folder>/"),
    (
        re.compile(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})?"),
        "<instant>",
    ),
    (re.compile(r"\b\d{4}-\d{2}-\d{2}\b"), "<date>"),
    (re.compile(r"\b\d{1,2} (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{4}\b"), "<date>"),
    (re.compile(r"\b\d{1,2}:\d{2}(:\d{2})?\b"), "<time>"),
    (re.compile(r"\b(cst|whsec)_[A-Za-z0-9_-]{16,}"), r"\1_<secret>"),
    (re.compile(r"[A-Za-z0-9.]+/log\+[0-9a-f]{8}\+[A-Za-z0-9+/=]+…?"), "<log key>"),
    (re.compile(r"\b[0-9a-f]{12,}\b"), "<hash>"),
    (re.compile(r"\b\d+(\.\d+)? ?(ms|s)\b"), "<duration>"),
)
DECIMAL = re.compile(r"-?\b\d+\.\d+\b")


@dataclass(frozen=True)
class Step:
    command: str
    expected: str
    approximate: bool
    line: int  # where the command is in the tour, for the diff's heading


@dataclass(frozen=True)
class Result:
    output: str
    status: int
    seconds: float


def read_steps(text: str) -> list[Step]:
    steps: list[Step] = []
    for block in FENCE.finditer(text):
        approximate = "approximate" in block["options"]
        first_line = text[: block.start("body")].count("\n") + 1
        lines = block["body"].splitlines()
        index = 0
        while index < len(lines):
            if not lines[index].startswith("$ "):
                raise ValueError(f"tour line {first_line + index}: output before any command")
            line_no = first_line + index
            command = [lines[index][2:]]
            while command[-1].endswith("\\") and index + 1 < len(lines):
                index += 1
                command.append(lines[index])
            index += 1
            output = []
            while index < len(lines) and not lines[index].startswith("$ "):
                output.append(lines[index])
                index += 1
            steps.append(Step("\n".join(command), "\n".join(output), approximate, line_no))
    return steps


def free_ports(count: int) -> list[int]:
    sockets = [socket.socket() for _ in range(count)]
    for s in sockets:
        s.bind(("127.0.0.1", 0))
    ports = [s.getsockname()[1] for s in sockets]
    for s in sockets:
        s.close()
    return ports


def _swap(text: str, ports: dict[int, int]) -> str:
    for documented, real in ports.items():
        text = re.sub(rf"(?<![\d.]){documented}(?!\d)", str(real), text)
    return text


def _wait_for(ports: list[int]) -> str:
    """Bash that waits (up to 30 s) until each port answers: a background server is ready."""
    return "".join(
        f"for _ in $(seq 300); do (: > /dev/tcp/127.0.0.1/{p}) 2>/dev/null && break; "
        f"sleep 0.1; done\n"
        for p in ports
    )


def script(steps: list[Step], ports: dict[int, int]) -> str:
    parts = []
    for number, step in enumerate(steps):
        command = _swap(step.command, ports)
        parts.append(f"printf '\\n{START} {number} %s\\n' \"$(date +%s%N)\"\n{command}\n")
        parts.append(f"_rc=$?; printf '\\n{END} {number} %s %s\\n' $_rc \"$(date +%s%N)\"\n")
        if command.rstrip().endswith("&"):
            started = [real for real in ports.values() if str(real) in command]
            parts.append(_wait_for(started))
    return "".join(parts)


def environment(repo: Path) -> dict[str, str]:
    """Nothing of the caller's consentry settings; this checkout's code on the path."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("CONSENTRY_") and k not in ("VIRTUAL_ENV", "PYTHONHOME")
    }
    env.update(
        PYTHONPATH=str(repo / "src"),
        PYTHONUNBUFFERED="1",
        PYTHONIOENCODING="utf-8",
        TERM="dumb",
        NO_COLOR="1",
    )
    env.pop("COLUMNS", None)
    return env


def run(steps: list[Step], repo: Path = ROOT, timeout: float = 900) -> list[Result]:
    """Each step's output (ports put back) and exit status, run in a fresh directory."""
    ports = dict(zip(PORTS, free_ports(len(PORTS)), strict=True))
    with tempfile.TemporaryDirectory(prefix="consentry-tour-") as folder:
        os.symlink(repo / ".venv", Path(folder) / ".venv")
        process = subprocess.Popen(
            ["bash", "--noprofile", "--norc"],
            cwd=folder,
            env=environment(repo),
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            encoding="utf-8",
            errors="replace",
            start_new_session=True,
        )
        try:
            printed, _ = process.communicate("exec 2>&1\n" + script(steps, ports), timeout=timeout)
        finally:  # the tour's background servers are in the session bash started
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGTERM)
            process.wait()
    back = {real: documented for documented, real in ports.items()}
    printed = _swap(printed, back)
    results: list[Result] = []
    for number in range(len(steps)):
        pattern = re.compile(
            rf"{START} {number} (?P<t0>\d+)\n(?P<out>.*?)\n?"
            rf"{END} {number} (?P<rc>\d+) (?P<t1>\d+)\n",
            re.S,
        )
        found = pattern.search(printed)
        if found is None:
            results.append(
                Result(f"[the tour stopped before this command]\n{printed[-2000:]}", -1, 0.0)
            )
            break
        results.append(
            Result(
                found["out"].strip("\n"),
                int(found["rc"]),
                (int(found["t1"]) - int(found["t0"])) / 1e9,
            )
        )
    return results


def shown(result: Result) -> str:
    return result.output + (f"\n[exit status {result.status}]" if result.status else "")


def masked(text: str, approximate: bool) -> str:
    for pattern, replacement in MASKS:
        text = pattern.sub(replacement, text)
    if approximate:
        text = DECIMAL.sub("<n>", text)
    return "\n".join(line.rstrip() for line in text.strip("\n").splitlines())


def differences(steps: list[Step], results: list[Result]) -> list[str]:
    """One unified diff per command whose masked output differs from the tour's."""
    diffs = []
    for step, result in zip(steps, results, strict=False):
        want = masked(step.expected, step.approximate)
        got = masked(shown(result), step.approximate)
        if want != got:
            diffs.append(
                f"tour line {step.line}: $ {step.command}\n"
                + "\n".join(
                    difflib.unified_diff(
                        want.splitlines(), got.splitlines(), "tour", "printed", lineterm=""
                    )
                )
            )
    if len(results) < len(steps):
        diffs.append(f"tour line {steps[len(results)].line}: never ran")
    return diffs


def rewrite(text: str, results: list[Result]) -> str:
    """The tour with each command's output replaced by what it printed."""
    outputs = iter(results)

    def block(match: re.Match[str]) -> str:
        lines = []
        for step in read_steps(match.group(0)):
            result = next(outputs, Result("", 0, 0.0))
            lines.append("$ " + step.command)
            if shown(result):
                lines.append(shown(result))
        return f"```console{match['options']}\n" + "\n".join(lines) + "\n```"

    return FENCE.sub(block, text)


def sync_readme(readme: str, tour: str) -> str:
    """The README with each console block replaced by the tour's block of the same commands."""
    by_commands = {
        tuple(s.command for s in read_steps(m.group(0))): m.group(0) for m in FENCE.finditer(tour)
    }
    return FENCE.sub(
        lambda m: by_commands.get(tuple(s.command for s in read_steps(m.group(0))), m.group(0)),
        readme,
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("tour", nargs="?", type=Path, default=TOUR)
    parser.add_argument("--write", action="store_true", help="write the outputs back")
    args = parser.parse_args()
    text = args.tour.read_text(encoding="utf-8")
    steps = read_steps(text)
    results = run(steps)
    diffs = differences(steps, results)
    print("\n\n".join(diffs) if diffs else f"the tour ran as written: {len(steps)} commands")
    slowest = sorted(zip(results, steps, strict=False), key=lambda rs: -rs[0].seconds)[:5]
    print("slowest: " + "; ".join(f"{r.seconds:.1f} s line {s.line}" for r, s in slowest))
    if args.write:
        written = rewrite(text, results)
        args.tour.write_text(written, encoding="utf-8")
        readme = ROOT / "README.md"
        readme.write_text(
            sync_readme(readme.read_text(encoding="utf-8"), written), encoding="utf-8"
        )
        print(f"wrote what was printed to {args.tour} and the README's copies of its blocks")
    return 1 if diffs else 0


if __name__ == "__main__":
    sys.exit(main())
