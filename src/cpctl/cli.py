"""The `cpctl` command: parses, calls the domain, prints. Imports nothing heavy at module level.

Each command's module is imported only when that command runs (or shows its help), as pip does with its
`commands_dict`: `cpctl due` never pays for the other twelve, and `cpctl --help` lists them all from the
summaries below without importing any.
"""

from __future__ import annotations

import errno
import importlib
import os
import sys
from collections.abc import Iterator, MutableMapping
from typing import Annotated, Any

import typer
from typer._click.exceptions import ClickException, NoArgsIsHelpError
from typer.core import TyperCommand, TyperGroup

from cpctl import __version__
from cpctl.commands.common import CliState
from cpctl.errors import CpctlError

CANCELLED = "Cancelled: nothing was saved."

# name -> (module in cpctl.commands, its Typer app or command function, the first paragraph of its help).
# tests/test_help.py checks that each summary is the command's own.
COMMANDS: dict[str, tuple[str, str, str]] = {
    "init": (
        "init",
        "init",
        "Set up the store: your authority, its jurisdiction, and who you are (asks for anything not given).",
    ),
    "demo": (
        "demo",
        "demo",
        "Build a synthetic family (the Testwoods) in the demo's own store and show what cpctl holds for them.",
    ),
    "due": ("due", "due", "What is due in the next days, and everything overdue, soonest first."),
    "child": ("child", "app", "Add, list, show and edit children (and unborn babies)."),
    "person": ("person", "app", "Add, list, show and edit parents, carers, relatives and professionals."),
    "conference": (
        "conference",
        "app",
        "Record child protection conferences and their outline plans; list and show them.",
    ),
    "plan": ("plan", "app", "Check, show and revise a child's child protection plan."),
    "core-group": ("coregroup", "app", "Record core group meetings and when the revised plan went out."),
    "visit": ("visit", "app", "Record and list visits to the child."),
    "review": ("review", "app", "Record the chair's midway review of a child's plan between conferences."),
    "escalation": (
        "escalation",
        "app",
        "Raise an escalation about a child's plan, record the response, and resolve it.",
    ),
    "census": (
        "census",
        "census",
        "England's Children in Need census return: check what it lacks, and write the DfE's XML.",
    ),
    "db": ("db", "app", "Check, upgrade, back up and restore the store."),
    "user": ("user", "app", "A team's store on PostgreSQL: give each person a login, a role and a team."),
    "team": ("team", "app", "The service's teams: children and users belong to one."),
    "audit": ("audit_log", "app", "Read the audit trail of every change."),
    "profile": (
        "profile",
        "app",
        "See each jurisdiction's timescale rules and where every value comes from; override them locally.",
    ),
    "deadline": ("deadline", "app", "Work out when a step is due under a jurisdiction's timescale rules."),
    "stats": (
        "stats",
        "stats",
        "The authority's numbers: timeliness, plan lengths, repeat plans, counts, with the national figures.",
    ),
    "language": (
        "language",
        "app",
        "The languages of the family's copies: direction, review status and where each catalogue comes from.",
    ),
    "report": (
        "report",
        "app",
        "The chair's annual report: the year's indicators with charts, a trend by month and a commentary.",
    ),
}


def load_command(name: str) -> Any:
    """The click command or group `cpctl NAME` runs, built by Typer from its module (imported now)."""
    module_name, attribute, _ = COMMANDS[name]
    target = getattr(importlib.import_module(f"cpctl.commands.{module_name}"), attribute)
    holder = typer.Typer(add_completion=False)
    if isinstance(target, typer.Typer):
        holder.add_typer(target, name=name)
        return typer.main.get_command(holder).commands[name]  # type: ignore[attr-defined]
    holder.command(name)(target)
    return typer.main.get_command(holder)


class LazyCommands(MutableMapping[str, Any]):
    """The root's commands by name; each is built the first time it is looked up."""

    def __init__(self, loaded: MutableMapping[str, Any]) -> None:
        self._loaded = dict(loaded)

    def __getitem__(self, name: str) -> Any:
        if name not in self._loaded:
            if name not in COMMANDS:
                raise KeyError(name)
            self._loaded[name] = load_command(name)
        return self._loaded[name]

    def __setitem__(self, name: str, command: Any) -> None:
        self._loaded[name] = command

    def __delitem__(self, name: str) -> None:
        del self._loaded[name]

    def __iter__(self) -> Iterator[str]:
        return iter(dict.fromkeys([*COMMANDS, *self._loaded]))

    def __len__(self) -> int:
        return len(set(COMMANDS) | set(self._loaded))

    def __contains__(self, name: object) -> bool:
        return name in COMMANDS or name in self._loaded

    def summary(self, name: str) -> Any:
        """The command if it is built already, else a stand-in that only names it (for `cpctl --help`)."""
        if name in self._loaded:
            return self._loaded[name]
        return TyperCommand(name=name, help=COMMANDS[name][2]) if name in COMMANDS else None


class CpctlGroup(TyperGroup):
    """Turns every failure into one line on stderr and an exit code; a user mistake never shows a traceback.

    Its commands are loaded lazily (see `COMMANDS`)."""

    def __init__(self, **attrs: Any) -> None:
        super().__init__(**attrs)
        self.commands = LazyCommands(self.commands)
        self._listing = False

    def list_commands(self, ctx: Any) -> list[str]:
        return list(self.commands)

    def get_command(self, ctx: Any, cmd_name: str) -> Any:
        if self._listing:
            return self.commands.summary(cmd_name)  # type: ignore[attr-defined]
        return self.commands.get(cmd_name)

    def format_help(self, ctx: Any, formatter: Any) -> None:
        self._listing = True
        try:
            super().format_help(ctx, formatter)
        finally:
            self._listing = False

    def main(
        self,
        args: Any = None,
        prog_name: str | None = None,
        complete_var: str | None = None,
        standalone_mode: bool = True,
        **extra: Any,
    ) -> Any:
        code = self._run(args, prog_name or "cpctl", complete_var, **extra)
        if standalone_mode:
            sys.exit(code)
        return code

    def _run(self, args: Any, prog_name: str, complete_var: str | None, **extra: Any) -> int:
        """Run the command with SIGTERM and SIGHUP caught as exceptions, and the run's scratch folder removed on the
        way out, however it ends (but for SIGKILL: see `cpctl.scratch`)."""
        from cpctl import interrupts

        previous = interrupts.catch()
        try:
            return self._outcome(args, prog_name, complete_var, **extra)
        finally:
            interrupts.restore(previous)
            scratch = sys.modules.get("cpctl.scratch")  # imported only by a run that made temporary files
            if scratch is not None:
                scratch.remove()

    def _outcome(self, args: Any, prog_name: str, complete_var: str | None, **extra: Any) -> int:
        from cpctl.interrupts import Stopped

        saved_before = _saved()
        from cpctl import running

        running.COMMAND[0] = self._path_in(args, prog_name).removeprefix(f"{prog_name} ").removeprefix(prog_name)
        try:
            try:
                result = super().main(
                    args=args, prog_name=prog_name, complete_var=complete_var, standalone_mode=False, **extra
                )
            except BaseException as exc:
                stopped = _stop_behind(exc)
                if stopped is not None and stopped is not exc:
                    raise stopped from None  # cleaning up after the signal failed too: the signal is the news
                raise
        except CpctlError as exc:
            _fail(exc.message if exc.exit_code == 130 else f"Error: {exc.message}")
            return exc.exit_code
        except NoArgsIsHelpError as exc:
            exc.show()
            return 0
        except ClickException as exc:
            context = getattr(exc, "ctx", None)
            where = context.command_path if context is not None else self._path_in(args, prog_name)
            _fail(f"Error: {exc.format_message()} (see '{where} --help')")
            return 2
        except (typer.Abort, KeyboardInterrupt, EOFError):
            _fail(CANCELLED)
            return 130
        except Stopped as exc:
            if _saved() > saved_before:
                _fail(f"Stopped by {exc.name} after saving the change; see `cpctl audit log`.")
            else:
                _fail(f"Stopped by {exc.name}: nothing was saved.")
            return exc.exit_code
        except OSError as exc:
            if _debugging():
                return _debug_report(exc, _saved() > saved_before)
            if exc.errno == errno.ENOSPC:
                _fail("Error: the disk is full: nothing was saved. Free some space and try again.")
            else:
                _fail(f"Error: {exc.strerror or exc}{f': {exc.filename}' if exc.filename else ''}.")
            return 1
        except Exception as exc:  # a bug, not a user mistake: say so in one line, details only with --debug
            saved = _saved() > saved_before
            if _debugging():
                return _debug_report(exc, saved)
            if saved:
                _fail(
                    f"Error: cpctl hit an internal problem ({type(exc).__name__}) after saving the change; see "
                    "`cpctl audit log`. Run the command again with --debug for details and report it."
                )
                return 1
            _fail(
                f"Error: cpctl hit an internal problem ({type(exc).__name__}); nothing was saved. "
                "Run the command again with --debug for details and report it."
            )
            return 1
        if result == 130:
            _fail(CANCELLED)
        return result if isinstance(result, int) else 0

    def _path_in(self, args: Any, prog_name: str) -> str:
        """The command the arguments name ('cpctl child add'), for errors the parser raises without a context."""
        words = [prog_name]
        group: Any = self
        for token in list(args if args is not None else sys.argv[1:]):
            command = group.get_command(None, token) if hasattr(group, "commands") else None
            if command is None:
                continue
            words.append(token)
            group = command
            if not hasattr(command, "commands"):
                break
        return " ".join(words)


def _stop_behind(exc: BaseException) -> BaseException | None:
    """The SIGTERM or SIGHUP behind an exception, if one was being handled when it arose: a database connection
    interrupted mid-statement (psycopg's) can fail again as the transaction is rolled back."""
    from cpctl.interrupts import Stopped

    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        if isinstance(current, Stopped):
            return current
        seen.add(id(current))
        current = current.__cause__ or current.__context__
    return None


def _fail(line: str) -> None:
    """The one line a failure prints, without control characters (a message may quote what the store holds)."""
    from cpctl.text import without_controls

    print(without_controls(line), file=sys.stderr)


def _saved() -> int:
    """How many changes this process has saved (without importing the store for commands that never open it)."""
    store = sys.modules.get("cpctl.store.database")
    return store.COMMITTED[0] if store is not None else 0


def _debug_report(exc: BaseException, saved: bool) -> int:
    """--debug: where it failed (every frame, every exception's type), without what any message said."""
    print(scrubbed_traceback(exc), end="", file=sys.stderr)
    outcome = "after saving the change (see `cpctl audit log`)" if saved else "; nothing was saved"
    _fail(
        f"Error: cpctl hit an internal problem ({type(exc).__name__}){' ' if saved else ''}{outcome}. Report it "
        "with the traceback above: it shows where cpctl failed, and no message or value that could hold personal "
        "data."
    )
    return 1


HIDDEN = "(message hidden: it may hold personal data)"


def scrubbed_traceback(exc: BaseException) -> str:
    """A traceback in Python's own shape, each exception's message replaced: messages of database drivers and
    of cpctl's own checks can quote the values they were given (a child's name, a date of birth)."""
    import traceback

    chain: list[tuple[BaseException, str]] = []
    seen: set[int] = set()
    current: BaseException | None = exc
    link = ""
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        chain.append((current, link))
        if current.__cause__ is not None:
            current, link = current.__cause__, "The above exception was the direct cause of the following exception:"
        elif current.__context__ is not None and not current.__suppress_context__:
            current, link = current.__context__, "During handling of the above exception, another exception occurred:"
        else:
            current = None
    lines: list[str] = []
    for index, (error, _) in enumerate(reversed(chain)):
        if index:
            lines.append(f"\n{list(reversed(chain))[index - 1][1]}\n\n")
        lines.append("Traceback (most recent call last):\n")
        frames = traceback.StackSummary.extract(traceback.walk_tb(error.__traceback__), capture_locals=False)
        lines.extend(frames.format())
        kind = type(error)
        name = kind.__qualname__ if kind.__module__ == "builtins" else f"{kind.__module__}.{kind.__qualname__}"
        lines.append(f"{name}: {HIDDEN}\n")
    return "".join(lines)


def _debugging() -> bool:
    return os.environ.get("CPCTL_DEBUG", "") not in ("", "0")


def _version(value: bool) -> None:
    if value:
        typer.echo(f"cpctl {__version__}")
        raise typer.Exit()


app = typer.Typer(
    cls=CpctlGroup,
    name="cpctl",
    help="Child protection conferences, plans and deadlines, for conference chairs and lead social workers.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)


@app.callback()
def root(
    ctx: typer.Context,
    db_path: Annotated[
        str | None,
        typer.Option(
            "--db",
            metavar="PATH",
            help="Use the SQLite store at PATH, or the database at a URL such as postgresql://cpctl@host/cpctl "
            "(put a password in $CPCTL_DATABASE_URL, not here) (default: $CPCTL_DATABASE_URL, $CPCTL_DB, "
            "or cpctl.db in your user data folder).",
        ),
    ] = None,
    no_upgrade: Annotated[
        bool,
        typer.Option(
            "--no-upgrade",
            help="Refuse to open a store whose schema is older, instead of backing it up and upgrading it.",
            envvar="CPCTL_NO_AUTO_UPGRADE",
        ),
    ] = False,
    debug: Annotated[bool, typer.Option("--debug", help="Show full details of an internal error.")] = False,
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Show the version and exit.")
    ] = False,
) -> None:
    """Child protection conferences, plans and deadlines, for conference chairs and lead social workers."""
    if debug:
        os.environ["CPCTL_DEBUG"] = "1"
    ctx.obj = CliState(db_path=db_path, auto_upgrade=not no_upgrade)


def main() -> None:
    app(prog_name="cpctl")
