"""The profile files: what a profile's YAML may say, and reading, checking and merging its layers.

A profile is a YAML file shipped in ``cpctl/rules/profiles/`` (``england.yaml``, ``scotland.yaml``, ...). A local
authority overrides any value in a YAML file of its own (see `cpctl.rules.profile.override_file`). It is merged
over the packaged file key by key; a list (``categories``) replaces the packaged list whole. Every merged value
keeps the file it came from. When an override changes a rule's amount, unit or event, the packaged ``source`` and
``note`` no longer describe that rule, so they are replaced by the override's own (``source`` reads "not stated"
if the override gives none).

Everything here is plain data (mappings, and each value's origin); `cpctl.rules.profile` builds the `Profile` from
it and keeps it for the process. The merged values are also kept on disk, below.

YAML is parsed on first use (imported inside functions), so importing this module stays cheap.
"""

from __future__ import annotations

import copy
import functools
import hashlib
import json
from collections.abc import Mapping
from pathlib import Path
from types import MappingProxyType
from typing import Any

from cpctl.errors import Invalid, NotFound
from cpctl.rules.calendar import CLOSED_DAYS, READINGS, UNITS, calendar_problem

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
        # the conference cycle: before the booked conference, and the documents after it
        "invitations-sent": "conference",
        "reports-to-chair": "initial-conference",
        "reports-to-chair-review": "review-conference",
        "reports-shared": "initial-conference",
        "reports-shared-review": "review-conference",
        "outcome-letter": "conference",
        "conference-record": "conference",
        "midway-review": "initial-conference",
        "midway-review-later": "review-conference",
        "escalation-response": "escalation",
    }
)
RULE_NAMES = tuple(RULES)
# The rules that usually count back from their event ("3 working days before the conference"): written
# `before: EVENT` instead of `after: EVENT`. Any rule may be written either way.
BEFORE_RULES = frozenset(
    {
        "invitations-sent",
        "reports-to-chair",
        "reports-to-chair-review",
        "reports-shared",
        "reports-shared-review",
    }
)
DIRECTIONS = ("after", "before")
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
    "escalation",
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

_TOP_KEYS = ("title", "terms", "categories", "category_mode", "quorum", "calendar", "day_zero", "closed_day", "rules")
# Optional: the nation's own published figures beside `cpctl stats`' indicators (`cpctl.returns.stats`).
_OPTIONAL_TOP_KEYS = ("indicators",)
# The indicators a profile may give a national figure for: `cpctl.returns.stats` computes each.
PERCENT_INDICATORS = (  # a numerator of a denominator
    "initial-conference-timely",
    "initial-conference-timely-s47",
    "review-timely",
    "first-core-group-timely",
    "child-seen-timely",
    "plans-ended-3-months",
    "plans-ended-2-years",
    "second-plan",
    "initial-conference-plan",  # shown where the profile names it (Scotland: registrations from initial CPPMs)
    "plans-ended-6-months",  # shown where the profile names it (Scotland: de-registered within 6 months)
)
COUNT_INDICATORS = (
    "plans-started",
    "plans-ended",
    "plans-open",
    "midway-reviews",
    "escalations",
    "escalations-resolved",
)
BREAKDOWNS = ("open-plans-by-length", "categories")  # shares of a whole
INDICATOR_KEYS = PERCENT_INDICATORS + COUNT_INDICATORS + BREAKDOWNS
_INDICATOR_FIELDS = ("value", "shares", "year", "source", "note")
_QUORUM_KEYS = ("min_agencies", "source", "note")
_CALENDAR_KEYS = ("country", "subdiv")
_RULE_KEYS = ("amount", "unit", "after", "before", "source", "note", "closed_day")
_NULLABLE = {"terms.register", "quorum.note", "calendar.subdiv"}  # and every rules.*.note
_NOT_STATED = "not stated"
_MAX_TEXT = 300


def _packaged_dir() -> Any:
    from importlib.resources import files

    return files("cpctl.rules").joinpath("profiles")


# -- the parsed profiles, kept --------------------------------------------------------------------------------
# Every command reads the profile in force (`cpctl due` twice); parsing and checking its YAML costs more than the
# rest of what `due` does with it. So the merged values are kept for the process (by `cpctl.rules.profile`), and
# on disk in the data folder's cache/ as JSON, under a hash of everything they were made from: this cpctl's
# version, the packaged file and the override file's path and bytes. A changed file makes a new key; the YAML is
# parsed again and checked again.

CACHE_FORMAT = 2  # bump when _merged() changes what it makes from the same files


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
    _closed_day_fits(data, where)
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
    _known_keys(data, _TOP_KEYS + _OPTIONAL_TOP_KEYS, where, "")
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
    if "closed_day" in data:
        _closed_day(data["closed_day"], where, "closed_day")
    if "indicators" in data:
        _indicators(data["indicators"], where)
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
    if "after" in rule and "before" in rule:
        raise Invalid(
            f"{where}: rules.{name} gives both after and before; a rule counts from its event one way: keep one."
        )
    if complete or new:
        needed = ("amount", "unit", "after", "source") if complete else ("amount", "unit", "after")
        missing = [key for key in needed if key not in rule and not (key == "after" and "before" in rule)]
        if missing:
            why = "" if complete else " (the packaged profile has no such rule, so give it whole)"
            way = rule_direction(name)
            missing = [way if key == "after" else key for key in missing]
            raise Invalid(
                f"{where}: rules.{name} needs {', '.join(missing)}{why}, e.g. `{name}: {{amount: 10, "
                f"unit: working-days, {way}: {RULES[name]}, source: ...}}`."
            )
    if "amount" in rule:
        _count(rule["amount"], where, f"{prefix}amount")
    if "unit" in rule:
        _choice(rule["unit"], UNITS, where, f"{prefix}unit")
    for way in DIRECTIONS:
        if way in rule:
            _choice(rule[way], EVENTS, where, f"{prefix}{way}")
    if "source" in rule:
        _text(rule["source"], where, f"{prefix}source")
    if "note" in rule:
        _text(rule["note"], where, f"{prefix}note", nullable=True)
    if "closed_day" in rule:
        _closed_day(rule["closed_day"], where, f"{prefix}closed_day")


def rule_direction(name: str) -> str:
    """'before' for a rule that usually counts back from its event (`BEFORE_RULES`), else 'after'."""
    return "before" if name in BEFORE_RULES else "after"


def rule_way(rule: Mapping[str, Any]) -> tuple[str, str]:
    """A merged rule's direction and event: ('before', 'conference') or ('after', 'core-group')."""
    return ("before", rule["before"]) if "before" in rule else ("after", rule["after"])


def _closed_day(value: Any, where: str, key: str) -> None:
    if value not in CLOSED_DAYS:
        raise Invalid(
            f"{where}: {key} {_describe(value)} is not a known choice; use one of {', '.join(CLOSED_DAYS)} "
            "(what happens to a date counted in days, weeks or months that falls on a weekend or a bank holiday)."
        )


def _closed_day_fits(data: Mapping[str, Any], where: str) -> None:
    """A rule's own closed_day only means something for a rule counted in days, weeks or months."""
    for name, rule in data.get("rules", {}).items():
        if "closed_day" in rule and rule["unit"] == "working-days":
            raise Invalid(
                f"{where}: rules.{name}.closed_day has no effect: the rule counts working days, which never fall "
                "on a weekend or a bank holiday; remove it, or give the rule a unit of days, weeks or months."
            )


def _indicators(value: Any, where: str) -> None:
    """`indicators:` key -> {value (a percentage or a number) or shares (label -> percentage), year, source, note}:
    a figure the nation itself published, with where it comes from; never one made up."""
    for key, entry in _mapping(value, where, "indicators").items():
        if key not in INDICATOR_KEYS:
            raise Invalid(f"{where}: unknown indicator {_shown(key)}; the indicators are {', '.join(INDICATOR_KEYS)}.")
        prefix = f"indicators.{key}"
        figure = _mapping(entry, where, prefix)
        _known_keys(figure, _INDICATOR_FIELDS, where, f"{prefix}.")
        _required(figure, ("year", "source"), where, f"{prefix}.")
        if ("value" in figure) == ("shares" in figure):
            raise Invalid(f"{where}: {prefix} gives one of value (a number) or shares (label: percentage).")
        numbers = [("value", figure["value"])] if "value" in figure else []
        if "shares" in figure:
            numbers = [
                (f"shares.{label}", v) for label, v in _mapping(figure["shares"], where, f"{prefix}.shares").items()
            ]
        for name, number in numbers:
            if isinstance(number, bool) or not isinstance(number, int | float) or number < 0:
                raise Invalid(f"{where}: {prefix}.{name} must be a number, not {_describe(number)}.")
        for name in ("year", "source"):
            _text(figure[name], where, f"{prefix}.{name}")
        if "note" in figure:
            _text(figure["note"], where, f"{prefix}.note", nullable=True)


def _categories(value: Any, where: str) -> None:
    if not isinstance(value, list) or not value:
        raise Invalid(
            f"{where}: categories must be a list of {{code, label}} entries, e.g. `- {{code: NEG, label: Neglect}}`."
        )
    seen: set[str] = set()
    several = 0
    for number, item in enumerate(value, start=1):
        key = f"categories[{number}]"
        entry = _mapping(item, where, key)
        _known_keys(entry, ("code", "label", "several"), where, f"{key}.")
        _required(entry, ("code", "label"), where, f"{key}.")
        code = _text(entry["code"], where, f"{key}.code")
        _text(entry["label"], where, f"{key}.label")
        if code.lower() in seen:
            raise Invalid(f"{where}: category code {code!r} appears twice in categories; give each code once.")
        seen.add(code.lower())
        if "several" in entry:  # the code recorded for a plan that names two or more of the others (England's MUL)
            if not isinstance(entry["several"], bool):
                raise Invalid(f"{where}: {key}.several must be true or false.")
            several += entry["several"]
    if several > 1:
        raise Invalid(f"{where}: only one category can stand for several (several: true).")


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
        what = "unit" if key.endswith(".unit") else ("event" if key.endswith((".after", ".before")) else "value")
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


# -- merging -------------------------------------------------------------------------------------------------


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
    for rule_name, rule in (layer.get("rules") or {}).items():
        # an override that says which way the rule counts (after or before its event) replaces the other way
        for way, other in (("after", "before"), ("before", "after")):
            if isinstance(rule, dict) and way in rule and rule_name in data["rules"]:
                data["rules"][rule_name].pop(other, None)
                origins.pop(f"rules.{rule_name}.{other}", None)
    _merge_into(data, layer, label, origins, "")
    for rule_name, rule in (layer.get("rules") or {}).items():
        if any(key in rule for key in ("amount", "unit", *DIRECTIONS)):
            merged_rule = data["rules"][rule_name]
            if "source" not in rule:
                merged_rule["source"] = _NOT_STATED
                origins[f"rules.{rule_name}.source"] = label
            if "note" not in rule:
                merged_rule.pop("note", None)
                origins.pop(f"rules.{rule_name}.note", None)
    _closed_day_fits(data, where)
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
