"""A store's deadlines follow the profile's closed_day choice: changing it recomputes them, and `db check` agrees."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from backends import StoreRef
from cpctl.demo import testwoods as demo

TODAY = date(2026, 12, 2)
HELD = date(2026, 11, 30)  # a Monday: three months on is Sunday 28 February 2027


def first_review(cli: Any) -> tuple[dict[str, Any], str]:
    result = cli("due", "--json", "--all", "--on", TODAY.isoformat(), "--kind", "first-review", "--child", "DEMO-1001")
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)
    assert len(rows) == 1, rows
    return rows[0], result.stderr


def test_changing_the_closed_day_choice_recomputes_the_store(store: StoreRef, cli: Any) -> None:
    opened = store.open()
    demo.build(opened, today=TODAY)
    demo.record_initial_conference(opened, today=TODAY, held_on=HELD)
    opened.dispose()

    row, _ = first_review(cli)
    assert row["due"] == "2027-02-26"
    assert row["explanation"]["moved_from"] == "2027-02-28"
    assert row["explanation"]["closed_day"] == "bring-forward"
    assert (
        "Sunday 28 February 2027 is not a working day (Sunday): brought forward to the working day before "
        "(closed_day: bring-forward)" in row["explanation"]["sentence"]
    )
    explained = cli("due", "--all", "--on", TODAY.isoformat(), "--explain", "--child", "DEMO-1001")
    assert "brought forward to the working day before" in " ".join(explained.stdout.split())

    assert cli("profile", "set", "closed_day", "push-back").exit_code == 0
    row, said = first_review(cli)
    assert row["due"] == "2027-03-01"
    assert "recomputed" in said
    assert "moved to the working day after (closed_day: push-back)" in row["explanation"]["sentence"]
    assert cli("db", "check").stdout.endswith("No problems found.\n")

    assert cli("profile", "set", "rules.first-review.closed_day", "keep").exit_code == 0
    row, _ = first_review(cli)
    assert row["due"] == "2027-02-28"
    assert row["explanation"]["moved_from"] is None
    assert (
        "that is not a working day (Sunday): the working day before it is Friday 26 February 2027"
        in (row["explanation"]["sentence"])
    )
    assert cli("db", "check").stdout.endswith("No problems found.\n")
    shown = cli("profile", "show")
    assert "Closed days: push-back" in shown.stdout
    assert "on a closed day: keep" in shown.stdout
