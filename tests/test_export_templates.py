"""Every branch of every template is rendered by some plan here, in both formats, so that StrictUndefined
meets a misspelt field in the test suite rather than in a parent's copy."""

from __future__ import annotations

import dataclasses
import sys
from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest

from cpctl.documents import languages, render, views
from readability_helpers import (
    WORD,
    invitation_variants,
    letter_variants,
    neutral_document,
    neutral_invitation,
    neutral_letter,
    neutral_record,
    record_variants,
)

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "scripts"))
import messages  # noqa: E402  (scripts/messages.py extracts the templates' messages)

pytest_plugins = ["export_fixtures"]  # the fixed plan's store (fixed_plan)

STATUSES = ("attended", "apologies", "report", "not-invited")
TEMPLATES = Path(languages.__file__).parent.parent / "templates"


def variants(partly_translated: Path) -> list[tuple[views.Document, str, tuple[Path, ...]]]:
    """(document, language, template folders) that between them take every branch of every template."""
    out: list[tuple[views.PlanDocument, str]] = []
    for audience in ("professional", "parent", "child"):
        for variant in (
            dict(outcome="plan-starts", overdue=False, age=7, draft=True),
            dict(outcome="plan-continues", overdue=True, age=12, draft=False, arranged=True),
            dict(outcome="plan-ends", overdue=False, age=12, draft=False, lead=False, actions=False),
            dict(outcome="plan-changes", overdue=False, age=12, draft=False),
        ):
            out.append((neutral_document(audience, **variant), "English"))
        out.append((neutral_document(audience), "Turkish"))
        out.append((neutral_document(audience), "Welsh"))
        out.append((neutral_document(audience), "Urdu"))  # right to left, and Nastaliq in the stylesheet
        out.append((neutral_document(audience), "Arabic" if audience == "parent" else "Panjabi"))
    full = neutral_document("professional")
    person = full.core_group[0]
    progress = [views.ProgressView(status=s, note=WORD, recorded_on=date(2026, 12, 1)) for s in views.PROGRESS_STATUSES]
    actions = tuple(dataclasses.replace(full.content.actions[0], progress=p, private=True) for p in progress)
    assert full.conference is not None
    ended = dataclasses.replace(
        full,
        child=dataclasses.replace(full.child, date_of_birth=None, expected_date=date(2027, 2, 1), age=None),
        plan=dataclasses.replace(
            full.plan,
            ended_on=date(2027, 5, 1),
            pre_birth=True,
            end_reason=WORD,
            step_down=WORD,
            initial_categories=("Other",),
        ),
        version=dataclasses.replace(full.version, latest=False, count=2, gaps=(WORD,), agreed_by=WORD),
        conference=dataclasses.replace(
            full.conference,
            quorate=False,
            inquorate_reason=WORD,
            virtual=True,
            time="10:00",
            attendance=tuple(views.AttendeeView(person=person, status=s, reason=WORD) for s in STATUSES),
        ),
        content=dataclasses.replace(
            full.content,
            actions=actions,
            child_seen=tuple(
                dataclasses.replace(full.content.child_seen[0], parents_present=p, private=True)
                for p in ("yes", "no", "sometimes")
            ),
        ),
        deadlines=(),
    )
    out.append((ended, "English"))
    out.append(
        (
            dataclasses.replace(
                ended,
                conference=dataclasses.replace(
                    ended.conference,
                    venue=WORD,  # type: ignore[arg-type]
                ),
            ),
            "English",
        )
    )
    out.append((dataclasses.replace(full, conference=None, lead_worker=None), "English"))
    parent = neutral_document("parent")
    unnamed_carer = views.PersonView(ref="P9", name=None, kind="carer")
    out.append(
        (
            dataclasses.replace(parent, reader=parent.parents[0], core_group=(*parent.core_group, unnamed_carer)),
            "English",
        )
    )
    out.append((dataclasses.replace(parent, reader=unnamed_carer), "English"))
    several = dataclasses.replace(parent.plan, categories=(WORD, WORD))  # England: two or more kinds (MUL)
    out.append((dataclasses.replace(parent, plan=several), "English"))
    unnamed = dataclasses.replace(parent.plan, categories=(WORD,), several_unnamed=True)  # MUL from an older store
    out.append((dataclasses.replace(parent, plan=unnamed), "English"))
    found: list[tuple[views.Document, str, tuple[Path, ...]]] = [(document, language, ()) for document, language in out]
    # The conference's documents: the outcome letters, the record, the invitations.
    for audience in ("parent", "child"):
        found += [(document, "English", ()) for document in letter_variants(audience)]
        found.append((neutral_letter(audience), "Turkish", ()))
    found += [(document, "English", ()) for document in record_variants()]
    found.append((neutral_record(), "Turkish", ()))
    for audience in ("parent", "professional"):
        found += [(document, "English", ()) for document in invitation_variants(audience)]
        found.append((neutral_invitation(audience), "Turkish", ()))
    # A template with a sentence the Welsh catalogue lacks: the copy says part of it is still in English.
    return found + [(neutral_document(audience), "Welsh", (partly_translated,)) for audience in ("parent", "child")]


@pytest.mark.parametrize("fmt", ["md", "html"])
def test_every_message_of_every_template_is_rendered_by_some_plan(fmt: str, tmp_path: Path) -> None:
    for name in ("parent.j2", "child.j2"):
        packaged = (TEMPLATES / name).read_text(encoding="utf-8")
        marked = packaged.replace("{% block body %}", "{% block body %}{{ _('Untranslated.') }}")
        (tmp_path / name).write_text(marked, encoding="utf-8")
    used: set[str] = set()
    for document, language, folders in variants(tmp_path):
        used |= render.render(document, fmt, language=language, templates=folders).used  # type: ignore[arg-type]
    other = "html" if fmt == "md" else "md"
    wanted = {
        languages.message_key(m if isinstance(m, str) else m[0], context)
        for name, _line, m, context in messages.template_messages()
        if not name.endswith(f".{other}.j2") and not (fmt == "md" and name == "style.css.j2")
    }
    missing = sorted(wanted - used)
    assert missing == [], missing


def test_the_documents_know_every_progress_status_the_core_group_records() -> None:
    from cpctl.casework import coregroup

    assert views.PROGRESS_STATUSES == coregroup.PROGRESS


# -- an authority's own template cannot reach beyond the copy it is given ---------------------------------------
# Ways out of Jinja2 that a hostile template would try (the payloads of template-injection write-ups). MARKER is
# a file a command would create, SECRET a file it would read; each must be stopped before it runs or reads.
ESCAPES = {
    "cycler's globals: os.popen": "{{ cycler.__init__.__globals__.os.popen('touch MARKER').read() }}",
    "joiner's globals": "{{ joiner.__init__.__globals__.os.system('touch MARKER') }}",
    "namespace's globals": "{{ namespace.__init__.__globals__.os.system('touch MARKER') }}",
    "lipsum's globals: open a file": "{{ lipsum.__globals__['__builtins__']['open']('SECRET').read() }}",
    "the template's own context": (
        "{{ self._TemplateReference__context.cycler.__init__.__globals__.os.popen('touch MARKER').read() }}"
    ),
    "range's class": "{{ range.__class__.__base__.__subclasses__() }}",
    "a string's class hierarchy": (
        "{% for c in ''.__class__.__mro__[1].__subclasses__() %}{% if c.__name__ == '_wrap_close' %}"
        "{{ c.__init__.__globals__['popen']('touch MARKER').read() }}{% endif %}{% endfor %}"
    ),
    "a format string": "{{ '{0.__init__.__globals__[os].environ}'.format(cycler) }}",
    "a format string on the copy": "{{ '{0.__class__.__init__.__globals__}'.format(child) }}",
    "the attr filter": "{{ (cycler|attr('__init__')|attr('__globals__'))['os'].popen('touch MARKER').read() }}",
    "a map of attributes": "{{ [cycler]|map(attribute='__init__')|map(attribute='__globals__')|list }}",
    "the garbage collector": (
        "{% set gc = lipsum.__globals__['__builtins__']['__import__']('gc') %}"
        "{% for o in gc.get_objects() %}{% if o.__class__.__name__ == 'PlanDocument' "
        "and o.audience == 'professional' %}{{ o }}{% endif %}{% endfor %}"
    ),
    "the caller's frames": (
        "{% set found = namespace(frame=lipsum.__globals__.os.sys._getframe(0)) %}"
        "{% for i in range(80) %}{% if found.frame %}{% for value in found.frame.f_locals.values() %}"
        "{% if value.__class__.__name__ == 'PlanDocument' and value.audience == 'professional' %}{{ value }}"
        "{% endif %}{% endfor %}{% set found.frame = found.frame.f_back %}{% endif %}{% endfor %}"
    ),
    "a list changed in place": "{% set found = [] %}{{ found.append(child) }}{{ found }}",
}


def test_a_template_cannot_run_commands_read_files_or_reach_the_full_plan(
    fixed_plan: Path, tmp_path: Path, data_dir: Path, figure: Callable[[str], None]
) -> None:
    """Whether it comes with --templates or sits in the data folder's templates/, a hostile template stops the
    export with one line naming it: no command runs, no file is read, nothing private reaches the copy, nothing
    is written and nothing is recorded as disclosed."""
    from export_support import CARER_ADDRESS, CARER_NAME, CARER_PHONE, CHILD, PARENT_PHONE, PRIVATE, TODAY
    from helpers import CHANGES, rows, run_cli

    marker, secret = tmp_path / "a-command-ran", tmp_path / "secret.txt"
    secret.write_text("SECRET-FILE-CONTENT-4711\n")
    hidden = [*PRIVATE.values(), CARER_NAME, CARER_PHONE, CARER_ADDRESS, PARENT_PHONE, "SECRET-FILE-CONTENT"]
    own = tmp_path / "own-templates"
    own.mkdir()
    audited = rows(fixed_plan, CHANGES)
    tried, escaped = 0, []
    for name, payload in ESCAPES.items():
        source = "Plan for {{ child.given_name }}.\n" + payload.replace("MARKER", str(marker)).replace(
            "SECRET", str(secret)
        )
        for place, audience, fmt in (("option", "parent", "md"), ("data folder", "child", "html")):
            folder = own if place == "option" else data_dir / "templates"
            folder.mkdir(parents=True, exist_ok=True)
            (folder / f"{audience}.j2").write_text(source)
            render.environment.cache_clear()
            output = tmp_path / f"copy.{fmt}"
            extra = ("--templates", str(own)) if place == "option" else ()
            args = ("plan", "export", CHILD, "--for", audience, "-o", str(output), "--on", TODAY.isoformat())
            result = run_cli("--db", str(fixed_plan), *args, *extra)
            (folder / f"{audience}.j2").unlink()
            tried += 1
            said = result.stdout + result.stderr
            if (
                result.exit_code != 1
                or result.stdout != ""
                or not result.stderr.startswith(f"Error: the template {folder / f'{audience}.j2'}, line 2, tried ")
                or "tried something templates may not do" not in result.stderr
                or result.stderr.count("\n") != 1
                or marker.exists()
                or output.exists()
                or any(text in said or render.markdown_escape(text) in said for text in hidden)
            ):
                escaped.append(f"{name} ({place}): exit {result.exit_code}, {said[:200]!r}")
            marker.unlink(missing_ok=True)
            output.unlink(missing_ok=True)
    assert escaped == []
    assert rows(fixed_plan, CHANGES) == audited  # no copy was recorded as disclosed
    figure(f"template escapes tried: {tried}, succeeded: {len(escaped)}")


def test_a_hostile_template_stops_every_copy_of_all(fixed_plan: Path, tmp_path: Path) -> None:
    """With --all, each child's copy fails on its own line, no file is written and no disclosure recorded."""
    from export_support import TODAY
    from helpers import CHANGES, rows, run_cli

    (tmp_path / "own").mkdir()
    marker = tmp_path / "a-command-ran"
    (tmp_path / "own" / "parent.j2").write_text(ESCAPES["cycler's globals: os.popen"].replace("MARKER", str(marker)))
    audited = rows(fixed_plan, CHANGES)
    result = run_cli(
        "--db",
        str(fixed_plan),
        "plan",
        "export",
        "--all",
        "--for",
        "parent",
        "--out",
        str(tmp_path / "copies"),
        "--templates",
        str(tmp_path / "own"),
        "--on",
        TODAY.isoformat(),
    )
    assert result.exit_code == 1
    assert [line.split(": the template ")[0] for line in result.stderr.splitlines()[:2]] == [
        "Could not export DEMO-1001",
        "Could not export DEMO-1002",
    ]
    assert list((tmp_path / "copies").iterdir()) == []
    assert not marker.exists()
    assert rows(fixed_plan, CHANGES) == audited


def test_templates_may_still_read_the_copy_and_use_jinjas_helpers(fixed_plan: Path, tmp_path: Path) -> None:
    """The sandbox takes nothing a document needs: fields, filters, loops, namespace, cycler, format strings."""
    from export_support import CHILD, TODAY
    from helpers import run_cli

    (tmp_path / "child.j2").write_text(
        "{% set found = namespace(names=[]) %}{% for p in parents %}{% set found.names = found.names + [p.name] %}"
        "{% endfor %}{{ found.names|join(', ') }}; {{ '{0} is {1}'.format(child.given_name, child.age) }}; "
        "{{ '%s'|format(plan.number) }}; {{ plan.started_on|day }}; "
        "{% set rows = cycler('odd', 'even') %}{{ rows.next() }} {{ rows.next() }}; {{ range(3)|list }}\n"
    )
    result = run_cli(
        "--db", str(fixed_plan), "plan", "export", CHILD, "--for", "child", "--templates", str(tmp_path), "--on",
        TODAY.isoformat(),
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert result.stdout == "Chris Testwood, Sam Testwood; Jamie is 8; 1; 16 November 2026; odd even; [0, 1, 2]\n"


@pytest.mark.parametrize("audience", ["parent", "child"])
def test_a_sentence_that_begins_with_the_lead_worker_begins_with_a_capital(audience: str) -> None:
    """With no lead worker named, "your social worker" begins some sentences: they still begin with a capital."""
    from cpctl.documents import render
    from readability_helpers import neutral_document

    text = render.render(neutral_document(audience, lead=False), "md", language="English").text
    starts = [line for line in text.splitlines() if line.lower().startswith("your social worker")]
    assert starts, text
    assert all(line.startswith("Your social worker") for line in starts), starts
