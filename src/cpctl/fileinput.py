"""Reading YAML or JSON input files, with errors that name the file, the line and the field."""

from __future__ import annotations

import functools
import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from cpctl.errors import Invalid
from cpctl.text import shown

MAX_BYTES = 5_000_000
Model = TypeVar("Model", bound=BaseModel)
Loc = tuple[str | int, ...]


class FieldError(Invalid):
    """A value in the input that the store cannot accept; `loc` is where it sits in the document."""

    def __init__(self, loc: Loc, message: str) -> None:
        super().__init__(f"{dotted(loc)}: {message}" if loc else message)
        self.loc = loc
        self.reason = message

    @staticmethod
    @contextmanager
    def at(loc: Loc) -> Iterator[None]:
        """Inside the block, any other CpctlError (e.g. no such child) becomes a FieldError at `loc`."""
        from cpctl.errors import CpctlError

        try:
            yield
        except FieldError:
            raise
        except CpctlError as exc:
            raise FieldError(loc, exc.message[0].lower() + exc.message[1:]) from None


def dotted(loc: Loc) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{_key(part)}" if out else _key(part))
    return out


def _key(part: object) -> str:
    """A field's name as the file has it: quoted (line breaks, markup and all escaped) unless it is a plain name."""
    text = str(part)
    return text if text.isidentifier() and text.isascii() else repr(text[:40])


def _name(path: Path) -> str:
    return shown(path.name)


class Document:
    """A parsed input file that can say on which line any field stands."""

    def __init__(self, path: Path, data: Any, root: yaml.Node | None, example: str | None = None) -> None:
        self.path = path
        self.data = data
        self._root = root
        self.example = example

    def line_of(self, loc: Loc) -> int | None:
        """The line of the field at `loc`: its key's line (a block list or mapping starts on the next one)."""
        node = self._root
        line = node.start_mark.line + 1 if node is not None else None
        for part in loc:
            if isinstance(node, yaml.MappingNode):
                pair = next(((k, v) for k, v in node.value if getattr(k, "value", None) == part), None)
                if pair is None:
                    return line
                node = pair[1]
                line = pair[0].start_mark.line + 1
            elif isinstance(node, yaml.SequenceNode) and isinstance(part, int) and part < len(node.value):
                node = node.value[part]
                line = node.start_mark.line + 1
            else:
                return line
        return line

    def error(self, loc: Loc, message: str) -> Invalid:
        line = self.line_of(loc)
        where = f"{_name(self.path)}, line {line}" if line else _name(self.path)
        field = f" {dotted(loc)}:" if loc else ""
        return Invalid(f"{where}:{field} {message}")

    def parse(self, model: type[Model]) -> Model:
        """Validate the whole document against a model; the first problem is named with its line."""
        if not isinstance(self.data, dict):
            raise Invalid(f"{_name(self.path)}: expected a mapping of fields at the top (see the template).")
        return validated(model, self.data, self.error, self.example)


def validated(
    model: type[Model],
    data: Any,
    error: Callable[[Loc, str], Invalid] | None = None,
    example: str | None = None,
) -> Model:
    """`model` from `data`, or one Invalid naming the first problem's field (by `error`, e.g. with its line)."""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        problems = exc.errors()
        first = problems[0]
        loc = tuple(part for part in first["loc"] if not (isinstance(part, str) and part.startswith("function-")))
        message = _message(first, example)
        found = error(loc, message) if error is not None else Invalid(f"{dotted(loc)}: {message}" if loc else message)
        more = len(problems) - 1
        if more:
            found.message += f" (and {more} more problem{'s' if more > 1 else ''})"
        raise found from None


def load(path: Path, *, example: str | None = "cpctl conference template") -> Document:
    """Read a YAML (.yaml/.yml) or JSON (.json) file; other endings are read as YAML (JSON is valid YAML).

    `example` is the command that shows what such a file holds, for the messages (None when there is none).
    """
    from cpctl.paths import expand

    path = expand(path)
    try:
        if path.is_dir():
            raise Invalid(f"{shown(path)} is a folder; give the path of a YAML or JSON file.")
        with path.open("rb") as handle:  # at most one byte more than allowed: a stream (/dev/zero) never ends
            raw = handle.read(MAX_BYTES + 1)
    except FileNotFoundError:
        hint = f" (`{example}` writes an example)" if example else ""
        raise Invalid(f"there is no file {shown(path)}; check the path{hint}.") from None
    except PermissionError:
        raise Invalid(f"cannot read {shown(path)}: permission denied.") from None
    if len(raw) > MAX_BYTES:
        raise Invalid(f"{_name(path)} is more than {MAX_BYTES} bytes; an input file can be at most {MAX_BYTES} bytes.")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise Invalid(f"{_name(path)} is not UTF-8 text (byte {exc.start}); save it as UTF-8 and try again.") from None
    if "\x00" in text:
        raise Invalid(f"{_name(path)} is not a text file; give a YAML or JSON file.")
    too_deep = Invalid(f"{_name(path)} nests lists or mappings too deeply to be a cpctl file; see the template.")
    root = None
    if path.suffix.lower() == ".json":
        try:
            data = json.loads(text, object_pairs_hook=_unique_keys)
        except json.JSONDecodeError as exc:
            raise Invalid(f"{_name(path)}, line {exc.lineno}: not valid JSON ({exc.msg}).") from None
        except RecursionError:
            raise too_deep from None
        except ValueError as exc:  # a key given twice, or a number too long to read
            raise Invalid(f"{_name(path)}: not valid JSON ({_short(exc)}).") from None
        try:
            root = yaml.compose(text)  # JSON is YAML: its nodes give each value's line
        except (yaml.YAMLError, RecursionError):
            pass
    else:
        loader = None
        try:
            loader = unique_key_loader()(text)  # its reader refuses characters YAML does not allow, at once
            root = loader.get_single_node()
            data = loader.construct_document(root) if root is not None else None
        except yaml.YAMLError as exc:
            raise Invalid(f"{_name(path)}{_yaml_where(exc)}: not valid YAML ({_yaml_problem(exc)}).") from None
        except RecursionError:
            raise too_deep from None
        except (ValueError, TypeError, OverflowError) as exc:  # a date-like value that is no date (2026-02-30)
            raise Invalid(f"{_name(path)}: not valid YAML ({_short(exc)}).") from None
        finally:
            if loader is not None:
                loader.dispose()
    if data is None:
        hint = f"; `{example}` shows what it should hold" if example else ""
        raise Invalid(f"{_name(path)} is empty{hint}.")
    return Document(path, data, root, example)


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """A JSON object, refused if it gives a key twice (JSON would silently keep the last)."""
    found: dict[str, Any] = {}
    for key, value in pairs:
        if key in found:
            raise ValueError(f"the key {key!r} appears twice")
        found[key] = value
    return found


def _short(exc: Exception) -> str:
    return " ".join(str(exc).split())[:160] or type(exc).__name__


@functools.cache
def unique_key_loader() -> Any:
    """YAML's safe loader, refusing a key given twice in one mapping: YAML would silently keep the last."""

    class UniqueKeyLoader(yaml.SafeLoader):
        def construct_mapping(self, node: Any, deep: bool = False) -> Any:
            seen: set[Any] = set()
            for key_node, _value in node.value:
                key = self.construct_object(key_node, deep=deep)
                if not isinstance(key, str | int | float | bool | None):
                    continue  # SafeLoader refuses unhashable keys itself; other keys are refused later
                if key in seen:
                    raise yaml.constructor.ConstructorError(
                        None, None, f"the key {key!r} appears twice", key_node.start_mark
                    )
                seen.add(key)
            return super().construct_mapping(node, deep=deep)

    return UniqueKeyLoader


def _yaml_where(exc: yaml.YAMLError) -> str:
    mark = getattr(exc, "problem_mark", None)
    return f", line {mark.line + 1}" if mark is not None else ""


def _yaml_problem(exc: yaml.YAMLError) -> str:
    problem = getattr(exc, "problem", None)
    return str(problem) if problem else type(exc).__name__


def _message(problem: dict[str, Any], example: str | None = None) -> str:
    kind = problem["type"]
    if kind == "extra_forbidden":
        hint = f" (`{example}` lists the fields)" if example else ""
        return f"is not a field cpctl knows; check the spelling{hint}."
    if kind == "missing":
        return "is required."
    message = str(problem["msg"])
    for prefix in ("Value error, ", "Assertion failed, "):
        if message.startswith(prefix):
            message = message[len(prefix) :]
    value = problem.get("input")
    if value is None and kind.endswith("_type"):
        return "is empty; give a value (or leave the field out)."
    if kind.endswith("_type") or kind.startswith("literal") or kind.startswith("date"):
        shown = repr(value) if not isinstance(value, dict | list) else type(value).__name__
        return f"{shown[:60]}: {message[0].lower()}{message[1:]}."
    return message.rstrip(".") + "."
