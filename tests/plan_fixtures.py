"""What the plan-life tests share: stores at points in a plan's life, files to feed `--from`, and the CLI on a store.

test_plan_life.py and test_plan_wizard.py import the fixtures from here by name, so pytest finds them. Everyone
in them is the synthetic Testwood family of `cpctl demo`.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
import yaml
from typer.testing import Result

from backends import StoreRef
from conference_fixtures import TODAY, days_ago
from cpctl.demo import testwoods as demo
from helpers import ok, ok_json, run_cli

JAMIE, MIA, BABY = "DEMO-1001", "DEMO-1002", "DEMO-1003"
# The people of `cpctl demo`: the chair (the test login), the parents and the professionals.
ALEX, SAM, CHRIS, JORDAN, OLA, TOM, GRACE, HANNAH = (f"P0000{n}" for n in range(1, 9))


def on(path: StoreRef, *args: str, input: str | None = None) -> Result:
    """`cpctl --db PATH ARGS` in this process."""
    return run_cli("--db", str(path), *args, input=input)


def testwoods(ref: StoreRef, *, conference_on: date | None = None) -> StoreRef:
    """The Testwood family in a new store, and the example initial conference if `conference_on` says when."""
    store = ref.open()
    demo.build(store)
    if conference_on is not None:
        demo.record_initial_conference(store, held_on=conference_on)
    store.dispose()
    return ref


@pytest.fixture
def aged_db(make_store: Callable[..., StoreRef]) -> StoreRef:
    """The Testwoods with the example initial conference held 60 days ago: Jamie's and Mia's plans, version 1."""
    return testwoods(make_store("aged.db"), conference_on=days_ago(60))


def write(path: Path, data: Any) -> Path:
    """A YAML file (JSON when the name ends .json) holding data, dates as ISO text."""
    if path.suffix == ".json":
        path.write_text(json.dumps(data, indent=2, default=str), encoding="utf-8")
    else:
        path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")
    return path


def example_core_group(held_on: date) -> dict[str, Any]:
    """The packaged example core group (`cpctl core-group template`) for Jamie, held on `held_on`."""
    return demo.example_core_group(held_on)


def plan_json(path: Path, child: str = JAMIE, *more: str) -> dict[str, Any]:
    return ok_json(on(path, "plan", "show", child, "--json", *more))  # type: ignore[no-any-return]


def content(path: Path, child: str = JAMIE, version: int | None = None) -> dict[str, Any]:
    more = ("--version", str(version)) if version is not None else ()
    return plan_json(path, child, *more)["content"]  # type: ignore[no-any-return]


def due_json(path: Path, *args: str) -> list[dict[str, Any]]:
    return ok_json(on(path, "due", "--all", "--json", *args))  # type: ignore[no-any-return]


def timeline(path: Path, child: str = JAMIE) -> list[dict[str, Any]]:
    return ok_json(on(path, "child", "show", child, "--json"))["timeline"]  # type: ignore[no-any-return]


def history(path: Path, child: str = JAMIE) -> list[dict[str, Any]]:
    return ok_json(on(path, "plan", "history", child, "--json"))  # type: ignore[no-any-return]


def stdout_lines(result: Result) -> list[str]:
    return ok(result).splitlines()


def iso(day: date) -> str:
    return day.isoformat()


def later(days: int) -> date:
    return TODAY + timedelta(days=days)
