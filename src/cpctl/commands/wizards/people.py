"""Choosing people in a wizard: from those the store knows, or typed in along the way.

`PeoplePrompts` names people as the family calls them (a parent, a grandmother) or by role and agency, asks for
someone new (`ask_new_person`), and asks who is responsible for something: a person from the list, an agency or
a name typed in, or no one yet (`ask_who`). The conference, core group and plan wizards all build on it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from cpctl.commands.wizards.context import PersonInfo
from cpctl.commands.wizards.drafts import NEW_KEY, NewPerson
from cpctl.commands.wizards.prompts import DONE, TYPE_IT, ask_select, ask_text, ask_typed

if TYPE_CHECKING:
    from cpctl.commands.wizards.context import Context

NO_ONE = "\x00none"
PERSON_KIND_WORDS = {
    "parent": "Parent",
    "carer": "Carer",
    "family": "Relative or family friend",
    "professional": "Professional",
}


class PeoplePrompts:
    """Questions about the people around a child, asked the same way everywhere.

    A subclass says which children the questions are about (`subjects`), whom to offer (`candidates`) and where
    people typed in along the way are kept (`new_people`) until they are created with whatever is saved.
    """

    ctx: Context

    @property
    def subjects(self) -> list[str]:
        raise NotImplementedError

    @property
    def new_people(self) -> list[NewPerson]:
        raise NotImplementedError

    def candidates(self) -> list[PersonInfo]:
        raise NotImplementedError

    def person(self, ref: str) -> PersonInfo:
        if ref in self.ctx.people:
            return self.ctx.people[ref]
        new = next(n for n in self.new_people if n.key == ref)
        return PersonInfo(new.key, new.name, new.kind, new.role, new.agency, new=True)

    def everyone(self) -> list[PersonInfo]:
        return [*self.ctx.people.values(), *(self.person(n.key) for n in self.new_people)]

    def professionals(self) -> list[PersonInfo]:
        return [p for p in self.everyone() if p.kind == "professional"]

    def family_refs(self) -> list[str]:
        """The people around the chosen children (parents, carers, relatives), in order, once each."""
        refs = [ref for child in self.subjects for ref, _ in self.ctx.children[child].people]
        refs += [n.key for n in self.new_people if n.relationship]
        return list(dict.fromkeys(refs))

    def relationship(self, ref: str) -> str | None:
        for child in self.subjects:
            for person, rel in self.ctx.children[child].people:
                if person == ref:
                    return rel
        return next((n.relationship for n in self.new_people if n.key == ref), None)

    def title(self, person: PersonInfo) -> str:
        rel = self.relationship(person.ref)
        return f"{person.name} ({rel})" + ("  [new]" if person.new else "") if rel else person.label

    def ask_new_person(self) -> NewPerson:
        kind = ask_select(
            "What kind of person?",
            [(word, key) for key, word in PERSON_KIND_WORDS.items()],
            default="professional",
        )
        name = ask_text("Their full name:", required="Type their name.")
        role = ask_text("Their role (e.g. School nurse, Grandmother; blank if none):") or None
        agency = None
        relationship = None
        if kind == "professional":
            agency = ask_text("Their agency or organisation:", required="Give their agency: it counts for the quorum.")
        else:
            names = ", ".join(self.ctx.children[c].name for c in self.subjects)
            relationship = ask_text(
                f"How do they stand to {names}? (e.g. grandmother)",
                (role or "").lower(),
                required="Say how they are related, e.g. grandmother.",
            )
        new = NewPerson(
            key=f"{NEW_KEY}{len(self.new_people) + 1}",
            name=name,
            kind=kind,
            role=role,
            agency=agency,
            relationship=relationship,
        )
        self.new_people.append(new)
        return new

    def who_label(self, who: str | None) -> str:
        if not who:
            return "no one named"
        return self.person(who).name if who in self.ctx.people or who.startswith(NEW_KEY) else who

    def ask_who(self, message: str, default: str | None, *, done: bool = False) -> str | None:
        """A person from the list, or an agency or name typed in (a family member, a service).

        `done` is for the people who see the child: professionals only, and a way to finish the list.
        """
        choices: list[tuple[str, Any]] = [("No one more (done)", DONE)] if done else []
        choices += [(self.title(p), p.ref) for p in self.candidates() if not done or p.kind == "professional"]
        typed = default if default and default not in [v for _, v in choices] else None
        choices.append(("An agency or someone else (type it)", TYPE_IT))
        if not done:
            choices.append(("No one named yet", NO_ONE))
        choice = ask_select(message, choices, default=TYPE_IT if typed else default)
        if choice == TYPE_IT:
            return ask_text("  Who (an agency, a service or a name)?", typed or "", required="Type who it is.")
        if choice == NO_ONE:
            return None
        return str(choice)

    def ask_who_typed(self, message: str, default: str | None) -> str | None:
        """Who is responsible, typed (names complete as they are typed): someone in the case by name or reference,
        checked against the store at once (a near miss asks again, naming whom it was probably meant to be), or an
        agency or service typed in. Blank: no one named yet."""
        import difflib

        people = self.candidates()
        by_key = {p.name.lower(): p.ref for p in people} | {p.ref.lower(): p.ref for p in people}

        def check(text: str) -> bool | str:
            key = text.strip().lower()
            if key in by_key:
                return True
            near = difflib.get_close_matches(key, [p.name.lower() for p in people], n=1, cutoff=0.8)
            if near:
                name = next(p.name for p in people if p.name.lower() == near[0])
                return f"No one here is called {text.strip()}: did you mean {name}? (An agency or service is fine too.)"
            return True

        shown = (
            self.person(default).name
            if default and (default in self.ctx.people or default.startswith(NEW_KEY))
            else default
        )
        typed = ask_typed(
            f"{message} (a name from the case, or an agency or service; blank if no one yet)",
            [p.name for p in people],
            shown or "",
            check,
        )
        if not typed:
            return None
        return by_key.get(typed.lower(), typed)
