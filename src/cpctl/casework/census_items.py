"""What England's Children in Need census needs that a case does not otherwise hold: the child's census items
(UPN, ethnicity, disabilities, GenderCurrent, LAchildID), the team, the child in need episode (referral to
closure) and the section 47 enquiry. Codes are checked against the census lists in `cpctl.rules.census_codes`.

Checks here refuse only what is wrong whatever the census (a code not in the list, a closure before its
referral); what the census lacks is for `cpctl census --check` to list.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any

from sqlmodel import Session, col, func, select

from cpctl.dates import utc_now_iso
from cpctl.errors import Invalid
from cpctl.rules import census_codes
from cpctl.store import audit
from cpctl.store.models import Child, CinEpisode, Section47, Team
from cpctl.text import clean

# GenderCurrent's codes, and the words a chair may type instead.
SEX_WORDS = {"male": "1", "female": "2", "unknown": "0", "not-recorded": "0", "indeterminate": "9"}
_UPN = re.compile(r"^[A-Z][0-9]{11}[0-9A-Z]$")
_CENSUS_ID = re.compile(r"^[A-Za-z0-9]{1,20}$")


def returns_census(session: Session) -> bool:
    """Whether this store returns England's census (its jurisdiction is England): only then are items asked."""
    from cpctl.store.settings import get

    return get(session, "jurisdiction") == "england"


def code(value: str, codes: Mapping[str, str], what: str) -> str:
    """A census code, upper-cased; one line listing the valid codes when it is not one of them."""
    text = (value or "").strip().upper()
    if text not in codes:
        raise Invalid(f"{what} {value!r} is not a census code: use one of {', '.join(codes)}.")
    return text


def census_sex(value: str) -> str:
    """GenderCurrent: 1, 2, 0 or 9, or male, female, unknown (0) or indeterminate (9)."""
    text = (value or "").strip().lower()
    text = SEX_WORDS.get(text, text)
    if text not in census_codes.GENDER:
        raise Invalid(
            f"census sex {value!r} is not a census code: use 1 (male), 2 (female), 0 (not recorded or unborn), "
            "9 (indeterminate), or male, female, unknown, indeterminate."
        )
    return text


def upn(value: str, what: str = "the UPN") -> str:
    """A unique pupil number: 13 characters, its check letter first, as the DfE publishes it."""
    text = (value or "").strip().upper().replace(" ", "")
    if not _UPN.match(text):
        raise Invalid(
            f"{what} {value!r} is not a UPN: it has 13 characters, a letter, 11 digits, then a digit or a letter."
        )
    if census_codes.upn_check_letter(text[1:]) != text[0]:
        right = census_codes.upn_check_letter(text[1:])
        raise Invalid(f"{what} {text} has the wrong check letter: with these digits it begins {right}; check it.")
    return text


def census_id(value: str) -> str:
    """LAchildID: 1 to 20 letters and digits, nothing else."""
    text = (value or "").strip()
    if not _CENSUS_ID.match(text):
        raise Invalid(f"the census id {value!r} must be 1 to 20 letters and digits (no spaces or punctuation).")
    return text


def disabilities(values: Iterable[str]) -> str | None:
    """Disability codes as stored: comma-separated, in the census list's order; NONE alone or not at all."""
    given = {code(v, census_codes.DISABILITY, "disability") for v in values if v and v.strip()}
    if not given:
        return None
    if "NONE" in given and len(given) > 1:
        raise Invalid("disability NONE cannot go with another disability code: give NONE alone, or the codes.")
    return ",".join(c for c in census_codes.DISABILITY if c in given)


def item_values(values: Mapping[str, Any]) -> dict[str, Any]:
    """The census items of a child add or edit, checked and in their stored form ("" clears an item)."""
    out: dict[str, Any] = {}
    for key, value in values.items():
        if value is None:
            continue
        if isinstance(value, str) and not value.strip() and key != "disabilities":
            out[key] = None
        elif key in ("upn", "former_upn"):
            out[key] = upn(value, "the former UPN" if key == "former_upn" else "the UPN")
        elif key == "upn_unknown":
            out[key] = code(value, census_codes.UPN_UNKNOWN, "the reason the UPN is unknown")
        elif key == "census_gender":
            out[key] = census_sex(value)
        elif key == "ethnicity":
            out[key] = code(value, census_codes.ETHNICITY, "ethnicity")
        elif key == "disabilities":
            out[key] = disabilities([value] if isinstance(value, str) else value)
        elif key == "la_child_id":
            out[key] = census_id(value)
        else:
            raise Invalid(f"{key} is not a census item.")
    if out.get("upn") and out.get("upn_unknown"):
        raise Invalid("give the UPN or the reason it is unknown (--upn-unknown), not both.")
    return out


def apply_items(child: Child, items: Mapping[str, Any]) -> None:
    """Set the items on the child; a UPN clears the reason it was unknown, and a reason clears the UPN."""
    for key, value in items.items():
        setattr(child, key, value)
    if items.get("upn"):
        child.upn_unknown = None
    elif items.get("upn_unknown"):
        child.upn = None


def check_census_id_free(session: Session, child: Child, value: str | None) -> None:
    if value is None:
        return
    other = session.exec(
        select(Child.ref).where(func.lower(Child.la_child_id) == value.lower(), Child.id != child.id)
    ).first()
    if other is not None:
        raise Invalid(f"the census id {value} is already child {other}'s; each child needs their own.")


# -- teams --------------------------------------------------------------------------------------------------
def team_called(session: Session, text: str) -> Team | None:
    """The team of that (cleaned) name, in any case, if there is one."""
    return session.exec(select(Team).where(func.lower(Team.name) == func.lower(text))).first()  # type: ignore[union-attr]


def team_named(session: Session, name: str) -> Team:
    """The team of that name (any case), made if new (audited)."""
    text = clean(name, "the team's name", required=True, max_length=128)
    assert text
    team = team_called(session, text)
    if team is None:
        team = Team(name=text)
        session.add(team)
        session.flush()
        audit.record(session, "team.add", "team", team.id, f"team {team.id} added", {"name": text})
    return team


def team_name(session: Session, child: Child) -> str | None:
    team = session.get(Team, child.team_id) if child.team_id else None
    return team.name if team else None


# -- the child in need episode --------------------------------------------------------------------------------
def open_episode(session: Session, child: Child) -> CinEpisode | None:
    return session.exec(
        select(CinEpisode)
        .where(CinEpisode.child_id == child.id, col(CinEpisode.closed_on).is_(None))
        .order_by(col(CinEpisode.referral_on).desc())
    ).first()


def episodes(session: Session, child: Child) -> list[CinEpisode]:
    return list(
        session.exec(
            select(CinEpisode).where(CinEpisode.child_id == child.id).order_by(col(CinEpisode.referral_on))
        ).all()
    )


def episode_holding(session: Session, child: Child, day: date) -> CinEpisode | None:
    """The episode whose dates hold the day (referral on or before it, closed on or after it, or still open)."""
    for episode in episodes(session, child):
        if episode.referral_on <= day and (episode.closed_on is None or day <= episode.closed_on):
            return episode
    return None


def record_referral(
    session: Session,
    child: Child,
    *,
    on: date,
    source: str,
    need: str | None = None,
    nfa: bool = False,
    today: date | None = None,
) -> CinEpisode | None:
    """Open a child in need episode at its referral; None when that very referral is already recorded."""
    today = today or date.today()
    source_code = code(source, census_codes.REFERRAL_SOURCE, "referral source")
    need_code = code(need, census_codes.PRIMARY_NEED, "primary need") if need else None
    if on > today:
        raise Invalid(f"the referral date {on.isoformat()} is in the future: record a referral once it is made.")
    current = open_episode(session, child)
    if current is not None:
        if current.referral_on == on and current.referral_source == source_code:
            return None
        raise Invalid(
            f"child {child.ref} already has an open referral from {current.referral_on.isoformat()}: close it first "
            f"(`cpctl child referral {child.ref} --close DATE --reason RC7`)."
        )
    held = episode_holding(session, child, on)
    if held is not None:
        raise Invalid(
            f"{on.isoformat()} falls within child {child.ref}'s referral of {held.referral_on.isoformat()}, "
            f"closed {held.closed_on.isoformat() if held.closed_on else ''}; episodes cannot overlap."
        )
    episode = CinEpisode(
        child_id=child.id,  # type: ignore[arg-type]
        referral_on=on,
        referral_source=source_code,
        primary_need=need_code,
        referral_nfa=nfa,
        recorded_at=utc_now_iso(),
    )
    session.add(episode)
    session.flush()
    audit.record(
        session,
        "referral.add",
        "child",
        child.ref,
        f"referral for child {child.ref} on {on.isoformat()}",
        {"referral_on": on.isoformat(), "source": source_code, "primary_need": need_code, "no_further_action": nfa},
    )
    return episode


def close_referral(session: Session, child: Child, *, on: date, reason: str, today: date | None = None) -> CinEpisode:
    """Close the child's open episode: the closure date and the census's reason for closure."""
    today = today or date.today()
    reason_code = code(reason, census_codes.CLOSURE_REASON, "reason for closure")
    current = open_episode(session, child)
    if current is None:
        raise Invalid(
            f"child {child.ref} has no open referral to close; record one with "
            f"`cpctl child referral {child.ref} --on DATE --source CODE`."
        )
    if on > today:
        raise Invalid(f"the closure date {on.isoformat()} is in the future: close the episode once it ends.")
    if on < current.referral_on:
        raise Invalid(f"the closure date {on.isoformat()} is before the referral of {current.referral_on.isoformat()}.")
    current.closed_on = on
    current.closure_reason = reason_code
    session.add(current)
    session.flush()
    audit.record(
        session,
        "referral.close",
        "child",
        child.ref,
        f"referral of {current.referral_on.isoformat()} for child {child.ref} closed on {on.isoformat()}",
        {"closed_on": on.isoformat(), "reason": reason_code},
    )
    return current


# -- the section 47 enquiry -----------------------------------------------------------------------------------
def enquiries(session: Session, child: Child) -> list[Section47]:
    return list(
        session.exec(select(Section47).where(Section47.child_id == child.id).order_by(col(Section47.started_on))).all()
    )


def open_enquiry(session: Session, child: Child) -> Section47 | None:
    """The latest enquiry that has led to no conference yet and was not ended as needing none."""
    waiting = [s for s in enquiries(session, child) if s.conference_id is None and not s.icpc_not_required]
    return waiting[-1] if waiting else None


def record_enquiry(
    session: Session,
    child: Child,
    *,
    started: date,
    conference_needed: bool = True,
    today: date | None = None,
) -> tuple[Section47, bool]:
    """A section 47 enquiry started on that day (or, with conference_needed False, ended needing no initial
    conference): (the enquiry, whether anything changed)."""
    today = today or date.today()
    if started > today:
        raise Invalid(f"the enquiry's start {started.isoformat()} is in the future: record it once it has started.")
    same = next((s for s in enquiries(session, child) if s.started_on == started), None)
    if same is not None:
        if same.icpc_not_required == (not conference_needed):
            return same, False
        if same.conference_id is not None and not conference_needed:
            raise Invalid(
                f"the enquiry of {started.isoformat()} led to an initial conference; it cannot also need none."
            )
        same.icpc_not_required = not conference_needed
        session.add(same)
        session.flush()
        audit.record(
            session,
            "enquiry.edit",
            "child",
            child.ref,
            f"section 47 enquiry of {started.isoformat()} for child {child.ref} edited",
            {"icpc_not_required": [not same.icpc_not_required, same.icpc_not_required]},
        )
        return same, True
    enquiry = Section47(
        child_id=child.id,  # type: ignore[arg-type]
        started_on=started,
        icpc_not_required=not conference_needed,
        recorded_at=utc_now_iso(),
    )
    session.add(enquiry)
    session.flush()
    audit.record(
        session,
        "enquiry.add",
        "child",
        child.ref,
        f"section 47 enquiry for child {child.ref} started {started.isoformat()}",
        {"started_on": started.isoformat(), "icpc_not_required": not conference_needed},
    )
    return enquiry, True


def link_enquiry(
    session: Session, child: Child, *, started: date, conference_id: int, conference_ref: str, held_on: date
) -> Section47:
    """The initial conference's enquiry: the child's enquiry started that day (made if not yet recorded), now
    linked to the conference (audited)."""
    if started > held_on:
        raise Invalid(
            f"the section 47 enquiry cannot start ({started.isoformat()}) after the conference it led to "
            f"({held_on.isoformat()})."
        )
    enquiry = next((s for s in enquiries(session, child) if s.started_on == started), None)
    if enquiry is not None and enquiry.conference_id == conference_id:
        return enquiry
    if enquiry is None:
        enquiry = Section47(
            child_id=child.id,  # type: ignore[arg-type]
            started_on=started,
            recorded_at=utc_now_iso(),
        )
    enquiry.conference_id = conference_id
    enquiry.icpc_not_required = False
    session.add(enquiry)
    session.flush()
    audit.record(
        session,
        "enquiry.link",
        "child",
        child.ref,
        f"section 47 enquiry of {started.isoformat()} for child {child.ref} led to conference {conference_ref}",
        {"started_on": started.isoformat(), "conference": conference_ref},
    )
    return enquiry


def timeline_entries(session: Session, child: Child) -> list[dict[str, Any]]:
    """Referrals, closures and enquiries for the child's timeline (dates as dates)."""
    out: list[dict[str, Any]] = []
    for episode in episodes(session, child):
        source = census_codes.REFERRAL_SOURCE.get(episode.referral_source, episode.referral_source)
        out.append({"date": episode.referral_on, "kind": "referral", "text": f"referral ({source})"})
        if episode.closed_on is not None:
            reason = census_codes.CLOSURE_REASON.get(episode.closure_reason or "", episode.closure_reason or "")
            out.append({"date": episode.closed_on, "kind": "referral", "text": f"episode closed: {reason}"})
    for enquiry in enquiries(session, child):
        text = "section 47 enquiry started"
        if enquiry.icpc_not_required:
            text += " (no initial conference needed)"
        out.append({"date": enquiry.started_on, "kind": "enquiry", "text": text})
    return out


def enquiry_for_conference(session: Session, child: Child, conference: Any, started: date | None) -> None:
    """An initial conference's enquiry: the one that started on `started` (recorded now if new), or else the
    child's open enquiry, is linked to the conference. Nothing when neither is known (`census --check` says)."""
    if started is None:
        waiting = open_enquiry(session, child)
        if waiting is None or waiting.started_on > conference.held_on:
            return
        started = waiting.started_on
    link_enquiry(
        session,
        child,
        started=started,
        conference_id=conference.id,
        conference_ref=conference.ref,
        held_on=conference.held_on,
    )


def records(session: Session, child: Child) -> dict[str, Any]:
    """The child's episodes and enquiries as plain data (for `child show` and --json), in two queries."""
    from cpctl.store.models import Conference

    found = session.exec(
        select(Section47, Conference.ref)
        .join(Conference, col(Conference.id) == Section47.conference_id, isouter=True)
        .where(Section47.child_id == child.id)
        .order_by(col(Section47.started_on))
    ).all()
    return {
        "referrals": [
            {
                "referral_on": e.referral_on.isoformat(),
                "source": e.referral_source,
                "source_words": census_codes.REFERRAL_SOURCE.get(e.referral_source, e.referral_source),
                "primary_need": e.primary_need,
                "no_further_action": e.referral_nfa,
                "closed_on": e.closed_on.isoformat() if e.closed_on else None,
                "closure_reason": e.closure_reason,
            }
            for e in episodes(session, child)
        ],
        "enquiries": [
            {
                "started_on": s.started_on.isoformat(),
                "conference_needed": not s.icpc_not_required,
                "conference": ref,
            }
            for s, ref in found
        ],
    }
