"""The jurisdictions cpctl knows: one per timescale profile it ships."""

from __future__ import annotations

from cpctl.errors import Invalid
from cpctl.rules.profile import names as profile_names

JURISDICTIONS = profile_names()  # one per profile shipped in cpctl/rules/profiles/ (england, guernsey, ...)


def check_jurisdiction(value: str) -> str:
    name = (value or "").strip().lower().replace(" ", "-").replace("_", "-")
    if name not in JURISDICTIONS:
        raise Invalid(f"unknown jurisdiction {value!r}: choose one of {', '.join(JURISDICTIONS)}.")
    return name
