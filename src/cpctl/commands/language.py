"""`cpctl language`: the languages cpctl writes family copies in, their direction and how good each translation is."""

from __future__ import annotations

from typing import Any

import typer

from cpctl.commands.common import JsonOpt, emit_json, say

app = typer.Typer(
    help="The languages of the family's copies: direction, review status and where each catalogue comes from.",
    no_args_is_help=True,
)


@app.command("list")
def language_list(as_json: JsonOpt = False) -> None:
    """List each language cpctl can write copies in: its code, English and own name, direction (ltr or rtl),
    review status (drafted, or checked by whom and when) and whether its catalogue is cpctl's or the
    authority's own (<data folder>/locale/<code>/LC_MESSAGES/cpctl.po, used first)."""
    from cpctl.documents.languages import available_languages, language

    records: list[dict[str, Any]] = []
    for code in available_languages():
        found = language(code)
        records.append(
            {
                "code": found.code,
                "name": found.name,
                "native_name": found.native_name,
                "direction": found.direction,
                "status": found.review.status if code != "en" else "source",
                "checked_by": found.review.checked_by,
                "checked_on": found.review.checked_on,
                "catalogue": found.source,
                "file": found.where or None,
            }
        )
    if as_json:
        emit_json(records)
        return
    rows = [
        (
            record["code"],
            record["name"],
            record["native_name"],
            record["direction"],
            _status(record),
            _catalogue(record),
        )
        for record in records
    ]
    headers = ("code", "English name", "own name", "direction", "review", "catalogue")
    widths = [max(len(header), *(len(row[i]) for row in rows)) for i, header in enumerate(headers)]
    say("  ".join(header.ljust(width) for header, width in zip(headers, widths, strict=True)).rstrip())
    for row in rows:
        say("  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip())
    if any(record["status"] == "drafted" for record in records):
        say(
            "Copies made from a drafted catalogue say so, in their language and in English. An authority adds a "
            "checked one of its own in <data folder>/locale/<code>/LC_MESSAGES/cpctl.po, with review.yaml beside "
            "it (see the README)."
        )


def _status(record: dict[str, Any]) -> str:
    if record["status"] == "source":
        return "source language"
    if record["status"] == "checked":
        return f"checked by {record['checked_by']} on {record['checked_on']}"
    return "drafted (not yet checked)"


def _catalogue(record: dict[str, Any]) -> str:
    if record["catalogue"] == "authority":
        return f"the authority's own: {record['file']}"
    return {"built in": "-", "packaged": "cpctl's"}[record["catalogue"]]
