"""The framework's floor: a minimal two-command Typer app with cpctl's help settings.

`cpctl --help` and `cpctl due --help` are measured against `python floor_app.py --help` and
`python floor_app.py due --help`: what Typer and rich cost on their own, before cpctl adds anything.
"""

from __future__ import annotations

from typing import Annotated

import typer

app = typer.Typer(
    name="floor",
    help="A minimal two-command Typer app: the floor cpctl's start-up is measured against.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)


@app.callback()
def root(
    debug: Annotated[bool, typer.Option("--debug", help="Show full details of an internal error.")] = False,
) -> None:
    """A minimal two-command Typer app."""


@app.command("due")
def due(days: Annotated[int, typer.Option(help="How many days ahead to look.")] = 14) -> None:
    """What is due in the next days."""
    typer.echo(f"nothing due in {days} days")


@app.command("hello")
def hello(name: Annotated[str, typer.Argument(help="Who to greet.")] = "world") -> None:
    """Say hello."""
    typer.echo(f"hello {name}")


if __name__ == "__main__":
    app(prog_name="floor")
