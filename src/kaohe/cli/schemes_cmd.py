"""``kaohe schemes list | show ID [--inputs] [--format json] | validate FILE``."""

from __future__ import annotations

import argparse
import json

from kaohe.core.exceptions import SchemeError
from kaohe.core.scheme import Node, Scheme, builtin_paths, load_scheme, load_scheme_file


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("schemes", help="list, show and validate indicator schemes")
    s = p.add_subparsers(dest="schemes_command", required=True)
    s.add_parser("list", help="the built-in schemes").set_defaults(func=cmd_list)
    show = s.add_parser("show", help="print a scheme's indicator tree with points")
    show.add_argument("scheme", help="built-in id or YAML file")
    show.add_argument("--inputs", action="store_true", help="print the declared inputs instead of the tree")
    show.add_argument("--format", choices=["text", "json"], default="text")
    show.set_defaults(func=cmd_show)
    val = s.add_parser("validate", help="check a scheme YAML; problems are printed with file, line and key")
    val.add_argument("files", nargs="+")
    val.set_defaults(func=cmd_validate)


def cmd_list(args: argparse.Namespace) -> int:
    for key in builtin_paths():
        scheme = load_scheme(key)
        print(f"{scheme.id:28} {scheme.year}  {scheme.total_points:g}分  {scheme.name}")
    return 0


def _node_json(node: Node) -> dict[str, object]:
    return {
        "id": node.id,
        "name": node.name,
        "points": node.points,
        "kind": node.kind,
        "rule": node.rule.kind if node.rule else None,
        "lead_unit": node.lead_unit,
        "responsible_units": node.responsible_units,
        "inputs": node.inputs,
        "children": [_node_json(c) for c in node.children],
    }


def _air_settings(scheme: Scheme) -> dict[str, str]:
    """How the scheme's air inputs are evaluated (issue 11), the defaults filled in: {} when the scheme has no air
    input (``source: air.…``) and sets neither key."""
    if not (
        scheme.air_edition
        or scheme.air_exceptional_events
        or any((i.source or "").startswith("air.") for i in scheme.inputs)
    ):
        return {}
    return {
        "air_edition": scheme.air_edition or "auto",
        "air_exceptional_events": scheme.air_exceptional_events or "edition",
    }


def _print_node(node: Node, depth: int) -> None:
    points = "" if node.points is None else f"{node.points:g}分"
    rule = f"[{node.rule.kind}]" if node.rule else ""
    bonus = f" +加分≤{node.bonus.cap:g}" if node.bonus else ""
    lead = f"  牵头:{node.lead_unit}" if node.lead_unit else ""
    print(f"{'  ' * depth}{node.id} {node.name} {points} {rule}{bonus}{lead}")
    for child in node.children:
        _print_node(child, depth + 1)


def cmd_show(args: argparse.Namespace) -> int:
    scheme = load_scheme(args.scheme)
    if args.inputs:
        rows = [
            {
                "id": i.id,
                "name": i.name,
                "unit": i.unit,
                "kind": i.kind,
                "item_kind": i.item_kind,
                "min": i.min,
                "max": i.max,
                "range": [i.min, i.max],
                "choices": i.choices,
                "indicator": i.indicator,
                "target": i.target,
                "source": i.source,
            }
            for i in scheme.inputs
        ]
        if args.format == "json":
            print(json.dumps(rows, ensure_ascii=False, indent=2))
        else:
            for row in rows:
                rng = f"[{'' if row['min'] is None else row['min']:}, {'' if row['max'] is None else row['max']}]"
                source = f"  ← {row['source']}" if row["source"] else ""  # what provides it (monitoring, register)
                print(f"{row['id']:32} {row['name']} ({row['unit']}) {row['kind']} {rng} → {row['indicator']}{source}")
        return 0
    if args.format == "json":
        data = {
            "id": scheme.id,
            "name": scheme.name,
            "year": scheme.year,
            "total_points": scheme.total_points,
            **_air_settings(scheme),
            "sequences": [s.model_dump() for s in scheme.sequences],
            "indicators": [_node_json(n) for n in scheme.indicators],
            "bonus_items": [_node_json(n) for n in scheme.bonus_items],
            "deduction_items": [_node_json(n) for n in scheme.deduction_items],
        }
        print(json.dumps(data, ensure_ascii=False, indent=2))
        return 0
    print(f"{scheme.name}  ({scheme.id}, {scheme.year}, 基本分 {scheme.total_points:g})")
    air = _air_settings(scheme)
    if air:
        print(f"空气质量: air_edition {air['air_edition']}, air_exceptional_events {air['air_exceptional_events']}")
    for title, nodes in (("", scheme.indicators), ("加分项", scheme.bonus_items), ("扣分项", scheme.deduction_items)):
        if title and nodes:
            print(f"— {title} —")
        for node in nodes:
            _print_node(node, 0)
    return 0


def cmd_validate(args: argparse.Namespace) -> int:
    failed = []
    for path in args.files:
        try:
            scheme = load_scheme_file(path)
        except SchemeError as exc:
            failed += exc.problems
            continue
        print(f"{path}: OK ({scheme.id}, {len(list(scheme.nodes()))} indicators, {len(scheme.inputs)} inputs)")
    if failed:
        raise SchemeError(failed)
    return 0
