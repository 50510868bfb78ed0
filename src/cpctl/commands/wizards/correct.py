"""`cpctl conference correct` in a terminal: ask which facts were recorded wrongly, each prefilled with what the
store holds now, and why; nothing is saved here."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any

from cpctl.commands.wizards.prompts import ask_checkbox, ask_required_date, ask_select, ask_text

if TYPE_CHECKING:
    from cpctl.casework.corrections import ConferenceFix
    from cpctl.store.database import Store

STATUS_CHOICES = (
    ("attended", "attended"),
    ("sent apologies", "apologies"),
    ("sent a report", "report"),
    ("not invited", "not-invited"),
    ("was not there at all: take them off the list", "remove"),
)


def ask_conference_fix(store: Store, ref: str, reason: str | None) -> ConferenceFix:
    """What to correct about conference `ref`: its date, attendance, the children's categories; and the reason."""
    from cpctl.casework import conference, conference_records, corrections, people
    from cpctl.commands.common import STATUS_WORDS
    from cpctl.dates import british
    from cpctl.store import settings

    with store.read() as session:
        row = conference_records.find(session, ref)
        record = conference_records.record(session, row)
        rules = conference.rules_for(settings.current(session).jurisdiction)
        chair = record["chair"]["ref"] if record["chair"] else None
        others = [(p.ref, p.name) for p in people.list_people(session) if p.ref != chair]
    held = date.fromisoformat(record["date"])
    with_category = [d for d in record["decisions"] if d["categories"]]
    choices = [(f"The date it was held (recorded as {british(held)})", "date", False)]
    choices.append(("Who came, sent apologies or sent a report", "attendance", False))
    if with_category:
        choices.append(("A child's category of harm", "categories", False))
    choices.append(("How a child took part (PN0 to PN7)", "participation", False))
    choices.append(("The chair's summary of the discussion and the analysis of risk", "discussion", False))
    wrong = ask_checkbox(
        f"What was recorded wrongly about {record['ref']}?", choices, at_least_one="Tick at least one (space)."
    )
    fix = corrections.ConferenceFix(reason=reason or "")
    if "date" in wrong:
        fix.date = ask_required_date(
            "The date it was really held (DD/MM/YYYY or YYYY-MM-DD):",
            held,
            required="Give the date it was held.",
            latest=date.today(),
            too_late="That is in the future: a conference is recorded once it has been held.",
        )
    if "attendance" in wrong:
        fix.attendance = _ask_attendance(record["attendance"], others, STATUS_WORDS)
    if "categories" in wrong:
        for decision in with_category:
            fix.categories[decision["child"]] = _ask_category(rules, decision)
    if "participation" in wrong:
        from cpctl.casework import participation

        for decision in record["decisions"]:
            fix.participation[decision["child"]] = str(
                ask_select(
                    f"How did {decision['child_name']} take part?",
                    [(f"{code}  {meaning}", code) for code, meaning in participation.CODES.items()],
                    default=decision.get("participation"),
                )
            )
    if "discussion" in wrong:
        fix.discussion = ask_text(
            "The chair's summary of the discussion and the analysis of risk (blank to clear it):",
            record.get("discussion") or "",
        )
    if not reason:
        fix.reason = ask_text(
            "Why is it corrected? (kept in the audit trail)",
            required="Say why, in a few words: the reason is kept in the audit trail.",
        )
    return fix


def _ask_attendance(listed: list[dict[str, Any]], others: list[tuple[str, str]], words: dict[str, str]) -> list[Any]:
    from cpctl.casework.corrections import AttendanceFix

    on_list = {a["ref"] for a in listed}
    choices = [(f"{a['name']}: {words.get(a['status'], a['status'])}", a["ref"], False) for a in listed]
    missing = [(name, ref) for ref, name in others if ref not in on_list]
    if missing:
        choices.append(("Someone who is not on the list", "", False))
    chosen = ask_checkbox("Whose attendance was recorded wrongly?", choices, at_least_one="Tick at least one (space).")
    if "" in chosen:
        chosen = [ref for ref in chosen if ref] + [str(ask_select("Who was left off the list?", missing))]
    current = {a["ref"]: a for a in listed}
    names = {ref: name for ref, name in others} | {a["ref"]: a["name"] for a in listed}
    fixes = []
    for ref in chosen:
        was = current.get(ref)
        options = [c for c in STATUS_CHOICES if was is not None or c[1] != "remove"]
        status = str(ask_select(f"{names[ref]}:", list(options), default=was["status"] if was else "attended"))
        fix = AttendanceFix(person=ref, remove=status == "remove", status=None if status == "remove" else status)
        if status == "not-invited":
            fix.reason = ask_text(
                f"Why was {names[ref]} not invited?", (was or {}).get("reason") or "", required="Say why."
            )
        fixes.append(fix)
    return fixes


def _ask_category(rules: Any, decision: dict[str, Any]) -> list[str]:
    options = [(f"{code} ({label})", code) for code, label in rules.categories.items()]
    question = f"{decision['child_name']}'s category of harm:"
    if rules.single_category:
        return [str(ask_select(question, options, default=decision["categories"][0]))]
    return list(
        ask_checkbox(
            question,
            [(title, code, code in decision["categories"]) for title, code in options],
            at_least_one="Tick at least one (space).",
        )
    )
