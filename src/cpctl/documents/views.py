"""The render context of a plan document: `PlanDocument` and the views it is made of.

Every template receives the fields of `PlanDocument` as variables (`child`, `content`, `deadlines`, ...). These
classes are the whole contract with template authors: a field not here is an error (StrictUndefined). They are plain,
frozen data; `cpctl.documents.gather` fills them from the store, `cpctl.documents.redaction` makes each reader's copy
from them and `cpctl.documents.render` shows them.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any, Literal

Audience = Literal["professional", "parent", "child"]
Format = Literal["md", "html", "pdf"]
AUDIENCES: tuple[Audience, ...] = ("professional", "parent", "child")
FORMATS: tuple[Format, ...] = ("md", "html", "pdf")
SOURCE_LANGUAGE = "en"
# The core group's words for progress on an action (cpctl.casework.coregroup.PROGRESS; a test keeps them equal).
PROGRESS_STATUSES = ("done", "on-track", "some-concern", "not-started", "no-longer-needed")


@dataclass(frozen=True)
class TextItem:
    """One piece of the plan's free text, as written; `private` ones exist only in the professional copy."""

    text: str
    private: bool = False


@dataclass(frozen=True)
class PersonView:
    """Someone named in the plan. In a family copy `name` is None for a carer (it could reveal a placement),
    `email` is kept only for professionals (their work address), and there is never a phone or an address."""

    ref: str
    name: str | None
    kind: str  # parent, carer, family or professional
    role: str | None = None
    agency: str | None = None
    relationship: str | None = None  # to the child: mother, father, ...
    email: str | None = None
    phone: str | None = None
    preferred_language: str | None = None


@dataclass(frozen=True)
class ProgressView:
    """How an action is going, as the core group last recorded it (None until progress is recorded)."""

    status: str  # one of PROGRESS_STATUSES
    note: str | None = None
    recorded_on: date | None = None


@dataclass(frozen=True)
class ActionView:
    id: str | None
    what: str
    why: str | None = None
    who: str | None = None  # as written, when it names no person on record
    who_person: PersonView | None = None  # when `who` is a person's reference
    start: date | None = None
    frequency: str | None = None
    length: str | None = None
    outcome: str | None = None
    by: date | None = None
    measure: str | None = None
    private: bool = False
    for_family: bool = False  # a parent, carer or relative does it (by reference, or in words: documents.who)
    progress: ProgressView | None = None


@dataclass(frozen=True)
class ChildSeenView:
    who: str | None = None
    who_person: PersonView | None = None
    how_often: str | None = None
    where: str | None = None
    parents_present: str | None = None  # yes, no, sometimes
    private: bool = False


@dataclass(frozen=True)
class DissentView:
    who: str
    reason: str
    private: bool = False


@dataclass(frozen=True)
class NotDiscussedView:
    who: str
    why: str
    private: bool = False


@dataclass(frozen=True)
class ObjectivesView:
    child_development: tuple[TextItem, ...] = ()
    parenting_capacity: tuple[TextItem, ...] = ()
    family_environment: tuple[TextItem, ...] = ()


@dataclass(frozen=True)
class ContentView:
    """The body of the plan (cpctl.casework.plan.PlanContent) as the reader may see it."""

    worries: tuple[TextItem, ...] = ()
    working_well: tuple[TextItem, ...] = ()
    immediate_actions: tuple[TextItem, ...] = ()
    objectives: ObjectivesView = ObjectivesView()
    actions: tuple[ActionView, ...] = ()
    child_seen: tuple[ChildSeenView, ...] = ()
    contingency: tuple[TextItem, ...] = ()
    must_change: tuple[TextItem, ...] = ()
    safety_scale: int | None = None


@dataclass(frozen=True)
class DetailsView:
    """The reasons and voices behind the decision (cpctl.casework.plan.DecisionDetails)."""

    evidence: tuple[TextItem, ...] = ()
    child_views: tuple[TextItem, ...] = ()
    parent_views: tuple[TextItem, ...] = ()
    dissent: tuple[DissentView, ...] = ()
    not_discussed_with: tuple[NotDiscussedView, ...] = ()
    interpreter_needed: bool = False
    interpreter_language: str | None = None
    cultural_needs: str | None = None


@dataclass(frozen=True)
class ChildView:
    ref: str
    given_name: str
    family_name: str
    name: str
    date_of_birth: date | None = None
    expected_date: date | None = None
    age: int | None = None  # whole years on the day the copy is made; None before birth
    gender: str | None = None
    preferred_language: str = "English"
    interpreter_needed: bool = False
    culture_religion: str | None = None
    disability: str | None = None

    @property
    def unborn(self) -> bool:
        return self.date_of_birth is None


@dataclass(frozen=True)
class AttendeeView:
    person: PersonView
    status: str  # attended, apologies, report, not-invited
    reason: str | None = None


@dataclass(frozen=True)
class ConferenceView:
    ref: str
    kind: str
    kind_name: str  # in the jurisdiction's words
    held_on: date
    outcome: str  # plan-starts, plan-continues, plan-changes, plan-ends
    time: str | None = None
    venue: str | None = None
    virtual: bool = False
    chair: PersonView | None = None
    quorate: bool = True
    inquorate_reason: str | None = None
    categories: tuple[str, ...] = ()
    attendance: tuple[AttendeeView, ...] = ()


@dataclass(frozen=True)
class PlanView:
    number: int
    started_on: date
    ended_on: date | None = None
    pre_birth: bool = False
    categories: tuple[str, ...] = ()  # labels of the kinds of harm, as the latest conference recorded them
    initial_categories: tuple[str, ...] = ()
    # True when the plan records "more than one kind" (England's MUL) without naming the kinds: a plan recorded
    # before cpctl asked which. A plan that names them holds the kinds in `categories`.
    several_unnamed: bool = False
    previous_plans: int = 0
    end_reason: str | None = None
    step_down: str | None = None


@dataclass(frozen=True)
class VersionView:
    number: int
    made_on: date
    source: str  # conference, core-group, ...
    draft: bool = False
    gaps: tuple[str, ...] = ()
    latest: bool = True
    count: int = 1
    agreed_by: str | None = None  # who agreed a revision at a core group, as recorded


@dataclass(frozen=True)
class DeadlineView:
    kind: str  # first-core-group, core-group, first-review, review, child-seen, ...
    what: str  # in the jurisdiction's words
    due: date
    overdue: bool = False
    sentence: str | None = None  # how the date was worked out (professional copy)


@dataclass(frozen=True)
class LanguageView:
    """The language of the fixed text, and what the reader is told when it is not the one asked for."""

    code: str  # BCP 47 code of the fixed text: en, cy
    name: str  # in English: Welsh
    native_name: str  # in itself: Cymraeg
    requested: str  # what was asked for, as written: Polish
    available: bool = True  # False: no translation, so the fixed text is in English
    partial: bool = False  # some fixed text had no translation and is in English
    text_code: str = SOURCE_LANGUAGE  # the language the plan's own words are taken to be written in
    direction: str = "ltr"  # rtl for Urdu and Arabic
    checked: bool = True  # False: the catalogue is a draft no qualified translator has checked (the copy says so)


@dataclass(frozen=True)
class PlanDocument:
    """Everything a plan document shows. `for_reader()` makes the parents' and the child's from it."""

    audience: Audience
    issued_on: date
    authority: str
    jurisdiction: str
    terms: Mapping[str, str]
    child: ChildView
    plan: PlanView
    version: VersionView
    conference: ConferenceView | None
    lead_worker: PersonView | None
    core_group: tuple[PersonView, ...]
    parents: tuple[PersonView, ...]
    content: ContentView
    details: DetailsView
    deadlines: tuple[DeadlineView, ...]
    next_core_group: date | None = None  # the next core group meeting as arranged at the last one
    reader: PersonView | None = None  # the parent or carer a parent copy is made for
    language: LanguageView | None = None  # set when rendering
    # What the copy is: the plan itself ("plan"), or the chair's letter about the conference's decision
    # ("outcome-letter", for a parent or the child; templates letter-parent.j2, letter-child.j2).
    kind: str = "plan"

    @property
    def template(self) -> str:
        return f"{self.audience}.j2" if self.kind == "plan" else f"letter-{self.audience}.j2"

    def variables(self) -> dict[str, Any]:
        return {f.name: getattr(self, f.name) for f in dataclasses.fields(self)}


# -- the conference record (`cpctl conference record`) -----------------------------------------------------------

# The parts of the record that can be withheld from one recipient (`--withhold PERSON=SECTION`).
RECORD_SECTIONS: dict[str, str] = {
    "attendance": "who came, and apologies",
    "reports": "reports received",
    "discussion": "the discussion and the analysis of risk",
    "reasons": "the reasons for the decision",
    "views": "the child's and the family's views",
    "dissent": "who did not agree",
    "plan": "the outline plan",
}


@dataclass(frozen=True)
class ReportView:
    """A report asked of an agency for the booked conference, and when it came and was shared."""

    person: PersonView
    received_on: date | None = None
    shared_on: date | None = None


@dataclass(frozen=True)
class RecipientView:
    """Someone on the record's distribution list: sent a copy, or not (with the reason), with any sections
    withheld from them."""

    person: PersonView
    receives: bool = True
    withheld: tuple[str, ...] = ()  # keys of RECORD_SECTIONS
    reason: str | None = None


@dataclass(frozen=True)
class RecordChildView:
    """What the conference decided for one child, with its reasons, voices and the outline plan."""

    child: ChildView
    outcome: str
    categories: tuple[str, ...] = ()
    plan_number: int | None = None
    lead_worker: PersonView | None = None
    details: DetailsView = DetailsView()
    content: ContentView = ContentView()
    participation: str | None = None


@dataclass(frozen=True)
class RecordDocument:
    """The conference record (the minutes) as one recipient's copy: `sections` are the parts they are given (a
    withheld part is not merely hidden: its data is not in the copy)."""

    audience: Audience  # professional, or parent for a parent's copy (nothing private)
    issued_on: date
    authority: str
    jurisdiction: str
    terms: Mapping[str, str]
    conference: ConferenceView
    children: tuple[RecordChildView, ...]
    discussion: tuple[TextItem, ...] = ()
    reports: tuple[ReportView, ...] = ()
    distribution: tuple[RecipientView, ...] = ()
    sections: tuple[str, ...] = tuple(RECORD_SECTIONS)
    withheld: tuple[str, ...] = ()  # what this copy leaves out, in words (RECORD_SECTIONS' values)
    reader: PersonView | None = None
    language: LanguageView | None = None
    kind: str = "record"

    @property
    def template(self) -> str:
        return "record.j2"

    def variables(self) -> dict[str, Any]:
        return {f.name: getattr(self, f.name) for f in dataclasses.fields(self)}


# -- the invitation to a booked conference (`cpctl conference invite`) ------------------------------------------


@dataclass(frozen=True)
class BookingView:
    ref: str
    kind: str
    kind_name: str  # in the jurisdiction's words
    booked_for: date
    time: str | None = None
    venue: str | None = None
    virtual: bool = False
    chair: PersonView | None = None
    interpreter_needed: bool = False
    interpreter_language: str | None = None


@dataclass(frozen=True)
class InvitationDocument:
    """One invitation: a parent's letter (audience parent) or an agency's report request (professional)."""

    audience: Audience
    issued_on: date
    authority: str
    jurisdiction: str
    terms: Mapping[str, str]
    booking: BookingView
    children: tuple[ChildView, ...]
    reader: PersonView
    report_requested: bool = False
    report_due: date | None = None
    report_rule: str | None = None  # how the date was worked out (the rule and its source), for agencies
    lead_worker: PersonView | None = None
    language: LanguageView | None = None
    kind: str = "invitation"

    @property
    def template(self) -> str:
        return f"invitation-{self.audience}.j2"

    def variables(self) -> dict[str, Any]:
        return {f.name: getattr(self, f.name) for f in dataclasses.fields(self)}


# Any document the templates render.
Document = PlanDocument | RecordDocument | InvitationDocument
