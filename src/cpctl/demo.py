"""A synthetic family for demonstrations, tests and benchmarks. Every name here is invented."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from cpctl import people, settings
from cpctl.errors import CpctlError
from cpctl.models import Child
from cpctl.store import Store

AUTHORITY = "Northshire County Council (synthetic demo)"


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
        settings.initialise(session, authority=AUTHORITY, jurisdiction="england", name=chair_name, role="chair")
        family = "Testwood household"
        jamie = people.add_child(session, given_name="Jamie", family_name="Testwood", ref="DEMO-1001",
                                 date_of_birth=years_before(today, 8, 40), gender="boy",
                                 culture_religion="Family are practising Muslims; avoid appointments during Eid.",
                                 family=family, today=today)
        mia = people.add_child(session, given_name="Mia", family_name="Testwood", ref="DEMO-1002",
                               date_of_birth=years_before(today, 4, 100), gender="girl",
                               disability="Speech and language delay; uses picture cards.", family=family,
                               today=today)
        baby = people.add_child(session, given_name="Baby", family_name="Testwood", ref="DEMO-1003",
                                expected_date=today + timedelta(weeks=10), family=family, today=today)
        made.children = [jamie.ref, mia.ref, baby.ref]
        sam = people.add_person(session, name="Sam Testwood", kind="parent", role="Mother",
                                phone="07700 900123", child=jamie, relationship="mother")
        chris = people.add_person(session, name="Chris Testwood", kind="parent", role="Father",
                                  preferred_language="Polish", child=jamie, relationship="father")
        for child in (mia, baby):
            people.link(session, child, sam, "mother")
            people.link(session, child, chris, "father")
        worker = people.add_person(session, name="Jordan Ashby", kind="professional", role="Lead social worker",
                                   agency="Northshire Children's Services", email="jordan.ashby@example.org")
        health = people.add_person(session, name="Ola Brennan", kind="professional", role="Health visitor",
                                   agency="Northshire Community Health")
        school = people.add_person(session, name="Tom Hale", kind="professional", role="Class teacher",
                                   agency="Riverside Primary School (synthetic)")
        nursery = people.add_person(session, name="Grace Oduya", kind="professional", role="Nursery key worker",
                                    agency="Little Acorns Nursery (synthetic)")
        midwife = people.add_person(session, name="Hannah Pike", kind="professional", role="Community midwife",
                                    agency="Northshire Maternity Services")
        made.people = [p.ref for p in (sam, chris, worker, health, school, nursery, midwife)]
    return made
