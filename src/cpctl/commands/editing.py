"""The `--edit` loop of `conference new`, `plan edit`, `core-group record` and `visit record`, as `git commit`
and `kubectl edit` have it.

cpctl writes the prefilled document (`cpctl.documents.editable`) to a private file in the run's scratch folder,
opens `$VISUAL` or `$EDITOR` on it, and checks and saves the file when the editor exits. A problem reopens the same
file with the problems listed at the top as comments, each naming its line; the user's text is kept. A file saved
empty or unchanged, or an editor that fails, cancels: nothing is saved.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from cpctl.errors import Cancelled, CpctlError, Invalid, OutputError, StoreError

if TYPE_CHECKING:
    from pydantic import BaseModel

    from cpctl.fileinput import Document

Result = TypeVar("Result")
Model = TypeVar("Model", bound="BaseModel")
MARK = "#| "  # begins each line of the problems cpctl adds at the top; removed before the file is read again
FALLBACK_EDITORS = ("editor", "vi", "nano", "notepad")


class Problems(Invalid):
    """What is wrong with the edited document: (line or None, text) for each problem."""

    def __init__(self, found: list[tuple[int | None, str]]) -> None:
        super().__init__("; ".join(f"line {line}: {text}" if line else text for line, text in found))
        self.found = found


def refuse_with_from(edit: bool, from_file: object) -> None:
    """`--edit` and `--from` are two ways to give the same record: one at a time."""
    if edit and from_file is not None:
        import typer

        raise typer.BadParameter(
            "opens the record in your editor, and --from reads it from a file: give one of them.", param_hint="--edit"
        )


def editor_command() -> list[str]:
    """$VISUAL, else $EDITOR, split as a shell would ("code --wait"); else a usual editor when in a terminal."""
    import shlex
    import shutil

    from cpctl.commands.common import interactive

    for variable in ("VISUAL", "EDITOR"):
        value = os.environ.get(variable, "").strip()
        if not value:
            continue
        try:
            words = shlex.split(value)
        except ValueError as exc:
            raise CpctlError(f"${variable} ({value[:60]!r}) cannot be read as a command ({exc}); fix it.") from None
        if words:
            return words
    if not interactive():
        raise CpctlError(
            "--edit opens your editor, and there is no terminal here and no $EDITOR: set EDITOR to an editor's "
            "command, or give the record with --from FILE."
        )
    for name in FALLBACK_EDITORS:
        if shutil.which(name):
            return [name]
    raise CpctlError("no editor found: set $EDITOR to your editor's command (export EDITOR=nano) and try again.")


def parse_all(document: Document, model: type[Model]) -> Model:
    """The document as `model`, or every problem it has, each with its line (not only the first, as `--from`)."""
    from pydantic import ValidationError

    from cpctl.fileinput import _message, dotted

    if not isinstance(document.data, dict):
        raise Problems([(None, "expected a mapping of fields at the top, as the document began.")])
    try:
        return model.model_validate(document.data)
    except ValidationError as exc:
        found: list[tuple[int | None, str]] = []
        for problem in exc.errors():
            loc = tuple(p for p in problem["loc"] if not (isinstance(p, str) and p.startswith("function-")))
            text = _message(problem)
            found.append((document.line_of(loc), f"{dotted(loc)}: {text}" if loc else text))
        raise Problems(found) from None


def edit_and_save(text: str, name: str, save: Callable[[Document], Result]) -> Result:
    """Open `text` in the user's editor until `save` accepts the file; returns what `save` returned.

    `save` reads the document and saves it in one transaction; any CpctlError it raises (a problem with the
    record) reopens the file with the problem at the top. Cancelled when the file comes back empty or unchanged.
    """
    import tempfile

    from cpctl import fileinput, scratch

    command = editor_command()
    handle, named = tempfile.mkstemp(prefix=f"cpctl-{name}-", suffix=".yaml", dir=scratch.folder())  # 0600
    path = Path(named)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as file:
            file.write(text)
        shown = text  # the text as last opened
        while True:
            code = _run_editor(command, path)
            if code != 0:
                raise Cancelled(f"Cancelled: the editor stopped with an error (exit code {code}); nothing was saved.")
            saved = path.read_text(encoding="utf-8", errors="replace")
            body = _without_problems(saved)
            if not _has_content(body):
                raise Cancelled("Cancelled: the file was saved empty; nothing was saved.")
            if saved == shown:
                raise Cancelled("Cancelled: the file was not changed; nothing was saved.")
            path.write_text(body, encoding="utf-8")  # read without the old problems, so lines are the user's
            try:
                return save(fileinput.load(path, example=None))
            except (Cancelled, StoreError, OutputError):
                raise
            except CpctlError as exc:
                found = exc.found if isinstance(exc, Problems) else [_located(exc.message, path.name)]
                if "not valid YAML" in exc.message:
                    found += _yaml_context(body)
                shown = _with_problems(found, body)
                path.write_text(shown, encoding="utf-8")
                first = found[0]
                where = f"line {first[0] + _count(found)}: " if first[0] else ""
                more = f" (and {len(found) - 1} more)" if len(found) > 1 else ""
                _say_err(f"Not saved yet: {where}{first[1].rstrip('.')}{more}. Opening the file again.")
    finally:
        path.unlink(missing_ok=True)


def _run_editor(command: list[str], path: Path) -> int:
    """Run the editor on the file and wait for it. Meanwhile Ctrl-C belongs to the editor (vi uses it to stop a
    command), as with git: cpctl ignores it until the editor exits, then restores what it did before."""
    import signal
    import subprocess
    import threading

    try:
        process = subprocess.Popen([*command, str(path)])
    except OSError as exc:
        raise CpctlError(
            f"cannot run the editor {command[0]!r} ({exc.strerror or exc}); set $EDITOR to an editor you have."
        ) from None
    ignored = [getattr(signal, name) for name in ("SIGINT", "SIGQUIT") if hasattr(signal, name)]
    previous = {}
    if threading.current_thread() is threading.main_thread():
        previous = {number: signal.signal(number, signal.SIG_IGN) for number in ignored}
    try:
        return process.wait()
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)


def _yaml_context(body: str) -> list[tuple[int | None, str]]:
    """Where the YAML construct with a syntax problem begins (an unclosed [ is reported at the end of the file)."""
    import yaml

    try:
        yaml.safe_load(body)
    except yaml.YAMLError as exc:
        mark, context = getattr(exc, "context_mark", None), getattr(exc, "context", None)
        problem = getattr(exc, "problem_mark", None)
        if mark is not None and context and (problem is None or problem.line != mark.line):
            what = str(context).removeprefix("while parsing ").removeprefix("while scanning ")
            what = what.removeprefix("a ").removeprefix("an ")
            return [(mark.line + 1, f"the {what} with that problem begins here.")]
    except RecursionError:
        pass
    return []


def _say_err(line: str) -> None:
    import typer

    from cpctl.text import without_controls

    typer.echo(without_controls(line), err=True)


def _located(message: str, file_name: str) -> tuple[int | None, str]:
    """A `--from` message ("NAME, line 12: field: problem") as (12, "field: problem")."""
    from cpctl.text import shown

    match = re.match(rf"{re.escape(shown(file_name))}(?:, line (\d+))?:\s*(.*)$", message, re.DOTALL)
    if match is None:
        return None, message
    return (int(match.group(1)) if match.group(1) else None), match.group(2)


def _count(found: list[tuple[int | None, str]]) -> int:
    """How many lines the problems take at the top of the file (the lines below move down by as many)."""
    return len(found) + 3


def _with_problems(found: list[tuple[int | None, str]], body: str) -> str:
    """The file with its problems at the top, each naming its line in the file as it now stands."""
    offset = _count(found)
    lines = [
        f"{MARK}cpctl cannot save this yet. Fix what is listed here, then save and close the editor again;",
        f"{MARK}save the file empty to cancel (nothing is saved). These lines go away by themselves.",
    ]
    for line, text in found:
        flat = " ".join(text.split())
        lines.append(f"{MARK}  line {line + offset}: {flat}" if line else f"{MARK}  {flat}")
    lines.append(MARK.rstrip())
    return "\n".join(lines) + "\n" + body


def _without_problems(text: str) -> str:
    lines = text.splitlines(keepends=True)
    start = 0
    while start < len(lines) and lines[start].startswith(MARK.rstrip()):
        start += 1
    return "".join(lines[start:])


def _has_content(text: str) -> bool:
    """Whether anything but blank lines and comments is left."""
    return any(line.strip() and not line.lstrip().startswith("#") for line in text.splitlines())
