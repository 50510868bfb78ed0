"""What England's census needs, in a synthetic authority: the teams, each child's census items (UPN or the reason
there is none, census sex, ethnicity and disability codes), the child in need episode each case sits in, and the
section 47 enquiry of each initial conference. Used by `cpctl.demo.synthetic`.

The draws come from a random generator of their own, so the rest of the synthetic store is what it was before the
census items were added. The shares are in `cpctl.demo.synthetic_content`.
"""

from __future__ import annotations

import random
from datetime import date, timedelta
from typing import Any

from cpctl.demo.synthetic_content import (
    CLOSURE_REASONS,
    DISABILITIES,
    DISABLED,
    ETHNICITIES,
    PRIMARY_NEEDS,
    REFERRAL_SOURCES,
    SYNTHETIC_LEA,
    TEAM_PLACES,
    _Weighted,
)
from cpctl.demo.synthetic_rows import _Writer
from cpctl.rules.census_codes import upn_check_letter

__all__ = ["SYNTHETIC_LEA", "CensusItems"]


def _weekday(day: date) -> date:
    """The day itself, or the Monday after a weekend."""
    return day + timedelta(days=(7 - day.weekday()) % 7) if day.weekday() >= 5 else day


class CensusItems:
    def __init__(self, writer: _Writer, today: date, seed: int) -> None:
        self.w = writer
        self.today = today
        self.rng = random.Random(seed + 7)
        self.ethnicity = _Weighted(self.rng, ETHNICITIES)
        self.source = _Weighted(self.rng, REFERRAL_SOURCES)
        self.need = _Weighted(self.rng, PRIMARY_NEEDS)
        self.disability = _Weighted(self.rng, DISABILITIES)
        self.closure = _Weighted(self.rng, CLOSURE_REASONS)
        self.teams: list[tuple[int, str]] = []

    def hire_teams(self, on: date, children: int) -> None:
        """8 to 20 teams, more for a bigger authority."""
        for place in TEAM_PLACES[: min(len(TEAM_PLACES), max(8, children // 2500))]:
            team_id, name = self.w.new_id("team"), f"{place} Safeguarding Team"
            self.w.add("team", (team_id, name))
            self.w.audit(on, "team.add", "team", str(team_id), f"team {team_id} added", {"name": name})
            self.teams.append((team_id, name))

    def family(self) -> tuple[int, str, str]:
        """A family's team (id and name) and ethnicity (brothers and sisters share it)."""
        team_id, name = self.rng.choice(self.teams)
        return team_id, name, self.ethnicity.draw()

    def items(self, child_id: int, born: date | None, gender: str | None, ethnicity: str) -> tuple[Any, ...]:
        """upn, upn_unknown, census_gender, ethnicity, disabilities: a UPN with its check letter for a child of
        school age (most of them), the reason there is none for the others."""
        c = self.rng
        upn = unknown = None
        age = (self.today - born).days // 365 if born is not None else -1
        if age >= 5 and c.random() < 0.95:
            rest = (
                f"{SYNTHETIC_LEA}{2000 + (child_id // 1000) % 8000:04d}{(born.year + 5) % 100:02d}{child_id % 1000:03d}"  # type: ignore[union-attr]
            )
            upn = upn_check_letter(rest) + rest
        elif age >= 5:
            unknown = c.choice(("UN2", "UN3", "UN4", "UN4", "UN5"))
        else:
            unknown = "UN1"
        sex = {"girl": "2", "boy": "1"}.get(gender or "", "0")
        disabilities = self.disability.draw() if born is not None and c.random() < DISABLED else "NONE"
        return upn, unknown, sex, ethnicity, disabilities

    def episode(
        self,
        members: list[Any],
        start: date,
        end: date | None,
        strategy: date | None,
        start_kind: str,
        conference: tuple[int, str],
        next_start: date | None,
    ) -> None:
        """The child in need episode a plan sits in (a referral some days before the enquiry, unless the child's
        episode is still open from an earlier plan), the section 47 enquiry that led to the initial conference
        (on the strategy discussion's day, or a working day or few after it; none for a transfer-in), and for
        some plans that ended, the episode's closure a few weeks later."""
        c, w = self.rng, self.w
        s47 = None
        if start_kind != "transfer-in":
            s47 = strategy or start - timedelta(days=c.randint(14, 24))
            for _ in range(0 if c.random() < 0.7 else c.randint(1, 3)):
                s47 += timedelta(days=3 if s47.weekday() == 4 else 1)
            s47 = min(_weekday(s47), start)
        referral = _weekday((s47 or start) - timedelta(days=c.randint(0, 20)))
        if referral > (s47 or start):
            referral -= timedelta(days=7)
        source, need = self.source.draw(), self.need.draw()
        closed = None
        if end is not None and c.random() < 0.35:
            closed = end + timedelta(days=c.randint(20, 120))
            if closed > self.today or (next_start is not None and closed >= next_start - timedelta(days=75)):
                closed = None
        reason = self.closure.draw() if closed is not None else None
        for member in members:
            if not member.episode_open:
                member.episodes.append(
                    [
                        w.new_id("cin_episode"),
                        member.id,
                        referral.isoformat(),
                        source,
                        need,
                        None,
                        None,
                        0,
                        f"{referral.isoformat()}T17:00:00.000000Z",
                    ]
                )
                w.audit(
                    referral,
                    "referral.add",
                    "child",
                    member.ref,
                    f"referral for child {member.ref} on {referral.isoformat()}",
                    {
                        "no_further_action": False,
                        "primary_need": need,
                        "referral_on": referral.isoformat(),
                        "source": source,
                    },
                )
            if s47 is not None:
                w.add(
                    "section47",
                    (
                        w.new_id("section47"),
                        member.id,
                        s47.isoformat(),
                        0,
                        conference[0],
                        f"{start.isoformat()}T17:00:00.000000Z",
                    ),
                )
                w.audit(
                    start,
                    "enquiry.link",
                    "child",
                    member.ref,
                    f"section 47 enquiry of {s47.isoformat()} for child {member.ref} led to conference {conference[1]}",
                    {"conference": conference[1], "started_on": s47.isoformat()},
                )
            if closed is not None:
                self.close_episode(member, closed, reason or "RC7")

    def close_episode(self, member: Any, closed: date, reason: str) -> None:
        row = member.episodes[-1]
        row[5], row[6] = closed.isoformat(), reason
        referral = row[2]
        self.w.audit(
            closed,
            "referral.close",
            "child",
            member.ref,
            f"referral of {referral} for child {member.ref} closed on {closed.isoformat()}",
            {"closed_on": closed.isoformat(), "reason": reason},
        )

    def record(self, team: str, items: tuple[Any, ...]) -> dict[str, Any]:
        """The team and census items of a child as `child add` audits them (`people.child_record`)."""
        upn, unknown, sex, ethnicity, disabilities = items
        census = {"la_child_id": None, "upn": upn, "former_upn": None, "upn_unknown": unknown, "sex": sex}
        return {"team": team, "census": census | {"ethnicity": ethnicity, "disabilities": [disabilities]}}

    def write_episodes(self, members: list[Any]) -> None:
        """The family's episodes, once every case of theirs has opened or closed them."""
        for member in members:
            for episode in member.episodes:
                self.w.add("cin_episode", tuple(episode))
