"""A synthetic family for demonstrations, tests and benchmarks. Every name here is invented."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

from cpctl.casework import people, users
from cpctl.errors import CpctlError
from cpctl.store.database import Store
from cpctl.store.models import Child

AUTHORITY = "Northshire County Council (synthetic demo)"
LEA = "999"  # the census's 3-digit LA code: no real authority has 999
TEAM = "Riverside Locality Team"


def demo_upn(rest: str) -> str:
    """A synthetic UPN with a valid check letter: LA 999, then the school, the year of entry and a serial."""
    from cpctl.rules.census_codes import upn_check_letter

    return upn_check_letter(rest) + rest


@dataclass
class DemoFamily:
    children: list[str] = field(default_factory=list)
    people: list[str] = field(default_factory=list)


def years_before(day: date, years: int, days: int = 0) -> date:
    try:
        return day.replace(year=day.year - years) - timedelta(days=days)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28) - timedelta(days=days)


def build(store: Store, *, today: date | None = None, chair_name: str = "Alex Morgan") -> DemoFamily:
    """Set the store up for a synthetic authority and add the Testwood family and their network."""
    today = today or date.today()
    made = DemoFamily()
    with store.write() as session:
        if session.exec(people.select(Child.id).limit(1)).first() is not None:
            raise CpctlError("that store already holds children; give the demo a new file with --db PATH.")
        users.initialise(session, authority=AUTHORITY, jurisdiction="england", name=chair_name, role="chair")
        users.set_census_lea(session, LEA)
        family = "Testwood household"
        jamie = people.add_child(
            session,
            given_name="Jamie",
            family_name="Testwood",
            ref="DEMO-1001",
            date_of_birth=years_before(today, 8, 40),
            gender="boy",
            culture_religion="Family are practising Muslims; avoid appointments during Eid.",
            family=family,
            census={
                "upn": demo_upn(LEA + "200122001"),
                "census_gender": "1",
                "ethnicity": "MWAS",
                "disabilities": ["NONE"],
            },
            team=TEAM,
            today=today,
        )
        mia = people.add_child(
            session,
            given_name="Mia",
            family_name="Testwood",
            ref="DEMO-1002",
            date_of_birth=years_before(today, 4, 100),
            gender="girl",
            disability="Speech and language delay; uses picture cards.",
            family=family,
            census={"upn_unknown": "UN1", "census_gender": "2", "ethnicity": "MWAS", "disabilities": ["COMM"]},
            team=TEAM,
            today=today,
        )
        baby = people.add_child(
            session,
            given_name="Baby",
            family_name="Testwood",
            ref="DEMO-1003",
            expected_date=today + timedelta(weeks=10),
            family=family,
            census={"upn_unknown": "UN1", "census_gender": "0", "ethnicity": "MWAS", "disabilities": ["NONE"]},
            team=TEAM,
            today=today,
        )
        made.children = [jamie.ref, mia.ref, baby.ref]
        sam = people.add_person(
            session,
            name="Sam Testwood",
            kind="parent",
            role="Mother",
            phone="07700 900123",
            child=jamie,
            relationship="mother",
        )
        chris = people.add_person(
            session,
            name="Chris Testwood",
            kind="parent",
            role="Father",
            preferred_language="Polish",
            child=jamie,
            relationship="father",
        )
        for child in (mia, baby):
            people.link(session, child, sam, "mother")
            people.link(session, child, chris, "father")
        worker = people.add_person(
            session,
            name="Jordan Ashby",
            kind="professional",
            role="Lead social worker",
            agency="Northshire Children's Services",
            email="jordan.ashby@example.org",
        )
        health = people.add_person(
            session,
            name="Ola Brennan",
            kind="professional",
            role="Health visitor",
            agency="Northshire Community Health",
        )
        school = people.add_person(
            session,
            name="Tom Hale",
            kind="professional",
            role="Class teacher",
            agency="Riverside Primary School (synthetic)",
        )
        nursery = people.add_person(
            session,
            name="Grace Oduya",
            kind="professional",
            role="Nursery key worker",
            agency="Little Acorns Nursery (synthetic)",
        )
        midwife = people.add_person(
            session,
            name="Hannah Pike",
            kind="professional",
            role="Community midwife",
            agency="Northshire Maternity Services",
        )
        made.people = [p.ref for p in (sam, chris, worker, health, school, nursery, midwife)]
    return made


def shift_dates(value: object, delta: timedelta) -> object:
    """Every date in a parsed document moved by delta (so the demo's example stays current)."""
    if isinstance(value, date):
        return value + delta
    if isinstance(value, dict):
        return {key: shift_dates(item, delta) for key, item in value.items()}
    if isinstance(value, list):
        return [shift_dates(item, delta) for item in value]
    return value


def example_conference(held_on: date) -> dict[str, object]:
    """The packaged example conference (`cpctl conference template`), moved to be held on `held_on`."""
    from importlib.resources import files

    import yaml

    data = yaml.safe_load(files("cpctl").joinpath("examples/conference.yaml").read_text(encoding="utf-8"))
    moved = shift_dates(data, held_on - data["date"])
    assert isinstance(moved, dict)
    return moved


def record_initial_conference(store: Store, *, today: date | None = None, held_on: date | None = None) -> str:
    """Record the example initial conference for Jamie and Mia (held six days ago unless `held_on` says), after
    the health visitor's referral and the section 47 enquiry that started on the day of the strategy discussion
    (the conference links itself to that enquiry)."""
    from cpctl.casework import census_items, conference

    today = today or date.today()
    data = conference.ConferenceIn.model_validate(example_conference(held_on or today - timedelta(days=6)))
    strategy = data.strategy_discussion or data.date
    with store.write() as session:
        for ref in ("DEMO-1001", "DEMO-1002"):
            child = people.find_child(session, ref)
            census_items.record_referral(
                session, child, on=strategy - timedelta(days=3), source="3B", need="N1", today=today
            )
            census_items.record_enquiry(session, child, started=strategy, today=today)
    with store.write() as session:
        saved = conference.save(session, conference.prepare(session, data, today=today))
    return saved.conference.ref


def example_core_group(held_on: date) -> dict[str, object]:
    """The packaged example core group (`cpctl core-group template`), moved to be held on `held_on`."""
    from importlib.resources import files

    import yaml

    data = yaml.safe_load(files("cpctl").joinpath("examples/core-group.yaml").read_text(encoding="utf-8"))
    moved = shift_dates(data, held_on - data["date"])
    assert isinstance(moved, dict)
    return moved


def record_plan_life(store: Store, *, today: date | None = None, documents: Path | None = None) -> str:
    """Walk Jamie and Mia through a plan's first three months: an initial conference on the Monday 13 weeks
    ago, two core groups, visits, the chair's midway reviews, and a review conference, booked with invitations and
    reports, that continues Jamie's plan and ends Mia's, with its outcome letters and record written after it.
    The invitations, letters and record are written into `documents` (Markdown; a folder of its own, made if new),
    or into a temporary folder, removed after, where none is given.
    Every date is a whole number of weeks from the example files' own, so each stays on a weekday.
    Returns the review conference's reference.
    """
    if documents is None:
        import tempfile

        with tempfile.TemporaryDirectory(prefix="cpctl-demo-") as folder:
            return record_plan_life(store, today=today, documents=Path(folder))
    from cpctl.casework import conference, coregroup, quality, visits

    today = today or date.today()
    start = today - timedelta(weeks=13)
    start -= timedelta(days=start.weekday())
    initial = record_initial_conference(store, today=today, held_on=start)
    _write_outcome(store, initial, start + timedelta(days=1), documents, record_on=start + timedelta(days=14))
    first = coregroup.CoreGroupIn.model_validate(example_core_group(start + timedelta(days=11)))
    with store.write() as session:
        coregroup.record(session, first, today=today)
        for child, days in (
            ("DEMO-1001", 9),
            ("DEMO-1002", 10),
            ("DEMO-1001", 23),
            ("DEMO-1001", 37),
            ("DEMO-1001", 51),
            ("DEMO-1001", 66),
            ("DEMO-1001", 80),
            ("DEMO-1001", 87),
        ):
            visits.record(
                session,
                visits.VisitIn(
                    child=child,
                    date=start + timedelta(days=days),
                    visitor="P00004",
                    announced=days % 2 == 0,
                    seen_alone=child == "DEMO-1001",
                    bedroom_seen=days in (9, 37, 66),
                    notes=[{"text": "Home warm; food in the cupboards."}],
                ),
                today=today,
            )
        second = coregroup.CoreGroupIn.model_validate(
            {
                "child": "DEMO-1001",
                "date": start + timedelta(days=52),
                "attendance": [
                    {"person": "P00002", "status": "attended"},
                    {"person": "P00003", "status": "attended"},
                    {"person": "P00004", "status": "attended"},
                    {"person": "P00006", "status": "attended"},
                ],
                "progress": [
                    {"action": "A1", "status": "done", "note": "The course is done. Meals and bed are at set times."},
                    {"action": "A2", "status": "on-track"},
                    {"action": "A3", "status": "on-track"},
                ],
                "parent_views": ["Chris says things are calmer at home and he wants the plan to end."],
                "changed_actions": [{"id": "A2", "frequency": "weekly"}],
                "next_meeting": start + timedelta(days=95),
                "sent_on": start + timedelta(days=58),
            }
        )
        coregroup.record(session, second, today=today)
        for child, outcome, notes in (
            ("DEMO-1001", "on-track", "Breakfast club every day; the parenting course is going well."),
            ("DEMO-1002", "on-track", "Every health and speech therapy appointment kept."),
        ):
            quality.midway_review(
                session,
                people.find_child(session, child),
                outcome=outcome,
                on=start + timedelta(days=42),
                notes=notes,
                today=today,
            )
    review = conference.ConferenceIn.model_validate(
        {
            "kind": "review",
            "date": start + timedelta(days=88),
            "time": "14:00",
            "venue": "Northshire Civic Centre",
            "attendance": [
                {"person": "P00002", "status": "attended"},
                {"person": "P00003", "status": "attended"},
                {"person": "P00004", "status": "attended"},
                {"person": "P00005", "status": "attended"},
                {"person": "P00006", "status": "attended"},
                {"person": "P00007", "status": "attended"},
            ],
            "discussion": "Jamie is fed, warm most days and on time at school; the parenting course is finished. "
            "The home was cold on one visit in week 10, so the risk of neglect is lower but not gone for Jamie. "
            "Mia's health needs are met and every appointment was kept.",
            "decisions": [
                {
                    "child": "DEMO-1001",
                    "outcome": "plan-continues",
                    "categories": ["NEG"],
                    "participation": "PN6",
                    "evidence": [
                        "Jamie now comes to school fed and on time. But the home was cold on one visit in week 10."
                    ],
                    "child_views": ['Jamie said home is "better now" and he likes breakfast club.'],
                    "parent_views": [
                        "Sam and Chris want the plan to end. They accept it will go on for three more months."
                    ],
                },
                {
                    "child": "DEMO-1002",
                    "outcome": "plan-ends",
                    "participation": "PN6",
                    "evidence": ["Mia goes to every health and speech therapy appointment."],
                    "child_views": ["Mia showed her nursery drawings of her family."],
                    "parent_views": ["Sam is pleased Mia's plan ends."],
                    "end_reason": "Mia's needs are met. She is no longer likely to come to serious harm.",
                    "step_down": "child in need plan",
                },
            ],
        }
    )
    held_on = start + timedelta(days=88)
    booked = _book_review(store, held_on, documents)
    with store.write() as session:
        saved = conference.save(session, conference.prepare(session, review, today=today))
        from cpctl.casework import booking

        booking.mark_held(session, booking.find(session, booked), saved.conference.id or 0, saved.conference.ref)
    _write_outcome(store, saved.conference.ref, held_on + timedelta(days=3), documents)  # the Monday after
    return saved.conference.ref


def _write_outcome(store: Store, ref: str, on: date, documents: Path, *, record_on: date | None = None) -> None:
    """The outcome letters of conference `ref`, written on `on`, and its record, written on `record_on` (else `on`),
    as `cpctl conference letter` and `cpctl conference record` write them."""
    from cpctl.documents.conference_files import write_letters, write_record
    from cpctl.documents.render import template_dirs

    folders = template_dirs(None)
    write_letters(store, ref, to=None, out_dir=documents, fmt="md", language=None, folders=folders, today=on)
    write_record(store, ref, out_dir=documents, fmt="md", language=None, folders=folders, today=record_on or on)


def _book_review(store: Store, held_on: date, documents: Path) -> str:
    """The review (on a Friday), booked four weeks ahead: everyone invited the Monday after (the invitations written
    into `documents` as `cpctl conference invite` writes them), the health visitor's and the nursery's reports in
    on time and shared, the school's late. Returns the booking's reference."""
    from cpctl.casework import booking, people
    from cpctl.documents.conference_files import write_invitations
    from cpctl.documents.render import template_dirs

    booked_on = held_on - timedelta(weeks=4)
    data = booking.BookingIn.model_validate(
        {
            "kind": "review",
            "date": held_on,
            "time": "14:00",
            "venue": "Northshire Civic Centre",
            "children": ["DEMO-1001", "DEMO-1002"],
            "invitees": [
                {"person": "P00002"},
                {"person": "P00003"},
                {"person": "P00004", "report": False},
                {"person": "P00005"},
                {"person": "P00006"},
                {"person": "P00007"},
            ],
        }
    )
    with store.write() as session:
        ref = booking.book(session, data, today=booked_on).booking.ref
    write_invitations(
        store,
        ref,
        to=None,
        out_dir=documents,
        fmt="md",
        language=None,
        folders=template_dirs(None),
        today=booked_on + timedelta(days=3),
    )
    with store.write() as session:
        row = booking.find(session, ref)
        for person, received, shared in (
            ("P00005", held_on - timedelta(days=10), held_on - timedelta(days=9)),
            ("P00007", held_on - timedelta(days=8), held_on - timedelta(days=8)),
            ("P00006", held_on - timedelta(days=4), held_on - timedelta(days=4)),  # late: due 5 working days before
        ):
            booking.record_report(
                session, row, people.find_person(session, person), received=received, shared=shared, today=held_on
            )
        return row.ref
