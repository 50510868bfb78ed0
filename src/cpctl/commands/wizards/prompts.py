"""The questions every wizard asks the same way, each turning Ctrl-C into Cancelled.

The plain prompts (text, a choice, ticks, yes or no, a date within limits and checked against the case), the
lists a plan is made of (free-text items, who-and-why pairs, which entries stay out of the family's copy), and the
questions the conference, core group and plan wizards share word for word: the safety scale, the objectives in
each domain, and who attended. For the conference wizard: a list in one question, one item a line (`ask_list`,
`ask_pair_lines`), the numbered summary's question (`ask_next_step`), and going one question back with Shift-Tab
or Ctrl-Z (`TAPE`: the answers so far are replayed and the question before asked again), which a wizard turns on.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any

from cpctl.commands.common import STATUS_WORDS, asked, out
from cpctl.commands.wizards.replay import text_check, with_back

if TYPE_CHECKING:
    from collections.abc import Callable

    from cpctl.casework.plan import Item, Objectives

DONE = "\x00done"
TYPE_IT = "\x00type"
DOMAIN_KEYS = ("child_development", "parenting_capacity", "family_environment")
NOTHING: Any = object()
LIST_HINT = "(one a line; a blank line when done)"


# -- going one question back ----------------------------------------------------------------------
class GoBack(Exception):  # noqa: N818  (not an error: the person asked for the question before)
    """A back key (Shift-Tab or Ctrl-Z) at a question: go back one question."""


@dataclass
class Tape:
    """The answers given so far in a wizard that can go back one question (`on`).

    Going back runs the wizard again from its first question with the answers given so far replayed (`replay`),
    asking nothing, and then asks the question before the one where the back key was pressed, with its answer as the
    default (`redo`). Wizards that do not turn the tape on are not changed by it.
    """

    on: bool = False
    answers: list[Any] = field(default_factory=list)
    replay: list[Any] = field(default_factory=list)
    redo: Any = NOTHING

    def start(self, replay: list[Any] | None = None, redo: Any = NOTHING) -> None:
        self.on, self.answers, self.replay, self.redo = True, [], list(replay or []), redo

    def stop(self) -> None:
        self.on, self.answers, self.replay, self.redo = False, [], [], NOTHING

    def back(self) -> bool:
        """Set up the run again one question back; False when there is no question before."""
        if not self.answers:
            self.start()
            return False
        *before, last = self.answers
        self.start(before, last)
        return True


TAPE = Tape()


def replaying() -> bool:
    return TAPE.on and bool(TAPE.replay)


def _replayed() -> Any:
    if TAPE.on and TAPE.replay:
        value = TAPE.replay.pop(0)
        TAPE.answers.append(value)
        return value
    return NOTHING


def _default(default: Any) -> Any:
    if TAPE.on and TAPE.redo is not NOTHING:
        value, TAPE.redo = TAPE.redo, NOTHING
        return value
    return default


def _asked(question: Any) -> Any:
    """Ask a questionary question; with the tape on, a back key goes back one question and the answer is kept."""
    if TAPE.on:
        with_back(question, GoBack)
    value = asked(question)
    if TAPE.on:
        TAPE.answers.append(value)
    return value


def ask_text(message: str, default: str = "", *, required: str | None = None, check: Any = None) -> str:
    import questionary

    replayed = _replayed()
    if replayed is not NOTHING:
        return str(replayed)
    default = _default(default)
    question = questionary.text(message, default=default, validate=text_check(required, check))
    return str(_asked(question)).strip()


def ask_select(message: str, choices: list[tuple[str, Any]], default: Any = None) -> Any:
    import questionary

    replayed = _replayed()
    if replayed is not NOTHING:
        return replayed
    default = _default(default)
    values = [value for _, value in choices]
    return _asked(
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

    replayed = _replayed()
    if replayed is not NOTHING:
        return list(replayed)
    redo = _default(NOTHING)
    if redo is not NOTHING:
        choices = [(title, value, value in redo) for title, value, _ in choices]
    return list(
        _asked(
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

    replayed = _replayed()
    if replayed is not NOTHING:
        return bool(replayed)
    return bool(_asked(questionary.confirm(message, default=_default(default))))


def date_check(
    *,
    latest: date | None = None,
    earliest: date | None = None,
    too_late: str = "",
    too_early: str = "",
    check_day: Callable[[date], bool | str] | None = None,
) -> Any:
    """A check for a typed date: that it is a date, within `earliest` and `latest`, and passes `check_day` (which
    returns True or what is wrong, e.g. against the case's history)."""
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
        if check_day is not None:
            return check_day(day)
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
    """One line for the person at the terminal, printed as it is (no markup); nothing while answers are replayed."""
    if not replaying():
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


# -- a list in one question, and the summary's question -------------------------------------------
def ask_lines(message: str, default: str, *, check: Any = None, required: str | None = None) -> list[str]:
    """Lines of text in one question, prefilled with `default`: Enter starts a new line, and Enter on a blank
    line (or Esc then Enter) finishes. Each line is checked by `check` (a message for the first line at fault)."""
    import questionary
    from prompt_toolkit.key_binding import KeyBindings

    from cpctl.text import LONG

    replayed = _replayed()
    if replayed is not NOTHING:
        return list(replayed)
    default = _default(default)
    if isinstance(default, list):
        default = "\n".join(default)
    keys = KeyBindings()

    @keys.add("enter")
    def _enter(event: Any) -> None:
        buffer = event.current_buffer
        if buffer.document.current_line.strip():
            buffer.insert_text("\n")
        else:
            buffer.validate_and_handle()

    def validate(text: str) -> bool | str:
        lines = [line.strip() for line in text.splitlines() if line.strip()]
        if required and not lines:
            return required
        for number, line in enumerate(lines, 1):
            if len(line) > LONG:
                return f"Line {number} is {len(line)} characters long; the most is {LONG}."
            if check is not None:
                said = check(line)
                if said is not True:
                    return f"Line {number}: {said}" if len(lines) > 1 else str(said)
        return True

    question = questionary.text(
        message,
        default=default,
        validate=validate,
        multiline=True,
        instruction=LIST_HINT,
        key_bindings=keys,
    )
    if TAPE.on:
        value = _asked(question)
        TAPE.answers[-1] = [line.strip() for line in str(value).splitlines() if line.strip()]
        return list(TAPE.answers[-1])
    return [line.strip() for line in str(asked(question)).splitlines() if line.strip()]


def ask_list(label: str, existing: list[Item], *, required: str | None = None) -> list[Item]:
    """A list of free-text items in one question, one a line, prefilled with those there already to keep, change
    or delete. An item whose text is unchanged keeps whether it is kept out of the family's copy."""
    from cpctl.casework.plan import Item

    lines = ask_lines(f"{label}:", "\n".join(item.text for item in existing), required=required)
    private = {item.text: item.private for item in existing}
    return [Item(text=line, private=private.get(line, False)) for line in lines]


def ask_pair_lines(label: str, existing: list[Any], make: Any, first: str, second: str, example: str) -> list[Any]:
    """Who-and-why records (dissent, ...) in one question, one a line as 'who: why'; `example` shows one."""

    def check(line: str) -> bool | str:
        who, colon, why = line.partition(":")
        if not colon or not who.strip() or not why.strip():
            return f"Write who, a colon, then why, e.g. {example}"
        return True

    before = {f"{getattr(x, first)}: {getattr(x, second)}": x for x in existing}
    lines = ask_lines(f"{label}:", "\n".join(before), check=check)
    made = []
    for line in lines:
        if line in before:
            made.append(before[line])
            continue
        who, _, why = line.partition(":")
        made.append(make(**{first: who.strip(), second: why.strip()}))
    return made


def ask_next_step(*, numbers: int, can_save: bool, draft: bool) -> str | int:
    """The question at a summary whose answers are numbered: "save", "draft", "cancel" or the number to change.

    Enter saves (as a draft when `draft`: the answers have gaps) when the answers `can_save`.
    """
    from cpctl.errors import Cancelled

    if can_save:
        message = (
            "Enter saves as a draft, with the gaps recorded" if draft else "Enter saves"
        ) + f"; 1-{numbers} changes that answer; c cancels (saves nothing):"
    else:
        message = f"This cannot be saved yet: 1-{numbers} changes that answer; c cancels (saves nothing):"

    def check(text: str) -> bool | str:
        if text.lower() in ("c", "cancel"):
            return True
        if text.isdigit() and 1 <= int(text) <= numbers:
            return True
        return f"Type a number from 1 to {numbers}, or c to cancel."

    text = ask_text(
        message,
        required=None if can_save else f"Change the answer at fault first: type its number (1-{numbers}).",
        check=check,
    ).lower()
    if text in ("c", "cancel"):
        raise Cancelled()
    if not text:
        return "draft" if draft else "save"
    return int(text)


def ask_typed(message: str, names: list[str], default: str, check: Any) -> str:
    """A line of text with `names` offered as it is typed (Tab or the arrows pick one); `check` as for ask_text."""
    import questionary

    replayed = _replayed()
    if replayed is not NOTHING:
        return str(replayed)

    def validate(text: str) -> bool | str:
        return check(text) if text.strip() else True

    return str(
        _asked(questionary.autocomplete(message, choices=names, default=_default(default), validate=validate))
    ).strip()
