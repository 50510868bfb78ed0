"""Jurisdiction profiles: each nation's timescale rules, categories and words, as overridable data.

A profile is a YAML file shipped in ``cpctl/rules/profiles/`` (``england.yaml``, ``scotland.yaml``, ...). A local
authority overrides any value in a YAML file of its own: ``<data dir>/profiles/<name>.yaml`` by default,
or the file ``$CPCTL_PROFILE_OVERRIDES`` names (that file applies to whichever profile is loaded). It is
merged over the packaged file key by key; a list (``categories``) replaces the packaged list whole.

Every value in force can say where it came from (`Profile.origins`). When an override changes a rule's
amount, unit or event, the packaged ``source`` and ``note`` no longer describe that rule, so they are
replaced by the override's own (``source`` reads "not stated" if the override gives none).

YAML is parsed on first use (imported inside functions), so importing this module stays cheap.
"""

from __future__ import annotations

import copy
import functools
import hashlib
import json
import os
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import Any

from cpctl.errors import Invalid, NotFound
from cpctl.paths import expand
from cpctl.rules.calendar import READINGS, UNITS, Calendar, calendar_problem

OVERRIDES_ENV = "CPCTL_PROFILE_OVERRIDES"

RULES = MappingProxyType(
    {
        # rule name -> the event it usually counts from (a profile's rule may name another)
        "initial-conference": "strategy-discussion",
        "first-core-group": "conference",
        "core-group-cycle": "core-group",
        "plan-circulated": "core-group",
        "outline-plan-circulated": "conference",
        "first-review": "initial-conference",
        "later-review": "review-conference",
        "pre-birth-review": "pre-birth-conference",
        "pre-birth-review-after-birth": "birth",
        "child-seen": "visit",
        "long-plan": "plan-start",
    }
)
RULE_NAMES = tuple(RULES)
EVENTS = (
    "strategy-discussion",
    "conference",
    "initial-conference",
    "review-conference",
    "pre-birth-conference",
    "core-group",
    "birth",
    "visit",
    "plan-start",
)
TERM_KEYS = (
    "conference",
    "initial_conference",
    "review_conference",
    "pre_birth_conference",
    "transfer_in_conference",
    "lead_worker",
    "plan",
    "core_group",
    "register",
    "step_down",
)
CATEGORY_MODES = ("single", "multiple")

_TOP_KEYS = ("title", "terms", "categories", "category_mode", "quorum", "calendar", "day_zero", "rules")
_QUORUM_KEYS = ("min_agencies", "source", "note")
_CALENDAR_KEYS = ("country", "subdiv")
_RULE_KEYS = ("amount", "unit", "after", "source", "note")
_NULLABLE = {"terms.register", "quorum.note", "calendar.subdiv"}  # and every rules.*.note
_NOT_STATED = "not stated"
_MAX_TEXT = 300


@dataclass(frozen=True)
class Category:
    code: str
    label: str


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
    """One timescale: `amount` `unit`s after the event `after`, as the document `source` sets it."""

    name: str
    amount: int
    unit: str  # one of calendar.UNITS
    after: str  # one of EVENTS
    source: str  # the procedure that sets it
    note: str | None
    origin: str  # the file its amount, unit and event came from ("packaged profile england.yaml" or an override)


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
    rules: tuple[Rule, ...]
    origins: Mapping[str, str]  # every value's dotted key ("rules.first-core-group.amount") -> where it came from
    override_file: Path | None  # the override file merged in, if there was one

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
        }
        return words[event]

    def check_categories(self, codes: Iterable[str]) -> tuple[Category, ...]:
        """The categories named by `codes` (any case); refused if unknown, or too many for `category_mode`."""
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
        if self.category_mode == "single" and len(chosen) > 1:
            raise Invalid(f"{self.title} records one category per plan: choose one of {self._codes()}.")
        return tuple(chosen)

    def _codes(self) -> str:
        return ", ".join(category.code for category in self.categories)


@dataclass(frozen=True)
class OverrideChange:
    """What `set_override` wrote: the value now in force at `key`, and what was in force before."""

    profile: str
    path: Path
    key: str
    value: Any
    before: Any
    before_origin: str | None
    source_stated: bool  # False when a rule's timing changed and no override says which procedure sets it


# -- finding profiles ----------------------------------------------------------------------------------------


_USUAL_ORDER = ("england", "wales", "scotland", "northern-ireland", "guernsey")


def names() -> tuple[str, ...]:
    """The profiles shipped with cpctl, from the packaged file names: the UK nations in their usual order, then
    any other (Guernsey, or a profile added later) alphabetically."""
    found = {entry.name[: -len(".yaml")] for entry in _packaged_dir().iterdir() if entry.name.endswith(".yaml")}
    return tuple(n for n in _USUAL_ORDER if n in found) + tuple(sorted(found - set(_USUAL_ORDER)))


def _packaged_dir() -> Any:
    from importlib.resources import files

    return files("cpctl.rules").joinpath("profiles")


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


# -- the parsed profiles, kept --------------------------------------------------------------------------------
# Every command reads the profile in force (`cpctl due` twice); parsing and checking its YAML costs more than the
# rest of what `due` does with it. So the merged values are kept for the process, and on disk in the data folder's
# cache/ as JSON, under a hash of everything they were made from: this cpctl's version, the packaged file and the
# override file's path and bytes. A changed file makes a new key; the YAML is parsed again and checked again.

CACHE_FORMAT = 1  # bump when _merged() changes what it makes from the same files
_LOADED: dict[str, Profile] = {}


def _cache_key(name: str, packaged: bytes, path: Path | None, raw: bytes | None) -> str:
    from cpctl import __version__

    digest = hashlib.sha256(f"{CACHE_FORMAT}\0{__version__}\0{name}\0".encode())
    digest.update(packaged)
    if path is not None and raw is not None:
        digest.update(f"\0{path.absolute()}\0".encode())
        digest.update(raw)
    return digest.hexdigest()


def _cache_file(key: str) -> Path:
    from cpctl.paths import data_dir

    return data_dir() / "cache" / f"profile-{key[:32]}.json"


def _read_cache(key: str) -> tuple[dict[str, Any], dict[str, str]] | None:
    try:
        found = json.loads(_cache_file(key).read_text(encoding="utf-8"))
        if found.get("key") != key:
            return None
        return found["data"], found["origins"]
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None  # no cache, or one that is not ours: read the YAML


def _write_cache(key: str, data: Mapping[str, Any], origins: Mapping[str, str]) -> None:
    """Best effort: a data folder that cannot be written to only means the YAML is read again next time."""
    from cpctl.paths import cache_dir, replace_privately

    if cache_dir() is None:
        return
    try:
        text = json.dumps({"key": key, "data": data, "origins": origins}, ensure_ascii=False)
        replace_privately(_cache_file(key), text.encode("utf-8"))
    except (OSError, TypeError, ValueError):
        pass


# -- reading files -------------------------------------------------------------------------------------------


@functools.lru_cache(maxsize=16)
def _packaged(name: str) -> Mapping[str, Any]:
    where = f"packaged profile {name}.yaml"
    data = _parse(_packaged_dir().joinpath(f"{name}.yaml").read_bytes(), where, "reinstall cpctl")
    _check_layer(data, where, base=None)
    return MappingProxyType(data)


def _read_override(path: Path, *, required: bool) -> dict[str, Any] | None:
    raw = _override_bytes(path, required=required)
    return None if raw is None else _parse_override(raw, path)


def _override_bytes(path: Path, *, required: bool) -> bytes | None:
    if path.is_dir():
        raise Invalid(f"{path} is a folder; the profile overrides go in a YAML file, e.g. {path / 'england.yaml'}.")
    try:
        return path.read_bytes()
    except FileNotFoundError:
        if required:
            raise NotFound(
                f"the profile override file {path} does not exist; create it with `cpctl profile set`, "
                f"or unset {OVERRIDES_ENV}."
            ) from None
        return None
    except OSError as exc:
        raise Invalid(
            f"cannot read the profile override file {path} ({exc.strerror}); check its permissions."
        ) from None


def _parse_override(raw: bytes, path: Path) -> dict[str, Any]:
    data = _parse(raw, str(path), "correct it, or remove the file to use the packaged values")
    return {} if data is None else data


def _parse(raw: bytes, where: str, fix: str) -> Any:
    import yaml

    from cpctl.fileinput import unique_key_loader

    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise Invalid(f"{where}: byte {exc.start} is not UTF-8 text; save the file as UTF-8.") from None
    try:
        data = yaml.load(text, Loader=unique_key_loader())  # noqa: S506 - a SafeLoader subclass
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = f" line {mark.line + 1}" if mark is not None else ""
        problem = " ".join(str(exc.problem or exc.context or "unreadable").split())
        raise Invalid(f"{where}{line}: not valid YAML ({problem}); {fix}.") from None
    except (yaml.YAMLError, ValueError, TypeError, RecursionError) as exc:
        # ValueError: a date-like value that is no date (2027-02-30)
        problem = " ".join(str(exc).split())[:160] or type(exc).__name__
        raise Invalid(f"{where}: not valid YAML ({problem}); {fix}.") from None
    if data is not None and not isinstance(data, dict):
        raise Invalid(
            f"{where}: the file must be a mapping of keys to values (e.g. `day_zero: event`), "
            f"not a {_kind(data)}; {fix}."
        )
    return data


# -- checking a layer ----------------------------------------------------------------------------------------


def _check_layer(data: Mapping[str, Any], where: str, *, base: Mapping[str, Any] | None) -> None:
    """Check a packaged profile (`base` None: every value required) or an override of `base` (any subset)."""
    complete = base is None
    _known_keys(data, _TOP_KEYS, where, "")
    if complete:
        _required(data, _TOP_KEYS, where, "")
    if "title" in data:
        _text(data["title"], where, "title")
    if "terms" in data:
        terms = _mapping(data["terms"], where, "terms")
        _known_keys(terms, TERM_KEYS, where, "terms.")
        if complete:
            _required(terms, TERM_KEYS, where, "terms.")
        for key, value in terms.items():
            _text(value, where, f"terms.{key}", nullable=f"terms.{key}" in _NULLABLE)
    if "categories" in data:
        _categories(data["categories"], where)
    if "category_mode" in data:
        _choice(data["category_mode"], CATEGORY_MODES, where, "category_mode")
    if "quorum" in data:
        quorum = _mapping(data["quorum"], where, "quorum")
        _known_keys(quorum, _QUORUM_KEYS, where, "quorum.")
        if complete:
            _required(quorum, ("min_agencies", "source"), where, "quorum.")
        if "min_agencies" in quorum:
            _count(quorum["min_agencies"], where, "quorum.min_agencies")
        for key in ("source", "note"):
            if key in quorum:
                _text(quorum[key], where, f"quorum.{key}", nullable=key == "note")
    if "calendar" in data:
        calendar = _mapping(data["calendar"], where, "calendar")
        _known_keys(calendar, _CALENDAR_KEYS, where, "calendar.")
        if complete:
            _required(calendar, ("country",), where, "calendar.")
        if "country" in calendar:
            _text(calendar["country"], where, "calendar.country")
        if "subdiv" in calendar:
            _text(calendar["subdiv"], where, "calendar.subdiv", nullable=True)
    if "day_zero" in data:
        _choice(data["day_zero"], READINGS, where, "day_zero")
    if "rules" in data:
        rules = _mapping(data["rules"], where, "rules")
        base_rules = {} if base is None else base.get("rules", {})
        for name, rule in rules.items():
            if name not in RULE_NAMES:
                raise Invalid(
                    f"{where}: unknown rule {_shown(name)} under rules; the rules are {', '.join(RULE_NAMES)}."
                )
            _rule(
                _mapping(rule, where, f"rules.{name}"),
                where,
                name,
                complete=complete,
                new=name not in base_rules,
            )


def _rule(rule: Mapping[str, Any], where: str, name: str, *, complete: bool, new: bool) -> None:
    prefix = f"rules.{name}."
    _known_keys(rule, _RULE_KEYS, where, prefix)
    if complete or new:
        needed = ("amount", "unit", "after", "source") if complete else ("amount", "unit", "after")
        missing = [key for key in needed if key not in rule]
        if missing:
            why = "" if complete else " (the packaged profile has no such rule, so give it whole)"
            raise Invalid(
                f"{where}: rules.{name} needs {', '.join(missing)}{why}, e.g. `{name}: {{amount: 10, "
                f"unit: working-days, after: {RULES[name]}, source: ...}}`."
            )
    if "amount" in rule:
        _count(rule["amount"], where, f"{prefix}amount")
    if "unit" in rule:
        _choice(rule["unit"], UNITS, where, f"{prefix}unit")
    if "after" in rule:
        _choice(rule["after"], EVENTS, where, f"{prefix}after")
    if "source" in rule:
        _text(rule["source"], where, f"{prefix}source")
    if "note" in rule:
        _text(rule["note"], where, f"{prefix}note", nullable=True)


def _categories(value: Any, where: str) -> None:
    if not isinstance(value, list) or not value:
        raise Invalid(
            f"{where}: categories must be a list of {{code, label}} entries, e.g. `- {{code: NEG, label: Neglect}}`."
        )
    seen: set[str] = set()
    for number, item in enumerate(value, start=1):
        key = f"categories[{number}]"
        entry = _mapping(item, where, key)
        _known_keys(entry, ("code", "label"), where, f"{key}.")
        _required(entry, ("code", "label"), where, f"{key}.")
        code = _text(entry["code"], where, f"{key}.code")
        _text(entry["label"], where, f"{key}.label")
        if code.lower() in seen:
            raise Invalid(f"{where}: category code {code!r} appears twice in categories; give each code once.")
        seen.add(code.lower())


def _known_keys(data: Mapping[Any, Any], allowed: tuple[str, ...], where: str, prefix: str) -> None:
    for key in data:
        if key not in allowed:
            raise Invalid(
                f"{where}: unknown key {_shown(f'{prefix}{key}')}; use one of "
                f"{', '.join(prefix + name for name in allowed)}."
            )


def _required(data: Mapping[str, Any], keys: tuple[str, ...], where: str, prefix: str) -> None:
    missing = [prefix + key for key in keys if key not in data]
    if missing:
        raise Invalid(f"{where}: missing {', '.join(missing)}; add {'it' if len(missing) == 1 else 'them'}.")


def _mapping(value: Any, where: str, key: str) -> Mapping[str, Any]:
    if not isinstance(value, dict):
        raise Invalid(f"{where}: {key} must be a mapping of keys to values, not {_describe(value)}.")
    return value


def _text(value: Any, where: str, key: str, *, nullable: bool = False) -> str:
    if value is None and nullable:
        return ""
    if not isinstance(value, str) or not value.strip():
        allowed = " or null" if nullable else ""
        raise Invalid(f"{where}: {key} must be text{allowed}, not {_describe(value)}; quote it if need be.")
    if any(not ch.isprintable() for ch in value):
        raise Invalid(f"{where}: {key} holds line breaks or control characters; write it on one line.")
    if len(value) > _MAX_TEXT:
        raise Invalid(f"{where}: {key} is {len(value)} characters long; shorten it to {_MAX_TEXT} or fewer.")
    return value


def _count(value: Any, where: str, key: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise Invalid(f"{where}: {key} must be a whole number of 1 or more, not {_describe(value)}.")
    return value


def _choice(value: Any, allowed: tuple[str, ...], where: str, key: str) -> str:
    if value not in allowed:
        what = "unit" if key.endswith(".unit") else ("event" if key.endswith(".after") else "value")
        raise Invalid(f"{where}: {key} {_describe(value)} is not a known {what}; use one of {', '.join(allowed)}.")
    return str(value)


def _describe(value: Any) -> str:
    if value is None:
        return "empty"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    if isinstance(value, str):
        return _shown(value)
    return f"a {_kind(value)}"


def _kind(value: Any) -> str:
    return {"dict": "mapping", "list": "list", "str": "text"}.get(type(value).__name__, type(value).__name__)


def _shown(value: Any) -> str:
    text = "".join(ch if ch.isprintable() else "?" for ch in str(value))
    return repr(text if len(text) <= 40 else text[:37] + "...")


# -- merging and building ------------------------------------------------------------------------------------


def _merged(name: str, layer: Mapping[str, Any] | None, path: Path | None) -> tuple[dict[str, Any], dict[str, str]]:
    """The packaged profile with `layer` merged over it, and the origin of every leaf value."""
    packaged_label = f"packaged profile {name}.yaml"
    data = copy.deepcopy(dict(_packaged(name)))
    origins: dict[str, str] = {}
    _mark(data, packaged_label, origins, "")
    if not layer:
        return data, origins
    assert path is not None
    where = str(path)
    _check_layer(layer, where, base=data)
    label = f"override file {path}"
    _merge_into(data, layer, label, origins, "")
    for rule_name, rule in (layer.get("rules") or {}).items():
        if any(key in rule for key in ("amount", "unit", "after")):
            merged_rule = data["rules"][rule_name]
            if "source" not in rule:
                merged_rule["source"] = _NOT_STATED
                origins[f"rules.{rule_name}.source"] = label
            if "note" not in rule:
                merged_rule.pop("note", None)
                origins.pop(f"rules.{rule_name}.note", None)
    if "calendar" in layer:
        calendar = data["calendar"]
        problem = calendar_problem(calendar["country"], calendar.get("subdiv"))
        if problem is not None:
            raise Invalid(f"{where}: calendar {problem}.")
    return data, origins


def _mark(value: Any, label: str, origins: dict[str, str], key: str) -> None:
    if isinstance(value, dict) and key != "categories":
        for child, inner in value.items():
            _mark(inner, label, origins, f"{key}.{child}" if key else str(child))
    else:
        origins[key] = label


def _merge_into(
    base: dict[str, Any], layer: Mapping[str, Any], label: str, origins: dict[str, str], prefix: str
) -> None:
    for key, value in layer.items():
        dotted = f"{prefix}{key}"
        if isinstance(value, dict) and isinstance(base.get(key), dict):
            _merge_into(base[key], value, label, origins, f"{dotted}.")
        else:
            for stale in [leaf for leaf in origins if leaf.startswith(f"{dotted}.")]:
                del origins[stale]
            base[key] = copy.deepcopy(value)
            _mark(base[key], label, origins, dotted)


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
        timing = {origins[f"rules.{rule_name}.{key}"] for key in ("amount", "unit", "after")}
        packaged = f"packaged profile {name}.yaml"
        rules.append(
            Rule(
                name=rule_name,
                amount=rule["amount"],
                unit=rule["unit"],
                after=rule["after"],
                source=rule["source"],
                note=rule.get("note"),
                origin=next((label for label in timing if label != packaged), packaged),
            )
        )
    return Profile(
        name=name,
        title=data["title"],
        terms=Terms(**{key: terms[key] for key in TERM_KEYS}),
        categories=tuple(Category(code=item["code"], label=item["label"]) for item in data["categories"]),
        category_mode=data["category_mode"],
        quorum=Quorum(min_agencies=quorum["min_agencies"], source=quorum["source"], note=quorum.get("note")),
        calendar=Calendar(country=calendar["country"], subdiv=calendar.get("subdiv")),
        day_zero=data["day_zero"],
        rules=tuple(rules),
        origins=MappingProxyType(dict(origins)),
        override_file=path,
    )


# -- writing overrides ---------------------------------------------------------------------------------------


def set_override(
    name: str, key: str, value: str, *, source: str | None = None, path: Path | None = None
) -> OverrideChange:
    """Set one value in the authority's override file for profile `name`, and return what changed.

    `key` is dotted: ``day_zero``, ``terms.lead_worker``, ``quorum.min_agencies``, ``calendar.subdiv``,
    ``rules.first-core-group.amount``, or ``rules.NAME`` with a value like "15 working-days" or
    "15 days after conference". `value` is text as typed; numbers and choices are checked. `source` (for a
    rule or the quorum) says which local procedure sets it. The result is checked by loading it before the
    file is replaced (atomically, created 0600 in a 0700 folder); comments in an existing file are not kept.
    """
    canonical = canonical_name(name)
    target = expand(path) if path is not None else override_file(canonical)
    layer = _read_override(target, required=False) or {}
    before_data, before_origins = _merged(canonical, layer, target if layer else None)
    parts = _split_key(key)
    dotted = ".".join(parts)
    updates = _typed_updates(parts, value)
    if source is not None:
        if parts[0] not in ("rules", "quorum") or parts[-1] == "source":
            raise Invalid(
                "--source goes with a rule or the quorum (e.g. rules.first-core-group.amount); "
                f"{dotted} has no source of its own."
            )
        owner = parts[:2] if parts[0] == "rules" else parts[:1]
        updates[(*owner, "source")] = source.strip()
    new_layer = copy.deepcopy(layer)
    for leaf, leaf_value in updates.items():
        node = new_layer
        for part in leaf[:-1]:
            existing = node.get(part)
            if not isinstance(existing, dict):
                existing = node[part] = {}
            node = existing
        node[leaf[-1]] = leaf_value
    profile = _build(canonical, new_layer, target)
    _write_yaml(target, canonical, new_layer)
    after_data, _ = _merged(canonical, new_layer, target)
    rule_source = None
    if parts[0] == "rules":
        rule_source = after_data["rules"][parts[1]]["source"]
    return OverrideChange(
        profile=profile.name,
        path=target,
        key=dotted,
        value=_lookup(after_data, parts),
        before=_lookup(before_data, parts),
        before_origin=_origin_of(before_origins, dotted),
        source_stated=rule_source != _NOT_STATED,
    )


def _split_key(key: str) -> tuple[str, ...]:
    parts = [part.strip() for part in (key or "").strip().split(".")]
    if not parts or not parts[0]:
        raise Invalid("give a key to set, e.g. day_zero or rules.first-core-group.amount.")
    top = parts[0].replace("-", "_")
    example = "e.g. day_zero, terms.lead_worker, quorum.min_agencies or rules.first-core-group.amount"
    if top == "categories":
        raise Invalid(
            "categories is a list: edit it in the override file itself, in the packaged file's form "
            "(`- {code: NEG, label: Neglect}`)."
        )
    if top not in _TOP_KEYS:
        raise Invalid(f"unknown key {_shown(key)}; {example}.")
    if top == "rules":
        if len(parts) == 2 and parts[1] in RULE_NAMES:
            return ("rules", parts[1])
        if len(parts) == 3 and parts[1] in RULE_NAMES and parts[2] in _RULE_KEYS:
            return ("rules", parts[1], parts[2])
        if len(parts) >= 2 and parts[1] not in RULE_NAMES:
            raise Invalid(f"unknown rule {_shown(parts[1])}; the rules are {', '.join(RULE_NAMES)}.")
        raise Invalid(
            f"unknown key {_shown(key)}; a rule's keys are {', '.join(_RULE_KEYS)} "
            "(e.g. rules.first-core-group.amount)."
        )
    allowed = {"terms": TERM_KEYS, "quorum": _QUORUM_KEYS, "calendar": _CALENDAR_KEYS}.get(top)
    if allowed is None:
        if len(parts) != 1:
            raise Invalid(f"{top} has no keys under it; set it as `{top}`.")
        return (top,)
    sub = parts[1].replace("-", "_") if len(parts) == 2 else ""
    if sub not in allowed:
        raise Invalid(f"unknown key {_shown(key)}; use one of {', '.join(f'{top}.{name}' for name in allowed)}.")
    return (top, sub)


def _typed_updates(parts: tuple[str, ...], text: str) -> dict[tuple[str, ...], Any]:
    """The YAML values to write for `text` typed at the key `parts` (a whole rule may set several)."""
    value = (text or "").strip()
    dotted = ".".join(parts)
    if parts[0] == "rules" and len(parts) == 2:
        words = value.split()
        if len(words) not in (2, 4) or (len(words) == 4 and words[2] != "after"):
            raise Invalid(
                f'give {dotted} as "AMOUNT UNIT" or "AMOUNT UNIT after EVENT", e.g. "10 working-days" '
                'or "15 days after conference".'
            )
        updates: dict[tuple[str, ...], Any] = {
            (*parts, "amount"): _whole(words[0], f"{dotted}.amount"),
            (*parts, "unit"): words[1].lower(),
        }
        if len(words) == 4:
            updates[(*parts, "after")] = words[3].lower()
        else:
            updates[(*parts, "after")] = RULES[parts[1]]
        return updates
    last = parts[-1]
    if last in ("amount", "min_agencies"):
        return {parts: _whole(value, dotted)}
    nullable = dotted in _NULLABLE or (parts[0] == "rules" and last == "note")
    if value.lower() in (("", "null", "none") if nullable else ("", "null")):
        return {parts: None}  # refused by the check unless the key may be empty
    if parts == ("calendar", "country") or parts == ("calendar", "subdiv"):
        return {parts: value.upper()}
    if last in ("unit", "after", "day_zero", "category_mode"):
        return {parts: value.lower()}
    return {parts: value}


def _whole(text: str, key: str) -> int:
    try:
        return int(text.strip())
    except ValueError:
        raise Invalid(f"{key} must be a whole number of 1 or more, not {_shown(text)}.") from None


def _lookup(data: Mapping[str, Any], parts: tuple[str, ...]) -> Any:
    node: Any = data
    for part in parts:
        if not isinstance(node, dict) or part not in node:
            return None
        node = node[part]
    return copy.deepcopy(node)


def _origin_of(origins: Mapping[str, str], dotted: str) -> str | None:
    if dotted in origins:
        return origins[dotted]
    found = sorted({label for leaf, label in origins.items() if leaf.startswith(f"{dotted}.")})
    return "; ".join(found) or None


def _write_yaml(target: Path, name: str, layer: Mapping[str, Any]) -> None:
    """Replace `target` atomically: a 0600 temporary file in the same 0700 folder, then os.replace."""
    import yaml

    from cpctl.paths import make_private_folders, replace_privately

    make_private_folders(target.parent)
    header = (
        f"# Local overrides of cpctl's packaged {name} profile: each value here replaces the packaged one.\n"
        f"# See the values in force, and where each comes from, with `cpctl profile show {name}`.\n"
    )
    body = yaml.safe_dump(dict(layer), sort_keys=False, allow_unicode=True, default_flow_style=False, width=110)
    replace_privately(target, (header + body).encode("utf-8"))
