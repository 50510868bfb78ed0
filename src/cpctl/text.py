"""Free text as cpctl accepts it: trimmed, bounded, and free of control characters that corrupt output.

Real writing uses a few invisible characters, and text pasted from Word or a web page brings others. Those that
carry meaning are kept: the zero-width non-joiner of Persian, Urdu and Kurdish names (U+200C), the zero-width
joiner of emoji sequences and of Indic scripts (U+200D), the right-to-left and left-to-right marks that place
punctuation in mixed text (U+200E, U+200F, U+061C), variation selectors and emoji tag sequences (a flag of
England, Scotland or Wales). Those that change nothing a reader sees become what they stand for, so that a name
pasted from Word is found by the name a person types: every kind of space (a non-breaking space from Word, a
narrow one, an ideographic one) becomes a plain space, and line-break hints (a soft hyphen, a zero-width space,
a word joiner, a byte order mark) are dropped. Control characters, the bidirectional embeddings, overrides and
isolates that can make text read differently from what it holds (U+202A-U+202E, U+2066-U+2069), and other
invisible or unassigned characters are refused.
"""

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

# Every space separator (Unicode category Zs) but the plain space; a test checks the list is whole.
SPACES = "\u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u202f\u205f\u3000"
# Invisible hints of where a line may or may not break: they change nothing a reader sees.
DROPPED = "\u00ad\u200b\u2060\ufeff"
# Format characters that real writing needs, kept as written.
KEPT = "\u200c\u200d\u200e\u200f\u061c"
# Characters that can make text display differently from what it holds (the "Trojan Source" characters).
BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
LINE_SEPARATORS = "\u2028\u2029"
_PLAIN = str.maketrans({**dict.fromkeys(SPACES, " "), **dict.fromkeys(DROPPED, None)})
_MULTILINE = str.maketrans(dict.fromkeys(LINE_SEPARATORS, "\n"))
# An emoji tag sequence: a black flag, tag letters, a cancel tag (the flags of England, Scotland and Wales).
_EMOJI_TAGS = re.compile("\U0001f3f4[\U000e0020-\U000e007e]+\U000e007f")


def plain(value: str) -> str:
    """`value` with every kind of space made a plain space and the invisible line-break hints dropped: what
    `clean` stores, so that a name typed or pasted either way is found the same."""
    return value.translate(_PLAIN)


def clean(
    value: str | None, field: str, *, required: bool = False, multiline: bool = False, max_length: int = SHORT
) -> str | None:
    """Trim and check one text field; refuse what would corrupt a table, a document or a log line."""
    if value is None:
        if required:
            raise Invalid(f"{field} is required.")
        return None
    text = plain(value)
    if multiline:
        text = text.translate(_MULTILINE)
    text = text.strip()
    if not text:
        if required:
            raise Invalid(f"{field} cannot be empty.")
        return None
    _refuse_invisible(text, field, multiline)
    if len(text) > max_length:
        raise Invalid(f"{field} is {len(text)} characters long; the most it can hold is {max_length}.")
    return text


def _refuse_invisible(text: str, field: str, multiline: bool) -> None:
    allowed = "\n\t" if multiline else ""
    for ch in _EMOJI_TAGS.sub("", text):
        if ch.isprintable() or ch in KEPT or ch in allowed:
            continue
        if ch in BIDI_CONTROLS:
            raise Invalid(
                f"{field} cannot contain characters that reorder text as it is shown (U+{ord(ch):04X}, a "
                "bidirectional override or isolate); type it again as plain text."
            )
        if ch < " " or "\x7f" <= ch <= "\x9f" or ch in LINE_SEPARATORS:
            kind = "control characters" if multiline else "line breaks or control characters"
            raise Invalid(f"{field} cannot contain {kind}; type it again as plain text.")
        raise Invalid(
            f"{field} cannot contain invisible, private or unassigned characters (U+{ord(ch):04X}); type it "
            "again as plain text."
        )


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


def shell_word(value: str, placeholder: str) -> str:
    """`value` quoted for a command line an error line suggests, or `placeholder` (CHILD) where it holds line breaks
    or control characters: no quoting would keep the suggestion one line and right to type."""
    import shlex

    return shlex.quote(value) if value.isprintable() else placeholder


def shown(value: object) -> str:
    """A value the user gave (a path, a name) as an error line may quote it: as it is, or quoted and escaped when
    it holds line breaks or control characters that would split or garble the line."""
    text = str(value)
    return text if text.isprintable() else repr(text)
