"""Reading the office's GeoJSON: every problem at once, each located by file, feature and property.

    parse_area(raw, file_name, code_property, units) ─► Area (normalised FeatureCollection, warnings)
                                                    └─► MapFileError(problems)   nothing is stored

Checks, in order: size (``MAX_BYTES``), UTF-8 text, valid JSON (line and column; NaN/Infinity refused), a
FeatureCollection with at least one feature, and per feature: a Feature object, the code property present and a
known unit code (once), a Polygon or MultiPolygon geometry whose rings are closed lists of at least four finite
[lon, lat] positions within ±180/±90. Units without a feature are a warning: the map is usable without them.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

MAX_BYTES = 5 * 1024 * 1024  # a simplified county-level boundary file of a province is 1–3 MB
MAX_PROBLEMS = 50  # listed one per line; the rest are counted
GEOMETRIES = ("Polygon", "MultiPolygon")


class MapFileError(Exception):
    """The file is refused; ``problems`` are the lines to show, each naming the file and where."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


@dataclass(frozen=True)
class Area:
    geojson: dict[str, Any]  # {"type": "FeatureCollection", "features": [{"type", "properties": {"code"}, "geometry"}]}
    codes: list[str]
    warnings: list[str] = field(default_factory=list)


def _refuse_constant(name: str) -> float:
    raise ValueError(name)


def _position_problem(pos: Any) -> str | None:
    if not isinstance(pos, list) or len(pos) not in (2, 3):
        return "坐标点应为 [经度, 纬度]"
    if not all(isinstance(v, int | float) and not isinstance(v, bool) and math.isfinite(v) for v in pos):
        return "坐标应为有限的数字"
    lon, lat = pos[0], pos[1]
    if not (-180 <= lon <= 180 and -90 <= lat <= 90):
        return f"坐标 [{lon}, {lat}] 超出经度 ±180、纬度 ±90 的范围"
    return None


def _polygon_problem(rings: Any, where: str) -> str | None:
    if not isinstance(rings, list) or not rings:
        return f"{where}应为由环组成的非空列表"
    for r, ring in enumerate(rings, start=1):
        if not isinstance(ring, list) or len(ring) < 4:
            return f"{where}第 {r} 个环应至少有 4 个坐标点（首尾相同）"
        for pos in ring:
            problem = _position_problem(pos)
            if problem:
                return f"{where}第 {r} 个环：{problem}"
        if ring[0] != ring[-1]:
            return f"{where}第 {r} 个环未闭合（首尾坐标应相同）"
    return None


def _geometry_problem(geometry: Any) -> str | None:
    if not isinstance(geometry, dict):
        return "缺少 geometry（应为 Polygon 或 MultiPolygon）"
    kind = geometry.get("type")
    if kind not in GEOMETRIES:
        return f"几何类型为 {kind!s}，应为 Polygon 或 MultiPolygon"
    coordinates = geometry.get("coordinates")
    if kind == "Polygon":
        return _polygon_problem(coordinates, "geometry.coordinates ")
    if not isinstance(coordinates, list) or not coordinates:
        return "MultiPolygon 的 coordinates 应为由多边形组成的非空列表"
    for p, polygon in enumerate(coordinates, start=1):
        problem = _polygon_problem(polygon, f"第 {p} 个多边形")
        if problem:
            return problem
    return None


def _code_text(value: Any) -> str | None:
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str) and value.strip():
        return value.strip()
    return None


def parse_area(raw: bytes, *, file_name: str, code_property: str, units: Mapping[str, str]) -> Area:
    """``units``: code → name of every registered unit. Raises :class:`MapFileError` listing every problem."""
    name = f"文件 {file_name}"
    if len(raw) > MAX_BYTES:
        raise MapFileError([f"{name}：大小 {len(raw) / 1048576:.1f} MB，超过上限 {MAX_BYTES // 1048576} MB"])
    if not raw.strip():
        raise MapFileError([f"{name}：文件为空，应为 GeoJSON（FeatureCollection）"])
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise MapFileError([f"{name}：第 {exc.start + 1} 个字节起不是 UTF-8 编码的文本，GeoJSON 应为 UTF-8"]) from None
    try:
        data = json.loads(text, parse_constant=_refuse_constant)
    except json.JSONDecodeError as exc:
        raise MapFileError([f"{name}：第 {exc.lineno} 行第 {exc.colno} 列：不是有效的 JSON"]) from None
    except ValueError as exc:
        raise MapFileError([f"{name}：含 {exc}，JSON 中的数字应为有限值"]) from None
    except RecursionError:
        raise MapFileError([f"{name}：嵌套层次过深，不是 GeoJSON"]) from None
    if not isinstance(data, dict) or data.get("type") != "FeatureCollection":
        found = data.get("type") if isinstance(data, dict) else type(data).__name__
        raise MapFileError([f'{name}：顶层应为 FeatureCollection（"type": "FeatureCollection"），实为 {found!s}'])
    features = data.get("features")
    if not isinstance(features, list) or not features:
        raise MapFileError([f"{name}：features 应为非空列表（每个单位一个要素）"])

    problems: list[str] = []
    seen: dict[str, int] = {}
    out: list[dict[str, Any]] = []
    for n, feature in enumerate(features, start=1):
        where = f"{name}：第 {n} 个要素（features[{n - 1}]）"
        if not isinstance(feature, dict) or feature.get("type") != "Feature":
            problems.append(f'{where}：应为 "type": "Feature" 的对象')
            continue
        properties = feature.get("properties")
        code = _code_text(properties.get(code_property)) if isinstance(properties, dict) else None
        label = where
        if isinstance(properties, dict) and isinstance(properties.get("name"), str):
            label = f"{where}「{properties['name']}」"
        if code is None:
            problems.append(f"{label}：properties 中缺少单位代码属性 {code_property}（或其值为空）")
        elif code not in units:
            problems.append(f"{label}：属性 {code_property} 的值 {code} 不是已登记的单位代码")
        elif code in seen:
            problems.append(f"{label}：单位代码 {code} 已用于第 {seen[code]} 个要素，每个单位只能有一个要素")
        else:
            seen[code] = n
        geometry_problem = _geometry_problem(feature.get("geometry"))
        if geometry_problem:
            problems.append(f"{label}：{geometry_problem}")
        if code is not None and not geometry_problem:
            out.append({"type": "Feature", "properties": {"code": code}, "geometry": feature["geometry"]})
    if problems:
        if len(problems) > MAX_PROBLEMS:
            rest = len(problems) - MAX_PROBLEMS
            problems = [*problems[:MAX_PROBLEMS], f"{name}：另有 {rest} 处问题未列出"]
        raise MapFileError(problems)
    missing = [f"{units[c]}（{c}）" for c in units if c not in seen]
    warnings = (
        [f"以下 {len(missing)} 个单位在地图文件中没有要素，地图上不显示：{'、'.join(missing)}"] if missing else []
    )
    return Area(geojson={"type": "FeatureCollection", "features": out}, codes=list(seen), warnings=warnings)
