"""The `cpctl` command: parses, calls the domain, prints. Imports nothing heavy at module level."""

from __future__ import annotations

import errno
import os
import sys
from typing import Annotated, Any

import typer
from typer._click.exceptions import ClickException, NoArgsIsHelpError
from typer.core import TyperGroup

from cpctl import __version__
from cpctl.commands import (
    audit_log,
    child,
    conference,
    coregroup,
    db,
    deadline,
    demo,
    due,
    init,
    person,
    plan,
    profile,
    visit,
)
from cpctl.commands.common import CliState
from cpctl.errors import CpctlError

CANCELLED = "Cancelled: nothing was saved."


class CpctlGroup(TyperGroup):
    """Turns every failure into one line on stderr and an exit code; a user mistake never shows a traceback."""

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
        try:
            result = super().main(
                args=args, prog_name=prog_name, complete_var=complete_var, standalone_mode=False, **extra
            )
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
        except OSError as exc:
            if _debugging():
                raise
            if exc.errno == errno.ENOSPC:
                _fail("Error: the disk is full: nothing was saved. Free some space and try again.")
            else:
                _fail(f"Error: {exc.strerror or exc}{f': {exc.filename}' if exc.filename else ''}.")
            return 1
        except Exception as exc:  # a bug, not a user mistake: say so in one line, details only with --debug
            if _debugging():
                raise
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
            command = group.commands.get(token) if hasattr(group, "commands") else None
            if command is None:
                continue
            words.append(token)
            group = command
            if not hasattr(command, "commands"):
                break
        return " ".join(words)


def _fail(line: str) -> None:
    print(line, file=sys.stderr)


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
            help="Use the SQLite store at PATH (default: $CPCTL_DATABASE_URL, $CPCTL_DB, "
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


app.command("init")(init.init)
app.command("demo")(demo.demo)
app.command("due")(due.due)
app.add_typer(child.app, name="child")
app.add_typer(person.app, name="person")
app.add_typer(conference.app, name="conference")
app.add_typer(plan.app, name="plan")
app.add_typer(coregroup.app, name="core-group")
app.add_typer(visit.app, name="visit")
app.add_typer(db.app, name="db")
app.add_typer(audit_log.app, name="audit")
app.add_typer(profile.app, name="profile")
app.add_typer(deadline.app, name="deadline")


def main() -> None:
    app(prog_name="cpctl")
