"""Names and free text come out exactly as written, whatever markup, Markdown or template syntax they hold."""

from __future__ import annotations

import re
from datetime import date
from html.parser import HTMLParser
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt

from cpctl.casework.plan import DecisionDetails, PlanContent
from cpctl.documents import redaction, render, views

HOSTILE = [
    "**bold** and __strong__ and *em*",
    "[link](http://example.org) and ![image](x.png) and <http://example.org>",
    '<script>alert("x")</script> <b onclick="x()">b</b> <!-- comment -->',
    "{{ config }} {% for x in y %}{% endfor %} {# note #}",
    "# heading\n## another\n> quote\n- item\n+ item\n1. item\n2) item\n=====\n---\n***\n```\ncode\n```",
    "    indented code\n\ttabbed",
    "&amp; &copy; &#65; | table | ~~strike~~ `code` \\ back\\slash",
    "[ref]: http://example.org\n[ref]",
]


def markdown_renderer() -> MarkdownIt:
    """CommonMark with the GitHub extensions that give | and ~ a meaning."""
    return MarkdownIt("commonmark").enable("table").enable("strikethrough")


class _Reader(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: set[str] = set()
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: object) -> None:
        self.tags.add(tag)

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def rendered(markdown: str) -> tuple[set[str], str]:
    reader = _Reader()
    reader.feed(markdown_renderer().render(markdown))
    reader.close()
    return reader.tags, "".join(reader.text).strip("\n")


def as_written(text: str) -> str:
    """What a reader should see: each line as typed, without spaces around it; empty lines dropped."""
    return "\n".join(line.strip() for line in text.splitlines() if line.strip())


PRINTABLE = st.text(alphabet=st.characters(categories=("L", "N", "P", "S"), include_characters=" \t\n"))


@settings(max_examples=300, deadline=None)
@given(PRINTABLE)
def test_markdown_shows_any_text_exactly_as_written(text: str) -> None:
    tags, shown = rendered(render.markdown_escape(text))
    assert tags <= {"p", "br"}
    assert shown == as_written(text)


@pytest.mark.parametrize("text", HOSTILE)
def test_markdown_shows_hostile_text_literally(text: str) -> None:
    tags, shown = rendered(render.markdown_escape(text))
    assert tags <= {"p", "br"}
    assert shown == as_written(text)


@settings(max_examples=300, deadline=None)
@given(st.text())
def test_css_strings_hold_any_text_and_cannot_close_the_style_element(text: str) -> None:
    literal = render.css_string(text)
    assert literal.startswith('"') and literal.endswith('"')
    inside = literal[1:-1]
    assert not set(inside) & set('"<>&\n\r')
    decoded = re.sub(r"\\([0-9a-f]{1,6}) ", lambda m: chr(int(m.group(1), 16)), inside)
    assert decoded == text


def hostile_document(audience: str) -> views.PlanDocument:
    items = [{"text": text} for text in HOSTILE]
    content = PlanContent.model_validate(
        {
            "worries": items,
            "working_well": items,
            "actions": [{"what": HOSTILE[1], "why": HOSTILE[2]}],
            "core_group": ["P1"],
        }
    )
    details = DecisionDetails.model_validate({"parent_views": items, "child_views": items})
    person = views.PersonView(
        ref="P1",
        name='<img src=x onerror="y">',
        kind="professional",
        role="**Lead** [worker](x)",
        agency="{{ agency }}",
    )
    return redaction.assemble(
        audience=audience,  # type: ignore[arg-type]
        issued_on=date(2026, 11, 22),
        authority="<b>Council</b> {{ x }}",
        jurisdiction="England",
        terms={
            "plan": "child protection plan",
            "core_group": "core group",
            "lead_worker": "lead social worker",
            "review_conference": "review conference",
        },
        child=views.ChildView(
            ref="C1",
            given_name="<i>Al</i>",
            family_name="*Ex*",
            name="<i>Al</i> *Ex*",
            date_of_birth=date(2018, 1, 1),
            age=8,
        ),
        plan=views.PlanView(number=1, started_on=date(2026, 11, 16), categories=("<Neglect>",)),
        version=views.VersionView(number=1, made_on=date(2026, 11, 16), source="conference"),
        conference=None,
        content=content,
        details=details,
        people={"P1": person},
        lead_worker="P1",
    )


@pytest.mark.parametrize("audience", ["professional", "parent", "child"])
def test_markdown_copies_render_no_markup_from_the_plan(audience: str) -> None:
    text = render.render(hostile_document(audience), "md").text
    html = markdown_renderer().render(text)
    for forbidden in (
        "<script",
        "<img",
        "<i>",
        "<b>",
        "<a ",
        "<em>",
        "<del>",
        "<table",
        "<pre",
        "<code",
        "<blockquote><p>quote",
        "<h1>heading",
        "<strong>bold</strong>",
        "<strong>Lead</strong>",
    ):
        assert forbidden not in html
    for literal in (
        "**bold**",
        "[link](http://example.org)",
        "&lt;script&gt;",
        "{{ config }}",
        "# heading",
        "{% for x in y %}",
        "&lt;b&gt;Council&lt;/b&gt; {{ x }}",
    ):
        assert literal in html


@pytest.mark.parametrize("audience", ["professional", "parent", "child"])
def test_html_copies_escape_everything_from_the_plan(audience: str) -> None:
    text = render.render(hostile_document(audience), "html").text
    body = text.split("</style>", 1)[1]
    assert "<script" not in body and "<img" not in body and "<i>" not in body and "<b>" not in body
    assert "&lt;script&gt;" in body and "{{ config }}" in body and "**bold**" in body
    style = text.split("<style>", 1)[1].split("</style>", 1)[0]
    assert "<" not in style  # names are CSS-escaped in the page header: nothing can close <style>


def test_control_characters_cannot_hide_markdown_from_the_escaping() -> None:
    """An escape character before a list marker or a heading is taken out first, so the marker is still seen."""
    for text in ("\x1b- item", "\x07# heading", "\u202e1. item", "\x00> quote"):
        escaped = render.markdown_escape(text)
        assert not any(ch in escaped for ch in "\x1b\x07\x00\u202e")
        tags, shown = rendered(escaped)
        assert tags <= {"p", "br"}, text


@pytest.mark.parametrize("fmt", ["md", "html"])
@pytest.mark.parametrize("audience", ["professional", "parent", "child"])
def test_no_copy_holds_a_control_character_from_the_plan_or_a_template(fmt: str, audience: str, tmp_path: Path) -> None:
    """Escape sequences and bidi overrides in an id, a name or a category, whichever way they reached the
    document (an old store, SQL outside cpctl), are not in any copy, nor one a template writes itself."""
    import dataclasses

    hostile = "\x1b[2J\x1b]8;;http://evil.example/\x07CLICK\x1b]8;;\x07\x00\x9b\u202e\u2066"
    full = hostile_document("professional")
    action = dataclasses.replace(full.content.actions[0], id="A1" + hostile)
    full = dataclasses.replace(
        full,
        child=dataclasses.replace(full.child, given_name="Al" + hostile, name="Al" + hostile),
        plan=dataclasses.replace(full.plan, categories=("Neglect" + hostile,)),
        content=dataclasses.replace(full.content, actions=(action,)),
    )
    copy = redaction.for_reader(full, audience)  # type: ignore[arg-type]
    text = render.render(copy, fmt).text  # type: ignore[arg-type]
    assert "CLICK" in text
    assert [ch for ch in "\x1b\x07\x00\x9b\u202e\u2066\r" if ch in text] == []
    (tmp_path / f"{audience}.j2").write_text("Own words\x1b[2J\x07 for {{ child.given_name }}\n")
    own = render.render(copy, fmt, templates=(tmp_path,)).text  # type: ignore[arg-type]
    assert own.startswith("Own words[2J for Al") and "\x1b" not in own and "\x07" not in own
