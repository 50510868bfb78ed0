"""Hostile input, thrown at every command and at every `--from` file: each case ends in success or in one clear
`Error:` line (exit 1, or 2 for a usage error), never a traceback or an "internal problem", and a case that fails
leaves the store exactly as it was. Whatever succeeded, the store passes `cpctl db check` at the end.

The values: dates real and impossible, huge strings, control characters, right-to-left and emoji names, markup,
SQL fragments, format strings, paths; in files also missing and extra fields, wrong types, broken syntax and
encodings. Every command is found by walking cpctl's own command tree, so a new command is covered when it is
added. Paths only ever name places inside the test's own folder. The number of cases is printed at the end.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

import cpctl.cli
from backends import StoreRef
from helpers import Run, dump, ok

TODAY = date.today()
SCALE = int(os.environ.get("CPCTL_TEST_HOSTILE_SCALE", "1"))  # more cases, for a long hunt: e.g. 20
SETTINGS = settings(
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large],
)
KNOWN = [  # references and words of the demo store, so that some cases reach deep into a command
    "DEMO-1001", "DEMO-1002", "DEMO-1003", "Jamie Testwood", "P00001", "P00004", "P00006", "CF00001", "CF00002",
    "england", "wales", "NEG", "first-review", "child-seen", "chair", "professional", "parent", "1", "2",
]  # fmt: skip
HOSTILE = [
    "", " ", "\t", "\n", "-", "--", "0", "-1", "NULL", "null", "None", "true", "[]", "{}",
    "Robert'); DROP TABLE child;--", "' OR '1'='1", "%s", "%(name)s", "{0}", "{{ 7*7 }}", "${HOME}", "$(id)",
    "[bold red]alarm[/bold red]", "[/]", "<script>alert(1)</script>", "**bold** _it_", "\\", "\\N",
    "\u202eevil\u202c", "\u200f\u05e9\u05dc\u05d5\u05dd", "\u0639\u0627\u0626\u0634\u0629 \u0627\u0644\u0646",
    "\U0001f476\U0001f3fd Baby", "\U0001f468\u200d\U0001f469\u200d\U0001f467", "Zo\u0308e", "\ufeffBOM",
    "\x1b[31mred\x1b[0m", "line\nbreak", "carriage\rreturn", "bell\x07", "\x7f", "\u2028", "e\u0301",
    "../../etc/passwd", "/etc/shadow", "C:\\Windows", "CON", "x" * 300, "y" * 10_001, "\u00e9" * 10_001,
    "9" * 40, "1e309", "-0", "NaN", "\U0010ffff", "\ud7ff", "O'Brien-Smith", "D'Arcy", "van der Berg",
]  # fmt: skip
BAD_DATES = [
    "2026-02-30", "2026-13-01", "31/04/2026", "29/02/2027", "00/00/0000", "0000-00-00", "0001-01-01",
    "9999-12-31", "1899-12-31", "2026-1-5", "5/1/26", "yesterday", "today", "tomorrow", "now", "1 Jan 2026",
    "2026-01-01T00:00:00", "20260101", "-2026-01-01", "2026/01/01",
]  # fmt: skip

texts = st.one_of(
    st.sampled_from(HOSTILE),
    st.sampled_from(KNOWN),
    st.text(alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=60),
    st.builds(lambda a, b: a + b, st.sampled_from(KNOWN), st.sampled_from(HOSTILE)),
)
days = st.one_of(
    st.dates(min_value=date(1900, 1, 1), max_value=date(2100, 12, 31)).flatmap(
        lambda d: st.sampled_from([d.isoformat(), f"{d:%d/%m/%Y}"])
    ),
    st.integers(-400, 400).map(lambda n: (TODAY + timedelta(days=n)).isoformat()),
    st.sampled_from(BAD_DATES),
    texts,
)
numbers = st.one_of(
    st.integers(-(2**70), 2**70).map(str), st.sampled_from(["0", "1", "-1", "2", "3", "99999999999"]), texts
)
SAFE_PATHS = ["backup.db", "out/x.yaml", "nested", "", ".", "data", "data/cpctl.db", "missing/x", "a b.json"]
paths = st.one_of(
    st.sampled_from(SAFE_PATHS),
    texts.map(lambda text: text.replace("/", "_").replace("\\", "_").replace("\x00", "").lstrip(".") or "x"),
)


def leaves(group: Any, path: tuple[str, ...] = ()) -> Iterator[tuple[tuple[str, ...], Any]]:
    for name, command in sorted(group.commands.items()):
        if hasattr(command, "commands"):
            yield from leaves(command, (*path, name))
        else:
            yield (*path, name), command


def all_commands() -> list[tuple[tuple[str, ...], Any]]:
    import typer.main

    skipped = {("demo",)}  # builds a whole store of its own elsewhere; test_demo.py covers it
    return [(path, command) for path, command in leaves(typer.main.get_command(cpctl.cli.app)) if path not in skipped]


COMMANDS = all_commands()


def value_for(kind: str) -> st.SearchStrategy[Any]:
    return {"str": texts, "int": numbers, "date": days, "Path": paths, "list[str]": st.lists(texts, max_size=3)}.get(
        kind, texts
    )


@st.composite
def invocations(draw: Callable[..., Any]) -> list[str]:
    """One command with random values for its arguments and a random choice of its options."""
    path, command = draw(st.sampled_from(COMMANDS))
    args: list[str] = list(path)
    positional: list[str] = []
    for param in command.params:
        kind = param.bare_type()
        if param.param_type_name == "argument":
            if param.required or draw(st.booleans()):
                positional.append(draw(value_for(kind)))
            continue
        if not (param.required or draw(st.integers(0, 3)) == 0):
            continue
        if getattr(param, "is_flag", False):
            args.append(draw(st.sampled_from([*param.opts, *param.secondary_opts])))
        elif kind == "list[str]":
            for item in draw(value_for(kind)):
                args += [param.opts[0], item]
        else:
            args += [draw(st.sampled_from(param.opts)), draw(value_for(kind))]
    return args + positional


@pytest.fixture
def sandbox(cli: Run, store: StoreRef, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The demo's whole case in the test's store, and the test's own folder as the working folder."""
    assert ok(cli("demo", "--db", str(store))).startswith("cpctl demo")
    folder = tmp_path / "work"
    folder.mkdir()
    (folder / "out").mkdir()
    monkeypatch.chdir(folder)
    return folder


def run(args: list[str]) -> Any:
    return CliRunner().invoke(cpctl.cli.app, args, prog_name="cpctl", catch_exceptions=True)


def assert_clean(args: list[str], result: Any, before: list[str], store: StoreRef) -> None:
    shown = f"cpctl {' '.join(repr(a)[:80] for a in args)}"
    assert result.exception is None or isinstance(result.exception, SystemExit), f"{shown}: {result.exception!r}"
    assert "Traceback" not in result.output, shown
    assert "internal problem" not in result.stderr, f"{shown}: {result.stderr}"
    allowed = (0, 1, 2, 3) if args[:1] == ["due"] else (0, 1, 2)  # due --fail-if-overdue exits 3, for scripts
    assert result.exit_code in allowed, f"{shown}: exit {result.exit_code}: {result.output[-300:]}"
    if result.exit_code in (1, 2):
        assert result.stderr.startswith("Error: ") and result.stderr.count("\n") == 1, f"{shown}: {result.stderr}"
        assert dump(store) == before, f"{shown} failed and changed the store"


@pytest.fixture
def cases(figure: Callable[[str], None]) -> Iterator[list[int]]:
    tried = [0, 0]  # cases, of which succeeded

    yield tried
    figure(f"{tried[0]} hostile cases tried ({tried[1]} succeeded, the rest failed cleanly with the store unchanged)")


@pytest.mark.slow
def test_every_command_with_hostile_values(sandbox: Path, store: StoreRef, cli: Run, cases: list[int]) -> None:
    assert {path[0] for path, _ in COMMANDS} >= {"child", "person", "conference", "plan", "core-group", "visit"}

    @settings(SETTINGS, max_examples=300 * SCALE)
    @given(invocations())
    @example(["plan", "edit", "line\nbreak"])  # once quoted into a suggested command, splitting the error line
    def case(args: list[str]) -> None:
        before = dump(store)
        result = run(args)
        assert_clean(args, result, before, store)
        cases[0] += 1
        cases[1] += result.exit_code == 0

    case()
    assert ok(cli("db", "check")).endswith("No problems found.\n")


# -- files for --from ------------------------------------------------------------------------------------------
def documents() -> dict[str, tuple[list[str], dict[str, Any]]]:
    """A valid document for each `--from` format, as the demo store would take it today."""
    plan = yaml.safe_load(Path(cpctl.__file__).with_name("examples").joinpath("conference.yaml").read_text())
    outline = plan["decisions"][0]["plan"]
    return {
        "conference": (
            ["conference", "new", "--from"],
            {
                "kind": "review",
                "date": TODAY.isoformat(),
                "time": "14:30",
                "attendance": [{"person": "P00004", "status": "attended"}, {"person": "P00005", "status": "report"}],
                "inquorate_reason": "A synthetic reason.",
                "decisions": [
                    {
                        "child": "DEMO-1001",
                        "outcome": "plan-continues",
                        "categories": ["NEG"],
                        "evidence": ["Still often hungry."],
                        "child_views": ["Happier at school."],
                        "parent_views": ["Things are better."],
                        "plan": outline,
                    }
                ],
            },
        ),
        "core-group": (
            ["core-group", "record", "--from"],
            {
                "child": "DEMO-1001",
                "date": TODAY.isoformat(),
                "attendance": [{"person": "P00004", "status": "attended"}],
                "progress": [{"action": "A1", "status": "on-track", "note": "Going well."}],
                "parent_views": ["Fine."],
                "child_views": ["Good."],
                "notes": [{"text": "A private note.", "private": True}],
                "changed_actions": [{"id": "A1", "frequency": "twice a week"}],
                "agreed_by": "CF00002",
                "next_meeting": (TODAY + timedelta(days=28)).isoformat(),
                "save_as_draft": True,
            },
        ),
        "visit": (
            ["visit", "record", "--from"],
            {
                "child": "DEMO-1001",
                "date": (TODAY - timedelta(days=1)).isoformat(),
                "visitor": "P00004",
                "announced": False,
                "seen_alone": True,
                "bedroom_seen": True,
                "notes": ["Seen at home.", {"text": "A private note.", "private": True}],
            },
        ),
        "plan": (["plan", "edit", "DEMO-1001", "--draft", "--agreed-by", "CF00002", "--from"], outline),
    }


DOCUMENTS = documents()
scalars = st.one_of(
    texts,
    days,
    st.integers(-(2**70), 2**70),
    st.floats(allow_nan=True, allow_infinity=True),
    st.booleans(),
    st.none(),
)
values = st.recursive(
    scalars, lambda inner: st.lists(inner, max_size=3) | st.dictionaries(texts, inner, max_size=3), max_leaves=8
)


def paths_in(node: Any, here: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [here]
    if isinstance(node, dict):
        for key, value in node.items():
            found += paths_in(value, (*here, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            found += paths_in(value, (*here, index))
    return found


@st.composite
def mutated(draw: Callable[..., Any], document: dict[str, Any]) -> Any:
    """The document with a few fields replaced by hostile values, removed, or added that cpctl does not know."""
    doc = json.loads(json.dumps(document, default=str))
    for _ in range(draw(st.integers(0, 4))):
        spots = paths_in(doc)
        spot = draw(st.sampled_from(spots))
        if not spot:
            doc = draw(st.one_of(values, st.just(doc)))
            continue
        parent = doc
        for part in spot[:-1]:
            parent = parent[part]
        action = draw(st.sampled_from(["replace", "replace", "remove", "add"]))
        if action == "replace":
            parent[spot[-1]] = draw(values)
        elif action == "remove":
            del parent[spot[-1]]
        elif isinstance(parent, dict):
            parent[draw(texts)] = draw(values)
        else:
            parent.append(draw(values))
    return doc


@st.composite
def files(draw: Callable[..., Any], document: dict[str, Any]) -> tuple[str, bytes]:
    """A name and the bytes of a file: YAML or JSON, sometimes broken in its syntax or its encoding."""
    doc = draw(mutated(document))
    suffix = draw(st.sampled_from([".yaml", ".yml", ".json", ".txt"]))
    if suffix == ".json" or draw(st.booleans()):
        text = json.dumps(doc, ensure_ascii=draw(st.booleans()), default=str)
    else:
        text = yaml.safe_dump(doc, allow_unicode=draw(st.booleans()), sort_keys=False)
    data = text.encode("utf-8")
    damage = draw(st.sampled_from(["none"] * 6 + ["truncate", "insert", "bom", "latin-1", "utf-16", "nul"]))
    if damage == "truncate":
        data = data[: draw(st.integers(0, len(data)))]
    elif damage == "insert":
        at = draw(st.integers(0, len(data)))
        data = (
            data[:at]
            + draw(st.sampled_from([b":", b"- ", b"{", b"]", b"\t", b"&a", b"*a", b"!!python/object"]))
            + data[at:]
        )
    elif damage == "bom":
        data = b"\xef\xbb\xbf" + data
    elif damage == "latin-1":
        data = text.encode("latin-1", errors="replace") + b"\xe9"
    elif damage == "utf-16":
        data = text.encode("utf-16")
    elif damage == "nul":
        data = data + b"\x00"
    return suffix, data


NESTED = ("[" * 5000) + ("]" * 5000)
LAUGHS = (
    "a: &a [x, x, x, x, x, x, x, x, x]\n"
    + "".join(f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join('*' + chr(97 + i) for _ in range(9))}]\n" for i in range(8))
    + "child: DEMO-1001\ndate: 2026-01-01\nnotes: *i\nplan: *i\ndecisions: *i\n"
)


@pytest.mark.slow
@pytest.mark.parametrize("kind", list(DOCUMENTS))
def test_every_from_file_format_with_hostile_content(
    sandbox: Path, store: StoreRef, cli: Run, cases: list[int], kind: str
) -> None:
    command, document = DOCUMENTS[kind]
    numbers = iter(range(1_000_000))

    @settings(SETTINGS, max_examples=80 * SCALE)
    @given(files(document))
    @example((".yaml", NESTED.encode()))
    @example((".yaml", LAUGHS.encode()))
    @example((".json", b'{"child": "DEMO-1001", "date": "\\u0000"}'))
    @example((".yaml", b"!!python/object/apply:os.system ['echo pwned']\n"))
    def case(file: tuple[str, bytes]) -> None:
        suffix, data = file
        path = sandbox / f"input-{next(numbers)}{suffix}"
        path.write_bytes(data)
        args = [*command, str(path)]
        before = dump(store)
        result = run(args)
        assert_clean(args, result, before, store)
        cases[0] += 1
        cases[1] += result.exit_code == 0

    case()
    assert ok(cli("db", "check")).endswith("No problems found.\n")


def test_long_free_text_is_kept_whole(cli: Run, sandbox: Path, store: StoreRef) -> None:
    """The longest text each field takes is saved as typed, on either backend (no column is narrower)."""
    reason, step_down = "R" * 10_000, "S" * 10_000
    review = sandbox / "end.yaml"
    review.write_text(
        yaml.safe_dump(
            {
                "kind": "review",
                "date": TODAY.isoformat(),
                "attendance": [{"person": "P00004", "status": "attended"}, {"person": "P00005", "status": "attended"}],
                "inquorate_reason": "I" * 10_000,
                "decisions": [
                    {"child": "DEMO-1001", "outcome": "plan-ends", "end_reason": reason, "step_down": step_down}
                ],
            }
        ),
        encoding="utf-8",
    )
    ok(cli("conference", "new", "--from", str(review)))
    shown = json.loads(ok(cli("child", "show", "DEMO-1001", "--json")))
    assert [(p["end_reason"], p["step_down"]) for p in shown["plans"] if p["ended_on"]][-1] == (reason, step_down)
    name = ("\u0639\u0627\u0626\u0634\u0629", "\U0001f476\U0001f3fd" * 50)
    ok(cli("child", "add", *name, "--id", "RTL-1", "--dob", "2020-01-01", "--culture", "C" * 10_000))
    shown = json.loads(ok(cli("child", "show", "RTL-1", "--json")))
    assert (shown["given_name"], shown["family_name"], shown["culture_religion"]) == (*name, "C" * 10_000)


def test_markup_in_what_is_stored_is_shown_as_text(cli: Run, initialised: StoreRef) -> None:
    """Names that look like rich markup are stored and shown as typed: no list or page fails on them."""
    ok(cli("child", "add", "[/]", "[bold]Test[/bold]", "--id", "MK-1", "--dob", "2019-03-04", "--family", "[red]"))
    ok(cli("person", "add", "[/bold]", "--role", "[link=x]r[/link]", "--agency", "[", "--child", "MK-1"))
    assert "[/] [bold]Test[/bold]" in ok(cli("child", "list"))
    assert "[/] [bold]Test[/bold]  (MK-1)" in ok(cli("child", "show", "MK-1"))
    assert "[/bold]" in ok(cli("person", "list"))
    assert ok(cli("person", "show", "P00002")).startswith(
        "[/bold]  (P00002, professional)\n  Role:     [link=x]r[/link]"
    )
    ok(cli("audit", "log"))


# -- ids are references, and nothing from the store reaches a terminal raw -------------------------------------
ESCAPE_ID = "\x1b[2J\x1b]8;;http://evil.example/\x07CLICK\x1b]8;;\x07"
BAD_IDS = {
    "escape sequences": ESCAPE_ID,
    "a NUL": "A\x001",
    "a right-to-left override": "A1\u202e",
    "a space": "A 1",
    "5,000 characters": "A" * 5_000,
    "a line break": "A1\nA2",
}


def _line_of(text: str, wanted: str) -> int:
    return next(number for number, line in enumerate(text.splitlines(), 1) if line.strip().rstrip(",") == wanted)


def _refused_at(result: Any, name: str, line: int, field: str) -> None:
    assert result.exit_code == 1, result.output
    assert result.stdout == ""
    assert result.stderr.startswith(f"Error: {name}, line {line}: {field}: the action id ")
    assert "is not a valid reference: use up to 16 letters, digits" in result.stderr
    assert result.stderr.count("\n") == 1
    assert not any(ch in result.stderr for ch in "\x1b\x07\x00\u202e")


@pytest.mark.parametrize("bad", list(BAD_IDS))
def test_an_action_id_that_is_not_a_reference_is_refused_at_its_field(
    sandbox: Path, store: StoreRef, cli: Run, bad: str
) -> None:
    """A conference file, a plan file and a core group file each name the id's field and line, and save nothing."""
    value = BAD_IDS[bad]
    before = dump(store)
    _, conference = DOCUMENTS["conference"]
    decision = dict(conference["decisions"][0])
    decision["plan"] = {**decision["plan"], "actions": [{**decision["plan"]["actions"][0], "id": value}]}
    text = json.dumps({**conference, "decisions": [decision]}, indent=2, default=str)
    (sandbox / "conference.json").write_text(text)
    line = _line_of(text, '"id": ' + json.dumps(value))
    result = cli("conference", "new", "--from", "conference.json")
    _refused_at(result, "conference.json", line, "decisions[0].plan.actions[0].id")

    _, outline = DOCUMENTS["plan"]
    text = json.dumps({**outline, "actions": [{**outline["actions"][0], "id": value}]}, indent=2, default=str)
    (sandbox / "plan.json").write_text(text)
    line = _line_of(text, '"id": ' + json.dumps(value))
    _refused_at(cli("plan", "edit", "DEMO-1001", "--from", "plan.json"), "plan.json", line, "actions[0].id")

    for field, change in (
        ("changed_actions[0].id", {"changed_actions": [{"id": value, "frequency": "daily"}]}),
        ("progress[0].action", {"progress": [{"action": value, "status": "done"}]}),
        ("removed_actions[0]", {"removed_actions": [value]}),
    ):
        data = {"child": "DEMO-1001", "date": TODAY.isoformat(), **change}
        (sandbox / "core-group.yaml").write_text(yaml.safe_dump(data, sort_keys=False, width=10_000))
        _refused_at(cli("core-group", "record", "--from", "core-group.yaml"), "core-group.yaml", 4, field)
    assert dump(store) == before


def test_ids_as_people_write_them_are_still_taken(sandbox: Path, cli: Run) -> None:
    _, outline = DOCUMENTS["plan"]
    actions = [{**outline["actions"][0], "id": "FAM-1"}, {**outline["actions"][1], "id": "A12"}]
    (sandbox / "plan.json").write_text(json.dumps({**outline, "actions": actions}, default=str))
    ok(cli("plan", "edit", "DEMO-1001", "--from", "plan.json", "--agreed-by", "CF00002", "--draft"))
    shown = json.loads(ok(cli("plan", "show", "DEMO-1001", "--json")))
    assert [a["id"] for a in shown["content"]["actions"]] == ["FAM-1", "A12"]


def test_a_core_group_member_named_with_control_characters_is_refused(sandbox: Path, cli: Run) -> None:
    _, outline = DOCUMENTS["plan"]
    (sandbox / "plan.yaml").write_text(yaml.safe_dump({**outline, "core_group": ["P00004", "P00005\x1b[2J"]}))
    result = cli("plan", "edit", "DEMO-1001", "--from", "plan.yaml")
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: plan.yaml, line ")
    assert ": core_group[1]: the reference or name cannot contain line breaks or control characters" in result.stderr


RAW = ("\x1b", "\x07", "\x00", "\x9b", "\u202e", "\u2066")


def _sql_text(text: str, backend: str) -> str:
    """A SQL expression for `text`, control characters and all (char() in SQLite, chr() in PostgreSQL)."""
    code = "char" if backend == "sqlite" else "chr"
    parts, plain = [], ""
    for ch in text:
        if ch.isprintable() and ch != "'":
            plain += ch
            continue
        if plain:
            parts.append(f"'{plain}'")
            plain = ""
        parts.append(f"{code}({ord(ch)})")
    if plain:
        parts.append(f"'{plain}'")
    return " || ".join(parts)


def test_nothing_the_store_holds_reaches_a_terminal_or_a_copy_raw(
    sandbox: Path, store: StoreRef, cli: Run, backend: str, tmp_path: Path
) -> None:
    """Names, ids, venues, audit summaries and authors changed in SQL, outside cpctl, with escape sequences (a
    clear screen, a hyperlink, a bell), NUL, a C1 control and bidi overrides: every page that shows them, the
    JSON, the CSV and the exported copies show the text without them, and everything still works."""
    from helpers import execute

    hostile = "\x1b[2J\x1b]8;;http://evil.example/\x07CLICK\x1b]8;;\x07\x9b31m\u202eevil\u202c\u2066x\u2069"
    if backend == "sqlite":
        hostile += "\x00end"  # PostgreSQL keeps no NUL in text; inside the plan's JSON it does (below)
    name = _sql_text("Jamie" + hostile, backend)
    id_json = json.dumps("A2" + ESCAPE_ID + "\x00\u202e\x9b")[1:-1]  # as JSON text: \u001b... escapes
    execute(
        store,
        f"UPDATE child SET given_name = {name} WHERE ref = 'DEMO-1001'",
        f"UPDATE person SET name = {_sql_text('Jordan' + hostile, backend)} WHERE ref = 'P00004'",
        f"UPDATE conference SET venue = {_sql_text('Room 2' + hostile, backend)} WHERE ref = 'CF00001'",
        f'UPDATE plan_version SET content = replace(content, \'"id":"A2"\', \'"id":"{id_json}"\'), '
        f"author = {_sql_text('Alex' + hostile, backend)}",
        f"UPDATE audit_entry SET summary = summary || {_sql_text(hostile, backend)}",
    )
    pages = [
        ("plan", "show", "DEMO-1001"),
        ("plan", "show", "DEMO-1001", "--version", "1"),
        ("plan", "diff", "DEMO-1001", "1", "3"),
        ("plan", "history", "DEMO-1001"),
        ("plan", "check", "DEMO-1001"),
        ("child", "show", "DEMO-1001"),
        ("child", "list"),
        ("person", "list"),
        ("person", "show", "P00004"),
        ("due", "--everyone", "--all"),
        ("due", "--everyone", "--all", "--by", "worker", "--explain"),
        ("due", "--everyone", "--all", "--json"),
        ("due", "--everyone", "--all", "--csv"),
        ("due", "--everyone", "--all", "--ics"),
        ("conference", "show", "CF00001"),
        ("conference", "list"),
        ("audit", "log"),
        ("child", "show", "DEMO-1001", "--json"),
        ("plan", "show", "DEMO-1001", "--json"),
        ("plan", "export", "DEMO-1001", "--for", "professional"),
        ("plan", "export", "DEMO-1001", "--for", "professional", "--format", "html"),
        ("plan", "export", "DEMO-1001", "--for", "parent"),
        ("plan", "export", "DEMO-1001", "--for", "child", "--format", "html"),
        ("core-group", "record", "--from", "missing.yaml"),  # an error line
    ]
    for args in pages:
        result = cli(*args)
        assert result.exit_code in (0, 1), (args, result.output[-500:])
        assert "internal problem" not in result.stderr, args
        shown = result.stdout + result.stderr
        assert [ch for ch in RAW if ch in shown] == [], args
    seen = "[2J]8;;http://evil.example/CLICK]8;;31mevilx"  # the text, without its controls
    assert f"Jamie{seen}" in ok(cli("child", "list"))
    assert f"Room 2{seen}" in ok(cli("conference", "show", "CF00001"))
    assert "Action A2[2J]8;;http://evil.example/CLICK]8;;" in ok(cli("plan", "diff", "DEMO-1001", "1", "3"))
    assert f",Jamie{seen}" in ok(cli("due", "--everyone", "--all", "--csv"))
    assert "\\u001b[2J" in ok(cli("plan", "show", "DEMO-1001", "--json"))  # JSON keeps the data, escaped
    export = ok(cli("plan", "export", "DEMO-1001", "--for", "professional"))
    assert "Jamie[2J]8;;http://evil.example/CLICK]8;;" in export.replace("\\", "")


def test_the_consoles_still_style_their_own_output() -> None:
    """The cleaning takes control characters out of what is shown, not rich's own colour codes."""
    import io

    from rich.text import Text

    from cpctl.commands import common

    console = type(common.out())(file=io.StringIO(), force_terminal=True, color_system="standard")
    console.print("[red]overdue[/red]", Text("A1\x1b[2J\x07\u202e"))
    written = console.file.getvalue()
    assert "\x1b[31moverdue" in written
    assert "[2J" in written and "\x1b[2J" not in written and "\x07" not in written and "\u202e" not in written
