"""What the synthetic authority is made of: the national figures it follows, its invented people and agencies, and
its plans and decisions.

The figures follow DOMAIN.md "Scale" (categories, plan lengths, family sizes, ages, the plans ending in a year);
the names and agencies are invented. The plan and decision templates are made by cpctl's own models and functions
once (`_Templates`), then filled in for each child by the generator (`cpctl.demo.synthetic`).
"""

from __future__ import annotations

import json
import random
from datetime import date, timedelta
from typing import Any

from cpctl.casework import schedule
from cpctl.casework.plan import Action, ChildSeen, DecisionDetails, Interpreter, Item, Objectives, PlanContent

AUTHORITY = "Synthetic National Dataset (every person invented)"
ENDED_PER_ACTIVE = 62_000 / 50_000  # plans ending in a year, per child on a plan at any time (England)
ENDED_MONTHS = 3  # how far back the plans that ended go
CATEGORIES = (("NEG", 50), ("EMO", 36), ("PHY", 7), ("SAB", 4), ("MUL", 3))
PLAN_LENGTHS = ((21, 91, 16), (92, 182, 11), (183, 365, 44), (366, 730, 25), (731, 1095, 4))  # days from, to; %
FAMILY_SIZES = ((1, 50), (2, 30), (3, 14), (4, 6))
AGES = ((0, 0, 11), (1, 4, 28), (5, 9, 30), (10, 15, 27), (16, 16, 4))  # age at the plan's start, %
CHILDREN_PER_WORKER = 16
CHILDREN_PER_CHAIR = 100

GIVEN = (
    "Ada Alfie Amara Arlo Bea Bodhi Cass Cleo Dara Eli Elsie Esme Ezra Finn Freya Gus Hattie Ines Ivo Juno Kai "
    "Kit Lark Lena Luca Mabel Milo Nell Nico Olive Orla Otis Pia Quin Remy Rhea Rosa Rufus Sami Skye Tam Tess "
    "Theo Uma Vida Wren Xan Yara Zac Zena"
).split()
SURNAME_HEADS = "Ash Birch Bram Brook Cald Cran Dun Elm Fern Gorse Hazel Holm Kes Lark Marl Moss Oak Pen Quill Rook"
SURNAME_TAILS = "bury by combe dale field ford gate hurst ley more ridge stead thorpe ton wick wood worth"
SURNAMES = tuple(head + tail for head in SURNAME_HEADS.split() for tail in SURNAME_TAILS.split())
LANGUAGES = ("Polish", "Romanian", "Urdu", "Arabic", "Somali", "Portuguese")

# The census items (England's Children in Need census), roughly as England's children in need: ethnicity of
# children in need at 31 March (DfE, Characteristics of children in need), referral sources of referrals in the year
# (police about 29%, schools 19%, health 14%, LA services 14%...), primary need (abuse or neglect for most children on
# a plan), and about one child in eight with a disability recorded. Shares in %, rounded.
ETHNICITIES = (
    ("WBRI", 60),
    ("WOTH", 6),
    ("WIRI", 0.5),
    ("WIRT", 0.3),
    ("WROM", 1.2),
    ("MWBC", 3),
    ("MWBA", 1.2),
    ("MWAS", 1.8),
    ("MOTH", 3.5),
    ("AIND", 1.2),
    ("APKN", 3),
    ("ABAN", 1.3),
    ("AOTH", 2),
    ("BCRB", 1.2),
    ("BAFR", 4),
    ("BOTH", 1.5),
    ("CHNE", 0.2),
    ("OOTH", 2.5),
    ("REFU", 0.6),
    ("NOBT", 1),
)
REFERRAL_SOURCES = (
    ("6", 29),
    ("2A", 19),
    ("2B", 1),
    ("3A", 3),
    ("3B", 3),
    ("3C", 1),
    ("3D", 2),
    ("3E", 3),
    ("3F", 2),
    ("5A", 3),
    ("5B", 4),
    ("5C", 4),
    ("5D", 3),
    ("1A", 5),
    ("1B", 1),
    ("1C", 1),
    ("1D", 1),
    ("4", 1),
    ("7", 3),
    ("8", 5),
    ("9", 1),
    ("10", 2),
)
PRIMARY_NEEDS = (("N1", 84), ("N4", 5), ("N5", 5), ("N3", 2), ("N2", 1.5), ("N6", 1), ("N8", 1), ("N7", 0.5))
DISABILITIES = (("LD", 3), ("AUT", 4), ("COMM", 2), ("BEH", 2), ("MOB", 0.7), ("HEAR", 0.3), ("VIS", 0.3), ("DDA", 1))
CLOSURE_REASONS = (("RC7", 85), ("RC5", 8), ("RC4", 3), ("RC3", 2), ("RC6", 1), ("RC1", 1))
DISABLED = 0.12  # children with a disability code; the others NONE
TEAM_PLACES = (
    "Ashford North Bramley Castleton Dunmore Eastgate Fairhaven Glenmoor Highbridge Ivybridge Kingsmead Lowmoor "
    "Millbrook Northgate Oakhill Parkside Queensway Riverside Southfield Westbury"
).split()
SYNTHETIC_LEA = "999"  # the census's LA code: no real authority has 999

CHILDRENS_SERVICES = "Children's Social Care (synthetic)"
SAFEGUARDING_UNIT = "Safeguarding Unit (synthetic)"
HEALTH = "Community Health (synthetic)"
SCHOOL = "Schools (synthetic)"
POLICE = "Police (synthetic)"

_WORKER, _HEALTH, _SCHOOL = "@WORKER@", "@HEALTH@", "@SCHOOL@"  # stand-ins in the plan templates
_CORE = '["@CORE@"]'
_DAY0, _DAY1 = date(1901, 1, 1), date(1901, 1, 2)  # stand-ins for an action's start and outcome dates


def _months_after(day: date, months: int) -> date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    for last in (31, 30, 29, 28):
        try:
            return day.replace(year=year, month=month, day=min(day.day, last))
        except ValueError:
            continue
    raise AssertionError("unreachable")


class _Weighted:
    """Draws from (value..., weight) choices."""

    def __init__(self, rng: random.Random, choices: tuple[tuple[Any, ...], ...]) -> None:
        self.rng = rng
        self.values = [c[:-1] if len(c) > 2 else c[0] for c in choices]
        self.weights = [c[-1] for c in choices]

    def draw(self) -> Any:
        return self.rng.choices(self.values, self.weights)[0]


# -- plan and decision templates: validated once, then filled in per child ------------------------------------
WORRIES = {
    "NEG": "The children are often hungry and the home is cold and unsafe.",
    "EMO": "The children see and hear arguments and violence between the adults at home.",
    "PHY": "The child has had bruises that the adults cannot explain.",
    "SAB": "The child is at risk of sexual harm from an adult who visits the home.",
    "MUL": "The children are neglected and see violence between the adults at home.",
}


def _content(category: str, seen: str, stage: int) -> PlanContent:
    """The plan at a stage of its life: 0 the outline from the conference, 1 and on the detailed plan."""
    outline = PlanContent(
        worries=[Item(text=WORRIES[category]), Item(text="The parents have missed health appointments.")],
        working_well=[Item(text="The children are close to their grandmother, who visits every week.")],
        immediate_actions=[Item(text="The lead social worker visits within five working days.")],
        child_seen=[ChildSeen(who=_WORKER, how_often=seen, where="at home and at school", parents_present="sometimes")],
        contingency=[Item(text="If things do not improve, a review conference is brought forward.")],
        core_group=["@CORE@"],
    )
    if stage == 0:
        return outline
    actions = [
        Action(
            id="A1",
            what="Parenting course, one session a week",
            why="So that the parents can set routines at home.",
            who=_HEALTH,
            start=_DAY0,
            frequency="weekly",
            length="12 weeks",
            outcome="Regular meals and bedtimes every day.",
            by=_DAY1,
            measure="The health visitor's observations at home.",
        ),
        Action(
            id="A2",
            what="Money and debt advice",
            why="So that the heating stays on.",
            who=_WORKER,
            start=_DAY0,
            frequency="fortnightly",
            length="until the review" if stage != 2 else "six months",
            outcome="Bills paid and the home warm.",
            by=_DAY1,
            measure="Letters from the supplier.",
        ),
        Action(
            id="A3",
            what="Breakfast club place at school",
            why="So that the children start each day fed.",
            who=_SCHOOL,
            start=_DAY0,
            frequency="every school day",
            length="until the review",
            outcome="Breakfast every school day.",
            by=_DAY1,
            measure="The breakfast club register.",
        ),
    ]
    if stage == 3:
        actions.append(
            Action(
                id="A4",
                what="Sessions with a young carers' group",
                why="So that the eldest has time of their own.",
                who=_WORKER,
                start=_DAY0,
                frequency="monthly",
                length="six months",
                outcome="The eldest goes to the group and says it helps.",
                by=_DAY1,
                measure="What the child tells the lead social worker.",
            )
        )
    return outline.model_copy(
        update={
            "objectives": Objectives(
                child_development=[Item(text="The children are fed, warm and at school every day.")],
                parenting_capacity=[Item(text="The parents keep routines and health appointments.")],
                family_environment=[Item(text="The home is warm and safe, and the bills are paid.")],
            ),
            "actions": actions,
            "must_change": [Item(text="Three months of regular meals, routines and a warm home.")],
            "safety_scale": 3 + stage,
        }
    )


def _details(category: str, outcome: str, language: str | None, culture: str | None) -> DecisionDetails:
    return DecisionDetails(
        evidence=[Item(text=f"{WORRIES[category]} Seen on visits and reported by school.")],
        child_views=[Item(text="The child said home is better when there is food in the cupboards.")],
        parent_views=[Item(text="The parents accept help but do not agree that a plan is needed.")],
        interpreter=Interpreter(needed=language is not None, language=language),
        cultural_needs=culture,
        end_reason="The worries are met and the child is no longer likely to suffer significant harm."
        if outcome == "plan-ends"
        else None,
        step_down="child in need plan" if outcome == "plan-ends" else None,
    )


SEEN = ("every 10 working days", "weekly")  # how often plans say the child is seen (80% and 20%)
STAGES = 4  # 0: the conference's outline plan; 1: the first core group's detailed plan; 2, 3: later revisions


class _Templates:
    """Plan contents, decision details and change lists as JSON text, made by cpctl's own models and functions
    once, then filled in for each child."""

    def __init__(self) -> None:
        from cpctl.casework import plan as plans
        from cpctl.casework import revision

        self.contents: dict[tuple[str, str, int], tuple[str, str, bool]] = {}
        self.changes: dict[tuple[str, str, int], list[str]] = {}
        for category, _ in CATEGORIES:
            for seen in SEEN:
                previous = PlanContent()
                for stage in range(STAGES):
                    content = _content(category, seen, stage)
                    gaps = plans.gaps(content, _details(category, "plan-starts", None, None))
                    self.contents[(category, seen, stage)] = (
                        content.model_dump_json(),
                        json.dumps(gaps, ensure_ascii=False),
                        bool(gaps),
                    )
                    self.changes[(category, seen, stage)] = [c.line() for c in revision.diff(previous, content)]
                    assert not revision.significant(previous, content) or stage == 0
                    previous = content
        self._details: dict[tuple[str, str, str | None, str | None], str] = {}
        self.frequencies = {seen: schedule.seen_frequency(seen) for seen in SEEN}

    def content(self, key: tuple[str, str, int], start: date, core: list[str], refs: dict[str, str]) -> str:
        text = self.contents[key][0].replace(_CORE, json.dumps(core))
        text = text.replace(_DAY0.isoformat(), (start + timedelta(days=14)).isoformat())
        text = text.replace(_DAY1.isoformat(), _months_after(start, 3).isoformat())
        for token, ref in refs.items():
            text = text.replace(token, ref)
        return text

    def details(self, category: str, outcome: str, language: str | None, culture: str | None) -> str:
        key = (category, outcome, language, culture)
        if key not in self._details:
            self._details[key] = _details(category, outcome, language, culture).model_dump_json()
        return self._details[key]
