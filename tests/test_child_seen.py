"""The child-seen deadline: it follows the visits of the lead worker and any other social worker the plan names,
never the everyday contact of a teacher, a nursery or a relative (issue 14, "A wrong Child seen deadline")."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

import pytest

from backends import StoreRef
from cpctl.casework import conference, people, schedule
from cpctl.demo import testwoods as demo

HELD = date(2026, 12, 4)  # a Friday: the conference of the report
TODAY = date(2026, 12, 7)  # the Monday after, when `--fail-if-overdue` exited 3
LEAD, HEALTH, TEACHER, NURSERY = "P00004", "P00005", "P00006", "P00007"  # the demo's professionals
TEACHER_EVERY_SCHOOL_DAY = {"who": TEACHER, "how_often": "every school day", "where": "at school"}
NURSERY_DAILY = {"who": "Little Acorns Nursery (synthetic)", "how_often": "daily", "where": "at nursery"}


def record(store: StoreRef, child_seen: list[dict[str, Any]], *, social_worker: bool = False) -> None:
    """The demo family, and an initial conference on Friday 4 December 2026 whose plans see the child so."""
    opened = store.open()
    demo.build(opened, today=TODAY)
    if social_worker:
        with opened.write() as session:
            people.add_person(
                session, name="Priya Senn", kind="professional", role="Social worker", agency="Northshire (synthetic)"
            )  # P00009
    data = demo.example_conference(HELD)
    for decision in data["decisions"]:
        decision["plan"]["child_seen"] = child_seen
    with opened.write() as session:
        conference.save(session, conference.prepare(session, conference.ConferenceIn.model_validate(data), today=TODAY))
    opened.dispose()


def child_seen(cli: Any) -> dict[str, Any]:
    result = cli("due", "--json", "--all", "--on", TODAY.isoformat(), "--kind", "child-seen", "--child", "DEMO-1001")
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)
    assert len(rows) == 1, rows
    return rows[0]


def test_a_teachers_everyday_contact_sets_no_visiting_deadline(store: StoreRef, cli: Any) -> None:
    # The issue: the class teacher sees the child "every school day" and the lead worker's arrangement is not
    # written down. On main that made the child-seen deadline Saturday 5 December, overdue every Monday.
    record(store, [TEACHER_EVERY_SCHOOL_DAY, NURSERY_DAILY])
    row = child_seen(cli)
    # The profile's visiting rule: 10 working days after Friday 4 December 2026.
    assert row["due"] == "2026-12-18"
    assert row["explanation"]["rule"] == "child-seen"
    assert row["explanation"]["source"] == "local procedures (Liverpool, Sefton, Sussex, Tees)"
    assert "the plan's own arrangement" not in row["explanation"]["sentence"]
    overdue = cli("due", "--all", "--on", TODAY.isoformat(), "--fail-if-overdue")
    assert overdue.exit_code == 0, overdue.output
    copy = cli("plan", "export", "DEMO-1001", "--for", "parent", "--format", "md")
    assert copy.exit_code == 0, copy.output
    assert "Jamie will next be seen by 18 December 2026." in copy.stdout
    assert cli("db", "check").stdout.endswith("No problems found.\n")


@pytest.mark.parametrize(
    ("arrangement", "due", "source"),
    [
        # The lead worker, named by reference, sees the child weekly: Friday 11 December.
        ({"who": LEAD, "how_often": "weekly"}, "2026-12-11", "plan"),
        # By reference in another case, or by full name in any case.
        ({"who": "p00004", "how_often": "every 3 days"}, "2026-12-07", "plan"),
        ({"who": "jordan ASHBY", "how_often": "every 4 days"}, "2026-12-08", "plan"),
        # Another social worker, typed in the plan or in the store: statutory visitors too. Two days after a
        # Friday is a Sunday; the working day before it is the conference day itself, so it moves to Monday.
        ({"who": "Duty social worker", "how_often": "every 5 working days"}, "2026-12-11", "plan"),
        ({"who": "P00009", "how_often": "every 2 days"}, "2026-12-07", "plan"),
        # Everyday contact, however often, leaves the profile's 10 working days.
        ({"who": HEALTH, "how_often": "weekly"}, "2026-12-18", "profile"),
        ({"who": "P00002", "how_often": "daily"}, "2026-12-18", "profile"),  # Sam Testwood, a parent
        ({"who": "Class teacher", "how_often": "daily"}, "2026-12-18", "profile"),
        ({"how_often": "every 3 days"}, "2026-12-18", "profile"),  # no one named
        # The lead worker's arrangement is less frequent than the profile's minimum: the minimum holds.
        ({"who": LEAD, "how_often": "monthly"}, "2026-12-18", "profile"),
    ],
)
def test_whose_arrangement_sets_the_deadline(
    store: StoreRef, cli: Any, arrangement: dict[str, str], due: str, source: str
) -> None:
    record(store, [TEACHER_EVERY_SCHOOL_DAY, NURSERY_DAILY, arrangement], social_worker=True)
    row = child_seen(cli)
    assert row["due"] == due
    if source == "plan":
        assert row["explanation"]["source"] == "the plan's arrangement for visits by the lead social worker"
    else:
        assert row["explanation"]["source"].startswith("local procedures")
    assert date.fromisoformat(row["due"]).weekday() < 5


def test_a_plans_working_day_arrangement_names_the_holidays_it_skipped(store: StoreRef, cli: Any) -> None:
    # On main the plan's own frequency lost the bank holidays it counted over.
    opened = store.open()
    demo.build(opened, today=date(2027, 1, 4))
    data = demo.example_conference(date(2026, 12, 22))
    for decision in data["decisions"]:
        decision["plan"]["child_seen"] = [{"who": LEAD, "how_often": "every 5 working days"}]
    with opened.write() as session:
        prepared = conference.prepare(session, conference.ConferenceIn.model_validate(data), today=date(2027, 1, 4))
        conference.save(session, prepared)
    opened.dispose()
    result = cli("due", "--json", "--all", "--on", "2027-01-04", "--kind", "child-seen", "--child", "DEMO-1001")
    row = json.loads(result.stdout)[0]
    assert row["due"] == "2026-12-31"  # 23, 24, (25, 26, 27, 28 closed), 29, 30, 31
    assert row["explanation"]["skipped"] == [
        ["2026-12-25", "Christmas Day"],
        ["2026-12-28", "Boxing Day (substitute day)"],
    ]
    assert "skipping Christmas Day on 25 Dec 2026" in row["explanation"]["sentence"]


def test_the_fingerprint_follows_the_way_deadlines_are_worked_out(monkeypatch: pytest.MonkeyPatch) -> None:
    # A store whose deadlines an earlier cpctl worked out recomputes them: the fingerprint holds the version of
    # the scheduling as well as the profile.
    from cpctl.rules import profile

    england = profile.load("england")
    before = schedule.fingerprint(england)
    monkeypatch.setattr(schedule, "SCHEDULE_VERSION", schedule.SCHEDULE_VERSION + 1)
    assert schedule.fingerprint(england) != before


def test_a_social_worker_who_changes_role_moves_the_deadline(store: StoreRef, cli: Any) -> None:
    # Whether someone visits as a social worker comes from their record: a change to it recomputes the deadlines of
    # the plans that name them, so that `db check` still agrees.
    record(store, [{"who": "P00009", "how_often": "every 2 days"}], social_worker=True)
    assert child_seen(cli)["due"] == "2026-12-07"
    assert cli("person", "edit", "P00009", "--role", "Family support worker").exit_code == 0
    assert child_seen(cli)["due"] == "2026-12-18"
    assert cli("db", "check").stdout.endswith("No problems found.\n")
    assert cli("person", "edit", "P00009", "--role", "Social worker").exit_code == 0
    assert child_seen(cli)["due"] == "2026-12-07"
    assert cli("db", "check").stdout.endswith("No problems found.\n")
