# ruff: noqa: F811  (the fixtures imported from the fixture modules are used as test arguments)
"""Issue 14's smaller findings: the timeline's count of concerns, the quorum line's agency names, one line on
Ctrl-C, the dates `conference new` scheduled, and `plan export` at a terminal."""

from __future__ import annotations

from pathlib import Path

import pytest

from conference_fixtures import conference_env, days_ago  # noqa: F401
from helpers import ok
from plan_fixtures import JAMIE, aged_db, example_core_group, on, timeline, write  # noqa: F401


# -- the timeline counts what is of concern, and what is not started, apart ---------------------------------------
def record_progress(path: Path, tmp_path: Path, *statuses: str) -> str:
    """Record a core group with these statuses for A1, A2, ...; the timeline's line for it."""
    data = example_core_group(days_ago(50))
    data["progress"] = [{"action": f"A{n}", "status": status} for n, status in enumerate(statuses, start=1)]
    data["new_actions"], data["changed_actions"] = [], []
    del data["sent_on"], data["next_meeting"]
    ok(on(path, "core-group", "record", "--from", str(write(tmp_path / "core-group.yaml", data))))
    (line,) = [e["text"] for e in timeline(path) if e["kind"] == "core-group"]
    return str(line)


@pytest.mark.parametrize(
    ("statuses", "counted"),
    [
        (("not-started", "not-started"), "2 actions: 2 not started"),
        (("some-concern", "not-started"), "2 actions: 1 of concern, 1 not started"),
        (("done",), "1 action: 1 done"),
        (("on-track", "no-longer-needed"), "2 actions: 1 on track, 1 no longer needed"),
    ],
)
def test_the_timeline_counts_concerns_and_actions_not_started_apart(
    aged_db: Path, tmp_path: Path, statuses: tuple[str, ...], counted: str
) -> None:
    assert record_progress(aged_db, tmp_path, *statuses) == f"core group (3 attended); progress on {counted}"
