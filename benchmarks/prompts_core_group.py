"""Count the prompts a chair answers to record a core group that changes one action (issue 14: at most 15).

    python benchmarks/prompts_core_group.py

It builds a fresh `cpctl demo` store in a folder of its own, then drives the installed `cpctl core-group record`
in a pseudo-terminal (pexpect) as a person types: the meeting for Jamie Testwood (the demo's only child with a
plan in force) held today, everyone there, one action's progress given with a note, the parents' views in one
line, and one action changed (the date the money advice's outcome is due). Before each answer it waits for the
prompt it expects, so a question that is added, dropped or reworded fails the run instead of being miscounted.
It prints the prompts answered and PASS or FAIL against the target, and exits with 1 on FAIL. It counts prompts,
never time. `core_group_scenario()` is the same run as a function, for `benchmarks/prompts.py`.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from datetime import date
from pathlib import Path

TARGET = 15
DOWN, ENTER, SPACE, CLEAR = "\x1b[B", "\r", " ", "\x15"  # Ctrl-U clears a prefilled answer
DUE = date(date.today().year + 1, 2, 26)

# (what the prompt says, the keys typed at it)
CORE_GROUP = [
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
    ("Outcome due by (DD/MM/YYYY):", CLEAR + f"{DUE:%d/%m/%Y}" + ENTER),
    ("Date of the next core group", ENTER),  # as offered: the profile's cycle
    ("not for the family's copy?", ENTER),  # nothing kept out
    ("What now?", ENTER),  # Save
]


def cpctl_program() -> str:
    """The installed `cpctl` beside this Python, else the one on PATH."""
    beside = Path(sys.executable).with_name("cpctl")
    found = str(beside) if beside.exists() else shutil.which("cpctl")
    if found is None:
        raise SystemExit("cpctl is not installed: pip install -e . first")
    return found


def core_group_scenario() -> int:
    """Record the reference core group through the real wizard; returns the number of prompts answered."""
    import pexpect

    cpctl = cpctl_program()
    with tempfile.TemporaryDirectory(prefix="cpctl-prompts-") as folder:
        env = {
            **{k: v for k, v in os.environ.items() if not k.startswith("CPCTL_")},
            "CPCTL_DATA_DIR": str(Path(folder) / "data"),
            "CPCTL_USER": "bench.chair",
            "TERM": "xterm",
            "PROMPT_TOOLKIT_NO_CPR": "1",  # a pseudo-terminal does not answer cursor-position requests
        }
        db = str(Path(folder) / "demo.db")
        subprocess.run([cpctl, "demo", "--db", db], env=env, check=True, capture_output=True, timeout=300)
        child = pexpect.spawn(
            cpctl,
            ["--db", db, "core-group", "record"],
            env=env,
            timeout=30,
            encoding="utf-8",
            dimensions=(50, 160),
        )
        answered = 0
        for prompt, keys in CORE_GROUP:
            child.expect_exact(prompt)
            child.send(keys)
            answered += 1
        child.expect_exact("Recorded the core group of")
        child.expect(pexpect.EOF)
        child.close()
        if child.exitstatus != 0:
            raise RuntimeError(f"cpctl core-group record exited with {child.exitstatus}")
        shown = subprocess.run(
            [cpctl, "--db", db, "plan", "show", "DEMO-1001", "--json"], env=env, check=True, capture_output=True
        )
        actions = {a["id"]: a for a in json.loads(shown.stdout)["content"]["actions"]}
        if actions["A2"]["by"] != DUE.isoformat():
            raise RuntimeError("the core group did not change action A2 as answered")
    return answered


def main() -> int:
    count = core_group_scenario()
    verdict = "PASS" if count <= TARGET else "FAIL"
    print(f"core group changing one action: {count} prompts (target <= {TARGET}): {verdict}")
    return 0 if verdict == "PASS" else 1


if __name__ == "__main__":
    sys.exit(main())
