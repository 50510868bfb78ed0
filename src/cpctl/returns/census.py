"""England's Children in Need census return: who is in it, what is missing or wrong, and the XML itself.

`build(session, profile, year)` gathers every child with child protection activity in the collection year
(1 April YEAR-1 to 31 March YEAR: a section 47 enquiry started in the year, an initial conference held in it, or
a plan open at any time in it), runs the DfE's validation rules on them (`cpctl.casework.census_rules`), and
`to_xml` writes the file in the schema's element order (CIN_schema_2024.xsd) with the standard library.

The items the census asks for and what the year keeps are in `cpctl.casework.census_gather`.

NumberOfPreviousCPP is the number of the child's plans in this store that started before this one: 0 for a first
plan. The DfE's specification (item N00106) and its validation rule 8730 allow 0 ("must be greater than or equal
to zero"); the 2024 schema we were given types it `xs:positiveInteger`, which refuses 0. We write the true number:
a first plan's 0 is what the DfE asks for, and writing 1 would say the child had a plan before. A file with a first
plan is therefore valid against the DfE's rules but not against that one type of that schema; the tests check
every file against the schema as given, and accept that one difference only (README: "The census return").
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from sqlmodel import Session, col, select

from cpctl.casework.census_gather import INITIAL_KINDS, gather
from cpctl.casework.census_rules import ChildItems, Problem, check_children, initial_cpc_target
from cpctl.store.models import Conference, Decision, Plan, Section47

if TYPE_CHECKING:
    from cpctl.rules.profile import Profile

LEA_SETTING = "census_lea"
SOFTWARE_CODE = "cpctl"


@dataclass(frozen=True)
class CensusReturn:
    year: int
    start: date
    end: date
    lea: str | None
    children: list[ChildItems]
    problems: list[Problem] = field(default_factory=list)
    header_problems: list[str] = field(default_factory=list)

    @property
    def ready(self) -> bool:
        return not self.problems and not self.header_problems


def collection_year(year: int) -> tuple[date, date]:
    """1 April of the year before to 31 March of `year` (the census 2025 covers 2024-25)."""
    return date(year - 1, 4, 1), date(year, 3, 31)


def children_in_scope(session: Session, start: date, end: date) -> set[int]:
    """Every child with a section 47 started, an initial conference held, or a plan open in the period."""
    found: set[int] = set()
    found |= set(
        session.exec(
            select(Section47.child_id).where(col(Section47.started_on) >= start, col(Section47.started_on) <= end)
        ).all()
    )
    found |= set(
        session.exec(
            select(Decision.child_id)
            .join(Conference, col(Conference.id) == col(Decision.conference_id))
            .where(
                col(Conference.kind).in_(INITIAL_KINDS),
                col(Conference.held_on) >= start,
                col(Conference.held_on) <= end,
            )
        ).all()
    )
    found |= set(
        session.exec(
            select(Plan.child_id).where(
                col(Plan.started_on) <= end, col(Plan.ended_on).is_(None) | (col(Plan.ended_on) >= start)
            )
        ).all()
    )
    return found


def build(session: Session, profile: Profile, year: int) -> CensusReturn:
    """The census for the collection year ending 31 March `year`, checked."""
    from cpctl.store import settings

    start, end = collection_year(year)
    children = gather(session, profile, children_in_scope(session, start, end), start=start, end=end)
    lea = settings.get(session, LEA_SETTING)
    header: list[str] = []
    if not lea or not (len(lea) == 3 and lea.isdigit()):
        header.append(
            "the authority's 3-digit LA code (LEA) is not set: set it with `cpctl init --lea NNN` "
            f"(the store setting {LEA_SETTING})."
        )
    if not children:
        header.append(f"no child had a section 47, an initial conference or a plan between {start} and {end}.")
    return CensusReturn(year, start, end, lea, children, check_children(children), header)


# -- the XML ------------------------------------------------------------------------------------------------------
def _add(parent: ET.Element, tag: str, value: Any = None) -> ET.Element:
    element = ET.SubElement(parent, tag)
    if value is not None:
        element.text = value.isoformat() if isinstance(value, date) else str(value)
    return element


def _flag(value: bool) -> str:
    return "true" if value else "false"


def to_xml(census: CensusReturn, profile: Profile, *, now: datetime, release: str, serial: int = 1) -> bytes:
    """The census file: a Header and one Child per child, elements in the schema's order (UTF-8, declared)."""
    message = ET.Element("Message")
    header = _add(message, "Header")
    details = _add(header, "CollectionDetails")
    _add(details, "Collection", "CIN")
    _add(details, "Year", census.year)
    _add(details, "ReferenceDate", census.end)
    source = _add(header, "Source")
    _add(source, "SourceLevel", "L")
    _add(source, "LEA", census.lea or "")
    _add(source, "SoftwareCode", SOFTWARE_CODE)
    _add(source, "Release", release)
    _add(source, "SerialNo", f"{serial:03d}")
    _add(source, "DateTime", now.replace(microsecond=0, tzinfo=None).isoformat())
    children = _add(message, "Children")
    for child in census.children:
        _child(children, child, profile)
    ET.indent(message, space="  ")
    return ET.tostring(message, encoding="UTF-8", xml_declaration=True) + b"\n"


def _child(parent: ET.Element, child: ChildItems, profile: Profile) -> None:
    element = _add(parent, "Child")
    ids = _add(element, "ChildIdentifiers")
    _add(ids, "LAchildID", child.la_child_id)
    if child.upn:
        _add(ids, "UPN", child.upn.upper())
    if child.former_upn:
        _add(ids, "FormerUPN", child.former_upn.upper())
    if child.upn_unknown and not child.upn:
        _add(ids, "UPNunknown", child.upn_unknown)
    if child.born_on is not None:
        _add(ids, "PersonBirthDate", child.born_on)
    elif child.expected_on is not None:
        _add(ids, "ExpectedPersonBirthDate", child.expected_on)
    _add(ids, "GenderCurrent", child.gender)
    characteristics = _add(element, "ChildCharacteristics")
    _add(characteristics, "Ethnicity", child.ethnicity)
    if child.disabilities:
        disabilities = _add(characteristics, "Disabilities")
        for code in child.disabilities:
            _add(disabilities, "Disability", code)
    for episode in child.episodes:
        cin = _add(element, "CINdetails")
        _add(cin, "CINreferralDate", episode.referral_on)
        _add(cin, "ReferralSource", episode.referral_source)
        if episode.primary_need:
            _add(cin, "PrimaryNeedCode", episode.primary_need)
        if episode.closed_on is not None:
            _add(cin, "CINclosureDate", episode.closed_on)
            if episode.closure_reason:
                _add(cin, "ReasonForClosure", episode.closure_reason)
        if episode.initial_conference_on is not None:
            _add(cin, "DateOfInitialCPC", episode.initial_conference_on)
        for enquiry in episode.enquiries:
            s47 = _add(cin, "Section47")
            _add(s47, "S47ActualStartDate", enquiry.started_on)
            _add(s47, "InitialCPCtarget", initial_cpc_target(enquiry.started_on, profile.calendar))
            if enquiry.conference_on is not None:
                _add(s47, "DateOfInitialCPC", enquiry.conference_on)
            _add(s47, "ICPCnotRequired", _flag(enquiry.icpc_not_required))
        _add(cin, "ReferralNFA", _flag(episode.referral_nfa))
        for plan in episode.plans:
            cpp = _add(cin, "ChildProtectionPlans")
            _add(cpp, "CPPstartDate", plan.started_on)
            if plan.ended_on is not None:
                _add(cpp, "CPPendDate", plan.ended_on)
            _add(cpp, "InitialCategoryOfAbuse", plan.initial_category)
            _add(cpp, "LatestCategoryOfAbuse", plan.latest_category)
            _add(cpp, "NumberOfPreviousCPP", plan.previous_plans)
            if plan.reviews:
                reviews = _add(cpp, "Reviews")
                for review in plan.reviews:
                    _add(reviews, "CPPreviewDate", review)


def lines(census: CensusReturn) -> Sequence[str]:
    """What is missing or wrong, one line each: the header's first, then child by child."""
    return [*census.header_problems, *(problem.line for problem in census.problems)]
