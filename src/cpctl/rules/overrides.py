"""Writing an authority's overrides of a profile: `cpctl profile set` checks one value and saves it.

The value typed is read for its key (a number, a unit, a choice or text), merged over the overrides already in
the file, and the result is checked by building the profile from it before the file is replaced.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cpctl.errors import Invalid
from cpctl.paths import expand
from cpctl.rules.profile import _build, canonical_name, override_file
from cpctl.rules.profile_files import (
    _CALENDAR_KEYS,
    _NOT_STATED,
    _NULLABLE,
    _QUORUM_KEYS,
    _RULE_KEYS,
    _TOP_KEYS,
    RULE_NAMES,
    RULES,
    TERM_KEYS,
    _merged,
    _read_override,
    _shown,
    rule_direction,
)


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


# -- writing overrides ---------------------------------------------------------------------------------------


def set_override(
    name: str, key: str, value: str, *, source: str | None = None, path: Path | None = None
) -> OverrideChange:
    """Set one value in the authority's override file for profile `name`, and return what changed.

    `key` is dotted: ``day_zero``, ``closed_day``, ``terms.lead_worker``, ``quorum.min_agencies``, ``calendar.subdiv``,
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
        if len(words) not in (2, 4) or (len(words) == 4 and words[2].lower() not in ("after", "before")):
            raise Invalid(
                f'give {dotted} as "AMOUNT UNIT", "AMOUNT UNIT after EVENT" or "AMOUNT UNIT before EVENT", e.g. '
                '"10 working-days", "15 days after conference" or "3 working-days before conference".'
            )
        updates: dict[tuple[str, ...], Any] = {
            (*parts, "amount"): _whole(words[0], f"{dotted}.amount"),
            (*parts, "unit"): words[1].lower(),
        }
        if len(words) == 4:
            updates[(*parts, words[2].lower())] = words[3].lower()
        else:
            updates[(*parts, rule_direction(parts[1]))] = RULES[parts[1]]
        return updates
    last = parts[-1]
    if last in ("amount", "min_agencies"):
        return {parts: _whole(value, dotted)}
    nullable = dotted in _NULLABLE or (parts[0] == "rules" and last == "note")
    if value.lower() in (("", "null", "none") if nullable else ("", "null")):
        return {parts: None}  # refused by the check unless the key may be empty
    if parts == ("calendar", "country") or parts == ("calendar", "subdiv"):
        return {parts: value.upper()}
    if last in ("unit", "after", "before", "day_zero", "category_mode", "closed_day"):
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
