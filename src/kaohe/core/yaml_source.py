"""Read YAML while remembering the line of every key, so that errors can point at ``file:line key``."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from kaohe.core.exceptions import Problem, SchemeError

PathKey = tuple[str | int, ...]


@dataclass
class YamlSource:
    """Parsed YAML data plus the 1-based line of every mapping key and list item."""

    data: Any
    file: str
    lines: dict[PathKey, int] = field(default_factory=dict)

    def line_of(self, path: PathKey) -> int | None:
        """The line of ``path``, or of its nearest ancestor that exists in the file."""
        for end in range(len(path), -1, -1):
            line = self.lines.get(tuple(path[:end]))
            if line is not None:
                return line
        return None

    def resolve(self, loc: tuple[Any, ...]) -> PathKey:
        """Map a pydantic error location onto a path of this file, skipping union tags and the like."""
        path: list[str | int] = []
        node = self.data
        for part in loc:
            if isinstance(node, dict) and part in node:
                node = node[part]
                path.append(part)
            elif isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node):
                node = node[part]
                path.append(part)
        return tuple(path)

    def problem(self, path: PathKey, message: str) -> Problem:
        return Problem(message, file=self.file, line=self.line_of(path), key=describe_path(self.data, path))


def describe_path(data: Any, path: PathKey) -> str:
    """``indicators[0].children[2].rule.per`` rendered with ids: ``indicators › 1.1 › rule.per``."""
    parts: list[str] = []
    node = data
    for part in path:
        if isinstance(node, list) and isinstance(part, int):
            node = node[part] if part < len(node) else None
            ident = node.get("id") if isinstance(node, dict) else None
            parts.append(f"['{ident}']" if ident is not None else f"[{part}]")
        else:
            node = node.get(part) if isinstance(node, dict) else None
            parts.append(f".{part}" if parts else str(part))
    return "".join(parts) or "(top level)"


# Bounds on what a scheme file may cost before anything is built from it (issue 9 §2). The largest built-in
# scheme (xx-city-2020) is 135 KB with about 3,500 values and no aliases; the bounds leave room for schemes 15×
# its size.
MAX_YAML_BYTES = 2 * 1024 * 1024  # file size (and length of an uploaded text)
MAX_YAML_NODES = 200_000  # nodes after expanding every alias: a "billion laughs" file stops here
MAX_YAML_DEPTH = 64  # nesting of mappings and lists
MAX_INT_DIGITS = 18  # an integer beyond int64 is a typo in a scheme (Python refuses > 4,300 digits anyway)
_CONSTRUCTOR = yaml.SafeLoader("")  # only its construct_yaml_* methods are used, on single scalars


_C_LOADER = getattr(yaml, "CSafeLoader", None)  # PyYAML built with libyaml


class _TooDeep(Exception):
    def __init__(self, line: int) -> None:
        self.line = line


class _DepthLoader(yaml.SafeLoader):
    """PyYAML's composer recurses once per level (its scanner and parser do not): counting the levels here stops
    thousands of nested ``[`` at level 64 with the line, before Python's recursion limit is reached."""

    _depth = 0

    def compose_node(self, parent: yaml.Node | None, index: int) -> yaml.Node | None:
        self._depth += 1
        try:
            if self._depth > MAX_YAML_DEPTH + 1:  # the document's top node is level 0 in _Walk
                mark = self.peek_event().start_mark  # type: ignore[no-untyped-call]
                raise _TooDeep(mark.line + 1)
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1


class _Walk:
    """Walks the composed node graph once, expanding aliases against a budget, and records key lines."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.nodes = 0
        self.lines: dict[PathKey, int] = {}
        self.open: set[int] = set()  # ids of the collections being walked: an alias to one of them is a cycle

    def fail(self, node: yaml.Node, message: str) -> SchemeError:
        return SchemeError(Problem(message, file=self.name, line=node.start_mark.line + 1, key=""))

    def scalar(self, node: yaml.ScalarNode) -> None:
        tag = node.tag.rsplit(":", 1)[-1]
        digits = sum(c.isalnum() for c in node.value)  # also 0x…, 0o… and 1_000 forms
        if tag == "int" and digits > MAX_INT_DIGITS:
            raise self.fail(node, f"integer of {digits} digits is too large")
        if tag in ("int", "float", "timestamp"):
            try:
                value = getattr(_CONSTRUCTOR, f"construct_yaml_{tag}")(node)
            except (ValueError, OverflowError) as exc:
                raise self.fail(node, f"{node.value[:40]!r} is not a valid {tag}: {exc}") from None
            if tag == "float" and not math.isfinite(value):
                raise self.fail(node, f"{node.value[:40]!r} is not a finite number")

    def walk(self, node: yaml.Node, path: PathKey, depth: int) -> None:
        self.nodes += 1
        if self.nodes > MAX_YAML_NODES:
            raise self.fail(node, f"more than {MAX_YAML_NODES:,} values once aliases are expanded (alias bomb?)")
        if depth > MAX_YAML_DEPTH:
            raise self.fail(node, f"nested more than {MAX_YAML_DEPTH} levels deep")
        self.lines.setdefault(path, node.start_mark.line + 1)
        if isinstance(node, yaml.ScalarNode):
            self.scalar(node)
            return
        if id(node) in self.open:
            raise self.fail(node, "recursive alias: a value that contains itself")
        self.open.add(id(node))
        if isinstance(node, yaml.MappingNode):
            seen: dict[object, int] = {}
            for key_node, value_node in node.value:
                # `? [a, b]`: no scheme key is a list or a mapping (and a list cannot name a path)
                if not isinstance(key_node, yaml.ScalarNode):
                    raise self.fail(key_node, "a key must be a plain name, not a list or a mapping")
                key = key_node.value
                line = key_node.start_mark.line + 1
                if key != "<<":
                    if key in seen:
                        raise self.fail(key_node, f"duplicate key {key[:40]!r} (first at line {seen[key]})")
                    seen[key] = line
                self.lines[(*path, key)] = line
                self.walk(value_node, (*path, key), depth + 1)
        elif isinstance(node, yaml.SequenceNode):
            for index, item in enumerate(node.value):
                self.lines[(*path, index)] = item.start_mark.line + 1
                self.walk(item, (*path, index), depth + 1)
        self.open.discard(id(node))


def load_yaml(path: str | Path, what: str = "a scheme file", *, shipped: bool = False) -> YamlSource:
    """Parse ``path``; a syntax error becomes a :class:`SchemeError` with the line. Reads at most
    :data:`MAX_YAML_BYTES` (``/dev/zero`` or a huge file is refused, not read to the end). ``what`` names the kind of
    file in the refusals ("a scheme file", "an edition file"); ``shipped``: see :func:`parse_yaml`."""
    path = Path(path)
    name = str(path)
    if path.is_dir():
        raise SchemeError(Problem(f"is a directory, not {what}", file=name))
    try:
        with path.open("rb") as handle:
            raw = handle.read(MAX_YAML_BYTES + 1)
    except FileNotFoundError:
        raise SchemeError(Problem("file not found", file=name)) from None
    except OSError as exc:
        raise SchemeError(Problem(f"cannot read the file: {exc.strerror or exc}", file=name)) from None
    if len(raw) > MAX_YAML_BYTES:
        raise SchemeError(
            Problem(
                f"larger than {MAX_YAML_BYTES // 1024 // 1024} MB; {what} is a few hundred KB",
                file=name,
            )
        )
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise SchemeError(Problem("not a UTF-8 text file", file=name)) from None
    return parse_yaml(text, name, shipped=shipped)


def _code(character: object) -> int:
    return character if isinstance(character, int) else ord(str(character)[:1] or "\0")


def parse_yaml(text: str, name: str = "<string>", *, shipped: bool = False) -> YamlSource:
    """Parse ``text`` within the bounds above: size, alias expansion, depth, integer length, finite floats; no
    duplicate keys, no recursive aliases, no control characters. Each refusal is one located :class:`SchemeError`.

    ``shipped``: a file that comes with kaohe (a built-in edition), parsed by libyaml's C parser when PyYAML has it
    (about 10× faster than the pure-Python one that counts the nesting depth as it goes; a shipped file is not deep).
    Every other check is the same."""
    if len(text) > MAX_YAML_BYTES:
        raise SchemeError(
            Problem(
                f"larger than {MAX_YAML_BYTES // 1024 // 1024} MB; a scheme file is a few hundred KB",
                file=name,
            )
        )
    try:
        node = yaml.compose(text, Loader=_C_LOADER if shipped and _C_LOADER else _DepthLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        raise SchemeError(
            Problem(f"YAML syntax: {exc.problem}", file=name, line=(mark.line + 1) if mark else None, key="")
        ) from None
    except yaml.reader.ReaderError as exc:  # NUL and other control characters
        line = text.count("\n", 0, max(exc.position, 0)) + 1
        raise SchemeError(
            Problem(
                f"control character U+{_code(exc.character):04X} is not allowed in YAML",
                file=name,
                line=line,
                key="",
            )
        ) from None
    except _TooDeep as exc:
        raise SchemeError(
            Problem(f"nested more than {MAX_YAML_DEPTH} levels deep", file=name, line=exc.line, key="")
        ) from None
    except yaml.YAMLError as exc:
        raise SchemeError(Problem(f"YAML: {exc}", file=name, key="")) from None
    if node is None:
        return YamlSource(data=None, file=name, lines={})
    walk = _Walk(name)
    walk.walk(node, (), 0)
    try:
        data = yaml.SafeLoader("").construct_document(node)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        raise SchemeError(
            Problem(f"YAML: {exc.problem}", file=name, line=(mark.line + 1) if mark else None, key="")
        ) from None
    return YamlSource(data=data, file=name, lines=walk.lines)
