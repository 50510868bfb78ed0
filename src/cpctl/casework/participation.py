"""How a child took part in a conference: the participation codes PN0 to PN7.

The Standard Safeguarding Dataset (Data to Insight, item CPPR007A `cppr_cp_review_participation`) records the child's
participation in each child protection conference with the codes the DfE's SSDA903 return uses for reviews of
looked-after children (the former indicator PAF C63). One code a child a conference, in `Decision.participation`.
"""

from __future__ import annotations

from datetime import date

SOURCE = (
    "Standard Safeguarding Dataset (Data to Insight), item CPPR007A, with the DfE SSDA903 participation codes "
    "PN0 to PN7"
)
# code -> what it means, in plain words (the dataset's meanings, reworded)
CODES: dict[str, str] = {
    "PN0": "aged under 4 at the time of the conference",
    "PN1": "attended and spoke for themselves",
    "PN2": "attended and an advocate spoke for them",
    "PN3": "attended and gave their views without words (symbols, signs, drawings)",
    "PN4": "attended but did not give their views, nor ask an advocate to",
    "PN5": "did not attend, and briefed an advocate to speak for them",
    "PN6": "did not attend, and gave their views another way (a letter, a recording, a form)",
    "PN7": "did not attend, and their views were not given",
}
UNDER_FOUR = "PN0"


def check(value: object) -> str | None:
    """A code as stored ("pn1", " PN1 " -> "PN1"); None for none; ValueError naming the codes for anything else."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    code = str(value).strip().upper()
    if code not in CODES:
        raise ValueError(f"{str(value)[:20]!r} is not a participation code: use {', '.join(CODES)}")
    return code


def words(code: str | None) -> str:
    """'PN1 attended and spoke for themselves'; 'not recorded' for none."""
    if not code:
        return "not recorded"
    return f"{code} {CODES.get(code, '')}".strip()


def under_four(date_of_birth: date | None, on: date) -> bool:
    """Whether a child was under 4 (or not yet born) on a conference's day: then the code is PN0."""
    if date_of_birth is None or date_of_birth > on:
        return True
    from cpctl.dates import age_on

    return age_on(date_of_birth, on) < 4


def fits(code: str, date_of_birth: date | None, on: date) -> str | None:
    """Why a code does not fit the child's age on the day (PN0 is for under-4s, and only for them); None if it fits."""
    young = under_four(date_of_birth, on)
    if code == UNDER_FOUR and not young:
        return "PN0 is for a child aged under 4; this child was older: choose PN1 to PN7"
    if code != UNDER_FOUR and young:
        return f"the child was under 4 (or not yet born) on the day: the code is PN0, not {code}"
    return None
