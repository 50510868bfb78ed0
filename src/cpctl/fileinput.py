"""Reading YAML or JSON input files, with errors that name the file, the line and the field."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from cpctl.errors import Invalid

MAX_BYTES = 5_000_000
Model = TypeVar("Model", bound=BaseModel)
Loc = tuple[str | int, ...]


class FieldError(Invalid):
    """A value in the input that the store cannot accept; `loc` is where it sits in the document."""

    def __init__(self, loc: Loc, message: str) -> None:
        super().__init__(f"{dotted(loc)}: {message}" if loc else message)
        self.loc = loc
        self.reason = message


def dotted(loc: Loc) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


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
        where = f"{self.path.name}, line {line}" if line else self.path.name
        field = f" {dotted(loc)}:" if loc else ""
        return Invalid(f"{where}:{field} {message}")

    def parse(self, model: type[Model]) -> Model:
        """Validate the whole document against a model; the first problem is named with its line."""
        if not isinstance(self.data, dict):
            raise Invalid(f"{self.path.name}: expected a mapping of fields at the top (see the template).")
        try:
            return model.model_validate(self.data)
        except ValidationError as exc:
            problems = exc.errors()
            first = problems[0]
            loc = tuple(part for part in first["loc"] if not (isinstance(part, str) and part.startswith("function-")))
            error = self.error(loc, _message(first, self.example))
            more = len(problems) - 1
            if more:
                error.message += f" (and {more} more problem{'s' if more > 1 else ''})"
            raise error from None


def load(path: Path, *, example: str | None = "cpctl conference template") -> Document:
    """Read a YAML (.yaml/.yml) or JSON (.json) file; other endings are read as YAML (JSON is valid YAML).

    `example` is the command that shows what such a file holds, for the messages (None when there is none).
    """
    path = path.expanduser()
    try:
        if path.is_dir():
            raise Invalid(f"{path} is a folder; give the path of a YAML or JSON file.")
        raw = path.read_bytes()
    except FileNotFoundError:
        hint = f" (`{example}` writes an example)" if example else ""
        raise Invalid(f"there is no file {path}; check the path{hint}.") from None
    except PermissionError:
        raise Invalid(f"cannot read {path}: permission denied.") from None
    if len(raw) > MAX_BYTES:
        raise Invalid(f"{path.name} is {len(raw)} bytes; an input file can be at most {MAX_BYTES} bytes.")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise Invalid(f"{path.name} is not UTF-8 text (byte {exc.start}); save it as UTF-8 and try again.") from None
    if "\x00" in text:
        raise Invalid(f"{path.name} is not a text file; give a YAML or JSON file.")
    if path.suffix.lower() == ".json":
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise Invalid(f"{path.name}, line {exc.lineno}: not valid JSON ({exc.msg}).") from None
    else:
        try:
            data = yaml.safe_load(text)
        except yaml.YAMLError as exc:
            raise Invalid(f"{path.name}{_yaml_where(exc)}: not valid YAML ({_yaml_problem(exc)}).") from None
    try:
        root = yaml.compose(text)
    except yaml.YAMLError:
        root = None
    if data is None:
        hint = f"; `{example}` shows what it should hold" if example else ""
        raise Invalid(f"{path.name} is empty{hint}.")
    return Document(path, data, root, example)


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
    if kind.endswith("_type") or kind.startswith("literal") or kind.startswith("date"):
        shown = repr(value) if not isinstance(value, dict | list) else type(value).__name__
        return f"{shown[:60]}: {message[0].lower()}{message[1:]}."
    return message.rstrip(".") + "."
