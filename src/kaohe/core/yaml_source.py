"""Read YAML while remembering the line of every key, so that errors can point at ``file:line key``."""

from __future__ import annotations

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


def _collect(node: yaml.Node, path: PathKey, lines: dict[PathKey, int]) -> None:
    lines.setdefault(path, node.start_mark.line + 1)
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            key = key_node.value
            lines[(*path, key)] = key_node.start_mark.line + 1
            _collect(value_node, (*path, key), lines)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            lines[(*path, index)] = item.start_mark.line + 1
            _collect(item, (*path, index), lines)


def load_yaml(path: str | Path) -> YamlSource:
    """Parse ``path``; a syntax error becomes a :class:`SchemeError` with the line."""
    path = Path(path)
    name = str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise SchemeError(Problem("file not found", file=name)) from None
    except UnicodeDecodeError:
        raise SchemeError(Problem("not a UTF-8 text file", file=name)) from None
    return parse_yaml(text, name)


def parse_yaml(text: str, name: str = "<string>") -> YamlSource:
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        raise SchemeError(
            Problem(f"YAML syntax: {exc.problem}", file=name, line=(mark.line + 1) if mark else None, key="")
        ) from None
    lines: dict[PathKey, int] = {}
    if node is not None:
        _collect(node, (), lines)
    return YamlSource(data=data, file=name, lines=lines)
