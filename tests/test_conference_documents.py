"""`cpctl conference letter | record | invite`: the documents around a conference, one private file per
recipient, each a disclosure in the audit trail, and the CaseEvents that meet the documents' deadlines.

The store is the fixed plan's (tests/export_support.py: the Testwoods' initial conference CF00001, with items
not for the family and a kinship carer whose details the family must never see), with the chair's discussion
summary and a booked review conference (tests/booking_support.py) added.
"""

from __future__ import annotations

import json
import re
import stat
from datetime import date
from pathlib import Path

import pytest

from backends import StoreRef
from booking_support import BOOKING, CONF
from export_support import CARER_ADDRESS, CARER_NAME, CARER_PHONE, PARENT_PHONE, PRIVATE
from helpers import CHANGES, execute, failed, rows, run_cli

pytest_plugins = ["export_fixtures", "booking_fixtures"]  # the fixed plan's store with a booking (cycle)

LETTER_DAY = date(2026, 11, 17)
RECORD_DAY = date(2026, 11, 20)
FAMILY_SECRETS = (*PRIVATE.values(), CARER_NAME, CARER_PHONE, CARER_ADDRESS, PARENT_PHONE)


@pytest.fixture
def out(tmp_path: Path) -> Path:
    """The folder the documents go to (tmp_path holds the store and the data folder too)."""
    return tmp_path / "out"


# Chris Testwood prefers Polish: his copies are in Polish, from a catalogue no qualified translator has checked yet.
POLISH_NOTE = (
    "Note: the Polish translation has not been checked by a qualified translator yet (see `cpctl language list`); "
    "Chris Testwood's copy says so, in Polish and in English.\n"
)
WELSH_NOTE = (
    r"Note: the Welsh translation has not been checked by a qualified translator yet \(see `cpctl language list`\); "
    r"[\w ]+'s copy says so, in Welsh and in English\.\n"
)
UNCHECKED = (
    "A qualified translator has not checked this translation yet. If anything is not clear, ask for the English "
    "copy or for an interpreter."
)


def cpctl(store: StoreRef, *args: str) -> str:
    """Standard output of a command that succeeded; Chris Testwood prefers Polish, which is noted once."""
    result = run_cli("--db", str(store), *args)
    assert result.exit_code == 0, result.output
    for line in result.stderr.splitlines(keepends=True):  # Polish for Chris; Welsh if asked for (both drafts)
        assert line == POLISH_NOTE or re.fullmatch(WELSH_NOTE, line), line
    return result.stdout


def trail(store: StoreRef, action: str) -> list[dict[str, object]]:
    found = rows(store, "SELECT entity_id, summary, changes FROM audit_entry WHERE action = ? ORDER BY id", (action,))
    return [{"entity": e, "summary": s, **json.loads(c)} for e, s, c in found]


def events(store: StoreRef, kind: str) -> list[tuple[object, ...]]:
    return rows(
        store,
        "SELECT child.ref, case_event.happened_on, conference.ref, case_event.plan_id IS NOT NULL FROM case_event "
        "JOIN child ON child.id = case_event.child_id JOIN conference ON conference.id = case_event.conference_id "
        "WHERE case_event.kind = ? ORDER BY child.ref",
        (kind,),
    )


def private_file(path: Path) -> bool:
    return stat.S_IMODE(path.stat().st_mode) == 0o600


# -- the outcome letter ---------------------------------------------------------------------------------------


def test_the_letter_goes_to_each_parent_and_an_older_child_and_meets_its_deadline(
    cycle: StoreRef, tmp_path: Path
) -> None:
    folder = tmp_path / "letters"
    result = run_cli(
        "--db", str(cycle), "conference", "letter", CONF, "-o", str(folder), "--on", LETTER_DAY.isoformat()
    )
    assert (result.exit_code, result.stderr) == (0, POLISH_NOTE)  # once, though Chris has two letters
    shown = result.stdout
    names = sorted(p.name for p in folder.iterdir())
    assert names == [
        "DEMO-1001-CF00001-letter-DEMO-1001.md",  # Jamie, 8: a letter of his own
        "DEMO-1001-CF00001-letter-P00002.md",
        "DEMO-1001-CF00001-letter-P00003.md",
        "DEMO-1002-CF00001-letter-P00002.md",  # Mia, 4: none of her own
        "DEMO-1002-CF00001-letter-P00003.md",
    ]
    assert all(private_file(p) for p in folder.iterdir())
    assert "Every parent of DEMO-1001 now has the outcome letter" in shown
    sam = (folder / "DEMO-1001-CF00001-letter-P00002.md").read_text(encoding="utf-8")
    assert "Dear Sam Testwood," in sam
    assert "The meeting decided that Jamie needs a child protection plan." in sam
    assert "The kind of harm is: Neglect." in sam
    assert "Jordan Ashby is your lead social worker." in sam
    assert "review child protection conference will be by" in sam
    assert "You can complain." in sam
    chris = (folder / "DEMO-1001-CF00001-letter-P00003.md").read_text(encoding="utf-8")
    assert "We cannot write this copy in" not in chris
    assert f"> {UNCHECKED}" in chris  # in English, after the same words in Polish
    assert "Dear Chris Testwood," not in chris  # the fixed text is Polish
    jamie = (folder / "DEMO-1001-CF00001-letter-DEMO-1001.md").read_text(encoding="utf-8")
    assert "Dear Jamie," in jamie and "advocate" in jamie
    for path in folder.iterdir():
        text = path.read_text(encoding="utf-8")
        assert not [secret for secret in FAMILY_SECRETS if secret in text], path.name
    assert events(cycle, "outcome-letter-sent") == [
        ("DEMO-1001", LETTER_DAY.isoformat(), CONF, 1),
        ("DEMO-1002", LETTER_DAY.isoformat(), CONF, 1),
    ]
    written = trail(cycle, "conference.letter")
    assert len(written) == 5
    first = written[0]
    assert first["entity"] == CONF and first["document"] == "outcome-letter"
    assert first["where"] == str((folder / f"{first['children'][0]}-CF00001-letter-{first['to']}.md").absolute())  # type: ignore[index]
    assert "Testwood" not in json.dumps(written)  # ids only in the trail's own words


def test_the_deadline_is_met_only_when_every_parent_has_a_letter(cycle: StoreRef, out: Path) -> None:
    day = LETTER_DAY.isoformat()
    cpctl(cycle, "conference", "letter", CONF, "--to", "P00002", "-o", str(out), "--on", day)
    assert sorted(p.name for p in out.iterdir()) == [
        "DEMO-1001-CF00001-letter-P00002.md",
        "DEMO-1002-CF00001-letter-P00002.md",
    ]
    assert events(cycle, "outcome-letter-sent") == []
    cpctl(cycle, "conference", "letter", CONF, "--to", "P00003", "-o", str(out), "--on", day)
    assert [e[0] for e in events(cycle, "outcome-letter-sent")] == ["DEMO-1001", "DEMO-1002"]
    cpctl(cycle, "conference", "letter", CONF, "--to", "P00003", "-o", str(out), "--on", day, "--force")
    assert len(events(cycle, "outcome-letter-sent")) == 2  # written again: no second event


def test_a_letter_in_welsh_and_in_html(cycle: StoreRef, out: Path) -> None:
    cpctl(
        cycle, "conference", "letter", CONF, "--to", "P00002", "--language", "Welsh", "--format", "html",
        "-o", str(out), "--on", LETTER_DAY.isoformat(),
    )  # fmt: skip
    text = (out / "DEMO-1001-CF00001-letter-P00002.html").read_text(encoding="utf-8")
    assert '<html lang="cy" dir="ltr">' in text
    assert "Penderfynodd y cyfarfod fod angen" in text
    assert "<script" not in text


@pytest.mark.parametrize(
    ("args", "line"),
    [
        (("CF09999",), "Error: no conference 'CF09999'; see `cpctl conference list`."),
        (
            (CONF, "--to", "P00004"),
            "Error: P00004 is not a parent, carer or relative of a child CF00001 decided for; see `cpctl conference "
            "show`.",
        ),
        (
            (CONF, "--to", "DEMO-1002"),
            "Error: child DEMO-1002 is under 8: a letter of their own is written for a child of 8 or over; their "
            "worker explains the decision.",
        ),
    ],
)
def test_letter_mistakes_fail_in_one_line_and_write_nothing(
    cycle: StoreRef, tmp_path: Path, args: tuple[str, ...], line: str
) -> None:
    before = rows(cycle, CHANGES)
    failed(run_cli("--db", str(cycle), "conference", "letter", *args, "-o", str(tmp_path / "out")), line)
    assert not (tmp_path / "out").exists()
    assert rows(cycle, CHANGES) == before


def test_a_file_in_the_way_stops_every_letter_and_records_none(cycle: StoreRef, out: Path) -> None:
    out.mkdir()
    (out / "DEMO-1002-CF00001-letter-P00003.md").write_text("mine", encoding="utf-8")
    before = rows(cycle, CHANGES)
    result = run_cli("--db", str(cycle), "conference", "letter", CONF, "-o", str(out))
    assert result.exit_code == 1 and "already exists" in result.stderr
    assert sorted(p.name for p in out.iterdir()) == ["DEMO-1002-CF00001-letter-P00003.md"]
    assert rows(cycle, CHANGES) == before
    assert events(cycle, "outcome-letter-sent") == []


# -- the conference record ------------------------------------------------------------------------------------


def record(store: StoreRef, folder: Path, *args: str) -> str:
    return cpctl(store, "conference", "record", CONF, "-o", str(folder), "--on", RECORD_DAY.isoformat(), *args)


def test_the_record_goes_to_everyone_entitled_with_exclusions_and_withheld_sections(cycle: StoreRef, out: Path) -> None:
    shown = record(
        cycle, out, "--exclude", "P00006", "--withhold", "P00003=discussion", "--withhold", "P00003=dissent",
        "--reason", "Court order (synthetic)",
    )  # fmt: skip
    assert "not sent to Tom Hale (P00006): Court order (synthetic)" in shown
    assert "Chris Testwood (P00003), without discussion, dissent: Court order (synthetic)" in shown
    names = sorted(p.name for p in out.iterdir())
    # Everyone on the attendance list, the chair, the parents and the booking's invitees, but Tom Hale.
    assert names == [f"CF00001-record-P0000{n}.md" for n in (1, 2, 3, 4, 5, 7)]
    assert all(private_file(p) for p in out.iterdir())
    chair = (out / "CF00001-record-P00001.md").read_text(encoding="utf-8")
    assert "The chair summed up: the risk is neglect at home." in chair
    assert PRIVATE["evidence"] in chair and "Not for the family’s copy" in chair
    assert "Tom Hale (Class teacher, Riverside Primary School (synthetic)): Court order (synthetic)" in chair
    chris = (out / "CF00001-record-P00003.md").read_text(encoding="utf-8")
    assert (
        "Some sections of the record are left out of this copy: the discussion and the analysis of risk, who did"
        in chris
    )
    assert "The chair summed up" not in chris and "does not think the children have been neglected" not in chris
    sam = (out / "CF00001-record-P00002.md").read_text(encoding="utf-8")
    assert "The chair summed up" in sam and "does not think the children have been neglected" in sam
    for text in (sam, chris):
        assert not [secret for secret in FAMILY_SECRETS if secret in text]
        assert "Court order" not in text and "Not sent to" not in text  # who was kept from it, and why: never
    assert rows(
        cycle,
        "SELECT person.ref, receives, withheld, reason FROM conference_recipient JOIN person ON person.id = "
        "conference_recipient.person_id ORDER BY person.ref",
    ) == [
        ("P00001", 1, None, None),
        ("P00002", 1, None, None),
        ("P00003", 1, "discussion,dissent", "Court order (synthetic)"),
        ("P00004", 1, None, None),
        ("P00005", 1, None, None),
        ("P00006", 0, None, "Court order (synthetic)"),
        ("P00007", 1, None, None),
    ]
    assert [e[0] for e in events(cycle, "record-sent")] == ["DEMO-1001", "DEMO-1002"]
    copies = trail(cycle, "conference.record")
    assert sorted(c["to"] for c in copies) == ["P00001", "P00002", "P00003", "P00004", "P00005", "P00007"]  # type: ignore[type-var]
    assert next(c for c in copies if c["to"] == "P00003")["withheld"] == ["discussion", "dissent"]
    assert "P00006 excluded from the record of CF00001" in [e["summary"] for e in trail(cycle, "conference.recipient")]


def test_the_distribution_list_is_kept_for_the_next_copy(cycle: StoreRef, tmp_path: Path) -> None:
    record(cycle, tmp_path / "first", "--exclude", "P00006", "--reason", "Court order (synthetic)")
    record(cycle, tmp_path / "again")
    assert "CF00001-record-P00006.md" not in [p.name for p in (tmp_path / "again").iterdir()]
    assert len(events(cycle, "record-sent")) == 2


@pytest.mark.parametrize(
    ("args", "line", "code"),
    [
        (("--exclude", "P00006"), "Error: say why with --reason TEXT (it is kept with the distribution list).", 2),
        (
            ("--withhold", "P00003=gossip", "--reason", "x"),
            "Error: there is no section 'gossip' to withhold: choose one of attendance, reports, discussion, reasons, "
            "views, dissent, plan.",
            1,
        ),
        (
            ("--withhold", "P00003", "--reason", "x"),
            "Error: --withhold takes PERSON=SECTION (e.g. P00003=discussion), not 'P00003'.",
            1,
        ),
        (
            ("--exclude", "P00009", "--reason", "x"),
            "Error: P00009 is not on the distribution list of CF00001: there is nothing to exclude.",
            1,
        ),
    ],
)
def test_record_mistakes_fail_in_one_line_and_change_nothing(
    cycle: StoreRef, tmp_path: Path, args: tuple[str, ...], line: str, code: int
) -> None:
    before = rows(cycle, CHANGES)
    result = run_cli("--db", str(cycle), "conference", "record", CONF, "-o", str(tmp_path / "out"), *args)
    if code == 2:
        assert result.exit_code == 2 and line.removeprefix("Error: ") in result.stderr
    else:
        failed(result, line)
    assert not (tmp_path / "out").exists()
    assert rows(cycle, CHANGES) == before
    assert rows(cycle, "SELECT COUNT(*) FROM conference_recipient") == [(0,)]


# -- the invitations ------------------------------------------------------------------------------------------


def test_an_invitation_for_each_invitee_marks_them_invited(cycle: StoreRef, out: Path) -> None:
    shown = cpctl(cycle, "conference", "invite", BOOKING, "-o", str(out), "--on", "2026-11-25")
    assert f"{BOOKING}-invitation-P00005.md, report due 2027-02-03" in shown
    names = sorted(p.name for p in out.iterdir())
    assert names == [f"{BOOKING}-invitation-P0000{n}.md" for n in (2, 3, 5, 6)]
    sam = (out / f"{BOOKING}-invitation-P00002.md").read_text(encoding="utf-8")
    assert "We are holding a meeting about Jamie and Mia." in sam
    assert "You can also bring an advocate." in sam
    assert "We will have an interpreter at the meeting, who speaks Polish." in sam
    assert "If you cannot come" in sam
    assert "report" not in sam.split("## How to give your views")[0].lower()
    ola = (out / f"{BOOKING}-invitation-P00005.md").read_text(encoding="utf-8")
    assert "Please send your report to Alex Morgan by 3 February 2027." in ola
    assert "rule reports-to-chair-review, Sussex Child Protection and Safeguarding Procedures 5.11.3" in ola
    due = json.loads(cpctl(cycle, "due", "--json", "--all", "--child", "DEMO-1001"))
    asked = {d["due"] for d in due if d["kind"] == "report-received" and "Ola Brennan" in d["what"]}
    assert asked == {"2027-02-03"}  # the date the invitation asks for is the deadline `due` shows
    for name in names:
        text = (out / name).read_text(encoding="utf-8")
        assert not [secret for secret in FAMILY_SECRETS if secret in text]
    assert rows(cycle, "SELECT invited_on FROM booking_invitee ORDER BY person_id") == [("2026-11-25",)] * 4
    assert len(trail(cycle, "booking.invite")) == 4


def test_one_invitation_and_a_booking_no_longer_to_come(cycle: StoreRef, out: Path) -> None:
    cpctl(cycle, "conference", "invite", BOOKING, "--to", "P00006", "-o", str(out), "--on", "2026-11-25")
    assert [p.name for p in out.iterdir()] == [f"{BOOKING}-invitation-P00006.md"]
    assert rows(cycle, "SELECT COUNT(*) FROM booking_invitee WHERE invited_on IS NOT NULL") == [(1,)]
    failed(
        run_cli("--db", str(cycle), "conference", "invite", BOOKING, "--to", "P00004", "-o", str(out)),
        f"Error: P00004 is not invited to {BOOKING}; see `cpctl conference show {BOOKING}`.",
    )
    execute(cycle, f"UPDATE booking SET status = 'cancelled' WHERE ref = '{BOOKING}'")
    failed(
        run_cli("--db", str(cycle), "conference", "invite", BOOKING, "-o", str(out)),
        f"Error: booking {BOOKING} is cancelled: invitations are for a conference still to come.",
    )


def test_the_record_lists_the_reports_of_the_booking_it_was_held_from(cycle: StoreRef, out: Path) -> None:
    """A booking held as the conference: its reports, received or missing, shared or not, are in the record."""
    execute(
        cycle,
        f"UPDATE booking SET status = 'held', conference_id = (SELECT id FROM conference WHERE ref = '{CONF}') "
        f"WHERE ref = '{BOOKING}'",
        "UPDATE booking_invitee SET report_received_on = '2026-11-10', report_shared_on = '2026-11-11' "
        "WHERE person_id = (SELECT id FROM person WHERE ref = 'P00005')",
    )
    record(cycle, out)
    text = (out / "CF00001-record-P00004.md").read_text(encoding="utf-8")
    reports = text.split("## Reports")[1].split("##")[0]
    assert "Ola Brennan (Health visitor, Northshire Community Health) · 10 November 2026 · 11 November 2026" in reports
    assert "Tom Hale (Class teacher, Riverside Primary School (synthetic)) · Not received · Not shared" in reports


def test_a_decision_that_no_plan_is_needed_gets_its_letter_too(cycle: StoreRef, out: Path) -> None:
    """An initial conference for a new sibling that decides no plan is needed: the parent is told so."""
    from datetime import timedelta

    from cpctl.casework import conference, people
    from cpctl.store.database import Store
    from export_support import TODAY

    store = Store(cycle.url)
    with store.write() as session:
        child = people.add_child(session, given_name="Alex", family_name="Testwood", date_of_birth=date(2015, 3, 2))
        people.link(session, child, people.find_person(session, "P00002"), "mother")
        ref = child.ref
    data = {
        "kind": "initial",
        "date": TODAY - timedelta(days=1),
        "chair": "P00001",
        "attendance": [{"person": "P00002", "status": "attended"}, {"person": "P00004", "status": "attended"}],
        "inquorate_reason": "Synthetic test: two agencies were enough on the day.",
        "decisions": [{"child": ref, "outcome": "not-needed", "parent_views": ["Sam is relieved."]}],
    }
    with store.write() as session:
        saved = conference.save(session, conference.prepare(session, conference.ConferenceIn.model_validate(data)))
        held = saved.conference.ref
    store.dispose()
    cpctl(cycle, "conference", "letter", held, "-o", str(out), "--on", TODAY.isoformat())
    text = (out / f"{ref}-{held}-letter-P00002.md").read_text(encoding="utf-8")
    assert "The meeting decided that Alex does not need a child protection plan." in text
    assert "You can complain." in text and "What happens next" not in text
    assert [e[0] for e in events(cycle, "outcome-letter-sent")] == [ref]


@pytest.mark.parametrize(
    ("nation", "words", "not_words"),
    [
        ("scotland", ("Child Protection Planning Meeting", "lead professional"), ("child protection conference",)),
        ("northern-ireland", ("child protection case conference", "key worker"), ("lead social worker",)),
        (
            "wales",
            ("child protection review conference", "care and support protection co-ordinator"),
            ("lead social worker", "review child protection conference"),
        ),
    ],
)
def test_the_family_documents_use_each_nations_words(
    cycle: StoreRef, out: Path, nation: str, words: tuple[str, ...], not_words: tuple[str, ...]
) -> None:
    cpctl(
        cycle,
        "init",
        "--authority",
        "Northshire (synthetic)",
        "--jurisdiction",
        nation,
        "--name",
        "Alex Morgan",
        "--role",
        "chair",
    )
    cpctl(cycle, "conference", "letter", CONF, "--to", "P00002", "-o", str(out), "--on", "2026-11-25")
    cpctl(cycle, "conference", "invite", BOOKING, "--to", "P00002", "-o", str(out), "--on", "2026-11-25")
    letter = (out / f"DEMO-1001-{CONF}-letter-P00002.md").read_text(encoding="utf-8")
    invitation = (out / f"{BOOKING}-invitation-P00002.md").read_text(encoding="utf-8")
    assert all(word in letter for word in words), letter
    assert words[0] in invitation
    assert not [word for word in not_words if word in letter.lower() or word in invitation.lower()]
