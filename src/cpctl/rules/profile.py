"""Jurisdiction profiles: each nation's timescale rules, categories and words, as overridable data.

A profile is a YAML file shipped in ``cpctl/rules/profiles/`` (``england.yaml``, ``scotland.yaml``, ...). A local
authority overrides any value in a YAML file of its own: ``<data dir>/profiles/<name>.yaml`` by default,
or the file ``$CPCTL_PROFILE_OVERRIDES`` names (that file applies to whichever profile is loaded). It is
merged over the packaged file key by key; a list (``categories``) replaces the packaged list whole.

Every value in force can say where it came from (`Profile.origins`). When an override changes a rule's
amount, unit or event, the packaged ``source`` and ``note`` no longer describe that rule, so they are
replaced by the override's own (``source`` reads "not stated" if the override gives none).

This module holds the profile as the rest of cpctl reads it (`Profile`, its rules, terms, categories and
quorum), which profiles there are, and `load`. Reading, checking, merging and caching the YAML files is
`cpctl.rules.profile_files`; writing an authority's overrides is `cpctl.rules.overrides`.

YAML is parsed on first use (imported inside functions), so importing this module stays cheap.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any

from cpctl.errors import Invalid, NotFound
from cpctl.paths import expand
from cpctl.rules.calendar import Calendar
from cpctl.rules.profile_files import (
    CATEGORY_MODES,
    EVENTS,
    OVERRIDES_ENV,
    RULE_NAMES,
    RULES,
    TERM_KEYS,
    _cache_key,
    _merged,
    _override_bytes,
    _packaged_dir,
    _parse_override,
    _read_cache,
    _write_cache,
    rule_way,
)

__all__ = [  # with the vocabulary a profile is written in, which profile_files holds
    "CATEGORY_MODES",
    "EVENTS",
    "OVERRIDES_ENV",
    "RULES",
    "RULE_NAMES",
    "TERM_KEYS",
    "Category",
    "NationalIndicator",
    "Profile",
    "Quorum",
    "Rule",
    "Terms",
    "canonical_name",
    "load",
    "names",
    "override_file",
]


@dataclass(frozen=True)
class Category:
    code: str
    label: str
    several: bool = False  # stands for two or more of the others (England's MUL): derived, never chosen alone


@dataclass(frozen=True)
class Terms:
    """What the jurisdiction calls things: in Scotland a conference is a Child Protection Planning Meeting.

    Read as attributes (``terms.lead_worker``) or like a mapping (``terms["lead_worker"]``, ``dict(terms)``).
    """

    conference: str
    initial_conference: str
    review_conference: str
    pre_birth_conference: str
    transfer_in_conference: str
    lead_worker: str
    plan: str
    core_group: str
    register: str | None  # None where there is no register (England)
    step_down: str

    def keys(self) -> tuple[str, ...]:
        return TERM_KEYS

    def __getitem__(self, key: str) -> str | None:
        if key not in TERM_KEYS:
            raise KeyError(key)
        value: str | None = getattr(self, key)
        return value

    def get(self, key: str, default: str | None = None) -> str | None:
        return self[key] if key in TERM_KEYS else default

    def items(self) -> Iterator[tuple[str, str | None]]:
        return ((key, self[key]) for key in TERM_KEYS)


@dataclass(frozen=True)
class Quorum:
    min_agencies: int
    source: str
    note: str | None


@dataclass(frozen=True)
class Rule:
    """One timescale: `amount` `unit`s after the event `after` (or before it, when `direction` is "before": 3 working
    days before the conference), as the document `source` sets it."""

    name: str
    amount: int
    unit: str  # one of calendar.UNITS
    after: str  # one of EVENTS: the event the rule counts from (after it, or before it: see `direction`)
    source: str  # the procedure that sets it
    note: str | None
    origin: str  # the file its amount, unit and event came from ("packaged profile england.yaml" or an override)
    closed_day: str = "bring-forward"  # a date in days, weeks or months on a closed day: one of calendar.CLOSED_DAYS
    direction: str = "after"  # "after" the event, or "before" it (a step due ahead of a booked conference)

    @property
    def event(self) -> str:
        """The event the rule counts from (`after` names it whichever way the rule counts)."""
        return self.after


@dataclass(frozen=True)
class NationalIndicator:
    """A figure the nation published for one of `cpctl stats`' indicators (profile `indicators:`): a `value` (a
    percentage, or a number), or `shares` (label or code -> percentage) for a breakdown, with its year and source."""

    key: str
    year: str
    source: str
    value: float | None = None
    shares: Mapping[str, float] | None = None
    note: str | None = None


@dataclass(frozen=True)
class Profile:
    """A jurisdiction's rules in force: the packaged profile with any local overrides merged over it."""

    name: str
    title: str
    terms: Terms
    categories: tuple[Category, ...]
    category_mode: str  # "single" (one code per plan) or "multiple" (one or more)
    quorum: Quorum
    calendar: Calendar
    day_zero: str  # "event" (the event is day 0) or "day-one" (the event counts as day 1)
    closed_day: str  # a calendar-unit date on a weekend or bank holiday: "bring-forward", "push-back" or "keep"
    rules: tuple[Rule, ...]
    origins: Mapping[str, str]  # every value's dotted key ("rules.first-core-group.amount") -> where it came from
    override_file: Path | None  # the override file merged in, if there was one
    # key -> the nation's own figure for that indicator, where one is published (`cpctl.returns.stats`)
    indicators: Mapping[str, NationalIndicator] = field(default_factory=lambda: MappingProxyType({}), repr=False)

    def rule(self, name: str) -> Rule:
        """The rule called `name`; NotFound, listing this profile's rules, if it has none by that name."""
        for rule in self.rules:
            if rule.name == name:
                return rule
        known = ", ".join(rule.name for rule in self.rules)
        if name in RULE_NAMES:
            raise NotFound(
                f"the {self.name} profile has no {name} rule (its procedures set none); its rules are "
                f"{known}. "
                f'Add one for your authority, e.g. `cpctl profile set rules.{name} "10 working-days"`.'
            )
        raise NotFound(f"there is no rule {name!r}; the {self.name} profile's rules are {known}.")

    def origin(self, key: str) -> str:
        """Where the value at a dotted key came from; for a group ("rules.first-core-group"), every place."""
        if key in self.origins:
            return self.origins[key]
        found = sorted({label for leaf, label in self.origins.items() if leaf.startswith(f"{key}.")})
        if not found:
            raise NotFound(f"the {self.name} profile has no setting {key!r}.")
        return "; ".join(found)

    def event_words(self, event: str) -> str:
        """An event in this jurisdiction's words: 'conference' -> 'Child Protection Planning Meeting'."""
        terms = self.terms
        words = {
            "strategy-discussion": "strategy discussion",
            "conference": terms.conference,
            "initial-conference": terms.initial_conference,
            "review-conference": terms.review_conference,
            "pre-birth-conference": terms.pre_birth_conference,
            "core-group": f"{terms.core_group} meeting",
            "birth": "birth",
            "visit": "visit",
            "plan-start": f"start of the {terms.plan}",
            "escalation": "chair's escalation",
        }
        return words[event]

    def check_categories(self, codes: Iterable[str]) -> tuple[Category, ...]:
        """The kinds of harm named by `codes` (any case); refused if unknown, or too many for `category_mode`.

        Where one category stands for several (England's MUL, `several`), a plan names the kinds themselves:
        two or more of them are allowed even in "single" mode, and the census code is derived (`census_code`).
        The several category given with kinds is dropped; given alone, it is refused: it names no kind.
        """
        by_code = {category.code.lower(): category for category in self.categories}
        chosen: list[Category] = []
        for code in codes:
            category = by_code.get(code.strip().lower())
            if category is None:
                raise Invalid(f"unknown category {code!r} for {self.title}: use one of {self._codes()}.")
            if category not in chosen:
                chosen.append(category)
        if not chosen:
            raise Invalid(f"give a category: one of {self._codes()}.")
        several = self.several_category
        kinds = [category for category in chosen if not category.several]
        if several is not None and several in chosen:
            if len(kinds) < 2:
                raise Invalid(
                    f"{several.code} ({several.label}) is recorded when a plan names two or more kinds of harm: "
                    f"name each one instead, e.g. [{', '.join(c.code for c in self._kinds()[:2])}]."
                )
            chosen = kinds
        if self.category_mode == "single" and len(chosen) > 1 and several is None:
            raise Invalid(f"{self.title} records one category per plan: choose one of {self._codes()}.")
        return tuple(chosen)

    @property
    def several_category(self) -> Category | None:
        """The category that stands for two or more of the others (England's MUL), if the profile has one."""
        return next((category for category in self.categories if category.several), None)

    def census_code(self, codes: Iterable[str]) -> str | None:
        """The one code a return that takes one category per plan records (England's Children in Need census):
        the code itself for one kind, the several category's (MUL) for two or more; None for none.

        A plan recorded before cpctl asked which kinds (["MUL"] alone) stays MUL.
        """
        by_code = {category.code.lower(): category.code for category in self.categories}
        recorded = list(
            dict.fromkeys(by_code.get(code.strip().lower(), code.strip()) for code in codes if code.strip())
        )
        if len(recorded) <= 1:
            return recorded[0] if recorded else None
        several = self.several_category
        if several is None:
            raise Invalid(f"{self.title} has no single code for several categories ({', '.join(recorded)}).")
        return several.code

    def _kinds(self) -> list[Category]:
        return [category for category in self.categories if not category.several]

    def _codes(self) -> str:
        several = self.several_category
        kinds = ", ".join(category.code for category in self._kinds())
        return f"{kinds} (two or more of them for {several.code})" if several else kinds


# -- finding profiles ----------------------------------------------------------------------------------------


_USUAL_ORDER = ("england", "wales", "scotland", "northern-ireland", "guernsey")


def names() -> tuple[str, ...]:
    """The profiles shipped with cpctl, from the packaged file names: the UK nations in their usual order, then
    any other (Guernsey, or a profile added later) alphabetically."""
    found = {entry.name[: -len(".yaml")] for entry in _packaged_dir().iterdir() if entry.name.endswith(".yaml")}
    return tuple(n for n in _USUAL_ORDER if n in found) + tuple(sorted(found - set(_USUAL_ORDER)))


def canonical_name(name: str) -> str:
    """'Northern Ireland' -> 'northern-ireland'; NotFound, listing the profiles, if there is none."""
    cleaned = (name or "").strip().lower().replace(" ", "-").replace("_", "-")
    known = names()
    if cleaned not in known:
        raise NotFound(f"there is no profile {name!r}; the profiles are {', '.join(known)}.")
    return cleaned


def override_file(name: str) -> Path:
    """The file a local authority's overrides of profile `name` live in ($CPCTL_PROFILE_OVERRIDES if set)."""
    named = os.environ.get(OVERRIDES_ENV)
    if named:
        return expand(named)
    from cpctl.paths import data_dir

    return data_dir() / "profiles" / f"{name}.yaml"


# The profiles loaded in this process, by the key of what they were made from (the merged values are also
# kept on disk: see cpctl.rules.profile_files).
_LOADED: dict[str, Profile] = {}


def load(name: str, *, override_path: Path | str | None = None) -> Profile:
    """The profile `name` in force: the packaged file, with the override file (if any) merged over it.

    The override file is `override_path` if given, else `override_file(name)`. A file named explicitly (by
    argument or $CPCTL_PROFILE_OVERRIDES) must exist; the default one is optional. Any mistake in either file
    raises Invalid with one line naming the file and the key.
    """
    canonical = canonical_name(name)
    explicit = override_path is not None or bool(os.environ.get(OVERRIDES_ENV))
    path = expand(override_path) if override_path is not None else override_file(canonical)
    raw = _override_bytes(path, required=explicit)
    packaged = _packaged_dir().joinpath(f"{canonical}.yaml").read_bytes()
    key = _cache_key(canonical, packaged, path if raw is not None else None, raw)
    if key in _LOADED:
        return _LOADED[key]
    cached = _read_cache(key)
    if cached is not None:
        profile = _from_merged(canonical, *cached, path if raw is not None else None)
    else:
        layer = None if raw is None else _parse_override(raw, path)
        data, origins = _merged(canonical, layer, path if layer is not None else None)
        _write_cache(key, data, origins)
        profile = _from_merged(canonical, data, origins, path if layer is not None else None)
    _LOADED[key] = profile
    return profile


# -- building a profile from the merged values ---------------------------------------------------------------


def _build(name: str, layer: Mapping[str, Any] | None, path: Path | None) -> Profile:
    data, origins = _merged(name, layer, path)
    return _from_merged(name, data, origins, path)


def _from_merged(name: str, data: Mapping[str, Any], origins: Mapping[str, str], path: Path | None) -> Profile:
    terms = data["terms"]
    quorum = data["quorum"]
    calendar = data["calendar"]
    rules = []
    for rule_name in RULE_NAMES:
        rule = data["rules"].get(rule_name)
        if rule is None:
            continue
        direction, event = rule_way(rule)
        timing = {origins[f"rules.{rule_name}.{key}"] for key in ("amount", "unit", direction)}
        packaged = f"packaged profile {name}.yaml"
        rules.append(
            Rule(
                name=rule_name,
                amount=rule["amount"],
                unit=rule["unit"],
                after=event,
                direction=direction,
                source=rule["source"],
                note=rule.get("note"),
                origin=next((label for label in timing if label != packaged), packaged),
                closed_day=rule.get("closed_day", data["closed_day"]),
            )
        )
    return Profile(
        name=name,
        title=data["title"],
        terms=Terms(**{key: terms[key] for key in TERM_KEYS}),
        categories=tuple(
            Category(code=item["code"], label=item["label"], several=item.get("several", False))
            for item in data["categories"]
        ),
        category_mode=data["category_mode"],
        quorum=Quorum(min_agencies=quorum["min_agencies"], source=quorum["source"], note=quorum.get("note")),
        calendar=Calendar(country=calendar["country"], subdiv=calendar.get("subdiv")),
        day_zero=data["day_zero"],
        closed_day=data["closed_day"],
        rules=tuple(rules),
        # the national figures change no deadline: left out of `origins` (and of repr), so that the schedule's
        # fingerprint of the profile stays the same when a figure is added or updated
        origins=MappingProxyType({key: value for key, value in origins.items() if not key.startswith("indicators")}),
        override_file=path,
        indicators=MappingProxyType(
            {
                key: NationalIndicator(
                    key=key,
                    year=str(entry["year"]),
                    source=entry["source"],
                    value=None if entry.get("value") is None else float(entry["value"]),
                    shares=None
                    if entry.get("shares") is None
                    else MappingProxyType({str(k): float(v) for k, v in entry["shares"].items()}),
                    note=entry.get("note"),
                )
                for key, entry in (data.get("indicators") or {}).items()
            }
        ),
    )
