"""Free text as cpctl accepts it: trimmed, bounded, and free of control characters that corrupt output."""

from __future__ import annotations

import re

from cpctl.errors import Invalid

SHORT = 200
LONG = 10_000
_REF = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._/-]{0,63}$")


def clean(
    value: str | None, field: str, *, required: bool = False, multiline: bool = False, max_length: int = SHORT
) -> str | None:
    """Trim and check one text field; refuse what would corrupt a table, a document or a log line."""
    if value is None:
        if required:
            raise Invalid(f"{field} is required.")
        return None
    text = value.strip()
    if not text:
        if required:
            raise Invalid(f"{field} cannot be empty.")
        return None
    allowed = "\n\t" if multiline else ""
    if any((not ch.isprintable()) and ch not in allowed for ch in text):
        kind = "control characters" if multiline else "line breaks or control characters"
        raise Invalid(f"{field} cannot contain {kind}; type it again as plain text.")
    if len(text) > max_length:
        raise Invalid(f"{field} is {len(text)} characters long; the most it can hold is {max_length}.")
    return text


def reference(value: str, what: str) -> str:
    """An identifier people type on the command line: letters, digits and . _ / - (up to 64)."""
    text = (value or "").strip()
    if not _REF.match(text):
        raise Invalid(
            f"{what} {text[:40]!r} is not a valid reference: use up to 64 letters, digits, '.', '_', '/' or '-', "
            "starting with a letter or digit."
        )
    return text
