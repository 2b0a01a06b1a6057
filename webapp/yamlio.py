"""Safe YAML reading for files that people edit, with a line number for every value.

Municipal staff edit questionnaire and organisation files by hand, so a mistake must come back
as `file:line: what is wrong` in plain words, never as a traceback. This module
- refuses files larger than MAX_BYTES and any alias (`*ref`), which stops "billion laughs";
- refuses duplicate keys, which PyYAML would otherwise silently overwrite;
- reads only `true`/`false` as booleans (YAML 1.2), so `nej`, `no` and `on` stay text;
- records the line of every mapping key and list item, so schema errors can name it;
- turns pydantic validation errors into Swedish messages with file and line.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from dataclasses import field
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError
from yaml.events import AliasEvent
from yaml.nodes import MappingNode
from yaml.nodes import Node
from yaml.nodes import ScalarNode
from yaml.nodes import SequenceNode

MAX_BYTES = 1_000_000

Path_ = tuple[str | int, ...]


@dataclass(frozen=True)
class Problem:
    """One error in a file, as `file:line: message`."""

    file: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.message}"


@dataclass
class FileErrors(Exception):
    """One or more problems found in a file; nothing from it has been used."""

    problems: list[Problem] = field(default_factory=list)

    def __str__(self) -> str:
        return "\n".join(str(p) for p in self.problems)


class _Loader(yaml.SafeLoader):
    """SafeLoader without aliases and with YAML 1.2 booleans."""

    def compose_node(self, parent: Node | None, index: Any) -> Node | None:  # type: ignore[override]
        if self.check_event(AliasEvent):
            event = self.peek_event()
            raise yaml.MarkedYAMLError(
                problem="referenser (*alias) är inte tillåtna; skriv ut värdet i stället",
                problem_mark=event.start_mark,
            )
        return super().compose_node(parent, index)  # type: ignore[no-any-return]


_Loader.yaml_implicit_resolvers = {
    key: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:bool"]
    for key, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.copy().items()
}
_Loader.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)


@dataclass
class Document:
    """Parsed YAML data and the line of each value, keyed by its path."""

    file: str
    data: Any
    lines: dict[Path_, int]

    def line_of(self, path: Sequence[str | int]) -> int:
        """Return the line of the value at `path`, or of its nearest ancestor that has one."""
        key = tuple(path)
        while key:
            if key in self.lines:
                return self.lines[key]
            key = key[:-1]
        return self.lines.get((), 1)

    def problem(self, path: Sequence[str | int], message: str) -> Problem:
        """Make a Problem located at `path`."""
        return Problem(self.file, self.line_of(path), message)


def _convert(loader: _Loader, node: Node, path: Path_, lines: dict[Path_, int], doc: str) -> Any:
    lines.setdefault(path, node.start_mark.line + 1)
    if isinstance(node, MappingNode):
        result: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, ScalarNode):
                raise FileErrors([Problem(doc, key_node.start_mark.line + 1,
                                          "en nyckel måste vara en enkel text")])
            key = loader.construct_object(key_node)
            if key in result:
                raise FileErrors([Problem(doc, key_node.start_mark.line + 1,
                                          f"nyckeln '{key}' förekommer två gånger")])
            lines[(*path, key)] = key_node.start_mark.line + 1
            result[key] = _convert(loader, value_node, (*path, key), lines, doc)
        return result
    if isinstance(node, SequenceNode):
        return [
            _convert(loader, item, (*path, i), lines, doc) for i, item in enumerate(node.value)
        ]
    return loader.construct_object(node)


def load_text(text: str, file: str) -> Document:
    """Parse YAML text; raise FileErrors with a located message for anything unsafe or broken."""
    if len(text.encode("utf-8", "surrogatepass")) > MAX_BYTES:
        raise FileErrors([Problem(file, 1, f"filen är större än {MAX_BYTES // 1000} kB")])
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            raise FileErrors([Problem(file, 1, "filen är tom")])
        lines: dict[Path_, int] = {}
        data = _convert(loader, node, (), lines, file)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else 1
        problem = exc.problem or exc.context or "ogiltig YAML"
        raise FileErrors([Problem(file, line, f"kan inte läsa YAML: {problem}")]) from None
    except yaml.YAMLError as exc:
        raise FileErrors([Problem(file, 1, f"kan inte läsa YAML: {exc}")]) from None
    finally:
        loader.dispose()
    return Document(file, data, lines)


def load_file(path: str | Path) -> Document:
    """Read and parse a YAML file (see load_text)."""
    path = Path(path)
    try:
        if path.stat().st_size > MAX_BYTES:
            raise FileErrors([Problem(str(path), 1, f"filen är större än {MAX_BYTES // 1000} kB")])
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise FileErrors([Problem(str(path), 1, f"filen är inte UTF-8 ({exc.reason})")]) from None
    except OSError as exc:
        raise FileErrors([Problem(str(path), 1, f"kan inte öppna filen: {exc.strerror}")]) from None
    return load_text(text, str(path))


_PYDANTIC_SV = {
    "missing": "saknas men måste anges",
    "extra_forbidden": "är en okänd nyckel (stavfel?)",
    "string_type": "ska vara en text",
    "int_type": "ska vara ett heltal",
    "int_parsing": "ska vara ett heltal",
    "int_from_float": "ska vara ett heltal",
    "float_type": "ska vara ett tal",
    "float_parsing": "ska vara ett tal",
    "bool_type": "ska vara true eller false",
    "bool_parsing": "ska vara true eller false",
    "list_type": "ska vara en lista",
    "dict_type": "ska vara en mappning (nyckel: värde)",
    "model_type": "ska vara en mappning (nyckel: värde)",
    "date_type": "ska vara ett datum ÅÅÅÅ-MM-DD",
    "date_parsing": "ska vara ett datum ÅÅÅÅ-MM-DD",
    "date_from_datetime_parsing": "ska vara ett datum ÅÅÅÅ-MM-DD",
    "string_too_short": "får inte vara tom",
    "too_short": "har för få poster",
    "too_long": "har för många poster",
    "string_too_long": "är för lång",
    "greater_than_equal": "är för litet",
    "less_than_equal": "är för stort",
    "greater_than": "är för litet",
    "less_than": "är för stort",
    "string_pattern_mismatch": "har otillåtna tecken",
}


def _field_name(loc: Sequence[str | int]) -> str:
    parts: list[str] = []
    for part in loc:
        if isinstance(part, int):
            parts.append(f"[{part + 1}]")
        else:
            parts.append(("." if parts else "") + str(part))
    return "".join(parts) or "filen"


def describe_error(err: Any) -> str:
    """Return the Swedish wording of one pydantic error (without its location)."""
    kind = err["type"]
    ctx = err.get("ctx", {})
    text = _PYDANTIC_SV.get(kind)
    if kind in ("value_error", "assertion_error"):
        return str(ctx.get("error", err["msg"]))
    if kind in ("literal_error", "enum"):
        # Pydantic lists the choices in English ("'a', 'b' or 'c'").
        expected = str(ctx.get("expected", "")).replace("' or '", "' eller '")
        return f"har ett okänt värde '{err.get('input')}'; tillåtet: {expected}"
    if text and kind in ("too_short", "too_long", "string_too_long"):
        return f"{text} (gräns: {ctx.get('min_length', ctx.get('max_length', '?'))})"
    if text and kind in ("greater_than_equal", "less_than_equal", "greater_than", "less_than"):
        return f"{text} (gräns: {next(iter(ctx.values()), '?')})"
    return text or str(err["msg"])


def problems_from_validation(doc: Document, error: ValidationError) -> list[Problem]:
    """Translate a pydantic ValidationError on `doc.data` into located Swedish problems."""
    problems = []
    for err in error.errors():
        path = tuple(_real_path(doc.data, err["loc"]))
        problems.append(doc.problem(path, f"{_field_name(path)} {describe_error(err)}"))
    return problems


def _real_path(data: Any, loc: Sequence[str | int]) -> list[str | int]:
    """Keep the parts of a pydantic location that are keys or indexes in `data`.

    Pydantic inserts union and validator tags into locations; they are not in the file. A last
    part that is missing is kept, because it names the key that should have been there.
    """
    path: list[str | int] = []
    node = data
    for i, part in enumerate(loc):
        if isinstance(node, dict) and part in node:
            node = node[part]
            path.append(part)
        elif isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node):
            node = node[part]
            path.append(part)
        elif i == len(loc) - 1:
            path.append(part)
    return path
