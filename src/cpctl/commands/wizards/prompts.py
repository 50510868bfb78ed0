"""The questions every wizard asks the same way, each turning Ctrl-C into Cancelled.

The plain prompts (text, a choice, ticks, yes or no, a date within limits), the lists a plan is made of (free-text
items, who-and-why pairs, which entries stay out of the family's copy), and the questions the conference, core
group and plan wizards share word for word: the safety scale, the objectives in each domain, and who attended.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any

from cpctl.commands.common import STATUS_WORDS, asked, out

if TYPE_CHECKING:
    from collections.abc import Callable

    from cpctl.casework.plan import Item, Objectives

DONE = "\x00done"
TYPE_IT = "\x00type"
DOMAIN_KEYS = ("child_development", "parenting_capacity", "family_environment")


def ask_text(message: str, default: str = "", *, required: str | None = None, check: Any = None) -> str:
    import questionary

    from cpctl.text import LONG

    def validate(text: str) -> bool | str:
        if required and not text.strip():
            return required
        if len(text) > LONG:
            return f"That is {len(text)} characters long; the most is {LONG}."
        if check is not None and text.strip():
            return check(text.strip())  # type: ignore[no-any-return]
        return True

    return str(asked(questionary.text(message, default=default, validate=validate))).strip()


def ask_select(message: str, choices: list[tuple[str, Any]], default: Any = None) -> Any:
    import questionary

    values = [value for _, value in choices]
    return asked(
        questionary.select(
            message,
            choices=[questionary.Choice(title, value) for title, value in choices],
            default=default if default in values else None,
        )
    )


def ask_checkbox(message: str, choices: list[tuple[str, Any, bool]], *, at_least_one: str | None = None) -> list[Any]:
    import questionary

    def validate(chosen: list[Any]) -> bool | str:
        return bool(chosen) or (at_least_one or True)

    return list(
        asked(
            questionary.checkbox(
                message,
                instruction="(space ticks or unticks, enter goes on)",
                choices=[questionary.Choice(title, value, checked=ticked) for title, value, ticked in choices],
                validate=validate if at_least_one else lambda _: True,
            )
        )
    )


def ask_confirm(message: str, default: bool) -> bool:
    import questionary

    return bool(asked(questionary.confirm(message, default=default)))


def date_check(
    *, latest: date | None = None, earliest: date | None = None, too_late: str = "", too_early: str = ""
) -> Any:
    from cpctl.dates import parse_date
    from cpctl.errors import Invalid

    def check(text: str) -> bool | str:
        try:
            day = parse_date(text)
        except Invalid as exc:
            return exc.message[0].upper() + exc.message[1:]
        if latest is not None and day > latest:
            return too_late
        if earliest is not None and day < earliest:
            return too_early
        return True

    return check


def ask_date(message: str, default: date | None, **limits: Any) -> date | None:
    from cpctl.dates import parse_date

    text = ask_text(message, f"{default:%d/%m/%Y}" if default else "", check=date_check(**limits))
    return parse_date(text) if text else None


def ask_required_date(
    message: str, default: date | None, *, required: str, unset: str = "today", **limits: Any
) -> date:
    """A date that must be given: `default` as DD/MM/YYYY when there is one, else `unset` ("today" or blank)."""
    from cpctl.dates import parse_date

    text = ask_text(message, f"{default:%d/%m/%Y}" if default else unset, required=required, check=date_check(**limits))
    return parse_date(text)


def short(text: str, limit: int = 70) -> str:
    one_line = " ".join(text.split())
    return one_line if len(one_line) <= limit else one_line[: limit - 1] + "…"


def ask_items(label: str, existing: list[Item]) -> list[Item]:
    """A list of free-text items: keep which of those already there, then add one a line, blank to finish."""
    from cpctl.casework.plan import Item

    kept = list(existing)
    if existing:
        chosen = ask_checkbox(
            f"{label}: keep which?",
            [(short(item.text), index, True) for index, item in enumerate(existing)],
        )
        kept = [existing[index] for index in chosen]
    while True:
        text = ask_text(f"{label} {len(kept) + 1} (blank line when done):")
        if not text:
            return kept
        kept.append(Item(text=text))


def ask_pairs(label: str, existing: list[Any], make: Any, first: str, second: str) -> list[Any]:
    """A list of (who, why) records such as dissent: keep which, then add, blank name to finish.

    `make` is the record's model, and `first` and `second` name its fields for who and why.
    """
    kept = list(existing)
    if existing:
        chosen = ask_checkbox(
            f"{label}: keep which?",
            [(short(f"{getattr(x, first)}: {getattr(x, second)}"), index, True) for index, x in enumerate(existing)],
        )
        kept = [existing[index] for index in chosen]
    while True:
        who = ask_text(f"{label}: who{' else' if kept else ''}? (blank line if no one{' more' if kept else ''})")
        if not who:
            return kept
        why = ask_text(f"{label}: why ({who})?", required="Say why; it must be recorded (§3.17, §3.18).")
        kept.append(make(**{first: who, second: why}))


def mark_private(groups: list[tuple[str, list[Any], Any]]) -> None:
    """One checkbox for a section: which of its entries must stay out of the family's copy.

    Each group is (label, entries, how to show one: an attribute's name or a function of the entry).
    """
    entries = [
        (label, obj, shown(obj) if callable(shown) else getattr(obj, shown))
        for label, objs, shown in groups
        for obj in objs
    ]
    if not entries:
        return
    chosen = set(
        ask_checkbox(
            "Any of these not for the family's copy?",
            [
                (short(f"{label}: {text}", 90), index, bool(obj.private))
                for index, (label, obj, text) in enumerate(entries)
            ],
        )
    )
    for index, (_, obj, _) in enumerate(entries):
        obj.private = index in chosen


def ask_what_now(*, can_save: bool, draft: str | None, back: str = "Go back and change a section") -> str:
    """The question at a wizard's summary. Returns "save", or "draft" (worded as `draft` says, when the answers
    have gaps), when they `can_save`; "back" to change something; Cancel raises Cancelled."""
    from cpctl.errors import Cancelled

    choices: list[tuple[str, str]] = []
    if can_save:
        choices.append((draft, "draft") if draft else ("Save", "save"))
    choices += [(back, "back"), ("Cancel: save nothing", "cancel")]
    choice = ask_select("What now?", choices)
    if choice == "cancel":
        raise Cancelled()
    return str(choice)


def mark_private_if_added(groups: list[tuple[str, list[Any], Any]], before: list[Any]) -> None:
    """Ask what is kept from the family's copy when something was added (what was there keeps its marking)."""
    if any(entry not in before for _, entries, _ in groups for entry in entries):
        mark_private(groups)


def say(text: str) -> None:
    """One line for the person at the terminal, printed as it is (no markup)."""
    out().print(text, markup=False)


# -- the questions the wizards share word for word ------------------------------------------------
def ask_safety_scale(current: int | None, *, blank: str) -> int | None:
    """The safety scale from 0 to 10; a blank answer does what `blank` says ("skip" or "clear") and is None."""
    scale = ask_text(
        f"Safety scale, 0 (not safe) to 10 (safe enough to end the plan); blank to {blank}:",
        "" if current is None else str(current),
        check=lambda t: (t.isdigit() and 0 <= int(t) <= 10) or "A whole number from 0 to 10",
    )
    return int(scale) if scale else None


def ask_objectives(start: Objectives) -> Objectives:
    """The plan's objectives in each of the three domains, starting from `start`."""
    from cpctl.casework.plan import Objectives

    return Objectives(
        child_development=ask_items("Objective: the child's developmental needs", start.child_development),
        parenting_capacity=ask_items("Objective: parenting capacity", start.parenting_capacity),
        family_environment=ask_items("Objective: family and environmental factors", start.family_environment),
    )


def objective_groups(objectives: Objectives) -> list[tuple[str, list[Any], Any]]:
    """The objectives as `mark_private` groups, one a domain."""
    return [("Objective", getattr(objectives, key), "text") for key in DOMAIN_KEYS]


def ask_attendance(
    people: list[tuple[str, str]],
    before: dict[str, tuple[str, str | None]] | None,
    *,
    questions: tuple[str, str, str],
    expected: set[str] | None,
    not_invited: str,
    recorded_with: str,
    name_of: Callable[[str], str],
    add: Callable[[dict[str, tuple[str, str | None]]], str],
) -> dict[str, tuple[str, str | None]]:
    """Who attended, sent apologies or sent a report (`questions`), who was not invited and why, then anyone added.

    `people` are (title, reference) in the order to list them; `before` the answers given already, which are
    ticked again. Without `before`, the `expected` people are ticked as attending (None: everyone listed is
    expected), and only they (or someone not invited before) are asked about with `not_invited`. `add` asks who
    else to add (it may create someone) and returns their reference. Returns each person's status and reason.
    """
    statuses: dict[str, tuple[str, str | None]] = {}
    remaining = list(people)

    def ticked(ref: str, status: str) -> bool:
        if before is not None:
            return before.get(ref, ("", None))[0] == status
        return status == "attended" and (expected is None or ref in expected)

    for status, question in zip(("attended", "apologies", "report"), questions, strict=True):
        if not remaining:
            break
        chosen = ask_checkbox(question, [(title, ref, ticked(ref, status)) for title, ref in remaining])
        statuses.update({ref: (status, None) for ref in chosen})
        remaining = [(title, ref) for title, ref in remaining if ref not in statuses]
    left_out = [
        (title, ref)
        for title, ref in remaining
        if expected is None or ref in expected or (before or {}).get(ref, ("",))[0] == "not-invited"
    ]
    if left_out:
        chosen = ask_checkbox(not_invited, [(title, ref, ticked(ref, "not-invited")) for title, ref in left_out])
        for ref in chosen:
            old = (before or {}).get(ref, ("", None))[1] or ""
            reason = ask_text(
                f"Why was {name_of(ref)} not invited?",
                old,
                required=f"Say why; it is recorded with {recorded_with}.",
            )
            statuses[ref] = ("not-invited", reason)
    while ask_confirm("Add someone who is not in these lists?", False):
        ref = add(statuses)
        name = name_of(ref)
        status = ask_select(f"{name}:", [(STATUS_WORDS[s].capitalize(), s) for s in STATUS_WORDS], default="attended")
        reason = None
        if status == "not-invited":
            reason = ask_text(f"Why was {name} not invited?", required="Say why; it is recorded.")
        statuses[ref] = (status, reason)
    return statuses
