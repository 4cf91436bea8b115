"""Per-section list columns (``2;0;1``) from ``kaohe water evaluate --as-inputs`` go into a cycle through the
导入监测数据 screen and ``kaohe import``, and the cycle's evaluation scores the imported values (issue 8 §1.9)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from kaohe.assessments import actions, schemes
from kaohe.assessments.models import Cycle, ImportedValue, Membership, Result
from kaohe.cli import main

SAMPLE = Path(__file__).parents[2] / "src" / "kaohe" / "data" / "samples" / "water_sections_sample.csv"
# The sample's three districts (unit_id in the water file).
UNITS = {"330109": "萧山区", "330110": "余杭区", "330111": "富阳区"}


def xx_city_cycle() -> tuple[Cycle, User]:
    office = User.objects.create_user("alice", password="pw")
    actions.do_add_membership(user=office, role=Membership.Role.OFFICE, unit=None, lead_unit="", acting_user=office)
    units = [
        actions.do_create_unit(code=code, name=name, type="county", sequence="district", acting_user=office)
        for code, name in UNITS.items()
    ]
    cycle = actions.do_open_cycle(
        name="2020年度考核", year=2020, scheme_id="xx-city-2020", units=units, acting_user=office
    )
    return cycle, office


@pytest.mark.parametrize("way", ["screen", "kaohe import"])
def test_water_lists_go_from_the_csv_through_the_import_to_the_score(
    db: Any, tmp_path: Path, way: str, capsys: pytest.CaptureFixture[str]
) -> None:
    water = tmp_path / "water_inputs.csv"
    assert (
        main(["water", "evaluate", str(SAMPLE), "--year", "2020", "--as-inputs", "xx-city-2020", "--out", str(water)])
        == 0
    )
    assert "5;7" in water.read_text(encoding="utf-8")  # the list columns this test is about
    cycle, office = xx_city_cycle()
    if way == "screen":
        client = Client()
        client.force_login(office)
        upload = SimpleUploadedFile("water_inputs.csv", water.read_bytes())
        response = client.post(f"/cycles/{cycle.pk}/import/", {"file": upload}, follow=True)
        assert "已导入" in response.content.decode(), response.content.decode()
    else:
        assert main(["import", str(cycle.pk), str(water), "--user", "alice"]) == 0, capsys.readouterr().err

    stored = {
        (v.unit.code, v.input_id): v.value for v in ImportedValue.objects.filter(cycle=cycle).select_related("unit")
    }
    # As the water evaluation wrote them for 330109 (萧山区): two assessment sections …
    assert stored[("330109", "wq_sections")] == ["浦阳江尖山", "萧绍运河衙前"]
    assert stored[("330109", "wq_months_missed")] == [5, 7]
    assert stored[("330109", "wq_months_inferior_v")] == [0, 4]
    assert stored[("330109", "wq_annual_met")] == [True, False]
    assert stored[("330110", "wq_months_missed")] == [1, 2, 6]

    actions.do_evaluate_cycle(cycle=cycle, acting_user=office)
    scores = {
        r.assessment.unit.code: r.scores["1.1"]
        for r in Result.objects.filter(cycle=cycle).select_related("assessment__unit")
    }
    # xx-city-2020 1.1 (seed 004): 100 points, 每月次扣5分, 劣Ⅴ类每月次10分, months waived for a section whose annual
    # mean meets its target, +5 per improved section (≤ 20).
    # 330109: 浦阳江尖山 met (waived); 萧绍运河衙前 not: 7 × 5 + 4 × 10 = 75 ⇒ 100 − 75 = 25; 0 improved.
    # 330110: all three sections met ⇒ every month waived ⇒ 100; 2 improved sections ⇒ + 10 ⇒ 110.
    # 330111: both met ⇒ 100; 0 improved.
    assert scores == {"330109": 25, "330110": 110, "330111": 100}


def test_the_web_reads_lists_as_the_command_line_does() -> None:
    scheme = schemes.load("xx-city-2020")
    months = schemes.input_def(scheme, "wq_months_missed")
    met = schemes.input_def(scheme, "wq_annual_met")
    assert schemes.coerce_value(months, "2;0;1") == [2, 0, 1]
    assert schemes.coerce_value(months, "2；0；1") == [2, 0, 1]
    assert schemes.coerce_value(months, " 2 ; 0 ; 1 ") == [2, 0, 1]
    assert schemes.coerce_value(months, "2,0,1") == [2, 0, 1]  # what the screens accepted before
    assert schemes.coerce_value(months, "2，0，1") == [2, 0, 1]
    assert schemes.coerce_value(months, 3) == [3]  # a one-section column a CSV reader took for a number
    assert schemes.coerce_value(months, [2, 0]) == [2, 0]  # JSON
    assert schemes.coerce_value(met, "是;否;true") == [True, False, True]
    with pytest.raises(ValueError, match="“2;x;1” 不是有效值，应为以“;”分隔的整数，每个断面一个"):
        schemes.coerce_value(months, "2;x;1")
    with pytest.raises(ValueError, match="13 超出范围，应为 0–12 月次的整数"):
        schemes.coerce_value(months, "2;13")
    with pytest.raises(ValueError, match="“2;1.5” 不是有效值，应为以“;”分隔的整数，每个断面一个"):
        schemes.coerce_value(months, "2;1.5")
    rate = schemes.input_def(scheme, "drinking_rate")
    assert schemes.coerce_value(rate, "95%") == 95.0  # the unit is %: as in input files
    with pytest.raises(ValueError, match="“nan” 不是有效值，应为数字"):
        schemes.coerce_value(rate, "nan")


def test_the_item_form_shows_a_list_as_the_parser_reads_it() -> None:
    from kaohe.assessments.forms import _field_for

    scheme = schemes.load("xx-city-2020")
    met = schemes.input_def(scheme, "wq_annual_met")
    field = _field_for(met, [True, False])
    assert field.initial == "是;否" and "分号" in str(field.help_text)
    assert schemes.coerce_value(met, field.initial) == [True, False]
    rates = _field_for(schemes.input_def(scheme, "wq_months_missed"), [5, 7])
    assert rates.initial == "5;7"
