"""The `cpctl due` table shows names as they were written: text, never markup."""

from __future__ import annotations

from pathlib import Path

from helpers import Run, ok


def test_names_in_the_table_are_not_read_as_markup(cli: Run, initialised: Path) -> None:
    ok(cli("child", "add", "[bold]Sam[/bold]", "Testwood", "--dob", "2019-03-04", "--id", "T1"))
    ok(cli("child", "strategy", "T1", "--on", "today"))
    assert "T1 [bold]Sam[/bold] Testwood" in ok(cli("due", "--all"))
