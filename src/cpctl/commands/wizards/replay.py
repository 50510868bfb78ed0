"""Back, one question at a time: a wizard's answers kept by key, and its questions replayed up to the one to ask.

A wizard written as plain code asks every question through `Answers.ask`, under a key of its own. Shift-Tab (or
Ctrl-Z, the same keys in every wizard: `BACK_KEYS`) at any of those questions goes back one question: the wizard
runs again from the start, answering each question before the previous one from what was said (without asking),
then asks the previous one again with its answer as the default. From a summary, `Answers.again` asks a whole
section again the same way, each answer prefilled. What a wizard prints between questions (`Answers.say`) is shown
only before a question that is really asked.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from cpctl.commands.common import asked, out

T = TypeVar("T")
# Back one question, in every wizard: Shift-Tab as in a form, and Ctrl-Z (undo) for those who reach for it. In a
# wizard, Ctrl-Z never suspends cpctl: prompt_toolkit reads it as a key.
BACK_KEYS = ("s-tab", "c-z")
BACK_HINT = "Shift-Tab (or Ctrl-Z) goes back one question"


class Back(Exception):
    """The person pressed a back key (Shift-Tab or Ctrl-Z): go back to the question before this one."""


def with_back(question: Any, going_back: type[Exception] = Back) -> Any:
    """A questionary question on which Shift-Tab or Ctrl-Z (`BACK_KEYS`) stops it with `going_back`."""
    from prompt_toolkit.key_binding import KeyBindings, merge_key_bindings

    bindings = KeyBindings()

    def _back(event: Any) -> None:
        event.app.exit(exception=going_back())

    for key in BACK_KEYS:
        bindings.add(key, eager=True)(_back)

    app = question.application
    app.key_bindings = merge_key_bindings([app.key_bindings, bindings]) if app.key_bindings else bindings
    return question


def text_check(required: str | None, check: Any) -> Callable[[str], bool | str]:
    """The check of a typed answer: `required` says what to type when it is blank, no answer is longer than cpctl
    keeps, and `check` (if given) looks at what was typed; True, or the problem in words."""
    from cpctl.text import LONG

    def validate(typed: str) -> bool | str:
        if required and not typed.strip():
            return required
        if len(typed) > LONG:
            return f"That is {len(typed)} characters long; the most is {LONG}."
        if check is not None and typed.strip():
            return check(typed.strip())  # type: ignore[no-any-return]
        return True

    return validate


def text(message: str, default: str = "", *, required: str | None = None, check: Any = None) -> str:
    import questionary

    question = questionary.text(message, default=default, validate=text_check(required, check))
    return str(asked(with_back(question))).strip()


def select(message: str, choices: list[tuple[str, Any]], default: Any = None) -> Any:
    import questionary

    values = [value for _, value in choices]
    question = questionary.select(
        message,
        choices=[questionary.Choice(title, value) for title, value in choices],
        default=default if default in values else None,
    )
    return asked(with_back(question))


def checkbox(message: str, choices: list[tuple[str, Any, bool]]) -> list[Any]:
    import questionary

    question = questionary.checkbox(
        message,
        instruction="(space ticks or unticks, enter goes on)",
        choices=[questionary.Choice(title, value, checked=ticked) for title, value, ticked in choices],
    )
    return list(asked(with_back(question)))


def confirm(message: str, default: bool) -> bool:
    import questionary

    return bool(asked(with_back(questionary.confirm(message, default=default))))


class Answers:
    """The answers of one wizard, by key, and which of its questions to ask on this run through it."""

    def __init__(self) -> None:
        self.given: dict[str, Any] = {}
        self.asked: list[str] = []  # the keys reached on this run, in order
        self.window: set[int] = set()  # on this run, ask the questions at these positions again (after Back)
        self.sections: tuple[str, ...] = ()  # ... and every question whose key starts with one of these
        self._said: list[tuple[str, bool]] = []

    def ask(
        self,
        key: str,
        question: Callable[[Any], T],
        default: Any = None,
        *,
        always: bool = False,
        still: Callable[[Any], bool] | None = None,
    ) -> T:
        """The answer to the question under `key`: asked (`question(default)`, the last answer as the default),
        or, when this run replays it, the answer given before (unless `still` says that answer no longer fits)."""
        position = len(self.asked)
        self.asked.append(key)
        known = key in self.given
        replayed = (
            known
            and not always
            and position not in self.window
            and not any(key.startswith(section) for section in self.sections)
            and (still is None or still(self.given[key]))
        )
        if replayed:
            self._said.clear()
            return self.given[key]  # type: ignore[no-any-return]
        self.flush()
        value = question(self.given[key] if known else default)
        self.given[key] = value
        return value

    def wants(self, key: str) -> bool:
        """Whether a question asked only on request (from the summary) has been asked, or is asked on this run."""
        return key in self.given or any(key.startswith(section) for section in self.sections)

    def say(self, line: str, *, markup: bool = False) -> None:
        """A line to show before the next question that is asked (dropped if that question is replayed)."""
        self._said.append((line, markup))

    def flush(self) -> None:
        console = out()
        for line, markup in self._said:
            console.print(line, markup=markup)
        self._said.clear()

    def back(self) -> None:
        """After Back: the next run asks the question before the one being asked, then that one again."""
        current = len(self.asked) - 1
        previous = max(current - 1, 0)
        self.window = {previous, previous + 1}
        self.sections = ()
        self._said.clear()

    def again(self, *sections: str) -> None:
        """The next run asks again every question of these sections (keys starting so), each prefilled."""
        self.window = set()
        self.sections = sections
        self._said.clear()

    def run(self, flow: Callable[[Answers], T]) -> T:
        """Run `flow` until it returns, going back a question at each Back."""
        while True:
            self.asked = []
            try:
                return flow(self)
            except Back:
                self.back()
