"""Count the questions a chair answers to record a conference, against the targets of issue 14.

    python benchmarks/prompts.py        # about half a minute; needs pexpect (pip install -e '.[test]')

Each scenario drives the installed `cpctl` in a pseudo-terminal, as a chair at a keyboard would, on a fresh store
holding the demo's Testwood family (`cpctl.demo.testwoods.build`). Every expected question is matched by its
text before it is answered, so a question the script does not expect fails the run rather than being counted
wrong. The figures are prompts answered, never time. It prints a table with PASS or FAIL for each target, as
`run.py` does, and exits with 1 if any target fails.

- `conference`: the reference conference: an initial conference for Jamie and Mia, with the outline plan of the
  example file (`cpctl conference template`) for Jamie and the same plan for Mia.
- `correction`: the same, then one answer (the start time) corrected from the summary before saving; the figure
  is the questions it added.
- `core group`: `cpctl core-group record` on the store `cpctl demo` builds: the meeting for Jamie held today,
  everyone there, one action's progress given with a note, the parents' views in one line, and one action changed
  (the date its outcome is due).

A scenario is a function that takes a `Bench` and returns its `Result`s; add one to `SCENARIOS` and
`print_results` shows it with the rest.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

ENTER, DOWN, SPACE, CLEAR = "\r", "\x1b[B", " ", "\x15"  # Ctrl-U clears the line a default is on
CONFERENCE_TARGET = 60
CORRECTION_TARGET = 3
CORE_GROUP_TARGET = 15
SAVE_PROMPT = "Enter saves"


@dataclass
class Result:
    target: str
    prompts: int | None
    limit: int
    note: str = ""

    @property
    def verdict(self) -> str:
        return "PASS" if self.prompts is not None and self.prompts <= self.limit else "FAIL"


@dataclass
class Bench:
    """Where the scenarios run: the installed cpctl, a folder of their own, and the environment they share."""

    cpctl: str
    folder: Path
    env: dict[str, str] = field(default_factory=dict)

    def family_store(self, name: str) -> Path:
        """A new store holding the Testwood family and nothing else, made as `cpctl demo` makes it."""
        path = self.folder / f"{name}.db"
        code = (
            "import sys; from cpctl.store.database import Store; from cpctl.paths import sqlite_url; "
            "from cpctl.demo import testwoods; s = Store(sqlite_url(sys.argv[1])); testwoods.build(s); s.dispose()"
        )
        python = Path(self.cpctl).with_name("python")
        subprocess.run([str(python), "-c", code, str(path)], env=self.env, check=True)
        return path

    def cpctl_json(self, db: Path, *args: str) -> object:
        done = subprocess.run(
            [self.cpctl, "--db", str(db), *args, "--json"], env=self.env, capture_output=True, text=True, check=True
        )
        return json.loads(done.stdout)


class Unexpected(Exception):
    """The wizard asked something the script did not expect (or stopped)."""


class Session:
    """`cpctl ARGS` in a pseudo-terminal; `answer` waits for a question by its text and answers it."""

    def __init__(self, bench: Bench, args: list[str]) -> None:
        import pexpect

        self.pexpect = pexpect
        self.child = pexpect.spawn(bench.cpctl, args, env=bench.env, timeout=30, encoding="utf-8", dimensions=(60, 200))
        self.prompts = 0

    def wait(self, text: str) -> str:
        """Wait for `text`; return what was printed before it."""
        try:
            self.child.expect_exact(text)
        except (self.pexpect.TIMEOUT, self.pexpect.EOF):
            shown = (self.child.before or "")[-600:]
            raise Unexpected(f"waiting for {text!r}; the terminal showed: {shown!r}") from None
        return str(self.child.before)

    def answer(self, prompt: str, keys: str) -> str:
        before = self.wait(prompt)
        self.child.send(keys)
        self.prompts += 1
        return before

    def finish(self, text: str) -> int:
        self.wait(text)
        self.child.expect(self.pexpect.EOF)
        self.child.close()
        return int(self.child.exitstatus or 0)


def lines(*texts: str) -> str:
    """Keys for a list question: one line each, then a blank line to finish."""
    return "".join(text + ENTER for text in texts) + ENTER


def ticks(*indices: int) -> str:
    """Keys that toggle the entries at these positions (counting from 0) of a list of ticks, and go on."""
    keys, at = "", 0
    for index in sorted(indices):
        keys += DOWN * (index - at) + SPACE
        at = index
    return keys + ENTER


def uk(day: date) -> str:
    return f"{day:%d/%m/%Y}"


def reference_conference(today: date) -> list[tuple[str, str]]:
    """The questions of the reference conference, in order, each with the keys that answer it.

    People in the lists (the chair, Alex Morgan, is not): 0 Chris Testwood, 1 Sam Testwood, then by name
    2 Grace Oduya, 3 Hannah Pike, 4 Jordan Ashby, 5 Ola Brennan, 6 Tom Hale.
    """
    day = lambda days: uk(today + timedelta(days=days))  # noqa: E731
    steps = [
        ("Which kind of conference?", ENTER),  # initial
        ("Date held", ENTER),  # today
        ("Start time", "10:00" + ENTER),
        ("Where was it held?", "Northshire Civic Centre, Room 2" + ENTER),
        ("Date of the strategy discussion", day(-21) + ENTER),
        ("Which children?", ENTER),  # Jamie and Mia, ticked as brother and sister
        ("Date the section 47 enquiry started", ENTER),  # England: prefilled with the strategy discussion's day
        ("Who attended?", ticks(2, 4, 5)),  # the parents are ticked; Grace, Jordan, Ola
        ("Anyone else who sent apologies", ticks(1)),  # Tom
        ("Tom Hale:", DOWN + ENTER),  # sent a report
        # Jamie
        ("Decision:", ENTER),  # a plan starts
        ("Category of harm:", ENTER),  # neglect
        (
            "Evidence of significant harm:",
            lines(
                "Jamie has often come to school hungry and without a coat since September.",
                "The home was found without heating or food on two visits in October.",
                "Information from a neighbour about late-night visitors.",
            ),
        ),
        ("wishes and feelings:", lines('Jamie said he likes school and wants his mum to "not be so tired".')),
        ("How did Jamie Testwood take part", DOWN * 5 + ENTER),  # PN6: views given another way
        ("The parents' views:", lines("Sam agrees that things have been hard and wants help with money.")),
        (
            "Did anyone disagree",
            lines("Chris Testwood (father): Does not agree that the children have been neglected."),
        ),
        ("Core group for Jamie", ENTER),  # the parents, Jordan, and those who attended or sent a report
        ("What are we worried about:", lines("Jamie and Mia may go hungry and cold if the home stays as it is.")),
        (
            "What is working well:",
            lines("Sam and Chris love the children.", "Jamie goes to school every day."),
        ),
        ("Immediate action to keep the child safe:", lines("Food bank referral and emergency heating grant.")),
        ("Objectives: the child's developmental needs:", lines("Jamie's weight and dental care are checked.")),
        ("Objectives: parenting capacity:", lines("A daily routine of meals, school and bedtimes.")),
        ("Objectives: family and environmental factors:", lines("The home is warm, with food in it.")),
        (
            "Actions and services: what will be done?",
            lines("Parenting course (Positive Routines)", "Money and debt advice"),
        ),
        ("Why (the need it meets)?", "To help Sam and Chris set routines." + ENTER),
        ("Who is responsible?", "Sam Testwood" + ENTER),
        ("Starting (date", day(7) + ENTER),
        ("How often (e.g. weekly)?", "weekly" + ENTER),
        ("For how long", "10 weeks" + ENTER),
        ("Planned outcome", "A daily routine the school can see working." + ENTER),
        ("Outcome due by", day(77) + ENTER),
        ("measure of success", "Jamie arrives fed and on time 9 days in 10." + ENTER),
        ("Why (the need it meets)?", "Arrears are leaving the home without heating." + ENTER),
        ("Who is responsible?", "Northshire Citizens Advice (synthetic)" + ENTER),
        ("Starting (date", day(4) + ENTER),
        ("How often (e.g. weekly)?", "fortnightly" + ENTER),
        ("For how long", "3 months" + ENTER),
        ("Planned outcome", "A budget the family can keep, and the heating back on." + ENTER),
        ("Outcome due by", day(60) + ENTER),
        ("measure of success", "Heating on at every visit." + ENTER),
        ("Who will see Jamie", ENTER),  # Jordan, the lead social worker, is ticked
        ("How often will Jordan Ashby see", "every 10 working days" + ENTER),
        ("Where (e.g. at home", "at home and at school" + ENTER),
        ("Are the parents present?", ENTER),  # sometimes
        ("Contingency:", lines("If the home is again without heating or food, a review is brought forward.")),
        ("What must change before the plan can end:", lines("The children are fed and warm for three months.")),
        ("Safety scale", "4" + ENTER),
        ("not for the family's copy?", ticks(2)),  # the neighbour's information
        # Mia: the same decision, lead worker and plan; her own evidence, views, dissent and core group
        ("What is the same for Mia", ticks(1, 2)),  # untick the dissent and the core group
        ("Evidence of significant harm:", lines("Mia has missed two health visitor appointments.")),
        ("wishes and feelings:", lines("Mia is too young to say; she played happily with Jamie.")),
        ("How did Mia Testwood take part", DOWN * 6 + ENTER),  # PN7: did not attend, views not given
        ("The parents' views:", lines("Sam wants help to get Mia to her speech therapy.")),
        ("Did anyone disagree", CLEAR + ENTER),  # no one did about Mia: clear Jamie's line
        ("Core group for Mia", ticks(6)),  # not Tom, Jamie's teacher
        ("not for the family's copy?", ENTER),
        ("The chair's summary of the discussion", "Agencies agree the risk is of continuing neglect." + ENTER),
    ]
    return steps


def record(bench: Bench, db: Path, correct: str | None = None) -> tuple[int, int]:
    """Record the reference conference; with `correct`, change that answer from the summary first (to 10:30,
    for the start time). Returns the prompts answered and cpctl's exit status."""
    session = Session(bench, ["--db", str(db), "conference", "new"])
    for prompt, keys in reference_conference(date.today()):
        session.answer(prompt, keys)
    if correct is not None:
        summary = session.wait(SAVE_PROMPT)
        found = re.search(rf"\[(\d+)\] {re.escape(correct)}:", summary)
        if not found:
            raise Unexpected(f"the summary has no numbered {correct!r}")
        session.child.send(found.group(1) + ENTER)  # the summary's question, answered with the number to change
        session.prompts += 1
        session.answer(f"{correct} (", CLEAR + "10:30" + ENTER)
        session.answer(SAVE_PROMPT, ENTER)
    else:
        session.answer(SAVE_PROMPT, ENTER)
    return session.prompts, session.finish("Recorded Initial child protection conference")


def conference_scenarios(bench: Bench) -> list[Result]:
    """The reference conference, then the same corrected from the summary: the questions each takes."""
    results = []
    try:
        first = bench.family_store("conference")
        prompts, code = record(bench, first)
        saved = bench.cpctl_json(first, "conference", "list")
        ok = code == 0 and isinstance(saved, list) and len(saved) == 1
        results.append(Result("conference new: the reference conference", prompts if ok else None, CONFERENCE_TARGET))
        second = bench.family_store("correction")
        corrected, code = record(bench, second, correct="Start time")
        saved = bench.cpctl_json(second, "conference", "list")
        ok = code == 0 and isinstance(saved, list) and saved[0].get("time") == "10:30"
        results.append(
            Result("conference new: correct one answer", corrected - prompts if ok else None, CORRECTION_TARGET)
        )
    except Unexpected as exc:
        results.append(Result("conference new", None, CONFERENCE_TARGET, note=str(exc)[:300]))
    return results


def core_group_meeting(due: date) -> list[tuple[str, str]]:
    """The questions of the reference core group, in order, each with the keys that answer it."""
    return [
        ("Date of the meeting", ENTER),  # today, as offered
        ("Who came?", ENTER),  # the core group and the family, as ticked
        ("Which actions' progress is different", DOWN + SPACE + ENTER),  # A2; A1 and A3 as listed
        ("Progress on A2:", DOWN + ENTER),  # some concern (from "on track", as last time)
        ("A note on A2", "The first appointment was missed; a new one is booked." + ENTER),
        ("The parents' views, in their words", "Sam says the mornings are easier now." + ENTER),
        ("Jamie Testwood's wishes and feelings", ENTER),
        ("Notes of the meeting", ENTER),
        ("What did the meeting change in the plan?", DOWN + SPACE + ENTER),  # change A2
        ("What changes in A2", DOWN * 7 + SPACE + ENTER),  # the date its outcome is due
        ("Outcome due by (DD/MM/YYYY):", CLEAR + uk(due) + ENTER),
        ("Date of the next core group", ENTER),  # as offered: the profile's cycle
        ("not for the family's copy?", ENTER),  # nothing kept out
        ("What now?", ENTER),  # Save
    ]


def core_group_scenarios(bench: Bench) -> list[Result]:
    """The reference core group on the demo's store (Jamie's plan in force): the questions it takes."""
    target = "core-group record: change one action"
    try:
        db = bench.folder / "core-group.db"
        subprocess.run(
            [bench.cpctl, "demo", "--db", str(db)], env=bench.env, check=True, capture_output=True, timeout=300
        )
        due = date(date.today().year + 1, 2, 26)
        session = Session(bench, ["--db", str(db), "core-group", "record"])
        for prompt, keys in core_group_meeting(due):
            session.answer(prompt, keys)
        code = session.finish("Recorded the core group of")
        shown = bench.cpctl_json(db, "plan", "show", "DEMO-1001")
        actions = {a["id"]: a for a in shown["content"]["actions"]} if isinstance(shown, dict) else {}
        ok = code == 0 and actions.get("A2", {}).get("by") == due.isoformat()
        return [Result(target, session.prompts if ok else None, CORE_GROUP_TARGET)]
    except Unexpected as exc:
        return [Result(target, None, CORE_GROUP_TARGET, note=str(exc)[:300])]


# Each scenario takes the Bench and returns its Results (a target, the prompts counted, the limit); it can use
# Bench.family_store, Session.answer and the `lines`/`ticks` helpers as the scenarios above do.
SCENARIOS: list[Callable[[Bench], list[Result]]] = [conference_scenarios, core_group_scenarios]


def print_results(results: Sequence[Result]) -> int:
    """The table of figures with PASS or FAIL; returns the exit status (1 if any target fails)."""
    rows = [("target", "prompts", "limit", "verdict")]
    rows += [(r.target, "-" if r.prompts is None else str(r.prompts), f"≤ {r.limit}", r.verdict) for r in results]
    widths = [max(len(row[i]) for row in rows) for i in range(4)]
    for index, row in enumerate(rows):
        print("  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip())
        if index == 0:
            print("  ".join("-" * width for width in widths))
    for result in results:
        if result.note:
            print(f"\n{result.target}: {result.note}")
    return 1 if any(r.verdict == "FAIL" for r in results) else 0


def bench_for(folder: Path, cpctl: str | None = None) -> Bench:
    found = cpctl or shutil.which("cpctl", path=str(Path(sys.executable).parent)) or shutil.which("cpctl")
    if not found:
        raise SystemExit("cpctl is not installed here: pip install -e '.[test]' first.")
    env = {k: v for k, v in os.environ.items() if not k.startswith("CPCTL_")}
    env.update(
        CPCTL_DATA_DIR=str(folder / "data"),
        CPCTL_USER="bench.chair",
        TERM="xterm",
        PROMPT_TOOLKIT_NO_CPR="1",  # a pseudo-terminal does not answer the cursor-position request
        COLUMNS="200",
    )
    return Bench(cpctl=found, folder=folder, env=env)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cpctl", help="the cpctl to drive (by default the one installed beside this Python)")
    args = parser.parse_args(argv)
    print(f"cpctl prompt benchmarks, {date.today().isoformat()}: questions answered in a pseudo-terminal\n")
    with tempfile.TemporaryDirectory(prefix="cpctl-prompts-") as folder:
        bench = bench_for(Path(folder), args.cpctl)
        results = [result for scenario in SCENARIOS for result in scenario(bench)]
    return print_results(results)


if __name__ == "__main__":
    sys.exit(main())
