"""The results workbook and the 通报 say which air-quality edition the air figures follow (issue 11): a scheme with
an input from air data (``source: air.…``) gets "空气质量指标依据：…" by its ``air_edition`` (None ⇒ auto); a scheme
without gets no such line. The expected sentences are written out by hand from the standards' numbers."""

from __future__ import annotations

import io
import os
from pathlib import Path
from typing import Any

import pytest
import time_machine
from django.urls import reverse
from docx import Document
from docx.oxml.ns import qn
from docx.shared import Pt
from openpyxl import load_workbook

import kaohe
import tests.world
from kaohe.assessments import actions
from kaohe.core.scheme import load_scheme_text
from kaohe.reports import pdf
from kaohe.reports.air_basis import air_basis, has_air_inputs
from tests.reports.test_official_documents import east_asia, size
from tests.world import GOOD_VALUES, SCHEME_YAML, World, build_world

AUTO = (
    "空气质量指标依据：2026年3月1日前按 HJ 633-2012、HJ 663-2013、GB 3095-2012，"
    "此后按 HJ 633-2026、HJ 663-2026、GB 3095-2026（各日按当日施行的标准）"
)
ONLY_2026 = "空气质量指标依据：HJ 633-2026、HJ 663-2026、GB 3095-2026"
ONLY_2012 = "空气质量指标依据：HJ 633-2012、HJ 663-2013、GB 3095-2012"
GOOD_DAYS = "  - {id: good_days, name: 优良天数比例, unit: '%', min: 0, max: 100}\n"
NEEDS_SOFFICE = pytest.mark.skipif(
    pdf.soffice() is None and not os.environ.get("CI"), reason="LibreOffice (soffice) is not installed"
)


def air_scheme_yaml(edition: str | None) -> str:
    """The test world's scheme with its 优良天数比例 filled from air data (as xx-city-2020's good_ratio)."""
    assert SCHEME_YAML.count(GOOD_DAYS) == 1
    text = SCHEME_YAML.replace(GOOD_DAYS, GOOD_DAYS[:-2] + ", source: air.good_ratio, source_scale: 100}\n")
    if edition is not None:
        text = text.replace("year: 2024\n", f"year: 2024\nair_edition: '{edition}'\n")
    return text


def test_the_built_in_scheme_with_air_inputs_follows_the_editions_in_force_each_day() -> None:
    scheme = kaohe.load_scheme("jilin-2021-2025")
    assert has_air_inputs(scheme) and scheme.air_edition is None  # good_ratio, pm25, heavy_ratio: air.…
    assert air_basis(scheme) == AUTO


@pytest.mark.parametrize(
    ("edition", "expected"), [(None, AUTO), ("auto", AUTO), ("2026", ONLY_2026), ("2012", ONLY_2012)]
)
def test_the_sentence_follows_the_pinned_edition(edition: str | None, expected: str) -> None:
    assert air_basis(load_scheme_text(air_scheme_yaml(edition))) == expected


@pytest.mark.parametrize(("year", "expected"), [(2024, ONLY_2012), (2026, AUTO), (2027, ONLY_2026), (None, AUTO)])
def test_for_an_assessment_year_auto_names_the_editions_in_force_that_year(year: int | None, expected: str) -> None:
    # The 2026 editions are in force from 2026-03-01: a 2024 cycle's days all followed 2012, a 2027 cycle's 2026,
    # a 2026 cycle's both.
    assert air_basis(load_scheme_text(air_scheme_yaml(None)), year) == expected


def test_a_scheme_without_air_inputs_has_no_sentence() -> None:
    scheme = load_scheme_text(SCHEME_YAML)
    assert not has_air_inputs(scheme) and air_basis(scheme) is None


# ------------------------------------------------------------------------------------------------ the documents
def approve_and_publish(world: World) -> World:
    """甲市 97 优秀, 乙市 87 良好, 丙县 77 合格 (as test_docx), approved 2025-03-10 and published 2025-03-12."""
    world.fill("A")
    world.fill("B", {**GOOD_VALUES, "water_months": 3})
    world.fill("C")
    for unit in ("A", "B", "C"):
        world.submit(unit)
        world.verify_all(unit)
    actions.check_evaluate_cycle(cycle=world.cycle, acting_user=world.people["alice"])
    with time_machine.travel("2025-03-10 09:30 +0800", tick=False):
        actions.check_approve_cycle(cycle=world.cycle, acting_user=world.people["linda"])
    with time_machine.travel("2025-03-12 10:00 +0800", tick=False):
        actions.check_publish_cycle(cycle=world.cycle, acting_user=world.people["alice"])
    return world


@pytest.fixture
def air_world(db: Any, monkeypatch: pytest.MonkeyPatch) -> World:
    """The test world, its cycle opened with the scheme whose 优良天数比例 comes from air data, pinned to 2026."""
    monkeypatch.setattr(tests.world, "SCHEME_YAML", air_scheme_yaml("2026"))
    return approve_and_publish(build_world())


@pytest.fixture
def plain_world(world: World) -> World:
    return approve_and_publish(world)


def workbook(world: World) -> Any:
    response = world.client("alice").get(reverse("reports:results_export", args=[world.cycle.pk]))
    assert response.status_code == 200
    return load_workbook(io.BytesIO(response.content))


def notice(world: World) -> Any:
    response = world.client("anon").get(reverse("reports:notice", args=[world.cycle.pk]))
    assert response.status_code == 200
    return Document(io.BytesIO(response.content))


def test_the_results_workbook_says_which_edition_the_air_figures_follow(air_world: World) -> None:
    wb = workbook(air_world)
    assert wb.sheetnames == ["市", "县", "一票否决与政务失信", "指标得分", "加扣分明细", "说明", "审计校验码"]
    lines = [r[0] for r in wb["说明"].iter_rows(values_only=True)]
    assert lines == ["考核方案：网页测试方案（web-test，2024年）", ONLY_2026]


def test_a_results_workbook_without_air_inputs_has_no_such_line(plain_world: World) -> None:
    wb = workbook(plain_world)
    assert wb.sheetnames == ["市", "县", "一票否决与政务失信", "指标得分", "加扣分明细", "审计校验码"]
    cells = [str(v) for ws in wb.worksheets for row in ws.iter_rows(values_only=True) for v in row if v]
    assert not any("空气质量指标依据" in v for v in cells)


def test_the_notice_says_it_where_the_scheme_is_named(air_world: World) -> None:
    document = notice(air_world)
    preamble = next(p for p in document.paragraphs if p.text.startswith("根据《网页测试方案》"))
    # After the counts, before the sentence that introduces the results.
    assert preamble.text.endswith(f"合格 1 个。{ONLY_2026}。现将考核结果通报如下。")
    assert sum("空气质量指标依据" in p.text for p in document.paragraphs) == 1
    # The codes' hyphens do not break ("GB 3095-" / "2026" was wrapped in the PDF): one w:noBreakHyphen each.
    assert len(preamble._p.findall(".//" + qn("w:noBreakHyphen"))) == 3
    # The body text of GB/T 9704 7.3.3 (3号仿宋), and the layout around it as before: 一、考核结果 next, the
    # signer, date and audit anchor last.
    assert east_asia(preamble) == "仿宋_GB2312" and size(preamble) == Pt(16)
    texts = [p.text for p in document.paragraphs]
    assert texts[texts.index(preamble.text) + 1] == "一、考核结果"
    assert texts[-2] == "2025年3月12日" and texts[-1].startswith("校验码 ")


def test_a_notice_without_air_inputs_has_no_such_line(plain_world: World) -> None:
    document = notice(plain_world)
    preamble = next(p.text for p in document.paragraphs if p.text.startswith("根据"))
    assert preamble.endswith("合格 1 个。现将考核结果通报如下。")
    assert not any("空气质量指标依据" in p.text for p in document.paragraphs)


@NEEDS_SOFFICE
def test_the_notice_as_pdf_prints_the_sentence(air_world: World, tmp_path: Path) -> None:
    from pypdf import PdfReader

    response = air_world.client("anon").get(reverse("reports:notice_pdf", args=[air_world.cycle.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    keep = os.environ.get("KAOHE_KEEP_PDF")
    if keep:  # to look at it: pdftoppm -png -r 60 $KAOHE_KEEP_PDF page
        Path(keep).write_bytes(response.content)
    reader = PdfReader(io.BytesIO(response.content))
    first = reader.pages[0].extract_text().replace(" ", "").replace("\n", "")
    assert ONLY_2026.replace(" ", "") in first  # on the first page, in the preamble
