"""Free text as cpctl accepts it: trimmed, bounded, and free of control characters that corrupt output."""

from __future__ import annotations

import re

from cpctl.errors import Invalid

SHORT = 200
LONG = 10_000
ACTION_ID = 16  # the longest action id: A1, A12 and FAM-1 are what people write
_REF = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._/-]*$")
# What a terminal or a document must never be given from stored text: C0 controls but the line break and the tab
# (ESC starts the sequences that clear a screen, retitle a window or make a link; BEL, NUL, CR and the rest garble
# a line), DEL, C1 controls (U+009B is an 8-bit ESC [), and the bidirectional embeddings, overrides and isolates
# that make text read in an order other than the one it is stored in.
_CONTROLS = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


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


def reference(value: str, what: str, *, longest: int = 64) -> str:
    """An identifier people type on the command line: letters, digits and . _ / - (up to `longest`)."""
    text = (value or "").strip()
    if not _REF.match(text) or len(text) > longest:
        raise Invalid(
            f"{what} {text[:40]!r} is not a valid reference: use up to {longest} letters, digits, '.', '_', '/' or "
            "'-', starting with a letter or digit."
        )
    return text


def without_controls(value: str) -> str:
    """Text from the store as it may be shown or written: control characters (but line breaks and tabs) and
    bidirectional overrides taken out, whatever field it came from and however it got into the store."""
    return _CONTROLS.sub("", value) if _CONTROLS.search(value) else value


def shown(value: object) -> str:
    """A value the user gave (a path, a name) as an error line may quote it: as it is, or quoted and escaped when
    it holds line breaks or control characters that would split or garble the line."""
    text = str(value)
    return text if text.isprintable() else repr(text)
