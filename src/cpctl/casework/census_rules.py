"""England's Children in Need census: the DfE's validation rules that concern what cpctl records.

Pure functions over plain values (no session): `check_child` runs every rule on one child's census items,
`check_children` adds the rules across a whole file (an id or a UPN used twice). Each rule is an entry of `RULES`
with the DfE's number and message, and a sentence a chair can act on.

The numbers and messages are the DfE's CIN census validation rules as the open-source implementations give them
(SocialFinanceDigitalLabs' cin-validator, rules for 2022-23 onwards, and Bristol's COLLECT replica of the same
checks); the code lists are the 2024 schema's (`cpctl.rules.census_codes`). Only rules about items cpctl records
are here: no assessments, CIN plans, dates of death or the collection's own totals (2883 is a return-level count).

Two checks have no DfE number and say so (`rule` is None): the LAchildID's form (the schema: 1 to 20 letters and
digits), and the section 47's ICPCnotRequired flag set although an initial conference followed (the guide: the flag
is for an enquiry that ended without one). `InitialCPCtarget` is computed here, not checked: 15 working days from
the section 47 start, the start counting as day 1 when it is a working day (the validator's reading; England's bank
holidays), so it can never fall on a weekend (8870Q).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING

from cpctl.rules import census_codes
from cpctl.rules.census_codes import (
    CLOSURE_REASON,
    DISABILITY,
    ETHNICITY,
    GENDER,
    PRIMARY_NEED,
    REFERRAL_SOURCE,
    UPN_LETTERS,
)

if TYPE_CHECKING:
    from cpctl.rules.calendar import Calendar

CATEGORIES = ("NEG", "PHY", "SAB", "EMO", "MUL")  # the schema's categoryofabuse
TARGET_WORKING_DAYS = 15


@dataclass(frozen=True)
class Rule:
    number: str
    dfe: str  # the DfE's message, as the validator shows it
    plain: str  # what it means for a chair


RULES: dict[str, Rule] = {
    r.number: r
    for r in (
        Rule("8510", "More than one child record with the same LA Child ID", "two children share one census id"),
        Rule("1510", "UPN invalid (wrong check letter at character 1)", "the UPN's first letter does not check"),
        Rule("1520", "More than one record with the same UPN", "two children have the same UPN"),
        Rule("1540", "UPN invalid (characters 5-12 not all numeric)", "the UPN is not a letter and 12 characters"),
        Rule("1550", "UPN invalid (character 13 not a recognised value)", "the UPN's last character is not allowed"),
        Rule("1560Q", "Please check: Former UPN wrongly formatted", "the former UPN does not check"),
        Rule(
            "8772",
            "UPN unknown reason is UN7 (Referral with no further action) but at least one CIN details is a referral "
            "going on to further action",
            "UN7 (referral with no further action) is given as why there is no UPN, but a referral led to action",
        ),
        Rule("4180", "Gender is missing", "the census sex code (GenderCurrent) is missing or not 1, 2, 0 or 9"),
        Rule("8750", "Gender must equal 0 for an unborn child", "an unborn baby's census sex code must be 0"),
        Rule(
            "8525",
            "Either Date of Birth or Expected Date of Birth must be provided (but not both)",
            "the child needs a date of birth, or an expected date if unborn",
        ),
        Rule("4220", "Ethnicity is missing or invalid (see Ethnicity table)", "the ethnicity code is not valid"),
        Rule(
            "8540",
            "Child's disability is missing or invalid (see Disability table)",
            "a disability code is not valid",
        ),
        Rule("8790", "Disability information includes both None and other values", "NONE given with disabilities"),
        Rule("8794", "Child has two or more disabilities with the same code", "a disability code is given twice"),
        Rule("8590", "Child does not have a recorded CIN episode.", "the child has no referral recorded"),
        Rule(
            "8610",
            "Primary Need code is missing for a referral which led to further action",
            "the referral's primary need is missing",
        ),
        Rule("8650", "Primary Need Code invalid (see Primary Need table in CIN census code set)", "bad need code"),
        Rule("8866", "Source of Referral is missing or an invalid code", "the referral's source is not valid"),
        Rule(
            "8630",
            "CIN Closure Date is before CIN Referral Date for the same CIN episode",
            "the episode closes before its referral",
        ),
        Rule(
            "8640",
            "CIN Reason for closure code invalid (see Reason for Closure table in CIN Census code set)",
            "the closure reason is not valid",
        ),
        Rule(
            "8805",
            "A CIN case cannot have a CIN closure date without a Reason for Closure",
            "the episode is closed without a reason",
        ),
        Rule(
            "8810",
            "A CIN case cannot have a Reason for Closure without a CIN Closure Date",
            "a closure reason is given but the episode has no closure date",
        ),
        Rule("8565", "Activity shown after a case has been closed", "something is dated after the episode closed"),
        Rule(
            "8868",
            "CIN episode is shown as closed, however Section 47 enquiry is not shown as completed by ICPC date or "
            "ICPC not required flag",
            "the episode closed while a section 47 enquiry was still open",
        ),
        Rule("8820", "The dates on the CIN episodes for this child overlap", "two referral episodes overlap"),
        Rule(
            "8815",
            "More than one open CIN Details episode (a module with no CIN Closure Date) has been provided for this "
            "child and case is not a referral with no further action.",
            "the child has two open referral episodes",
        ),
        Rule(
            "8831",
            "Activity is recorded against a case marked as a referral with no further action",
            "a referral marked 'no further action' has a section 47 or a conference",
        ),
        Rule(
            "8832",
            "Child Protection details provided for a referral with no further action",
            "a referral marked 'no further action' has a child protection plan",
        ),
        Rule(
            "2990",
            "Activity is recorded against a case marked as 'Case closed after assessment, no further action'",
            "an episode closed as RC8 (no further action after assessment) has a section 47 or a plan",
        ),
        Rule(
            "1104",
            "The date of the initial child protection conference cannot be before the referral date",
            "the initial conference is before the referral",
        ),
        Rule(
            "8615",
            "Section 47 Enquiry Start Date must be present and cannot be later than the date of the initial Child "
            "Protection Conference",
            "the section 47 enquiry starts after the initial conference",
        ),
        Rule("2889", "The S47 start date cannot be before the referral date.", "the section 47 is before the referral"),
        Rule(
            "8875",
            "The Date of Initial Child Protection Conference cannot be a weekend",
            "the initial conference is dated on a weekend",
        ),
        Rule(
            "8839",
            "Within one CINDetails group there are 2 or more open S47 Assessments",
            "two section 47 enquiries are open at once",
        ),
        Rule(
            "8890",
            "A Section 47 enquiry is shown as starting when there is another Section 47 Enquiry ongoing",
            "a section 47 enquiry starts while another is ongoing",
        ),
        Rule(
            "2884",
            "An initial child protection conference is recorded at both the S47 and CIN Details level and it should "
            "only be recorded in one",
            "the initial conference is returned twice",
        ),
        Rule(
            "2885",
            "Child protection plan shown as starting a different day to the initial child protection conference",
            "the plan does not start on the day of its initial conference",
        ),
        Rule(
            "1105",
            "The child protection plan start date cannot be before the referral date",
            "the plan starts before the referral",
        ),
        Rule(
            "8905",
            "Initial Category of Abuse code missing or invalid (see Category of Abuse table in CIN Census code set)",
            "the plan's initial category is not NEG, PHY, EMO, SAB or MUL",
        ),
        Rule(
            "8910",
            "Latest Category of Abuse code missing or invalid (see Category of Abuse table in CIN Census code set)",
            "the plan's latest category is not NEG, PHY, EMO, SAB or MUL",
        ),
        Rule("8925", "Child Protection Plan End Date earlier than Start Date", "the plan ends before it starts"),
        Rule("8840", "Child Protection Plan cannot start and end on the same day", "the plan ends the day it starts"),
        Rule(
            "8841",
            "The review date cannot be on the same day or before the Child protection Plan start date.",
            "a review is on or before the day the plan started",
        ),
        Rule(
            "8935",
            "This child is showing more than one open Child Protection plan, i.e. with no End Date",
            "the child has two open plans",
        ),
        Rule("8940", "Child Protection Plan data contains overlapping dates", "two of the child's plans overlap"),
        Rule(
            "8730",
            "Total Number of previous Child Protection Plans missing",
            "the number of previous plans is missing or below 0",
        ),
    )
}


@dataclass(frozen=True)
class Problem:
    """One thing the census would refuse or lacks, for one child (`child` is cpctl's reference)."""

    child: str
    rule: str | None  # the DfE's number; None for an item missing, or a check the DfE does not number
    text: str  # plain words
    fix: str  # what to do about it, with the command where there is one
    missing: bool = False

    @property
    def line(self) -> str:
        head = "missing" if self.missing else (f"rule {self.rule}" if self.rule else "check")
        return f"{self.child}: {head}: {self.text} {self.fix}".rstrip()


# -- the items, as plain values ----------------------------------------------------------------------------------
@dataclass(frozen=True)
class EnquiryItems:
    """A section 47 enquiry (the census's Section47 group)."""

    started_on: date
    conference_on: date | None = None  # DateOfInitialCPC: the initial conference it led to
    icpc_not_required: bool = False


@dataclass(frozen=True)
class PlanItems:
    """A child protection plan (ChildProtectionPlans)."""

    started_on: date
    ended_on: date | None = None
    initial_category: str | None = None
    latest_category: str | None = None
    previous_plans: int | None = 0
    reviews: tuple[date, ...] = ()
    start_conference_on: date | None = None  # the conference that started it
    # started by an initial (or pre-birth, or transfer-in) conference in the year returned: 2885 checks only those
    starts_at_initial: bool = True


@dataclass(frozen=True)
class EpisodeItems:
    """A child in need episode (CINdetails) with the enquiries and plans placed in it by date."""

    referral_on: date
    referral_source: str | None = None
    primary_need: str | None = None
    closed_on: date | None = None
    closure_reason: str | None = None
    referral_nfa: bool = False
    enquiries: tuple[EnquiryItems, ...] = ()
    plans: tuple[PlanItems, ...] = ()
    initial_conference_on: date | None = None  # DateOfInitialCPC at episode level: a conference no enquiry holds
    transfer_in: bool = False  # that conference was a transfer-in: no section 47 of this authority's led to it

    def holds(self, day: date) -> bool:
        return self.referral_on <= day and (self.closed_on is None or day <= self.closed_on)


@dataclass(frozen=True)
class ChildItems:
    ref: str
    la_child_id: str
    upn: str | None = None
    former_upn: str | None = None
    upn_unknown: str | None = None
    gender: str | None = None  # GenderCurrent
    born_on: date | None = None
    expected_on: date | None = None
    ethnicity: str | None = None
    disabilities: tuple[str, ...] | None = None
    episodes: tuple[EpisodeItems, ...] = ()
    unplaced: tuple[str, ...] = field(default=())  # activity no episode holds, described ("the plan from 2026-05-01")


# -- identifiers --------------------------------------------------------------------------------------------------
_ID_PATTERN = re.compile(r"[A-Za-z0-9]{1,20}")


def derived_la_child_id(ref: str, override: str | None) -> str:
    """LAchildID: the child's own census id if set, else cpctl's reference without its non-alphanumerics."""
    return override if override else re.sub(r"[^A-Za-z0-9]", "", ref)


def upn_check_letter(upn: str) -> str | None:
    """The check letter the UPN's characters 2-13 call for (`census_codes.upn_check_letter`, the DfE's published
    algorithm), or None if they are not 11 digits and a digit or an allowed letter."""
    body = upn[1:].upper()
    if len(body) != 12 or not body[:11].isdigit() or not (body[11].isdigit() or body[11] in UPN_LETTERS):
        return None
    return census_codes.upn_check_letter(body)


def upn_rules(upn: str) -> list[str]:
    """The UPN rules a value breaks: 1540 (not a letter and 11 digits), 1550 (13th character), 1510 (check)."""
    body = upn[1:]
    if len(upn) != 13 or not upn[0].isalpha() or not body[:11].isdigit():
        return ["1540"]
    last = body[11].upper()
    if not (last.isdigit() or last in UPN_LETTERS):
        return ["1550"]
    return [] if upn_check_letter(upn) == upn[0].upper() else ["1510"]


def initial_cpc_target(started_on: date, calendar: Calendar) -> date:
    """InitialCPCtarget: 15 working days from the section 47 start, the start being day 1 when it is a working day."""
    from cpctl.rules.timescales import add

    return add(started_on, TARGET_WORKING_DAYS, "working-days", calendar, "day-one")


# -- the checks ---------------------------------------------------------------------------------------------------
def check_child(child: ChildItems) -> list[Problem]:
    """Every rule on one child's items, and the items the census needs that are missing."""
    found: list[Problem] = []
    ref = child.ref

    def broken(number: str, detail: str, fix: str) -> None:
        found.append(Problem(ref, number, f"{RULES[number].plain}: {detail}.", fix))

    def missing(item: str, fix: str) -> None:
        found.append(Problem(ref, None, f"{item}.", fix, missing=True))

    edit = f"`cpctl child edit {ref}"
    if not _ID_PATTERN.fullmatch(child.la_child_id):
        found.append(
            Problem(
                ref,
                None,
                f"the census id (LAchildID) would be {child.la_child_id!r}: the schema allows 1 to 20 letters and "
                "digits.",
                f"Set one: {edit} --census-id ID`.",
            )
        )
    if child.upn:
        for number in upn_rules(child.upn):
            broken(number, child.upn, f"Correct it: {edit} --upn UPN`.")
    elif not child.upn_unknown:
        missing("the UPN, or why there is none", f"Set it: {edit} --upn UPN` or `--upn-unknown UN1..UN7`.")
    if child.former_upn and upn_rules(child.former_upn):
        broken("1560Q", child.former_upn, f"Correct it: {edit} --former-upn UPN`.")
    if child.upn and child.upn_unknown:
        found.append(
            Problem(
                ref,
                None,
                f"a UPN and a reason it is unknown ({child.upn_unknown}) are both recorded.",
                f"Keep one: {edit} --upn-unknown ''` if the UPN is right.",
            )
        )
    if child.upn_unknown == "UN7" and any(not e.referral_nfa for e in child.episodes):
        broken("8772", "a referral led to further action", f"Give the UPN or another reason: {edit} --upn UPN`.")
    unborn = child.born_on is None
    if child.gender is None:
        missing("the census sex code (GenderCurrent)", f"Set it: {edit} --census-sex 1|2|0|9`.")
    elif child.gender not in GENDER:
        broken("4180", repr(child.gender), f"Set it: {edit} --census-sex 1|2|0|9`.")
    elif unborn and child.expected_on is not None and child.gender != "0":
        broken("8750", f"code {child.gender}", f"Set it to 0 until the baby is born: {edit} --census-sex 0`.")
    if child.born_on is None and child.expected_on is None:
        broken("8525", "neither is recorded", f"Record one: {edit} --dob DATE`.")
    if child.ethnicity is None:
        missing("the ethnicity code", f"Set it: {edit} --ethnicity CODE`.")
    elif child.ethnicity not in ETHNICITY:
        broken("4220", repr(child.ethnicity), f"Set it: {edit} --ethnicity CODE`.")
    if child.disabilities is None or not child.disabilities:
        if not all(e.referral_nfa for e in child.episodes):
            missing(
                "the disability codes (NONE for none)", f"Set them: {edit} --disability-code CODE` (NONE for none)."
            )
    else:
        bad = [code for code in child.disabilities if code not in DISABILITY]
        if bad:
            broken("8540", ", ".join(bad), f"Set them again: {edit} --disability-code CODE`.")
        if "NONE" in child.disabilities and len(set(child.disabilities)) > 1:
            broken("8790", ", ".join(child.disabilities), f"Set them again: {edit} --disability-code CODE`.")
        if len(set(child.disabilities)) < len(child.disabilities):
            broken("8794", ", ".join(child.disabilities), f"Set them again: {edit} --disability-code CODE`.")
    referral = f"`cpctl child referral {ref}"
    if not child.episodes:
        broken(
            "8590",
            "no referral holds this child's section 47 or plan",
            f"Record it: {referral} --on DATE --source CODE`.",
        )
    for what in child.unplaced:
        missing(f"a referral episode holding {what}", f"Record it: {referral} --on DATE --source CODE`.")
    for episode in child.episodes:
        found += _check_episode(ref, episode)
    found += _check_episodes_together(ref, child.episodes)
    return found


def _check_episode(ref: str, episode: EpisodeItems) -> list[Problem]:
    found: list[Problem] = []
    when = episode.referral_on.isoformat()
    referral = f"`cpctl child referral {ref}"
    enquiry = f"`cpctl child enquiry {ref}"

    def broken(number: str, detail: str, fix: str) -> None:
        found.append(Problem(ref, number, f"{RULES[number].plain}: {detail}.", fix))

    if episode.referral_source is None or episode.referral_source not in REFERRAL_SOURCE:
        broken("8866", f"the referral of {when}", f"Record the source: {referral} --on {when} --source CODE`.")
    if not episode.referral_nfa:
        if episode.primary_need is None:
            broken("8610", f"the referral of {when}", f"Record it: {referral} --on {when} --need CODE`.")
        elif episode.primary_need not in PRIMARY_NEED:
            broken("8650", repr(episode.primary_need), f"Record it: {referral} --on {when} --need CODE`.")
    closed = episode.closed_on
    if closed is not None and closed < episode.referral_on:
        broken("8630", f"closed {closed.isoformat()}, referred {when}", "Correct the closure date.")
    if episode.closure_reason is not None and episode.closure_reason not in CLOSURE_REASON:
        broken("8640", repr(episode.closure_reason), f"Close it again: {referral} --close DATE --reason RCn`.")
    if closed is not None and episode.closure_reason is None:
        broken("8805", f"closed {closed.isoformat()}", f"Give the reason: {referral} --close DATE --reason RCn`.")
    if closed is None and episode.closure_reason is not None:
        broken("8810", episode.closure_reason, f"Give the date: {referral} --close DATE --reason RCn`.")
    activity = bool(episode.enquiries or episode.plans or episode.initial_conference_on)
    if episode.referral_nfa and (episode.enquiries or episode.initial_conference_on):
        broken("8831", f"the referral of {when}", "A referral that led to an enquiry is not 'no further action'.")
    if episode.referral_nfa and episode.plans:
        broken("8832", f"the referral of {when}", "A referral that led to a plan is not 'no further action'.")
    if episode.closure_reason == "RC8" and activity:
        broken("2990", f"the referral of {when}", "Choose the closure reason that fits (RC7, say).")
    if episode.initial_conference_on is not None:
        if episode.initial_conference_on < episode.referral_on:
            broken("1104", f"conference {episode.initial_conference_on.isoformat()}", "Correct the referral date.")
        if not episode.transfer_in:
            held = episode.initial_conference_on.isoformat()
            found.append(
                Problem(
                    ref,
                    None,
                    f"the section 47 enquiry that led to the initial conference of {held}.",
                    f"Record it: {enquiry} --started DATE` (cpctl links it to that conference).",
                    missing=True,
                )
            )
        if any(e.conference_on == episode.initial_conference_on for e in episode.enquiries):
            broken("2884", episode.initial_conference_on.isoformat(), "")
    open_enquiries = 0
    for item in episode.enquiries:
        start = item.started_on.isoformat()
        if item.started_on < episode.referral_on:
            broken("2889", f"enquiry {start}, referral {when}", "Correct the referral date or the enquiry's start.")
        if item.conference_on is not None:
            held = item.conference_on.isoformat()
            if item.started_on > item.conference_on:
                broken("8615", f"enquiry {start}, conference {held}", f"Correct the start: {enquiry} --started DATE`.")
            if item.conference_on < episode.referral_on:
                broken("1104", f"conference {held}, referral {when}", "Correct the referral date.")
            if item.conference_on.weekday() >= 5:
                broken("8875", held, "Correct the conference's date (`cpctl conference correct`).")
            if item.icpc_not_required:
                found.append(
                    Problem(
                        ref,
                        None,
                        f"the section 47 of {start} is marked 'no conference needed', but the initial conference "
                        f"of {held} followed it.",
                        "Clear the flag on the enquiry.",
                    )
                )
        elif not item.icpc_not_required:
            open_enquiries += 1
            if closed is not None:
                broken(
                    "8868", f"enquiry {start}", f"Record its end: {enquiry} --started {start} --no-conference-needed`."
                )
        if closed is not None and (item.started_on > closed or (item.conference_on or item.started_on) > closed):
            broken("8565", f"enquiry {start}, closed {closed.isoformat()}", "Correct the closure date.")
    if open_enquiries > 1:
        broken("8839", f"{open_enquiries} in the referral of {when}", "Record how the earlier ones ended.")
    enquiries = sorted(episode.enquiries, key=lambda e: e.started_on)
    for earlier, later in zip(enquiries, enquiries[1:], strict=False):
        still_open = earlier.conference_on is None and not earlier.icpc_not_required
        if still_open or (earlier.conference_on is not None and later.started_on < earlier.conference_on):
            broken("8890", f"{later.started_on.isoformat()} during {earlier.started_on.isoformat()}", "")
    for plan in episode.plans:
        found += _check_plan(ref, episode, plan)
    plans = sorted(episode.plans, key=lambda p: p.started_on)
    for earlier, later in zip(plans, plans[1:], strict=False):
        if earlier.ended_on is None or later.started_on < earlier.ended_on:
            broken("8940", f"{later.started_on.isoformat()} within {earlier.started_on.isoformat()}", "")
    if sum(1 for plan in episode.plans if plan.ended_on is None) > 1:
        broken("8935", f"the referral of {when}", "End the earlier plan.")
    return found


def _check_plan(ref: str, episode: EpisodeItems, plan: PlanItems) -> list[Problem]:
    found: list[Problem] = []
    start = plan.started_on.isoformat()

    def broken(number: str, detail: str, fix: str) -> None:
        found.append(Problem(ref, number, f"{RULES[number].plain}: {detail}.", fix))

    initial = {e.conference_on for e in episode.enquiries} | {episode.initial_conference_on}
    if plan.starts_at_initial and plan.started_on not in initial:
        broken(
            "2885",
            f"plan {start}",
            f"Record the section 47 that led to it: `cpctl child enquiry {ref} --started DATE` (cpctl links it to "
            "the conference).",
        )
    if plan.started_on < episode.referral_on:
        broken("1105", f"plan {start}, referral {episode.referral_on.isoformat()}", "Correct the referral date.")
    for number, code in (("8905", plan.initial_category), ("8910", plan.latest_category)):
        if code not in CATEGORIES:
            broken(number, repr(code), "Correct the category (`cpctl conference correct`).")
    if plan.ended_on is not None:
        if plan.ended_on < plan.started_on:
            broken("8925", f"{start} to {plan.ended_on.isoformat()}", "Correct the ending conference's date.")
        elif plan.ended_on == plan.started_on:
            broken("8840", start, "Correct the ending conference's date.")
        if episode.closed_on is not None and plan.ended_on > episode.closed_on:
            broken("8565", f"plan ended {plan.ended_on.isoformat()}", "Correct the closure date.")
    elif episode.closed_on is not None:
        broken("8565", f"plan {start} is still open", "Close the episode after the plan ends.")
    for review in plan.reviews:
        if review <= plan.started_on:
            broken("8841", review.isoformat(), "Correct the review conference's date.")
        elif plan.ended_on is not None and review > plan.ended_on:
            found.append(
                Problem(ref, None, f"a review ({review.isoformat()}) is after the plan ended ({plan.ended_on}).", "")
            )
    if plan.previous_plans is None or plan.previous_plans < 0:
        broken("8730", repr(plan.previous_plans), "")
    return found


def _check_episodes_together(ref: str, episodes: Sequence[EpisodeItems]) -> list[Problem]:
    found: list[Problem] = []
    open_ones = [e for e in episodes if e.closed_on is None and not e.referral_nfa]
    if len(open_ones) > 1:
        found.append(Problem(ref, "8815", f"{RULES['8815'].plain}.", "Close the earlier one."))
    ordered = sorted(episodes, key=lambda e: e.referral_on)
    for earlier, later in zip(ordered, ordered[1:], strict=False):
        if earlier.closed_on is None or later.referral_on < earlier.closed_on:
            found.append(
                Problem(
                    ref,
                    "8820",
                    f"{RULES['8820'].plain}: {earlier.referral_on.isoformat()} and {later.referral_on.isoformat()}.",
                    "Close the earlier one before the next referral.",
                )
            )
    previous = [p.previous_plans for e in ordered for p in sorted(e.plans, key=lambda p: p.started_on)]
    if all(n is not None for n in previous) and any(
        b is not None and a is not None and b <= a for a, b in zip(previous, previous[1:], strict=False)
    ):
        found.append(Problem(ref, None, "the numbers of previous plans do not rise from one plan to the next.", ""))
    return found


def check_children(children: Iterable[ChildItems]) -> list[Problem]:
    """`check_child` for each child, and the rules across the file: an LAchildID (8510) or a UPN (1520) twice."""
    children = list(children)
    ids = Counter(child.la_child_id for child in children)
    upns = Counter(child.upn.upper() for child in children if child.upn)
    found: list[Problem] = []
    for child in children:
        found += check_child(child)
        if ids[child.la_child_id] > 1:
            found.append(
                Problem(
                    child.ref,
                    "8510",
                    f"{RULES['8510'].plain}: {child.la_child_id}.",
                    f"Give one a census id of its own: `cpctl child edit {child.ref} --census-id ID`.",
                )
            )
        if child.upn and upns[child.upn.upper()] > 1:
            found.append(
                Problem(child.ref, "1520", f"{RULES['1520'].plain}: {child.upn}.", "Check both children's UPNs.")
            )
    return found
