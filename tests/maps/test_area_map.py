"""The office's map of its units (issue 10 §4): upload with located refusals, audited and replayed by
``kaohe audit verify``, the geometry served to the charts, and the colours (results) only where results may be seen.

The world's units are 甲市 220100, 乙市 220200 and 丙县 220281; squares of 1° are enough geometry."""

from __future__ import annotations

import hashlib
import json
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from kaohe.assessments import actions
from kaohe.assessments.integrity import verify_all
from kaohe.audit.models import AuditLog
from kaohe.maps.geojson import MAX_BYTES, MapFileError, parse_area
from kaohe.maps.models import AreaMap
from tests.assessments.test_ranking_history import json_script
from tests.world import World

UNITS = {"220100": "甲市", "220200": "乙市", "220281": "丙县"}


def square(x: float, y: float) -> dict[str, Any]:
    ring = [[x, y], [x + 1, y], [x + 1, y + 1], [x, y + 1], [x, y]]
    return {"type": "Polygon", "coordinates": [ring]}


def feature(code: Any, geometry: Any, prop: str = "code") -> dict[str, Any]:
    return {"type": "Feature", "properties": {prop: code, "name": "x"}, "geometry": geometry}


def collection(*features: Any) -> dict[str, Any]:
    return {"type": "FeatureCollection", "features": list(features)}


GOOD = collection(feature("220100", square(120, 40)), feature(220200, square(121, 40)))


def as_bytes(data: Any) -> bytes:
    return json.dumps(data, ensure_ascii=False).encode()


def test_a_good_file_keeps_the_geometry_and_the_code_only() -> None:
    area = parse_area(as_bytes(GOOD), file_name="area.json", code_property="code", units=UNITS)
    assert area.codes == ["220100", "220200"]  # the number 220200 read as the code "220200"
    assert area.geojson["features"][1] == {
        "type": "Feature",
        "properties": {"code": "220200"},
        "geometry": square(121, 40),
    }
    assert area.warnings == ["以下 1 个单位在地图文件中没有要素，地图上不显示：丙县（220281）"]


MULTI = {"type": "MultiPolygon", "coordinates": [square(120, 40)["coordinates"], [[[0, 0], [1, 0], [0, 0]]]]}
OPEN_RING = {"type": "Polygon", "coordinates": [[[120, 40], [121, 40], [121, 41], [120, 41]]]}
CASES = [
    (b"x" * (MAX_BYTES + 1), "文件 area.json：大小 5.0 MB，超过上限 5 MB"),
    (b"  ", "文件 area.json：文件为空，应为 GeoJSON（FeatureCollection）"),
    ("{}".encode("utf-16"), "文件 area.json：第 1 个字节起不是 UTF-8 编码的文本，GeoJSON 应为 UTF-8"),
    (b'{"type": "FeatureCollection",\n "features": [,]}', "文件 area.json：第 2 行第 15 列：不是有效的 JSON"),
    (b'{"type": "FeatureCollection", "features": [], "x": NaN}', "文件 area.json：含 NaN，JSON 中的数字应为有限值"),
    (
        as_bytes({"type": "Feature", "geometry": square(0, 0)}),
        '文件 area.json：顶层应为 FeatureCollection（"type": "FeatureCollection"），实为 Feature',
    ),
    (as_bytes(collection()), "文件 area.json：features 应为非空列表（每个单位一个要素）"),
    (as_bytes(collection(["x"])), '文件 area.json：第 1 个要素（features[0]）：应为 "type": "Feature" 的对象'),
    (
        as_bytes(collection(feature("220100", square(0, 0), prop="adcode"))),
        "文件 area.json：第 1 个要素（features[0]）「x」：properties 中缺少单位代码属性 code（或其值为空）",
    ),
    (
        as_bytes(collection(feature("999999", square(0, 0)))),
        "文件 area.json：第 1 个要素（features[0]）「x」：属性 code 的值 999999 不是已登记的单位代码",
    ),
    (
        as_bytes(collection(feature("220100", square(0, 0)), feature("220100", square(1, 0)))),
        "文件 area.json：第 2 个要素（features[1]）「x」：单位代码 220100 已用于第 1 个要素，每个单位只能有一个要素",
    ),
    (
        as_bytes(collection(feature("220100", {"type": "Point", "coordinates": [120, 40]}))),
        "文件 area.json：第 1 个要素（features[0]）「x」：几何类型为 Point，应为 Polygon 或 MultiPolygon",
    ),
    (
        as_bytes(collection(feature("220100", OPEN_RING))),
        "文件 area.json：第 1 个要素（features[0]）「x」：geometry.coordinates 第 1 个环未闭合（首尾坐标应相同）",
    ),
    (
        as_bytes(collection(feature("220100", MULTI))),
        "文件 area.json：第 1 个要素（features[0]）「x」：第 2 个多边形第 1 个环应至少有 4 个坐标点（首尾相同）",
    ),
    (
        as_bytes(collection(feature("220100", square(200, 40)))),
        "文件 area.json：第 1 个要素（features[0]）「x」：geometry.coordinates 第 1 个环："
        "坐标 [200, 40] 超出经度 ±180、纬度 ±90 的范围",
    ),
]


@pytest.mark.parametrize(("raw", "message"), CASES)
def test_a_bad_file_is_refused_with_a_located_message(raw: bytes, message: str) -> None:
    with pytest.raises(MapFileError) as refused:
        parse_area(raw, file_name="area.json", code_property="code", units=UNITS)
    assert message in refused.value.problems


def test_every_problem_is_listed_at_once() -> None:
    raw = as_bytes(collection(feature("999999", square(0, 0)), feature("220100", {"type": "Point"})))
    with pytest.raises(MapFileError) as refused:
        parse_area(raw, file_name="area.json", code_property="code", units=UNITS)
    assert len(refused.value.problems) == 2


def upload(world: World, who: str, data: Any, code_property: str = "code") -> Any:
    file = SimpleUploadedFile("示范.geojson", data if isinstance(data, bytes) else as_bytes(data))
    return world.client(who).post("/maps/", {"file": file, "code_property": code_property}, follow=True)


def test_the_office_uploads_the_map_audited_and_verify_stays_clean(world: World) -> None:
    response = upload(world, "alice", GOOD)
    page = response.content.decode()
    assert "已上传单位地图：示范.geojson，2 个单位" in page
    assert "丙县（220281）" in page  # the unit without a feature, as a warning
    stored = AreaMap.objects.get()
    assert stored.code_property == "code" and stored.feature_count == 2
    entry = AuditLog.objects.get(action="map.upload")
    assert entry.actor == world.people["alice"]
    assert entry.decoded_new()["sha256"] == hashlib.sha256(as_bytes(GOOD)).hexdigest()
    report = verify_all()
    assert report.ok, report.problems
    # a second upload replaces the row; the entry names the old file
    upload(world, "alice", collection(feature("220281", square(0, 0), prop="adcode")), code_property="adcode")
    assert AreaMap.objects.get().feature_count == 1
    last = AuditLog.objects.filter(action="map.upload").order_by("seq").last()
    assert last is not None and json.loads(last.old_value)["sha256"] == hashlib.sha256(as_bytes(GOOD)).hexdigest()
    assert verify_all().ok
    # a change outside the actions is caught by the replay
    AreaMap.objects.update(code_property="name")
    report = verify_all()
    assert not report.ok
    assert any("单位地图" in line for line in report.problems)


def test_a_refused_upload_shows_every_problem_and_stores_nothing(world: World) -> None:
    response = upload(world, "alice", collection(feature("999999", square(0, 0))))
    assert response.status_code == 400
    assert "第 1 个要素（features[0]）「x」：属性 code 的值 999999 不是已登记的单位代码" in response.content.decode()
    assert not AreaMap.objects.exists() and not AuditLog.objects.filter(action="map.upload").exists()


@pytest.mark.parametrize("who", ["linda", "fay", "vera"])
def test_only_the_office_uploads(world: World, who: str) -> None:
    assert upload(world, who, GOOD).status_code == 403
    assert not AreaMap.objects.exists()


def test_the_geometry_is_served_once_uploaded(world: World) -> None:
    assert world.client("anon").get("/maps/area.geojson").status_code == 404
    upload(world, "alice", GOOD)
    response = world.client("anon").get("/maps/area.geojson")
    assert response.status_code == 200 and response["Content-Type"] == "application/geo+json"
    served = json.loads(response.content)
    assert [f["properties"] for f in served["features"]] == [{"code": "220100"}, {"code": "220200"}]


def test_the_dashboard_and_the_public_page_colour_the_units(world: World) -> None:
    upload(world, "alice", GOOD)
    world.through_verified()
    office = world.people["alice"]
    actions.check_evaluate_cycle(cycle=world.cycle, acting_user=office)
    dashboard = world.client("alice").get(f"/cycles/{world.cycle.pk}/").content.decode()
    data = json_script(dashboard, "map-data")
    assert data["url"].startswith("/maps/area.geojson?v=")
    assert [m["label"] for m in data["metrics"]][:4] == ["等级", "最终得分", "1 水环境质量", "2 空气质量"]
    units = {u["code"]: u for u in data["units"]}
    # 甲市: 35 + 40 + 20 + 2 = 97, 优秀; the values are the final score, then indicator 1 (40 − 5) and 2 (40)
    assert units["220100"]["grade"] == "优秀"
    assert units["220100"]["values"][:3] == [97.0, 35.0, 40.0]
    assert 'id="chart-map"' in dashboard and "js/history_map.js" in dashboard
    # not published: the public sees neither the page nor, so, the colours
    assert world.client("anon").get(f"/public/{world.cycle.pk}/").status_code == 302
    actions.check_approve_cycle(cycle=world.cycle, acting_user=world.people["linda"])
    actions.check_publish_cycle(cycle=world.cycle, acting_user=office)
    public = world.client("anon").get(f"/public/{world.cycle.pk}/").content.decode()
    assert json_script(public, "map-data")["units"] == data["units"]


def test_without_a_map_the_office_is_told_where_to_upload_it(world: World) -> None:
    page = world.client("alice").get(f"/cycles/{world.cycle.pk}/").content.decode()
    assert 'id="unit-map-missing"' in page and 'href="/maps/"' in page
    assert 'id="unit-map-missing"' not in world.client("linda").get(f"/cycles/{world.cycle.pk}/").content.decode()


def test_the_demo_ships_a_map_of_non_overlapping_squares_for_its_73_units() -> None:
    from kaohe.assessments.demo import DEMO_MAP

    features = json.loads(DEMO_MAP.read_text(encoding="utf-8"))["features"]
    codes = [f["properties"]["code"] for f in features]
    # 9 cities (9xx00), each with 7 counties (9xx01…9xx07), and the management area 91000
    expected = {f"9{i:02d}00" for i in range(1, 10)} | {f"9{i:02d}{j:02d}" for i in range(1, 10) for j in range(1, 8)}
    assert len(codes) == 73 and set(codes) == expected | {"91000"}
    corners = [tuple(map(tuple, f["geometry"]["coordinates"][0][:4])) for f in features]
    assert len(set(corners)) == 73  # equal squares of one grid overlap only when they coincide
    lower_left = {(round(min(p[0] for p in c), 4), round(min(p[1] for p in c), 4)) for c in corners}
    assert len(lower_left) == 73


def test_the_demo_loader_uploads_the_map_of_the_units_it_built(db: Any) -> None:
    from kaohe.assessments.demo import load_demo
    from kaohe.assessments.models import Unit

    load_demo(cities=1, counties_per_city=1)
    stored = AreaMap.objects.get()
    codes = {f["properties"]["code"] for f in stored.geojson["features"]}
    assert codes == set(Unit.objects.values_list("code", flat=True)) == {"90100", "90101", "91000"}
    assert AuditLog.objects.filter(action="map.upload", actor__username="office").count() == 1
