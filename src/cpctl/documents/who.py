"""Whether an action's "who", typed as free text rather than a person's reference, means the child's family.

The parents' copy lists under "What we expect of you" the actions the family is to do. An action whose "who" is a
reference to a parent, carer or relative is theirs. One whose "who" was typed as words is theirs only when the
words say plainly that the family does it. The rule, and nothing else is guessed:

    The words up to the first comma, bracket, semicolon or "with" (the one who leads the action) are only
    family words: "parent", "mum", "mom", "mother", "dad", "father", "carer", "step-dad" and the like, their
    plurals, "both", "the", "Mr", "Mrs", "Ms", "Miss", "Mx", "and", "or"; and the names of the people in the
    family linked to the child (a full name, or one part of it that no professional named in the plan shares).

So these are the family's: "Parents", "Mum and Dad", "both parents", "Sam", "Sam and Chris", "Mr and Mrs
Testwood", "Sam Testwood, with Citizens Advice", "Mum (with the health visitor's help)", "Dad (Chris)". These are
not: "Parent support worker" and "Family Nurse Partnership" (services for the family), "Health visitor",
"Citizens Advice with Sam" (Citizens Advice leads), "Sam's key worker" (the key worker does it), and "Grace" when
Grace is also a professional in the plan.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

FAMILY_WORDS = frozenset(
    {
        "parent",
        "parents",
        "mum",
        "mums",
        "mom",
        "mother",
        "mothers",
        "dad",
        "dads",
        "father",
        "fathers",
        "stepmum",
        "stepdad",
        "stepmother",
        "stepfather",
        "step-mum",
        "step-dad",
        "step-mother",
        "step-father",
        "step-parent",
        "step-parents",
        "carer",
        "carers",
    }
)
LINKING_WORDS = frozenset({"both", "the", "mr", "mrs", "ms", "miss", "mx", "and", "or"})
_LEAD_ENDS = re.compile(r"[,;(]|\bwith\b", re.IGNORECASE)
_WORD = re.compile(r"[^\W_]+(?:[-'’][^\W_]+)*")


def words(text: str) -> list[str]:
    """The words of `text`, case folded; "Sam's" is one word, and not "Sam" (Sam's worker is not Sam)."""
    return [w.replace("’", "'") for w in _WORD.findall(text.casefold())]


def means_family(text: str | None, family: Iterable[str], others: Iterable[str] = ()) -> bool:
    """Whether free text naming who does an action means the family (the rule above).

    `family` are the full names of the parents, carers and relatives linked to the child; `others` the names of
    everyone else the plan names (professionals): a part of a family member's name that one of them shares
    counts only within the family member's full name.
    """
    lead = words(_LEAD_ENDS.split(text or "", maxsplit=1)[0])
    full_names = [name for name in (words(name) for name in family if name) if name]
    shared = {part for name in others if name for part in words(name)}
    parts = {part for name in full_names for part in name} - shared
    at, meaningful = 0, False
    while at < len(lead):
        name = next((name for name in full_names if lead[at : at + len(name)] == name), None)
        if name is not None:
            at, meaningful = at + len(name), True
        elif lead[at] in parts or lead[at] in FAMILY_WORDS:
            at, meaningful = at + 1, True
        elif lead[at] in LINKING_WORDS:
            at += 1
        else:
            return False
    return meaningful
