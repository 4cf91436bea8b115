"""The web layer's view of a scheme from the pure core: which items a unit fills, which inputs are targets.

Only this module and ``evaluation.py`` touch ``kaohe.core`` objects, so a change in the core's shape stays here.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import kaohe
from kaohe.core import InputDef, Node, Scheme, values
from kaohe.core.exceptions import UserInputError

# The lead unit of an item whose indicator names none (bonus items of seed 001, for instance): the assessment
# office verifies those itself.
OFFICE_LEAD = "考核办"


@dataclass(frozen=True)
class ItemSpec:
    """One self-evaluation item: an indicator and the (non-target) inputs it reads."""

    indicator_id: str
    indicator_name: str
    lead_unit: str
    kind: str  # base | bonus | deduction
    input_ids: tuple[str, ...]


_cache: dict[tuple[str, float], Scheme] = {}


def load(scheme_ref: str) -> Scheme:
    """``kaohe.load_scheme`` with a cache keyed by the file's modification time (uploaded schemes can change)."""
    path = Path(scheme_ref)
    mtime = path.stat().st_mtime if path.suffix.lower() in {".yaml", ".yml"} and path.exists() else 0.0
    key = (scheme_ref, mtime)
    if key not in _cache:
        _cache[key] = kaohe.load_scheme(scheme_ref)
    return _cache[key]


def builtin_choices() -> list[tuple[str, str]]:
    from kaohe.core import list_schemes

    return [(s.id, f"{s.name}（{s.year}）") for s in list_schemes()]


def nodes(scheme: Scheme) -> Iterator[Node]:
    yield from scheme.nodes()


def top_ancestor(scheme: Scheme, node_id: str) -> str:
    by_id = {n.id: n for n in nodes(scheme)}
    node = by_id[node_id]
    while node.parent_id is not None:
        node = by_id[node.parent_id]
    return str(node.id)


def target_inputs(scheme: Scheme) -> list[InputDef]:
    return [inp for inp in scheme.inputs if getattr(inp, "target", False)]


def finding_inputs(scheme: Scheme) -> list[InputDef]:
    """Inputs no indicator reads, only special rules (veto incidents, falsification …): the office's findings."""
    return [inp for inp in scheme.inputs if inp.indicator is None and not getattr(inp, "target", False)]


def input_def(scheme: Scheme, input_id: str) -> InputDef:
    for inp in scheme.inputs:
        if inp.id == input_id:
            return inp
    raise KeyError(input_id)


def items_for(scheme: Scheme, sequence: str) -> list[ItemSpec]:
    """The items a unit of ``sequence`` fills: every indicator that first reads a non-target input, limited to the
    sequence's indicator subset (bonus and deduction items apply to every sequence)."""
    try:
        allowed = set(scheme.top_ids_for(sequence))
    except KeyError as exc:
        raise UserInputError(f"序列 {sequence} 不在考核方案 {scheme.id} 中") from exc
    by_id = {n.id: n for n in nodes(scheme)}
    grouped: dict[str, list[str]] = {}
    for inp in scheme.inputs:
        if getattr(inp, "target", False) or inp.indicator is None:
            continue
        grouped.setdefault(inp.indicator, []).append(inp.id)
    specs = []
    for node_id, input_ids in grouped.items():
        node = by_id[node_id]
        if node.kind == "base" and top_ancestor(scheme, node_id) not in allowed:
            continue
        specs.append(
            ItemSpec(
                indicator_id=node.id,
                indicator_name=node.name,
                lead_unit=lead_unit_of(by_id, node),
                kind=node.kind,
                input_ids=tuple(input_ids),
            )
        )
    order = {n.id: i for i, n in enumerate(nodes(scheme))}
    return sorted(specs, key=lambda s: order[s.indicator_id])


def lead_unit_of(by_id: dict[str, Node], node: Node | None) -> str:
    """The node's lead unit, or the nearest ancestor's (merged cells in seed 004 leave sub-items without one),
    or the assessment office when no node on the way names one."""
    while node is not None:
        if node.lead_unit:
            return str(node.lead_unit)
        node = by_id.get(node.parent_id) if node.parent_id else None
    return OFFICE_LEAD


def coerce_value(inp: InputDef, raw: Any) -> Any:
    """Turn one raw value (form text, JSON, a monitoring file's or an Excel sheet's cell) into the input's kind;
    ``None`` for blank. Raises ValueError with the message for the user.

    The text is read by the core's parser, the one input files use (``kaohe.core.values.parse_cell``: lists as
    ``2;0;1``, 是/否, ``95%``), so a value means the same on every path; ranges and choices are checked here."""
    if raw is None or raw == "" or raw == []:
        return None
    kind = inp.kind
    item_kind = (getattr(inp, "item_kind", None) or "number") if kind == "list" else kind
    value, expected = values.parse_cell(raw, kind, inp)
    if expected:
        raise ValueError(f"{inp.name}: {values.not_valid(raw, expected)}")
    if kind == "list":
        return [_checked(inp, item_kind, v) for v in value]
    return _checked(inp, kind, value)


def _checked(inp: InputDef, kind: str, value: Any) -> Any:
    """A parsed value within the input's choices and range (``kaohe.core.values.out_of_range``), worded as the
    core words it for input files; integers as ``int`` (JSON keeps 2, not 2.0)."""
    why = values.out_of_range(inp, value) if kind != "boolean" else None
    if why == "choice":
        raise ValueError(f"{inp.name}: {values.not_a_choice(value, inp)}")
    if why is not None:
        raise ValueError(f"{inp.name}: {values.out_of_range_text(value, inp, kind)}")
    return int(value) if kind == "integer" and value is not None else value
