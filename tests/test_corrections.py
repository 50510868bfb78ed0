# ruff: noqa: F811  (the fixtures imported from the fixture modules are used as test arguments)
"""Every mistake correctable, with a trail: `visit edit`, `visit delete` and `conference correct`.

Each correction keeps its reason, and what it replaced or removed, in the audit trail; the deadlines follow; a
changed category adds a plan version; `cpctl db check` still finds nothing wrong. A refusal is one line, and
nothing is written. Recording a visit: the lead worker is the default visitor, a date before the plan began is
refused, and a weekend or bank holiday is noted. Everyone here is the synthetic Testwood family of `cpctl demo`.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

import pytest

from backends import StoreRef
from conference_fixtures import TODAY, days_ago
from cpctl.dates import british
from cpctl.rules import profile
from helpers import dump, failed, ok, ok_json, rows
from plan_fixtures import JAMIE, JORDAN, MIA, OLA, SAM, TOM, aged_db, due_json, history, iso, on  # noqa: F401
from plan_fixtures import testwoods as family_store

CALENDAR = profile.load("england").calendar


def working_day(at_least: int) -> date:
    """A working day at least `at_least` days ago."""
    day = days_ago(at_least)
    while not CALENDAR.is_working_day(day):
        day -= timedelta(days=1)
    return day


def sunday(at_least: int = 1) -> date:
    """The Sunday at least `at_least` days ago."""
    day = days_ago(at_least)
    while day.weekday() != 6:
        day -= timedelta(days=1)
    return day


def visits(db: StoreRef, child: str = JAMIE) -> list[dict[str, Any]]:
    return ok_json(on(db, "visit", "list", child, "--json"))  # type: ignore[no-any-return]


def record(db: StoreRef, day: date, *more: str, child: str = JAMIE) -> str:
    return ok(on(db, "visit", "record", child, "--on", iso(day), "--announced", "--not-alone", "--no-bedroom", *more))


def audit_entries(db: StoreRef, action: str) -> list[dict[str, Any]]:
    found = rows(
        db, "SELECT entity, entity_id, summary, changes FROM audit_entry WHERE action = ? ORDER BY id", [action]
    )
    return [{"entity": e, "entity_id": i, "summary": s, "changes": json.loads(c)} for e, i, s, c in found]


def child_seen(db: StoreRef, child: str = JAMIE) -> dict[str, Any]:
    (row,) = [d for d in due_json(db, "--child", child) if d["kind"] == "child-seen"]
    return row  # type: ignore[no-any-return]


def store_is_whole(db: StoreRef) -> None:
    assert ok(on(db, "db", "check")).endswith("No problems found.\n")


# -- recording a visit ---------------------------------------------------------------------------------------------
def test_the_default_visitor_is_the_lead_worker_and_says_so(aged_db: StoreRef) -> None:
    day = working_day(3)
    assert record(aged_db, day) == (
        f"Recorded a visit to {JAMIE} on {british(day)}.\n"
        "  Visitor: Jordan Ashby (P00004), the lead worker (give --visitor if someone else visited).\n"
    )
    (visit,) = visits(aged_db)
    assert visit["visitor"] == {"ref": JORDAN, "name": "Jordan Ashby"}  # not the chair who ran the command


def test_a_visit_before_the_plan_began_is_refused(aged_db: StoreRef) -> None:
    before = dump(aged_db)
    day, began = days_ago(70), days_ago(60)
    failed(
        on(aged_db, "visit", "record", JAMIE, "--on", iso(day), "--announced", "--alone", "--bedroom"),
        f"Error: date: {british(day)} is before child {JAMIE}'s plan began on {british(began)}: check the date (a "
        "visit during the enquiry belongs to the enquiry's records, not the plan).",
    )
    assert dump(aged_db) == before


def test_a_visit_to_a_child_on_no_plan_is_not_held_to_one(make_store: Callable[..., StoreRef]) -> None:
    db = family_store(make_store("family.db"))  # no conference yet: the visits of the enquiry
    day = working_day(10)
    assert record(db, day, "--visitor", JORDAN) == f"Recorded a visit to {JAMIE} on {british(day)}.\n"
    assert [v["date"] for v in visits(db)] == [iso(day)]


def test_a_visit_in_the_future_is_refused(aged_db: StoreRef) -> None:
    before = dump(aged_db)
    tomorrow = TODAY + timedelta(days=1)
    failed(
        on(aged_db, "visit", "record", JAMIE, "--on", iso(tomorrow), "--announced", "--alone", "--bedroom"),
        f"Error: date: {iso(tomorrow)} is in the future: record a visit once it has happened.",
    )
    assert dump(aged_db) == before


def test_a_weekend_visit_is_recorded_with_a_note(aged_db: StoreRef) -> None:
    day = sunday()
    assert record(aged_db, day, "--visitor", OLA) == (
        f"Recorded a visit to {JAMIE} on {british(day)}.\n"
        "  Note: that was a weekend; if it is not the day of the visit, correct it with "
        '`cpctl visit edit V00001 --on DATE --reason "..."`.\n'
    )


def test_a_bank_holiday_visit_is_recorded_with_a_note(make_store: Callable[..., StoreRef]) -> None:
    found = {**CALENDAR.holidays_in(TODAY.year - 1), **CALENDAR.holidays_in(TODAY.year)}
    day = max(d for d in found if d < TODAY and d.weekday() < 5)  # the latest bank holiday on a weekday
    db = family_store(make_store("holiday.db"), conference_on=day - timedelta(days=7))
    assert record(db, day, "--visitor", OLA) == (
        f"Recorded a visit to {JAMIE} on {british(day)}.\n"
        f"  Note: that was {found[day]}, a bank holiday; if it is not the day of the visit, correct it with "
        '`cpctl visit edit V00001 --on DATE --reason "..."`.\n'
    )


# -- visit edit -------------------------------------------------------------------------------------------------
def test_visit_edit_corrects_each_fact_and_the_deadlines_follow(aged_db: StoreRef) -> None:
    wrong, right = sunday(), working_day(12)
    record(aged_db, wrong, "--note", "Home warm.")
    assert child_seen(aged_db)["explanation"]["event_date"] == iso(wrong)
    assert ok(
        on(
            aged_db,
            "visit",
            "edit",
            "V00001",
            "--on",
            iso(right),
            "--visitor",
            OLA,
            "--unannounced",
            "--alone",
            "--bedroom",
            "--note",
            "Home warm; food in the cupboards.",
            "--reason",
            "Typed the wrong day and visitor",
        )
    ) == (
        "Corrected visit V00001; the deadlines follow.\n"
        f"  date: {british(wrong)} → {british(right)}\n"
        f"  visitor: {JORDAN} → {OLA}\n"
        "  announced: yes → no\n"
        "  seen alone: no → yes\n"
        "  bedroom seen: no → yes\n"
        "  notes: 1 → 1 note(s)\n"
    )
    (visit,) = visits(aged_db)
    assert visit == {
        "ref": "V00001",
        "date": iso(right),
        "visitor": {"ref": OLA, "name": "Ola Brennan"},
        "announced": False,
        "seen_alone": True,
        "bedroom_seen": True,
        "notes": [{"text": "Home warm; food in the cupboards.", "private": False}],
    }
    assert child_seen(aged_db)["explanation"]["event_date"] == iso(right)  # the deadline counts from the new date
    (entry,) = audit_entries(aged_db, "visit.edit")
    assert (entry["entity"], entry["entity_id"]) == ("visit", "V00001")
    assert entry["summary"] == f"visit V00001 to child {JAMIE} corrected: Typed the wrong day and visitor"
    assert entry["changes"]["reason"] == "Typed the wrong day and visitor"
    assert entry["changes"]["date"] == [iso(wrong), iso(right)]
    assert entry["changes"]["visitor"] == [JORDAN, OLA]
    assert entry["changes"]["notes"] == [
        [{"text": "Home warm.", "private": False}],
        [{"text": "Home warm; food in the cupboards.", "private": False}],
    ]
    store_is_whole(aged_db)


def test_visit_edit_refuses_without_a_reason_or_to_a_bad_date(aged_db: StoreRef) -> None:
    day = working_day(5)
    record(aged_db, day)
    before = dump(aged_db)
    result = on(aged_db, "visit", "edit", "V00001", "--on", iso(working_day(8)))
    assert result.exit_code == 2 and "Missing option '--reason'" in result.stderr
    failed(
        on(aged_db, "visit", "edit", "V00001", "--alone", "--reason", "  "),
        'Error: say why the visit is corrected (--reason "..."): the reason is kept in the audit trail.',
    )
    failed(
        on(aged_db, "visit", "edit", "V00001", "--on", iso(days_ago(70)), "--reason", "wrong day"),
        f"Error: date: {british(days_ago(70))} is before child {JAMIE}'s plan began on {british(days_ago(60))}: "
        "check the date (a visit during the enquiry belongs to the enquiry's records, not the plan).",
    )
    failed(
        on(aged_db, "visit", "edit", "V00001", "--visitor", SAM, "--reason", "wrong visitor"),
        f"Error: visitor: {SAM} is a parent; a visit is made by a professional.",
    )
    failed(
        on(aged_db, "visit", "edit", "V00009", "--alone", "--reason", "x"),
        "Error: no visit 'V00009'; see `cpctl visit list CHILD` for each visit's reference.",
    )
    failed(
        on(aged_db, "visit", "edit", "V00001", "--reason", "x"),
        "Error: say what to correct: --on DATE, --visitor, --announced/--unannounced, --alone/--not-alone, "
        "--bedroom/--no-bedroom or --note.",
    )
    assert dump(aged_db) == before


# -- visit delete -----------------------------------------------------------------------------------------------
def test_visit_delete_keeps_the_visit_in_the_audit_trail(aged_db: StoreRef) -> None:
    first, second = working_day(12), working_day(4)
    record(aged_db, first)
    record(aged_db, second, "--private-note", "A neighbour's report.")
    kept = visits(aged_db)[1]
    assert child_seen(aged_db)["explanation"]["event_date"] == iso(second)
    assert ok(on(aged_db, "visit", "delete", "V00002", "--reason", "Recorded on the wrong child")) == (
        f"Deleted visit V00002 to {JAMIE} on {british(second)}; the audit trail keeps what it recorded, and the "
        "deadlines follow.\n"
    )
    assert [v["ref"] for v in visits(aged_db)] == ["V00001"]
    assert child_seen(aged_db)["explanation"]["event_date"] == iso(first)  # counted from the visit that remains
    (entry,) = audit_entries(aged_db, "visit.delete")
    assert (entry["entity"], entry["entity_id"]) == ("visit", "V00002")
    removed = entry["changes"]["removed"]
    assert entry["changes"]["reason"] == "Recorded on the wrong child"
    assert (removed["child"], removed["plan"], removed["date"], removed["visitor"]) == (JAMIE, 1, iso(second), JORDAN)
    assert removed["notes"] == kept["notes"] == [{"text": "A neighbour's report.", "private": True}]
    store_is_whole(aged_db)
    # A reference is never given to a second visit: V00002 stays the deleted one's.
    record(aged_db, working_day(2))
    assert [v["ref"] for v in visits(aged_db)] == ["V00001", "V00003"]
    ok(on(aged_db, "visit", "delete", "V00001", "--reason", "Not a visit: a phone call"))
    ok(on(aged_db, "visit", "delete", "V00003", "--reason", "Recorded twice"))
    assert visits(aged_db) == []
    store_is_whole(aged_db)  # a child whose every visit was deleted still matches the trail


def test_visit_delete_needs_a_reason(aged_db: StoreRef) -> None:
    record(aged_db, working_day(5))
    before = dump(aged_db)
    result = on(aged_db, "visit", "delete", "V00001")
    assert result.exit_code == 2 and "Missing option '--reason'" in result.stderr
    failed(
        on(aged_db, "visit", "delete", "V00001", "--reason", ""),
        'Error: say why the visit is corrected (--reason "..."): the reason is kept in the audit trail.',
    )
    assert dump(aged_db) == before


# -- conference correct -----------------------------------------------------------------------------------------
def show(db: StoreRef, ref: str = "CF00001") -> dict[str, Any]:
    return ok_json(on(db, "conference", "show", ref, "--json"))  # type: ignore[no-any-return]


def test_conference_correct_attendance_works_the_quorum_out_again(aged_db: StoreRef) -> None:
    reason = "Tom came in person; Sam sent apologies"
    out = ok(
        on(
            aged_db,
            "conference",
            "correct",
            "CF00001",
            "--attended",
            TOM,
            "--role",
            f"{TOM}=Deputy head",
            "--apologies",
            SAM,
            "--reason",
            reason,
        )
    )
    assert out == (
        "Corrected CF00001; the reason is in the audit trail and the deadlines follow.\n"
        f"  {TOM}: sent a report → attended; role Class teacher → Deputy head\n"
        f"  {SAM}: attended → sent apologies\n"
        "  quorum: 4 agencies, quorate → 5 agencies, quorate\n"
    )
    record_ = show(aged_db)
    by_ref = {a["ref"]: a for a in record_["attendance"]}
    assert (by_ref[TOM]["status"], by_ref[TOM]["role"], by_ref[SAM]["status"]) == (
        "attended",
        "Deputy head",
        "apologies",
    )
    assert record_["agencies_present"] == 5
    (entry,) = audit_entries(aged_db, "conference.correct")
    assert entry["changes"]["reason"] == reason
    assert entry["changes"][f"attendance.{SAM}"] == [
        {"status": "attended", "reason": None, "role": "Mother", "agency": None},
        {"status": "apologies", "reason": None, "role": "Mother", "agency": None},
    ]
    store_is_whole(aged_db)


def test_conference_correct_refuses_an_attendance_that_loses_the_quorum_without_a_reason(aged_db: StoreRef) -> None:
    before = dump(aged_db)
    professionals = ("P00004", "P00005", "P00007")
    removing = [arg for ref in professionals for arg in ("--remove", ref)]
    failed(
        on(aged_db, "conference", "correct", "CF00001", *removing, "--reason", "Listed by mistake"),
        "Error: with this attendance CF00001 was not quorate: 1 agency took part and england needs 3. Say why it "
        "went ahead (--inquorate-reason), or correct the attendance.",
    )
    assert dump(aged_db) == before
    ok(
        on(
            aged_db,
            "conference",
            "correct",
            "CF00001",
            *removing,
            "--inquorate-reason",
            "Held to keep the children safe over the weekend",
            "--reason",
            "Listed by mistake",
        )
    )
    record_ = show(aged_db)
    assert (record_["quorate"], record_["agencies_present"]) == (False, 1)
    assert {a["ref"] for a in record_["attendance"]}.isdisjoint(professionals)
    store_is_whole(aged_db)


def test_conference_correct_category_adds_a_plan_version(aged_db: StoreRef) -> None:
    assert [v["source"] for v in history(aged_db, MIA)] == ["conference"]
    out = ok(
        on(
            aged_db,
            "conference",
            "correct",
            "CF00001",
            "--category",
            f"{MIA}=EMO",
            "--reason",
            "Emotional, not neglect",
        )
    )
    assert out == (
        "Corrected CF00001; the reason is in the audit trail and the deadlines follow.\n"
        f"  categories of {MIA}: NEG → EMO\n"
        f"  {MIA}: plan 1 is now version 2 (a correction).\n"
    )
    assert [v["source"] for v in history(aged_db, MIA)] == ["conference", "correction"]
    plan = ok_json(on(aged_db, "plan", "show", MIA, "--json"))
    assert (plan["initial_categories"], plan["latest_categories"], plan["version"]) == (["EMO"], ["EMO"], 2)
    decisions = {d["child"]: d["categories"] for d in show(aged_db)["decisions"]}
    assert decisions == {JAMIE: ["NEG"], MIA: ["EMO"]}
    (entry,) = audit_entries(aged_db, "conference.correct")
    assert entry["changes"][f"categories.{MIA}"] == [["NEG"], ["EMO"]]
    store_is_whole(aged_db)


def test_conference_correct_date_moves_the_deadlines(aged_db: StoreRef) -> None:
    held, really = days_ago(60), days_ago(61)
    first = {d["kind"]: d for d in due_json(aged_db, "--child", JAMIE)}["first-core-group"]
    assert first["explanation"]["event_date"] == iso(held)
    assert ok(
        on(aged_db, "conference", "correct", "CF00001", "--date", iso(really), "--reason", "Held a day earlier")
    ) == (
        "Corrected CF00001; the reason is in the audit trail and the deadlines follow.\n"
        f"  date: {british(held)} → {british(really)}\n"
    )
    first = {d["kind"]: d for d in due_json(aged_db, "--child", JAMIE)}["first-core-group"]
    assert first["explanation"]["event_date"] == iso(really)
    assert show(aged_db)["date"] == iso(really)
    (entry,) = audit_entries(aged_db, "conference.correct")
    assert entry["changes"] == {"date": [iso(held), iso(really)], "reason": "Held a day earlier"}
    store_is_whole(aged_db)


@pytest.mark.parametrize(
    ("args", "line"),
    [
        (
            ("--category", f"{MIA}=XYZ"),
            "Error: 'XYZ' is not a category in england: use NEG (Neglect), PHY (Physical abuse), EMO (Emotional "
            "abuse), SAB (Sexual abuse); for more than one, name each (recorded as MUL).",
        ),
        (
            ("--date", iso(TODAY + timedelta(days=1))),
            f"Error: {iso(TODAY + timedelta(days=1))} is in the future: a conference is recorded once it has been "
            "held.",
        ),
        (
            (),
            "Error: say what to correct: --date, --attended, --apologies, --report, --not-invited, --remove, --role, "
            "--agency, --category, --participation, --discussion or --inquorate-reason.",
        ),
    ],
    ids=["category", "future", "nothing"],
)
def test_conference_correct_refusals_write_nothing(aged_db: StoreRef, args: tuple[str, ...], line: str) -> None:
    before = dump(aged_db)
    failed(on(aged_db, "conference", "correct", "CF00001", *args, "--reason", "A mistake"), line)
    assert dump(aged_db) == before


def test_conference_correct_needs_a_reason(aged_db: StoreRef) -> None:
    before = dump(aged_db)
    failed(
        on(aged_db, "conference", "correct", "CF00001", "--date", iso(days_ago(61))),
        'Error: say why the conference is corrected (--reason "..."): the reason is kept in the audit trail.',
    )
    assert dump(aged_db) == before


def test_conference_correct_names_a_person_it_cannot_find(aged_db: StoreRef) -> None:
    before = dump(aged_db)
    result = on(aged_db, "conference", "correct", "CF00001", "--attended", "P00099", "--reason", "A mistake")
    assert result.exit_code == 1 and result.stderr.startswith("Error: no person ") and "P00099" in result.stderr
    assert dump(aged_db) == before


# -- conference correct in a terminal ---------------------------------------------------------------------------
ENTER, UP, DOWN, SPACE = "\r", "\x1b[A", "\x1b[B", " "


def checkbox(*indices: int) -> str:
    keys, at = "", 0
    for index in sorted(indices):
        keys += DOWN * (index - at) + SPACE
        at = index
    return keys + ENTER


def typed(monkeypatch: pytest.MonkeyPatch, db: StoreRef, keys: str, *args: str) -> Any:
    """`cpctl --db DB ARGS` as if in a terminal, with these keystrokes; every key must be used."""
    import questionary
    from prompt_toolkit.application import create_app_session
    from prompt_toolkit.input import create_pipe_input
    from prompt_toolkit.output import DummyOutput

    monkeypatch.setattr("cpctl.commands.conference.interactive", lambda: True)
    with create_pipe_input() as inp:
        inp.send_text(keys + "END-OF-KEYS" + ENTER)
        inp.close()
        with create_app_session(input=inp, output=DummyOutput()):
            result = on(db, *args)
            assert questionary.text("left over?").unsafe_ask() == "END-OF-KEYS"
    return result


def test_conference_correct_asks_what_was_wrong_in_a_terminal(
    monkeypatch: pytest.MonkeyPatch, aged_db: StoreRef
) -> None:
    keys = checkbox(1, 2)  # what was wrong: the attendance, a category (not the date)
    keys += checkbox(5)  # whose attendance, listed by name: Chris, Grace, Jordan, Ola, Sam, Tom
    keys += UP + UP + ENTER  # Tom: from "sent a report" (as recorded) up to "attended"
    keys += ENTER  # Jamie's category: neglect, as recorded
    keys += DOWN + DOWN + ENTER  # Mia's: from neglect down to emotional abuse
    keys += "Tom came in person; Mia's category is emotional abuse" + ENTER  # why
    result = typed(monkeypatch, aged_db, keys, "conference", "correct", "CF00001")
    assert result.exit_code == 0, result.output
    assert result.stdout == (
        "Corrected CF00001; the reason is in the audit trail and the deadlines follow.\n"
        f"  {TOM}: sent a report → attended\n"
        "  quorum: 4 agencies, quorate → 5 agencies, quorate\n"
        f"  categories of {MIA}: NEG → EMO\n"
        f"  {MIA}: plan 1 is now version 2 (a correction).\n"
    )
    (entry,) = audit_entries(aged_db, "conference.correct")
    assert entry["changes"]["reason"] == "Tom came in person; Mia's category is emotional abuse"
    store_is_whole(aged_db)


def test_conference_correct_cancelled_in_a_terminal_saves_nothing(
    monkeypatch: pytest.MonkeyPatch, aged_db: StoreRef
) -> None:
    before = dump(aged_db)
    keys = checkbox(0) + "\x15" + iso(days_ago(61)) + ENTER  # the date, a day earlier
    keys += "\x03"  # Ctrl-C at the reason
    result = typed(monkeypatch, aged_db, keys, "conference", "correct", "CF00001")
    assert result.exit_code == 130
    assert dump(aged_db) == before


@pytest.mark.parametrize(
    ("args", "line", "code"),
    [
        (
            ("visit", "edit", "V00001", "--alone", "--reason", "bad\x1b[31m"),
            "Error: the reason cannot contain line breaks or control characters; type it again as plain text.",
            1,
        ),
        (
            ("visit", "delete", "nonsense", "--reason", "x"),
            "Error: no visit 'nonsense'; see `cpctl visit list CHILD` for each visit's reference.",
            1,
        ),
        (
            ("conference", "correct", "CF00001", "--category", "=", "--reason", "x"),
            "Error: Invalid value for --category: '=' is not CHILD=CODE[,CODE]. (see 'cpctl conference correct "
            "--help')",
            2,
        ),
        (
            ("conference", "correct", "CF00001", "--attended", TOM, "--report", TOM, "--reason", "x"),
            f"Error: Invalid value for --report: {TOM} is given two kinds of attendance; give one. (see 'cpctl "
            "conference correct --help')",
            2,
        ),
        (
            ("conference", "correct", "CF00001", "--attended", "P00001", "--reason", "x"),
            "Error: P00001 chaired CF00001; the chair is not in the attendance list.",
            1,
        ),
        (
            ("conference", "correct", "CF00001", "--category", "DEMO-1003=NEG", "--reason", "x"),
            "Error: CF00001 made no decision about child DEMO-1003; see `cpctl conference show CF00001`.",
            1,
        ),
    ],
    ids=["control-characters", "no-such-visit", "not-a-pair", "two-statuses", "the-chair", "no-decision"],
)
def test_bad_corrections_are_one_line_and_write_nothing(
    aged_db: StoreRef, args: tuple[str, ...], line: str, code: int
) -> None:
    record(aged_db, working_day(5))
    before = dump(aged_db)
    failed(on(aged_db, *args), line, code)
    assert dump(aged_db) == before
