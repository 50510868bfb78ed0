"""A team's store on PostgreSQL with two teams and a login for every role: what test_access.py and its fixture
(access_fixtures.py, loaded with `pytest_plugins = ["access_fixtures"]`) share.

Team A is the Testwood family of `cpctl demo`, through three months of a plan (conferences, core groups, visits,
midway reviews, a booked review). Team B has a child of its own on a plan with a conference, a core group, a visit
with a private note, a midway review, an escalation and a booked review; team A has one more such child, restricted
to one login. Every name here is invented.

The store is built once per module (the logins are cluster-wide: each is named after the module's database, and
dropped with it). Each login connects with its own URL (`Team.url_of`).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from sqlalchemy import create_engine, text
from sqlalchemy.engine import Engine, make_url

from backends import StoreRef
from cpctl.demo import testwoods as demo
from cpctl.store import access
from cpctl.store.database import Store

TEAM_A = demo.TEAM  # the Testwoods' team
TEAM_B = "Hillside Locality Team"
JAMIE, MIA, BABY = "DEMO-1001", "DEMO-1002", "DEMO-1003"
WREN = "WB-2001"  # team B's child
ELLIS = "WA-3001"  # team A's child restricted to one login
CHAIR_PERSON, LEAD_A = "P00001", "P00004"  # chairs every team-A conference; team A's lead social worker

# Each login of the store: its role, its team, and the person that stands for it (a ref, or a new professional).
LOGINS: dict[str, tuple[str, str | None, str]] = {
    "sw_a": ("social-worker", TEAM_A, LEAD_A),
    "sw_b": ("social-worker", TEAM_B, "Kit Marlow"),
    "tm_a": ("team-manager", TEAM_A, "Lee Okafor"),
    "bs_a": ("business-support", TEAM_A, "Pat Quarry"),
    "chair": ("chair", None, CHAIR_PERSON),
    "auditor": ("auditor", None, "Audrey Vale"),
    "listed": ("social-worker", TEAM_A, "Quinn Fairley"),  # the only login ELLIS is restricted to
}


@dataclass
class Team:
    """The team store: the owner's URL, each login's name and password, and the references of its records."""

    url: str
    logins: dict[str, str]  # key of LOGINS -> the login's name on the server
    passwords: dict[str, str]
    refs: dict[str, dict[str, str]] = field(default_factory=dict)  # child -> {"conference": ..., "visit": ...}
    _engines: dict[str, Engine] = field(default_factory=dict)

    @property
    def ref(self) -> StoreRef:
        return StoreRef(self.url)

    def url_of(self, who: str) -> str:
        """The store's URL with the login's own name and password ("owner": the store's owner)."""
        if who == "owner":
            return self.url
        return (
            make_url(self.url)
            .set(username=self.logins[who], password=self.passwords[who])
            .render_as_string(hide_password=False)
        )

    def engine(self, who: str) -> Engine:
        if who not in self._engines:
            self._engines[who] = create_engine(self.url_of(who))
        return self._engines[who]

    def dispose(self) -> None:
        for engine in self._engines.values():
            engine.dispose()


def _swap(data: Any, swaps: dict[str, str]) -> Any:
    """A parsed example document with references swapped (dates come back as ISO text, which the models take)."""
    raw = json.dumps(data, default=str)
    for old, new in swaps.items():
        raw = raw.replace(f'"{old}"', f'"{new}"')
    return json.loads(raw)


def _child_on_plan(
    store: Store, *, ref: str, given: str, family: str, team: str, lead: str, chair: str, held_on: date
) -> dict[str, str]:
    """A child with a parent, on a plan from an initial conference held on `held_on` (a Monday): a core group, a
    visit with a private note, a midway review, an escalation and a booked review. Returns the records' refs."""
    from cpctl.casework import booking, census_items, conference, coregroup, people, quality, visits
    from cpctl.casework.visits import ref_of as visit_ref

    today = date.today()
    with store.write() as session:
        child = people.add_child(
            session,
            given_name=given,
            family_name=family,
            ref=ref,
            date_of_birth=demo.years_before(today, 6),
            gender="girl",
            family=f"{family} household",
            team=team,
            today=today,
        )
        parent = people.add_person(
            session, name=f"Robin {family}", kind="parent", role="Mother", child=child, relationship="mother"
        ).ref
        strategy = held_on - timedelta(days=14)
        census_items.record_referral(
            session, child, on=strategy - timedelta(days=3), source="3B", need="N1", today=today
        )
        census_items.record_enquiry(session, child, started=strategy, today=today)
    data = demo.example_conference(held_on)
    data["strategy_discussion"] = held_on - timedelta(days=14)
    data["chair"] = chair
    data["attendance"] = [
        {"person": parent, "status": "attended"},
        {"person": lead, "status": "attended"},
        {"person": "P00005", "status": "attended"},
        {"person": "P00006", "status": "attended"},
        {"person": "P00007", "status": "attended"},
    ]
    decision = data["decisions"][0]  # type: ignore[index]
    decision["dissent"] = []
    decision["plan"] = dict(decision["plan"])
    decision["plan"]["worries"] = [
        *decision["plan"]["worries"],
        {"text": f"A relative told the school something about {given} that is being checked.", "private": True},
    ]
    data["decisions"] = [_swap(decision, {"DEMO-1001": ref, "P00004": lead, "P00002": parent, "P00003": parent})]
    data["decisions"][0]["core_group"] = [parent, "P00005", "P00006"]  # type: ignore[index]
    with store.write() as session:
        saved = conference.save(
            session, conference.prepare(session, conference.ConferenceIn.model_validate(data), today=today)
        )
        conference_ref = saved.conference.ref
    group = _swap(demo.example_core_group(held_on + timedelta(days=11)), {"DEMO-1001": ref, "P00002": parent})
    del group["sent_on"]  # not sent yet: `core-group sent` has something to record
    group["attendance"] = [
        {"person": parent, "status": "attended"},
        {"person": lead, "status": "attended"},
        {"person": "P00005", "status": "attended"},
    ]
    with store.write() as session:
        coregroup.record(session, coregroup.CoreGroupIn.model_validate(group), today=today)
        visit = visits.record(
            session,
            visits.VisitIn(
                child=ref,
                date=held_on + timedelta(days=9),
                visitor=lead,
                seen_alone=True,
                notes=[{"text": "Home warm."}, {"text": f"A neighbour's worry about {given}.", "private": True}],
            ),
            today=today,
        )
        child = people.find_child(session, ref)
        quality.midway_review(
            session, child, outcome="on-track", on=held_on + timedelta(days=42), notes="Going well.", today=today
        )
        escalation = quality.raise_escalation(
            session,
            child,
            concern="The core group has not met for six weeks.",
            raised_with="Team manager",
            on=held_on + timedelta(days=43),
            today=today,
        )
        booked = booking.book(
            session,
            booking.BookingIn.model_validate(
                {
                    "kind": "review",
                    "date": held_on + timedelta(weeks=12),
                    "time": "10:00",
                    "venue": "Civic Centre",
                    "chair": chair,
                    "children": [ref],
                    "invitees": [{"person": parent}, {"person": lead, "report": False}, {"person": "P00005"}],
                }
            ),
            today=today,
        )
        return {
            "conference": conference_ref,
            "visit": visit_ref(visit),
            "escalation": quality.ref_of(escalation),
            "booking": booked.booking.ref,
            "parent": parent,
        }


def _testwood_refs(store: Store) -> dict[str, str]:
    """Jamie's records in the Testwoods' plan life (and an escalation about his plan, which it lacks)."""
    from cpctl.casework import people, quality

    with store.write() as session:
        escalation = quality.raise_escalation(
            session,
            people.find_child(session, JAMIE),
            concern="The plan's actions have no dates.",
            raised_with="Team manager",
            on=date.today() - timedelta(days=3),
        )
        conn = session.connection()
        return {
            "conference": conn.execute(text("SELECT min(ref) FROM conference")).scalar_one(),
            "booking": conn.execute(text("SELECT min(ref) FROM booking")).scalar_one(),
            "visit": "V00001",  # Jamie's first visit
            "escalation": quality.ref_of(escalation),
            "parent": "P00002",  # Sam Testwood, linked to the Testwoods alone
        }


def build(url: str, logins: dict[str, str], passwords: dict[str, str]) -> Team:
    """The two teams' children and records, then the logins, made by the owner."""
    from sqlmodel import select

    from cpctl.casework import people
    from cpctl.store.models import Person

    team = Team(url=url, logins=logins, passwords=passwords)
    store = Store(url)
    try:
        demo.build(store)
        demo.record_plan_life(store)
        monday = date.today() - timedelta(weeks=10)
        monday -= timedelta(days=monday.weekday())
        with store.write() as session:
            for name, role in (
                ("Kit Marlow", "Social worker"),
                ("Dana Reyes", "Conference chair"),
                ("Lee Okafor", "Team manager"),
                ("Pat Quarry", "Business support officer"),
                ("Audrey Vale", "Auditor"),
                ("Quinn Fairley", "Social worker"),
            ):
                people.add_person(session, name=name, kind="professional", role=role, agency="Northshire (synthetic)")
        with store.write() as session:
            refs = {p.name: p.ref for p in session.exec(select(Person)).all()}
        team.refs[WREN] = _child_on_plan(
            store,
            ref=WREN,
            given="Wren",
            family="Testbrook",
            team=TEAM_B,
            lead=refs["Kit Marlow"],
            chair=refs["Dana Reyes"],
            held_on=monday,
        )
        team.refs[ELLIS] = _child_on_plan(
            store,
            ref=ELLIS,
            given="Ellis",
            family="Testfield",
            team=TEAM_A,
            lead=LEAD_A,
            chair=CHAIR_PERSON,
            held_on=monday,
        )
        team.refs[JAMIE] = _testwood_refs(store)
        with store.write() as session:
            conn = session.connection()
            for key, (role, team_name, person) in LOGINS.items():
                login = logins[key]
                access.create_login(conn, login, passwords[key])
                access.grant(conn, login, role)
                person_ref = person if person.startswith("P0") else refs[person]
                conn.execute(
                    text(
                        "INSERT INTO app_user (login, person_id, role, team_id) VALUES (:login, "
                        "(SELECT id FROM person WHERE ref = :person), :role, (SELECT id FROM team WHERE name = :team))"
                    ),
                    {"login": login, "person": person_ref, "role": role, "team": team_name},
                )
            conn.execute(
                text(
                    "INSERT INTO child_restriction (child_id, login, added_at) "
                    "SELECT id, :login, '2026-01-01T00:00:00Z' FROM child WHERE ref = :ref"
                ),
                {"login": logins["listed"], "ref": ELLIS},
            )
    finally:
        store.dispose()
    return team
