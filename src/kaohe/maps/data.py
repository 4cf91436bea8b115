"""What a results page gives the map chart (json_script ``map-data``): the units' grade, score and indicator scores,
and the metrics the select offers. Only results the caller may show are passed in."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from django.urls import reverse

from kaohe.assessments.models import Result
from kaohe.core import Scheme
from kaohe.core.scheme import GRADES, Node
from kaohe.maps.models import AreaMap


def _nodes(nodes: Iterable[Node]) -> Iterator[Node]:
    for node in nodes:
        yield node
        yield from _nodes(node.children)


def map_data(scheme: Scheme, results: Iterable[Result]) -> dict[str, Any] | None:
    """None while no map is uploaded or there are no results. Metrics: 等级, 得分, then every indicator (and bonus or
    deduction item) that some unit has a score for, in the scheme's order."""
    current = AreaMap.objects.only("pk", "sha256").order_by("-pk").first()
    rows = list(results)
    if current is None or not rows:
        return None
    scored = {key for r in rows for key in r.scores}
    nodes = [n for n in _nodes([*scheme.indicators, *scheme.bonus_items, *scheme.deduction_items]) if n.id in scored]
    metrics = [{"key": "grade", "label": "等级"}, {"key": "score", "label": "最终得分"}]
    metrics += [{"key": f"i:{n.id}", "label": f"{n.id} {n.name}"} for n in nodes]
    grades = [g for g in GRADES if any(r.grade == g for r in rows)]
    grades += sorted({r.grade for r in rows if r.grade and r.grade not in grades})
    return {
        # the version in the address makes a new upload bypass the browser's cached copy
        "url": f"{reverse('maps:area_geojson')}?v={current.sha256[:12]}",
        "metrics": metrics,
        "grades": grades,
        "units": [
            {
                "code": r.assessment.unit.code,
                "name": r.assessment.unit.name,
                "grade": r.grade,
                # one value per metric after 等级: the final score, then each indicator's (compact for 3,000 units)
                "values": [r.final_score, *(r.scores.get(n.id) for n in nodes)],
            }
            for r in rows
        ],
    }
